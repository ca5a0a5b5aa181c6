//! Canonical cache keys.
//!
//! A key is the qualified function name, an optional version, and the participating
//! arguments in a canonical, type-tagged, injective text form: distinct argument lists give
//! distinct keys, equal ones (by value, whatever the object property order) give the same
//! key, in every binding. `KEYS.md` beside this crate is the specification;
//! `tests/vectors/keys.json` pins it with vectors that the Rust and JavaScript tests share.
//!
//! - [`ArgValue`]: the argument model (JavaScript-shaped: numbers are doubles, BigInts are
//!   integers of any size, plus strings, bytes, dates, lists, objects, maps and sets).
//! - [`encode_value`]: one value's canonical form.
//! - [`KeyBuilder`] / [`build_key`]: whole keys from a name, [`KeyOptions`] and arguments.
//! - [`decode_key`]: a `repr` key parsed back into its arguments (the injectivity check).
//! - [`Serializer`]: turns the canonical form into the stored key: [`Repr`] (the canonical
//!   text itself, the default), [`Md5`] or [`Sha256`] (short digests).

mod builder;
mod decode;
mod encode;
mod serializer;
mod value;

pub use builder::{ArgSelection, KeyBuilder, KeyOptions, build_key};
pub use decode::{DecodeError, DecodedKey, decode_key};
pub use encode::{MAX_DEPTH, encode_value};
pub use serializer::{Md5, Repr, Serializer, Sha256, StandardSerializer};
pub use value::ArgValue;

/// The default longest key, in bytes (1 MiB); see [`KeyOptions::max_key_bytes`].
pub const DEFAULT_MAX_KEY_BYTES: usize = 1 << 20;

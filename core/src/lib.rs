//! # cashier-core
//!
//! The engine behind every cashier binding: one place for every cache rule.
//!
//! - [`clock`]: the injected time source ([`Clock`], [`ManualClock`], `SystemClock` with `std`).
//! - [`key`]: the canonical, type-tagged, injective key encoding ([`ArgValue`], [`KeyBuilder`],
//!   [`build_key`]) and the key serializers (repr, MD5, SHA-256). The format is specified in
//!   `KEYS.md` next to this crate and pinned by the shared vectors in `tests/vectors/keys.json`.
//! - [`store`]: [`TtlLruStore`], a TTL + LRU map bounded by `max_size` with O(1) operations.
//! - [`flight`]: [`FlightTable`], the single-threaded table of pending computations (dog-pile
//!   prevention).
//! - [`cache`]: [`Cache`], a store and a flight table together: the memoization engine that
//!   bindings drive (`lookup` → hit / joined / miss-with-ticket, then `complete` or `fail`).
//! - [`slots`]: [`slots::SlotLru`], the same TTL + LRU rules over slot numbers, for bindings that
//!   keep the key → slot index themselves (the npm package keeps it in a JavaScript `Map`).
//! - [`stats`]: the counters, [`CacheStats`].
//!
//! The crate is `#![no_std]` + `alloc`. The default `std` feature only adds `SystemClock`.
//! Nothing here reads the time except through a [`Clock`], and nothing panics on user input:
//! every failure is an [`Error`].
#![no_std]
// Unsafe code only where an invariant of the policy makes a check redundant on the hit path,
// each block allowed where it is, with a `SAFETY:` comment naming the invariant and a
// `debug_assert!` of it (`cargo +nightly miri test -p cashier-core --lib` runs them).
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod cache;
pub mod clock;
pub mod error;
pub mod flight;
pub mod key;
pub mod slots;
pub mod stats;
pub mod store;

pub use cache::{Cache, Lookup};
#[cfg(feature = "std")]
pub use clock::SystemClock;
pub use clock::{Clock, ManualClock};
pub use error::{ConfigError, Error, FlightError, KeyError, OutOfMemory};
pub use flight::{FlightId, FlightTable, Ticket};
pub use key::{
    ArgSelection, ArgValue, KeyBuilder, KeyOptions, Md5, Repr, Serializer, Sha256,
    StandardSerializer, build_key, encode_value,
};
pub use stats::CacheStats;
pub use store::{StoreConfig, TtlLruStore};

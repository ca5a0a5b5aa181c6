//! [`ArgValue`]: the values a key can be built from.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// One argument (or a part of one) as the key encoding sees it.
///
/// The model follows JavaScript, the widest of the bindings: every JS argument maps to exactly
/// one variant, and Rust values map in through the `From` impls (small integers and floats to
/// [`ArgValue::Number`], 64- and 128-bit integers to [`ArgValue::BigInt`] so that no value is
/// rounded).
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    /// JavaScript `null`, Rust `None`.
    Null,
    /// JavaScript `undefined` (also a missing selected parameter).
    Undefined,
    /// A boolean.
    Bool(bool),
    /// A double (JavaScript number). `-0` keys as `0`; every NaN is one value.
    Number(f64),
    /// An integer of any size (JavaScript BigInt), as canonical decimal text:
    /// `-?(0|[1-9][0-9]*)`, never `-0`. Always distinct from a [`ArgValue::Number`].
    BigInt(String),
    /// A Unicode string.
    String(String),
    /// A byte string (JavaScript `Uint8Array`).
    Bytes(Vec<u8>),
    /// A date as its time value in milliseconds since the epoch: an integer within
    /// ±8.64e15, or NaN for an invalid date.
    Date(f64),
    /// An ordered list (JavaScript array).
    List(Vec<ArgValue>),
    /// A record with string keys (JavaScript plain object); key order does not matter.
    Object(Vec<(String, ArgValue)>),
    /// A map with keys of any type (JavaScript `Map`); entry order does not matter.
    Map(Vec<(ArgValue, ArgValue)>),
    /// A set (JavaScript `Set`); element order does not matter.
    Set(Vec<ArgValue>),
}

impl ArgValue {
    /// A byte string.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        ArgValue::Bytes(bytes.into())
    }

    /// A record from `(key, value)` pairs.
    pub fn object<K: Into<String>, V: Into<ArgValue>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        ArgValue::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// A list from values.
    pub fn list<V: Into<ArgValue>>(items: impl IntoIterator<Item = V>) -> Self {
        ArgValue::List(items.into_iter().map(Into::into).collect())
    }
}

macro_rules! from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for ArgValue {
            fn from(value: $t) -> Self {
                ArgValue::Number(value.into())
            }
        }
    )*};
}
from_number!(f64, f32, i8, i16, i32, u8, u16, u32);

macro_rules! from_big_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for ArgValue {
            fn from(value: $t) -> Self {
                ArgValue::BigInt(value.to_string())
            }
        }
    )*};
}
from_big_integer!(i64, u64, i128, u128, isize, usize);

impl From<bool> for ArgValue {
    fn from(value: bool) -> Self {
        ArgValue::Bool(value)
    }
}

impl From<&str> for ArgValue {
    fn from(value: &str) -> Self {
        ArgValue::String(value.into())
    }
}

impl From<String> for ArgValue {
    fn from(value: String) -> Self {
        ArgValue::String(value)
    }
}

impl<T: Into<ArgValue>> From<Option<T>> for ArgValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(ArgValue::Null, Into::into)
    }
}

impl<T: Into<ArgValue>> From<Vec<T>> for ArgValue {
    fn from(items: Vec<T>) -> Self {
        ArgValue::List(items.into_iter().map(Into::into).collect())
    }
}

//! The Redis layout of the npm package's `RedisStorage`, for Rust programs that share a cache
//! with JavaScript ones. Keys come from cashier-core's [`KeyBuilder`](cashier_core::KeyBuilder), so
//! they are byte-for-byte the keys `buildKey`/`memoize` build in JavaScript.
//!
//! Layout (under a storage's `prefix`, default `cashier:`):
//! - `{prefix}generation`: the namespace generation, an integer; absent means 0. `clear()` is `INCR`.
//! - `{prefix}{generation}:v:{key}`: a value, as the value serializer's text (JSON by default).
//! - `{prefix}{generation}:l:{key}`: a key's lock while one process computes it: the holder's
//!   random token, with `PX` = the lock's lease, which the holder renews while it computes and
//!   releases by compare-and-delete (a writer that takes no lock simply does not touch it).

use redis::{Commands, Connection, RedisResult};

/// One `RedisStorage` namespace.
#[derive(Debug, Clone)]
pub struct RedisLayout {
    prefix: String,
}

impl RedisLayout {
    /// The namespace under `prefix` (the JavaScript default is `cashier:`).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// The Redis key holding the generation.
    pub fn generation_key(&self) -> String {
        format!("{}generation", self.prefix)
    }

    /// The Redis key of `key`'s value in `generation`.
    pub fn value_key(&self, generation: u64, key: &str) -> String {
        format!("{}{generation}:v:{key}", self.prefix)
    }

    /// The current generation (0 when none was ever rotated).
    pub fn generation(&self, connection: &mut Connection) -> RedisResult<u64> {
        let generation: Option<u64> = connection.get(self.generation_key())?;
        Ok(generation.unwrap_or(0))
    }

    /// The serialized value stored for `key` in the current generation, if any.
    pub fn read(&self, connection: &mut Connection, key: &str) -> RedisResult<Option<String>> {
        let generation = self.generation(connection)?;
        connection.get(self.value_key(generation, key))
    }

    /// Stores serialized `text` for `key` in the current generation, without expiry.
    ///
    /// Reading the generation and writing are two round trips: a `clear()` between them leaves
    /// this value in the old, unreachable generation, which is what a clear means.
    pub fn write(&self, connection: &mut Connection, key: &str, text: &str) -> RedisResult<()> {
        let generation = self.generation(connection)?;
        connection.set(self.value_key(generation, key), text)
    }
}

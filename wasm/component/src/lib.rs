//! The `cashier:cache` component: wit-bindgen exports over cashier-core. Types in, types out:
//! every rule (keys, expiry, eviction, dedup) is cashier-core's. Nothing here panics on input,
//! so no call traps; failures are the WIT `error` variant.

mod arguments;
mod realloc;

use std::cell::RefCell;

use cashier_core::{
    Cache as CoreCache, Clock, Error as CoreError, KeyBuilder, KeyOptions, Lookup as CoreLookup,
    OutOfMemory, StandardSerializer, StoreConfig, Ticket,
};

use exports::cashier::cache::keys::{
    Guest as KeysGuest, KeyOptions as WitKeyOptions, Node, Serializer,
};
use exports::cashier::cache::store::{Config, Guest as StoreGuest, GuestCache, Lookup};
use exports::cashier::cache::types::{Error, Stats};

wit_bindgen::generate!({
    world: "cashier",
    path: "../../wit",
});

/// The host's clock, through the `clock` import.
struct HostClock;

impl Clock for HostClock {
    fn now_ms(&self) -> u64 {
        cashier::cache::clock::now_ms()
    }
}

struct Component;

impl StoreGuest for Component {
    type Cache = Cache;
}

impl KeysGuest for Component {
    fn build_key(
        name: String,
        nodes: Vec<Node>,
        args: Vec<u32>,
        options: WitKeyOptions,
    ) -> Result<String, Error> {
        let args = arguments::to_values(nodes, &args)?;
        let mut key_options =
            KeyOptions::default()
                .prefix(options.prefix)
                .serializer(match options.serializer {
                    Serializer::Repr => StandardSerializer::Repr,
                    Serializer::Md5 => StandardSerializer::Md5,
                    Serializer::Sha256 => StandardSerializer::Sha256,
                });
        if let Some(version) = options.version {
            key_options = key_options.version(version);
        }
        if let Some(positions) = options.cache_with {
            key_options = key_options.cache_with(
                positions
                    .into_iter()
                    .map(|p| p as usize)
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(max) = options.max_key_bytes {
            key_options = key_options.max_key_bytes(max as usize);
        }
        KeyBuilder::new(&name, &key_options)
            .and_then(|builder| builder.build(&args))
            .map_err(|e| error(e.into()))
    }
}

/// The exported `cache` resource.
pub struct Cache {
    inner: RefCell<CoreCache<String, Vec<u8>, HostClock>>,
}

impl GuestCache for Cache {
    fn create(config: Config) -> Result<exports::cashier::cache::store::Cache, Error> {
        let mut store_config =
            StoreConfig::new(config.max_size as usize).hash_seed(config.hash_seed);
        store_config.default_ttl_ms = config.default_ttl_ms;
        let inner = CoreCache::new(store_config, HostClock).map_err(|e| error(e.into()))?;
        Ok(exports::cashier::cache::store::Cache::new(Cache {
            inner: RefCell::new(inner),
        }))
    }

    fn get(&self, key: String) -> Option<Vec<u8>> {
        self.inner.borrow_mut().get(key.as_str()).cloned()
    }

    fn set(&self, key: String, value: Vec<u8>, ttl_ms: Option<u64>) -> Result<(), Error> {
        let mut inner = self.inner.borrow_mut();
        inner.try_reserve_entry().map_err(|e| error(e.into()))?;
        match ttl_ms {
            None => {
                inner.insert(key, value);
                Ok(())
            }
            Some(ttl) => inner
                .insert_with_ttl(key, value, Some(ttl))
                .map(drop)
                .map_err(|e| error(e.into())),
        }
    }

    fn delete(&self, key: String) -> bool {
        self.inner.borrow_mut().remove(key.as_str()).is_some()
    }

    fn clear(&self) {
        self.inner.borrow_mut().clear();
    }

    fn bump_version(&self) {
        self.inner.borrow_mut().bump_version();
    }

    fn stats(&self) -> Stats {
        let s = self.inner.borrow().stats();
        Stats {
            hits: s.hits,
            misses: s.misses,
            joined: s.joined,
            evictions: s.evictions,
            expirations: s.expirations,
            size: s.size,
            pending: s.pending,
        }
    }

    fn begin(&self, key: String) -> Result<Lookup, Error> {
        let mut inner = self.inner.borrow_mut();
        if inner.try_reserve_entry().is_err() {
            // Hits need no memory; a miss would.
            return match inner.get(key.as_str()) {
                Some(value) => Ok(Lookup::Hit(value.clone())),
                None => Err(error(OutOfMemory.into())),
            };
        }
        Ok(match inner.lookup(key.as_str()) {
            CoreLookup::Hit(value) => Lookup::Hit(value.clone()),
            CoreLookup::Joined(flight) => Lookup::Joined(flight.to_raw()),
            CoreLookup::Miss(ticket) => Lookup::Miss(ticket.to_raw()),
        })
    }

    fn complete(&self, ticket: u64, value: Vec<u8>, ttl_ms: Option<u64>) -> Result<u32, Error> {
        let mut inner = self.inner.borrow_mut();
        let ticket = Ticket::from_raw(ticket);
        let landing = match ttl_ms {
            None => inner.complete(ticket, value).map_err(CoreError::from),
            Some(ttl) => inner.complete_with_ttl(ticket, value, Some(ttl)),
        };
        landing.map(|landing| landing.waiters).map_err(error)
    }

    fn fail(&self, ticket: u64) -> Result<u32, Error> {
        let landing = self.inner.borrow_mut().fail(Ticket::from_raw(ticket));
        landing
            .map(|landing| landing.waiters)
            .map_err(|e| error(e.into()))
    }
}

/// A core error as the WIT error variant, message included.
fn error(error: CoreError) -> Error {
    let message = error.to_string();
    match error {
        CoreError::Config(_) => Error::InvalidConfig(message),
        CoreError::Key(_) => Error::InvalidKey(message),
        CoreError::Flight(_) => Error::StaleTicket(message),
        CoreError::OutOfMemory(_) => Error::OutOfMemory(message),
    }
}

export!(Component);

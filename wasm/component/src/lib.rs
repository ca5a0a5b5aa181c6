//! The `cashier:cache` component: wit-bindgen exports over cashier-core. Types in, types out:
//! every rule (keys, expiry, eviction, dedup) is cashier-core's. Nothing here panics on input,
//! so no call traps; failures are the WIT `error` variant.
//!
//! Memory exhaustion: hits are returned without allocating ([`lend`]), operations that grow
//! memory first make sure the allocator's reserve is in place ([`allocator::available`]) and
//! refuse with `out-of-memory` otherwise, and `out-of-memory` itself is a static message.

mod allocator;
mod arguments;
mod handles;
mod lend;
mod realloc;
mod tickets;

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
use lend::{lend, lend_str};
use tickets::TicketCipher;

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
    type HandleCache = handles::HandleCache;
}

impl KeysGuest for Component {
    fn build_key(
        name: String,
        nodes: Vec<Node>,
        args: Vec<u32>,
        options: WitKeyOptions,
    ) -> Result<String, Error> {
        if !allocator::available() {
            return Err(out_of_memory());
        }
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
    /// Makes this cache's tickets its own: another cache's ticket is stale here.
    tickets: TicketCipher,
}

impl GuestCache for Cache {
    fn create(config: Config) -> Result<exports::cashier::cache::store::Cache, Error> {
        if !allocator::available() {
            return Err(out_of_memory());
        }
        // The core's limit is 2^32 - 2 entries (slot indices are u32 with one reserved); a
        // 32-bit memory holds far fewer, so u32::MAX ("unbounded") means the same and is taken.
        let max_size = (config.max_size as usize).min(cashier_core::store::MAX_SIZE_LIMIT);
        let mut store_config = StoreConfig::new(max_size).hash_seed(config.hash_seed);
        store_config.default_ttl_ms = config.default_ttl_ms;
        let inner = CoreCache::new(store_config, HostClock).map_err(|e| error(e.into()))?;
        Ok(exports::cashier::cache::store::Cache::new(Cache {
            inner: RefCell::new(inner),
            tickets: TicketCipher::for_new_cache(config.hash_seed),
        }))
    }

    fn get(&self, key: String) -> Option<Vec<u8>> {
        // Lent, not copied: a hit needs no free memory.
        self.inner
            .borrow_mut()
            .get(key.as_str())
            .map(|value| lend(value))
    }

    fn set(&self, key: String, value: Vec<u8>, ttl_ms: Option<u64>) -> Result<(), Error> {
        if !allocator::available() {
            return Err(out_of_memory());
        }
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
        stats(self.inner.borrow().stats())
    }

    fn begin(&self, key: String) -> Result<Lookup, Error> {
        let mut inner = self.inner.borrow_mut();
        // A miss allocates a flight slot and an entry (reserved here) and a copy of the key
        // (from the reserve if need be, or checked here when it is larger than half of it).
        let room_for_a_miss = allocator::available()
            && inner.try_reserve_entry().is_ok()
            && allocator::available()
            && (key.len() <= allocator::RESERVE_BYTES / 2 || allocator::can_allocate(key.len()));
        if !room_for_a_miss && !inner.is_pending(key.as_str()) {
            // Hits and joins need no memory; a miss would.
            return match inner.get(key.as_str()) {
                Some(value) => Ok(Lookup::Hit(lend(value))),
                None => Err(out_of_memory()),
            };
        }
        Ok(match inner.begin(key.as_str()) {
            CoreLookup::Hit(value) => Lookup::Hit(lend(value)),
            CoreLookup::Joined(flight) => Lookup::Joined(self.tickets.seal(flight.to_raw())),
            CoreLookup::Miss(ticket) => Lookup::Miss(self.tickets.seal(ticket.to_raw())),
        })
    }

    fn complete(&self, ticket: u64, value: Vec<u8>, ttl_ms: Option<u64>) -> Result<u32, Error> {
        if !allocator::available() {
            return Err(out_of_memory());
        }
        let mut inner = self.inner.borrow_mut();
        // Storing the value may need a new entry: reserve it before the flight ends, so that
        // a refusal leaves the ticket usable.
        inner.try_reserve_entry().map_err(|e| error(e.into()))?;
        let ticket = Ticket::from_raw(self.tickets.open(ticket));
        let landing = match ttl_ms {
            None => inner.complete(ticket, value).map_err(CoreError::from),
            Some(ttl) => inner.complete_with_ttl(ticket, value, Some(ttl)),
        };
        landing.map(|landing| landing.waiters).map_err(error)
    }

    fn fail(&self, ticket: u64) -> Result<u32, Error> {
        let ticket = Ticket::from_raw(self.tickets.open(ticket));
        let landing = self.inner.borrow_mut().fail(ticket);
        landing
            .map(|landing| landing.waiters)
            .map_err(|e| error(e.into()))
    }
}

/// The core's counters as the WIT record.
fn stats(s: cashier_core::CacheStats) -> Stats {
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

/// A core error as the WIT error variant, message included.
fn error(error: CoreError) -> Error {
    match error {
        CoreError::Config(_) => Error::InvalidConfig(error.to_string()),
        CoreError::Key(_) => Error::InvalidKey(error.to_string()),
        CoreError::Flight(_) => Error::StaleTicket(error.to_string()),
        CoreError::OutOfMemory(_) => out_of_memory(),
    }
}

/// `out-of-memory`, with a message that takes no memory to report.
fn out_of_memory() -> Error {
    Error::OutOfMemory(lend_str(OutOfMemory::MESSAGE))
}

export!(Component);

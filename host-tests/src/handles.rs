//! [`HandleCache`]: the component's `handle-cache` with the values kept on the host.
//!
//! The component stores a `u64` handle per key; this side keeps the objects in a slab indexed
//! by handle. A hit crosses the boundary as a number (no copy of the value, no allocation in
//! the component, no post-return call), so it costs a key copy and the call itself. When the
//! component lets go of a handle (replaced, evicted, expired, deleted, cleared, reclaimed after
//! a version bump), it reports it through `take-freed`, and the object is dropped here; each
//! handle is reported exactly once, and a slot is reused only after its report.

use wasmtime::component::ResourceAny;

use crate::bindings::exports::cashier::cache::store::{HandleLookup, ShortKey};
use crate::{CacheConfig, Cashier, HostError, Stats};

/// What [`HandleCache::begin`] found for a key.
#[derive(Debug, PartialEq, Eq)]
pub enum LookupRef<'a, T> {
    /// The live stored value.
    Hit(&'a T),
    /// The key is being computed by another caller: wait for this flight.
    Joined(u64),
    /// Nothing stored or pending: compute, then [`HandleCache::complete`] or
    /// [`HandleCache::fail`] this ticket.
    Miss(u64),
}

/// A cache of `T`s under string keys: TTL, LRU and flights run in the component, the values
/// stay on the host. Belongs to the [`Cashier`] that created it; pass that one to every call.
pub struct HandleCache<T> {
    resource: ResourceAny,
    /// Objects by handle; `None` for a free slot.
    slots: Vec<Option<T>>,
    /// Free slots, reused last-in first-out.
    free: Vec<u64>,
}

impl<T> HandleCache<T> {
    /// A new cache in `cashier`'s instance.
    pub fn create(cashier: &mut Cashier, config: CacheConfig) -> Result<Self, HostError> {
        let resource = cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_create(&mut cashier.store, config)??;
        Ok(Self {
            resource,
            slots: Vec::new(),
            free: Vec::new(),
        })
    }

    /// Drops the cache in the component (freeing its memory there) and every value it holds.
    pub fn drop_cache(self, cashier: &mut Cashier) -> Result<(), HostError> {
        self.resource.resource_drop(&mut cashier.store)?;
        Ok(())
    }

    /// The live value for `key`; makes it the most recently used.
    pub fn get(&mut self, cashier: &mut Cashier, key: &str) -> Result<Option<&T>, HostError> {
        let calls = cashier.bindings.cashier_cache_store().handle_cache();
        // A short key travels by value: no copy into the component's memory.
        let handle = match short_key(key) {
            Some(short) => calls.call_get_short(&mut cashier.store, self.resource, short)?,
            None => calls.call_get(&mut cashier.store, self.resource, key)?,
        };
        match handle {
            None => Ok(None),
            Some(handle) => self.object(handle).map(Some),
        }
    }

    /// Stores `value` for `key` (with its own TTL, or the default). The value it replaces and
    /// any it evicts are dropped. On an error `value` is dropped and nothing changed.
    pub fn set(
        &mut self,
        cashier: &mut Cashier,
        key: &str,
        value: T,
        ttl_ms: Option<u64>,
    ) -> Result<(), HostError> {
        let handle = self.keep(value);
        let outcome = cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_set(&mut cashier.store, self.resource, key, handle, ttl_ms);
        match outcome {
            Ok(Ok(waiting)) => {
                if waiting > 0 {
                    self.reclaim(cashier)?;
                }
                Ok(())
            }
            Ok(Err(error)) => {
                self.release(handle)?;
                Err(error.into())
            }
            Err(error) => {
                self.release(handle)?;
                Err(error.into())
            }
        }
    }

    /// Removes `key` (dropping its value) and cancels its pending computation; true if a live
    /// value was removed.
    pub fn delete(&mut self, cashier: &mut Cashier, key: &str) -> Result<bool, HostError> {
        let removed = cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_delete(&mut cashier.store, self.resource, key)?;
        self.reclaim(cashier)?;
        Ok(removed)
    }

    /// Removes every entry (dropping their values) and cancels every pending computation.
    pub fn clear(&mut self, cashier: &mut Cashier) -> Result<(), HostError> {
        cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_clear(&mut cashier.store, self.resource)?;
        self.reclaim(cashier)?;
        Ok(())
    }

    /// Invalidates every entry in O(1). Their values are dropped as the component reclaims the
    /// entries (lazily), or at once by [`HandleCache::purge`].
    pub fn bump_version(&mut self, cashier: &mut Cashier) -> Result<(), HostError> {
        Ok(cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_bump_version(&mut cashier.store, self.resource)?)
    }

    /// Drops every expired or invalidated entry and its value now; returns how many.
    pub fn purge(&mut self, cashier: &mut Cashier) -> Result<u32, HostError> {
        let dropped = cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_purge(&mut cashier.store, self.resource)?;
        self.reclaim(cashier)?;
        Ok(dropped)
    }

    /// The cache's counters.
    pub fn stats(&mut self, cashier: &mut Cashier) -> Result<Stats, HostError> {
        Ok(cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_stats(&mut cashier.store, self.resource)?)
    }

    /// Hit, joined flight, or miss with a ticket (opaque: only this cache accepts it). With the
    /// instance's memory exhausted, hits and joins are still answered and a miss is
    /// `CacheError::OutOfMemory`.
    pub fn begin(
        &mut self,
        cashier: &mut Cashier,
        key: &str,
    ) -> Result<LookupRef<'_, T>, HostError> {
        let lookup = cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_begin(&mut cashier.store, self.resource, key)??;
        Ok(match lookup {
            HandleLookup::Hit(handle) => LookupRef::Hit(self.object(handle)?),
            HandleLookup::Joined(flight) => LookupRef::Joined(flight),
            HandleLookup::Miss(ticket) => LookupRef::Miss(ticket),
        })
    }

    /// Ends a flight with its value; returns how many callers joined it. On an error (a stale
    /// ticket, out of memory) `value` is dropped and nothing is stored.
    pub fn complete(
        &mut self,
        cashier: &mut Cashier,
        ticket: u64,
        value: T,
        ttl_ms: Option<u64>,
    ) -> Result<u32, HostError> {
        let handle = self.keep(value);
        let outcome = cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_complete(&mut cashier.store, self.resource, ticket, handle, ttl_ms);
        match outcome {
            Ok(Ok(landing)) => {
                if landing.freed > 0 {
                    self.reclaim(cashier)?;
                }
                Ok(landing.waiters)
            }
            Ok(Err(error)) => {
                self.release(handle)?;
                Err(error.into())
            }
            Err(error) => {
                self.release(handle)?;
                Err(error.into())
            }
        }
    }

    /// Ends a flight with a failure; returns how many callers joined it.
    pub fn fail(&mut self, cashier: &mut Cashier, ticket: u64) -> Result<u32, HostError> {
        Ok(cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_fail(&mut cashier.store, self.resource, ticket)??)
    }

    /// Drops the values the component has let go of and not yet reported (expired entries
    /// found by lookups wait for the next write, or for this call); returns how many.
    pub fn reclaim(&mut self, cashier: &mut Cashier) -> Result<usize, HostError> {
        let freed = cashier
            .bindings
            .cashier_cache_store()
            .handle_cache()
            .call_take_freed(&mut cashier.store, self.resource)?;
        for &handle in &freed {
            self.release(handle)?;
        }
        Ok(freed.len())
    }

    /// The component's `handle-cache` resource, for calling the WIT exports directly (see
    /// [`Cashier::raw`]); values stored that way are not this side's to drop.
    pub fn resource(&self) -> ResourceAny {
        self.resource
    }

    /// How many values this side holds: stored in the component, or let go of and not yet
    /// reclaimed.
    pub fn values_held(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Puts `value` in a free slot; its handle.
    fn keep(&mut self, value: T) -> u64 {
        match self.free.pop() {
            Some(handle) => {
                self.slots[handle as usize] = Some(value);
                handle
            }
            None => {
                self.slots.push(Some(value));
                (self.slots.len() - 1) as u64
            }
        }
    }

    /// Drops the value of `handle` and frees its slot.
    fn release(&mut self, handle: u64) -> Result<(), HostError> {
        let slot = usize::try_from(handle)
            .ok()
            .and_then(|index| self.slots.get_mut(index))
            .ok_or(HostError::UnknownHandle(handle))?;
        if slot.take().is_none() {
            return Err(HostError::UnknownHandle(handle));
        }
        self.free.push(handle);
        Ok(())
    }

    fn object(&self, handle: u64) -> Result<&T, HostError> {
        usize::try_from(handle)
            .ok()
            .and_then(|index| self.slots.get(index))
            .and_then(Option::as_ref)
            .ok_or(HostError::UnknownHandle(handle))
    }
}

/// The longest key passed by value (`short-key` in the WIT).
const SHORT_KEY_BYTES: usize = 112;

/// `key` packed into a `short-key`, if it fits.
fn short_key(key: &str) -> Option<ShortKey> {
    if key.len() > SHORT_KEY_BYTES {
        return None;
    }
    let mut bytes = [0u8; SHORT_KEY_BYTES];
    bytes[..key.len()].copy_from_slice(key.as_bytes());
    let word = |i: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
        u64::from_le_bytes(word)
    };
    Some(ShortKey {
        len: key.len() as u8,
        w0: word(0),
        w1: word(1),
        w2: word(2),
        w3: word(3),
        w4: word(4),
        w5: word(5),
        w6: word(6),
        w7: word(7),
        w8: word(8),
        w9: word(9),
        w10: word(10),
        w11: word(11),
        w12: word(12),
        w13: word(13),
    })
}

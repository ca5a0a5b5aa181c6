//! The exported `handle-cache` resource: the cache of [`crate::Cache`] storing a `u64` handle
//! per key instead of bytes, so that a hit crosses the boundary as a number (no copy, no
//! allocation, no post-return call) and the host keeps its values itself.
//!
//! The host must learn when the cache lets go of a handle (replaced, evicted, expired, deleted,
//! cleared, reclaimed after a version bump) so it can free its object. The core drops values
//! wherever its policy frees a slot, so the stored value is a [`Handle`] whose `Drop` reports it
//! to the cache's [`Freed`] list, which `take-freed` hands over. The list always has room for
//! every handle the cache holds (reserved when a handle is taken), so reporting never
//! allocates: lookups at memory exhaustion still free expired entries and serve hits.

use std::cell::RefCell;
use std::sync::atomic::{AtomicPtr, Ordering};

use cashier_core::slots::validate_ttl;
use cashier_core::{
    Cache as CoreCache, Error as CoreError, Lookup as CoreLookup, StoreConfig, Ticket,
};

use crate::exports::cashier::cache::store::{
    Config, GuestHandleCache, HandleLanding, HandleLookup, ShortKey,
};
use crate::exports::cashier::cache::types::{Error, Stats};
use crate::lend::lend_slice;
use crate::tickets::TicketCipher;
use crate::{HostClock, allocator, error, out_of_memory};

/// The longest key `get-short` carries: 14 words, so that the call's parameters (the cache,
/// the length and the words) stay within the canonical ABI's 16 flat values.
const SHORT_KEY_BYTES: usize = 112;

/// The handles a cache has let go of and not yet reported, and how many it holds.
struct Freed {
    /// Reported by `take-freed`; its capacity covers `len + held` at all times.
    list: Vec<u64>,
    /// Handles stored in the core (live, expired or invalidated but not yet dropped).
    held: usize,
}

/// The cache whose calls are under way: where a dropped [`Handle`] is reported. Null between
/// calls, so handles dropped with their cache (the resource's destructor) are not reported.
static REPORTING_TO: AtomicPtr<RefCell<Freed>> = AtomicPtr::new(std::ptr::null_mut());

/// A handle stored in the core; dropping it reports it freed.
struct Handle(u64);

impl Drop for Handle {
    fn drop(&mut self) {
        let freed = REPORTING_TO.load(Ordering::Relaxed);
        // SAFETY: non-null only while a `Reporting` guard borrows the `RefCell` it points at,
        // and the component is single-threaded; the cell is never borrowed across core calls.
        if let Some(freed) = unsafe { freed.as_ref() } {
            let mut freed = freed.borrow_mut();
            freed.held -= 1;
            // Within the capacity reserved when the handle was taken: no allocation.
            freed.list.push(self.0);
        }
    }
}

/// Points [`REPORTING_TO`] at one cache's list for the duration of a call.
struct Reporting;

impl Reporting {
    fn to(freed: &RefCell<Freed>) -> Self {
        REPORTING_TO.store(std::ptr::from_ref(freed).cast_mut(), Ordering::Relaxed);
        Reporting
    }
}

impl Drop for Reporting {
    fn drop(&mut self) {
        REPORTING_TO.store(std::ptr::null_mut(), Ordering::Relaxed);
    }
}

/// The exported `handle-cache` resource.
pub struct HandleCache {
    inner: RefCell<CoreCache<String, Handle, HostClock>>,
    freed: RefCell<Freed>,
    /// Makes this cache's tickets its own: another cache's ticket is stale here.
    tickets: TicketCipher,
}

impl HandleCache {
    /// Room for one more handle and for reporting it, checked before anything changes: memory
    /// for the core's entry and for the freed list's slot.
    fn make_room(&self) -> Result<(), Error> {
        if !allocator::available() {
            return Err(out_of_memory());
        }
        self.inner
            .borrow_mut()
            .try_reserve_entry()
            .map_err(|e| error(e.into()))?;
        let mut freed = self.freed.borrow_mut();
        let held = freed.held;
        freed
            .list
            .try_reserve(held + 1)
            .map_err(|_| out_of_memory())
    }

    /// `handle` as a stored value: counted as held (after [`HandleCache::make_room`]).
    fn take(&self, handle: u64) -> Handle {
        self.freed.borrow_mut().held += 1;
        Handle(handle)
    }

    /// Takes back the report of `handle` that a refused store made when it dropped the value:
    /// on an error the host still owns it. A refused store drops nothing else, so it is last.
    fn not_taken(&self, handle: u64) {
        let mut freed = self.freed.borrow_mut();
        if freed.list.last() == Some(&handle) {
            freed.list.pop();
        }
    }

    fn waiting(&self) -> u32 {
        u32::try_from(self.freed.borrow().list.len()).unwrap_or(u32::MAX)
    }
}

impl GuestHandleCache for HandleCache {
    fn create(config: Config) -> Result<crate::exports::cashier::cache::store::HandleCache, Error> {
        if !allocator::available() {
            return Err(out_of_memory());
        }
        let max_size = (config.max_size as usize).min(cashier_core::store::MAX_SIZE_LIMIT);
        let mut store_config = StoreConfig::new(max_size).hash_seed(config.hash_seed);
        store_config.default_ttl_ms = config.default_ttl_ms;
        let inner = CoreCache::new(store_config, HostClock).map_err(|e| error(e.into()))?;
        Ok(crate::exports::cashier::cache::store::HandleCache::new(
            HandleCache {
                inner: RefCell::new(inner),
                freed: RefCell::new(Freed {
                    list: Vec::new(),
                    held: 0,
                }),
                tickets: TicketCipher::for_new_cache(config.hash_seed),
            },
        ))
    }

    fn get(&self, key: String) -> Option<u64> {
        let _reporting = Reporting::to(&self.freed);
        self.inner
            .borrow_mut()
            .get(key.as_str())
            .map(|handle| handle.0)
    }

    fn get_short(&self, key: ShortKey) -> Option<u64> {
        let mut bytes = [0u8; SHORT_KEY_BYTES];
        let words = [
            key.w0, key.w1, key.w2, key.w3, key.w4, key.w5, key.w6, key.w7, key.w8, key.w9,
            key.w10, key.w11, key.w12, key.w13,
        ];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        // Not text, or too long: no stored key can match, so nothing is looked up.
        let text = std::str::from_utf8(bytes.get(..usize::from(key.len))?).ok()?;
        let _reporting = Reporting::to(&self.freed);
        self.inner.borrow_mut().get(text).map(|handle| handle.0)
    }

    fn set(&self, key: String, handle: u64, ttl_ms: Option<u64>) -> Result<u32, Error> {
        validate_ttl(ttl_ms).map_err(|e| error(e.into()))?;
        self.make_room()?;
        let _reporting = Reporting::to(&self.freed);
        let value = self.take(handle);
        let mut inner = self.inner.borrow_mut();
        match ttl_ms {
            None => drop(inner.insert(key, value)),
            Some(ttl) => drop(
                inner
                    .insert_with_ttl(key, value, Some(ttl))
                    .map_err(|e| error(e.into()))?,
            ),
        }
        drop(inner);
        Ok(self.waiting())
    }

    fn delete(&self, key: String) -> bool {
        let _reporting = Reporting::to(&self.freed);
        self.inner.borrow_mut().remove(key.as_str()).is_some()
    }

    fn clear(&self) {
        let _reporting = Reporting::to(&self.freed);
        self.inner.borrow_mut().clear();
    }

    fn bump_version(&self) {
        let _reporting = Reporting::to(&self.freed);
        self.inner.borrow_mut().bump_version();
    }

    fn purge(&self) -> u32 {
        let _reporting = Reporting::to(&self.freed);
        let dropped = self.inner.borrow_mut().purge_expired();
        u32::try_from(dropped).unwrap_or(u32::MAX)
    }

    fn stats(&self) -> Stats {
        crate::stats(self.inner.borrow().stats())
    }

    fn begin(&self, key: String) -> Result<HandleLookup, Error> {
        let _reporting = Reporting::to(&self.freed);
        let mut inner = self.inner.borrow_mut();
        // As `cache.begin`: a miss needs a flight slot, an entry and a copy of the key.
        let room_for_a_miss = allocator::available()
            && inner.try_reserve_entry().is_ok()
            && allocator::available()
            && (key.len() <= allocator::RESERVE_BYTES / 2 || allocator::can_allocate(key.len()));
        if !room_for_a_miss && !inner.is_pending(key.as_str()) {
            return match inner.get(key.as_str()) {
                Some(handle) => Ok(HandleLookup::Hit(handle.0)),
                None => Err(out_of_memory()),
            };
        }
        Ok(match inner.begin(key.as_str()) {
            CoreLookup::Hit(handle) => HandleLookup::Hit(handle.0),
            CoreLookup::Joined(flight) => HandleLookup::Joined(self.tickets.seal(flight.to_raw())),
            CoreLookup::Miss(ticket) => HandleLookup::Miss(self.tickets.seal(ticket.to_raw())),
        })
    }

    fn complete(
        &self,
        ticket: u64,
        handle: u64,
        ttl_ms: Option<u64>,
    ) -> Result<HandleLanding, Error> {
        self.make_room()?;
        let _reporting = Reporting::to(&self.freed);
        let ticket = Ticket::from_raw(self.tickets.open(ticket));
        let value = self.take(handle);
        let mut inner = self.inner.borrow_mut();
        let landing = match ttl_ms {
            None => inner.complete(ticket, value).map_err(CoreError::from),
            Some(ttl) => inner.complete_with_ttl(ticket, value, Some(ttl)),
        };
        drop(inner);
        match landing {
            Ok(landing) => Ok(HandleLanding {
                waiters: landing.waiters,
                freed: self.waiting(),
            }),
            Err(refused) => {
                self.not_taken(handle);
                Err(error(refused))
            }
        }
    }

    fn fail(&self, ticket: u64) -> Result<u32, Error> {
        let _reporting = Reporting::to(&self.freed);
        let ticket = Ticket::from_raw(self.tickets.open(ticket));
        let landing = self.inner.borrow_mut().fail(ticket);
        landing
            .map(|landing| landing.waiters)
            .map_err(|e| error(e.into()))
    }

    fn take_freed(&self) -> Vec<u64> {
        let mut freed = self.freed.borrow_mut();
        // Lent, not copied: the host reads the list in place before the next call, and the
        // list's block stays allocated (its capacity is kept for the handles still held).
        let report = lend_slice(&freed.list);
        // SAFETY: `u64` needs no drop; the bytes stay as they are until the host has read them
        // (no component code runs before the post-return call frees the lent copy).
        unsafe { freed.list.set_len(0) };
        report
    }
}

//! [`TtlLruStore`]: a map bounded by `max_size`, least-recently-used evicted first, entries
//! expiring after their TTL — the keyed front end of the one cache policy, [`SlotLru`].
//!
//! Layout: the policy decides by slot number (recency, expiry, eviction, pending slots,
//! generations, store time); this front end keeps what it cannot — each slot's key, value and
//! key hash in arrays indexed by slot, and a `hashbrown::HashTable<u32>` from a key's hash to
//! its slot — and drops them for every slot the policy frees. Every operation is O(1) and
//! allocates nothing beyond the key and value themselves once the arrays have grown to their
//! working size (freed slots are reused).
//!
//! Expiry is lazy: an entry past its deadline is removed when it is looked up, when it reaches
//! the eviction end of the list, or by the policy's sweep (two slots per new key), so an
//! expired entry is dropped after at most `capacity / 2` inserts of new keys even if it is
//! never touched again. [`TtlLruStore::purge_expired`] drops them all at once.
//!
//! Time comes only from the injected [`Clock`], counted from the store's first reading (any
//! epoch works: a clock in microseconds since 1970 is as good as one starting at 0). If it
//! jumps backwards, store time holds at the latest reading until the clock catches up: nothing
//! expires early, nothing once expired comes back, and entries expire late by at most the
//! jump. Deadlines are exact to the millisecond for 2^53 ms (about 285,000 years) after the
//! first reading; past that, every expiring entry is expired at once (never stale).
//!
//! [`TtlLruStore::bump_version`] invalidates every entry in O(1): the policy remembers the
//! generation each slot was written in, and an older generation reads as absent.

use core::borrow::Borrow;
use core::cell::Cell;
use core::hash::{BuildHasher, Hash};

use alloc::vec::Vec;
use foldhash::fast::FixedState;
use hashbrown::HashTable;

use crate::clock::Clock;
use crate::error::{ConfigError, FlightError, OutOfMemory};
use crate::flight::Ticket;
pub use crate::slots::MAX_SIZE_LIMIT;
pub(crate) use crate::slots::validate_ttl;
use crate::slots::{Freed, NEVER, SlotLru, validate_max_size};
use crate::stats::CacheStats;

/// How a [`TtlLruStore`] (or a [`crate::Cache`]) is sized and seeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// The most entries held at once (at least 1).
    pub max_size: usize,
    /// The TTL of entries inserted without one; `None`: they never expire.
    pub default_ttl_ms: Option<u64>,
    /// Seed of the key hasher. Keep it secret and random, so that callers choosing keys cannot
    /// force hash collisions (hash flooding). With `std`, [`StoreConfig::new`] draws one from
    /// the operating system's randomness (through `std::hash::RandomState`); without `std` it
    /// starts at 0 and the embedder must supply one — the npm package passes
    /// `crypto.getRandomValues`, the component takes it from its host.
    pub hash_seed: u64,
}

impl StoreConfig {
    /// A store of `max_size` entries that never expire, with a random hash seed under `std`
    /// (seed 0 without it: see [`StoreConfig::hash_seed`]).
    pub fn new(max_size: usize) -> Self {
        Self {
            max_size,
            default_ttl_ms: None,
            hash_seed: default_seed(),
        }
    }

    /// Sets the default TTL in milliseconds.
    pub const fn ttl_ms(mut self, ttl_ms: u64) -> Self {
        self.default_ttl_ms = Some(ttl_ms);
        self
    }

    /// Sets the hasher seed.
    pub const fn hash_seed(mut self, seed: u64) -> Self {
        self.hash_seed = seed;
        self
    }

    /// Checks the values: `max_size` in `1..=MAX_SIZE_LIMIT`, TTL at least 1 ms.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate_max_size(self.max_size as u64)?;
        validate_ttl(self.default_ttl_ms)
    }
}

#[cfg(feature = "std")]
fn default_seed() -> u64 {
    use core::hash::BuildHasher;
    std::hash::RandomState::new().hash_one(0x5eed_u64)
}

#[cfg(not(feature = "std"))]
const fn default_seed() -> u64 {
    0
}

/// What the front end holds for one slot.
#[derive(Default)]
enum Held<K, V> {
    #[default]
    Free,
    /// A computation is pending for the key (a [`crate::Cache`] flight).
    Pending(K),
    Ready(K, V),
}

impl<K, V> Held<K, V> {
    fn key(&self) -> Option<&K> {
        match self {
            Held::Free => None,
            Held::Pending(key) | Held::Ready(key, _) => Some(key),
        }
    }
}

/// What a slot found for a key holds, seen from a lookup.
pub(crate) enum Found {
    /// A live value: served.
    Live(u32),
    /// A computation of the current generation is pending.
    Pending(u32),
    /// Nothing usable (dead entries found on the way were dropped).
    Absent,
}

/// A TTL + LRU map of at most `max_size` entries.
///
/// - `get`, `insert`, `remove` and eviction are O(1); `clear` is O(n); `bump_version` is O(1).
/// - When full, inserting a new key drops the least recently used entry (`get` and `insert`
///   make an entry the most recently used; `peek` does not).
/// - An entry is served until `insert time + TTL` on the store's clock, then never again.
/// - Values are opaque: a value that means "nothing" in the caller's language (`undefined`,
///   `None`) is a value like any other, distinct from a miss.
///
/// ```
/// use cashier_core::{ManualClock, StoreConfig, TtlLruStore};
///
/// let clock = ManualClock::new(0);
/// let mut store = TtlLruStore::new(StoreConfig::new(2).ttl_ms(100), &clock)?;
/// store.insert("a", 1);
/// store.insert("b", 2);
/// store.get("a");                 // "a" is now the most recently used
/// store.insert("c", 3);           // full: evicts "b", the least recently used
/// assert_eq!(store.iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["c", "a"]);
/// clock.advance(100);
/// assert_eq!(store.get("a"), None); // expired
/// # Ok::<(), cashier_core::ConfigError>(())
/// ```
pub struct TtlLruStore<K, V, C> {
    /// The policy, holding each slot's key and value as its payload (one node per lookup).
    policy: SlotLru<Held<K, V>>,
    /// Per slot, its key's hash, beside the nodes rather than in them: only removal and index
    /// growth read it, so lookups touch smaller nodes.
    hashes: Vec<u64>,
    index: HashTable<u32>,
    hasher: FixedState,
    default_ttl_ms: Option<u64>,
    /// The first clock reading: store time counts from it (0 until `started`).
    epoch: Cell<u64>,
    /// Whether the clock has been read (and `epoch` set). Set no later than when the first
    /// slot is handed out (an insert, or a flight's `begin`, which reads the clock for it), so a
    /// lookup, which only reads the clock for a slot found in the index, finds it set.
    started: Cell<bool>,
    clock: C,
}

impl<K, V, C> TtlLruStore<K, V, C>
where
    K: Hash + Eq,
    C: Clock,
{
    /// A store sized and seeded by `config`, reading time from `clock`.
    ///
    /// Fails with a [`ConfigError`] for `max_size == 0`, a `max_size` beyond
    /// [`MAX_SIZE_LIMIT`], or a default TTL of 0 ms.
    pub fn new(config: StoreConfig, clock: C) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            policy: SlotLru::with_payloads(config.max_size, config.default_ttl_ms)?,
            hashes: Vec::new(),
            index: HashTable::new(),
            hasher: FixedState::with_seed(config.hash_seed),
            default_ttl_ms: config.default_ttl_ms,
            epoch: Cell::new(0),
            started: Cell::new(false),
            clock,
        })
    }

    /// The value stored for `key`, if it is live; makes it the most recently used.
    /// Counts a hit or a miss.
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let Some(slot) = self.find(key) else {
            self.policy.record_miss();
            return None;
        };
        if let Err(now) = self.check_live(slot) {
            return self.miss_settling(slot, now);
        }
        // `serve` without its unreachable arm: no panic on the hit path.
        // SAFETY: `check_live` just found `slot` live, so ready (pending and free slots are
        // never fresh), and nothing changed since.
        #[allow(unsafe_code)]
        let held = unsafe { self.policy.touch_ready(slot) };
        match held {
            Some(Held::Ready(_, value)) => Some(value),
            _ => None,
        }
    }

    /// The value stored for `key`, if it is live, without changing recency or counters.
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        if self.is_live_now(slot) {
            self.value_at(slot)
        } else {
            None
        }
    }

    /// Whether `key` has a live entry (no recency or counter change).
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.peek(key).is_some()
    }

    /// Stores `value` for `key` with the default TTL and makes it the most recently used.
    /// Returns the live value it replaced. Evicts the least recently used entry if the store
    /// is full and `key` is new. A computation pending for `key` (a [`crate::Cache`] flight)
    /// is cancelled: this newer write wins, and its ticket turns stale.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.insert_returning_slot(key, value, self.default_ttl_ms)
            .0
    }

    /// Like [`TtlLruStore::insert`] with this entry's own TTL: `Some(ms)` (at least 1), or
    /// `None` for an entry that never expires.
    pub fn insert_with_ttl(
        &mut self,
        key: K,
        value: V,
        ttl_ms: Option<u64>,
    ) -> Result<Option<V>, ConfigError> {
        validate_ttl(ttl_ms)?;
        Ok(self.insert_returning_slot(key, value, ttl_ms).0)
    }

    /// Removes `key` (cancelling a computation pending for it); returns its value if it was
    /// live.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        let now = self.now();
        let (live, held) = self.policy.remove_payload(slot, now)?;
        self.unindex(slot);
        match held {
            Held::Ready(_, value) if live => Some(value),
            _ => None,
        }
    }

    /// Removes every entry (O(n); the memory stays reserved for reuse) and cancels every
    /// pending computation.
    pub fn clear(&mut self) {
        self.policy.clear();
        self.hashes.clear();
        self.index.clear();
    }

    /// Invalidates every entry (and cancels every pending computation) in O(1): none is served
    /// again, and their memory is reclaimed as the sweep, lookups and eviction reach them.
    pub fn bump_version(&mut self) {
        // The policy clears instead once generations would wrap, and the first bump needs a
        // generation per slot: without the memory, clear instead. Either way, drop it all.
        if self.policy.bump_generation() != Ok(false) {
            self.clear();
        }
    }

    /// Drops every expired or invalidated entry now (O(n)); returns how many were dropped.
    pub fn purge_expired(&mut self) -> usize {
        let now = self.now();
        let mut dropped = 0;
        for slot in self.policy.slots() {
            if self.policy.reap(slot, now).is_some() {
                self.unindex(slot);
                dropped += 1;
            }
        }
        dropped
    }

    /// Entries held and not known to be expired or invalidated. Expired entries that no
    /// lookup, eviction or sweep has reached yet are still counted.
    pub fn len(&self) -> usize {
        self.policy.len()
    }

    /// Whether [`TtlLruStore::len`] is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most entries held at once.
    pub fn max_size(&self) -> usize {
        self.policy.max_size()
    }

    /// The TTL given to entries inserted without one.
    pub fn default_ttl_ms(&self) -> Option<u64> {
        self.default_ttl_ms
    }

    /// The store's clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The counters: the policy's, so every delivery counts alike.
    pub fn stats(&self) -> CacheStats {
        self.policy.stats()
    }

    /// Live entries from the most to the least recently used (no recency change).
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let now = self.now();
        self.policy
            .iter()
            .filter(move |&slot| self.policy.is_live(slot, now))
            .filter_map(|slot| match self.policy.payload(slot) {
                Held::Ready(key, value) => Some((key, value)),
                _ => None,
            })
    }

    /// Makes room for one more new key now, so that the next insert (or flight) does not
    /// allocate for the store's own tables. When the allocator refuses, nothing changes and the
    /// store keeps working at its current capacity.
    pub fn try_reserve_entry(&mut self) -> Result<(), OutOfMemory> {
        self.policy.reserve_one()?;
        self.reserve_hashes()?;
        let hashes = &self.hashes;
        self.index
            .try_reserve(1, |&slot| hashes[slot as usize])
            .map_err(|_| OutOfMemory)
    }

    // ----- crate-internal API used by `Cache` -------------------------------------------

    /// What `key` holds now: a live value, a pending computation, or nothing. A dead entry
    /// found on the way is dropped (an expired one counted). Counts no lookup.
    #[inline]
    pub(crate) fn find_live<Q>(&mut self, key: &Q) -> Found
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let Some(slot) = self.find(key) else {
            return Found::Absent;
        };
        match self.check_live(slot) {
            Ok(()) => Found::Live(slot),
            Err(now) => self.settle(slot, now),
        }
    }

    /// Whether `slot` holds a live entry: `Ok`, or `Err` with the time if it was read. No
    /// clock reading for an entry that never expires (a call into the host or JS for the
    /// bindings).
    #[inline]
    fn check_live(&self, slot: u32) -> Result<(), Option<u64>> {
        let Some(deadline) = self.policy.current_deadline(slot) else {
            return Err(None);
        };
        if deadline == NEVER {
            return Ok(());
        }
        // A pending or free slot's marker is negative: never fresh. The slot was handed out,
        // so the epoch is set (see `started`).
        debug_assert!(self.started.get());
        let now = self.since_epoch();
        if self.policy.observe_at(now) < deadline {
            Ok(())
        } else {
            Err(Some(now))
        }
    }

    /// [`TtlLruStore::find_live`] for a slot found not live (out of line, so the hit path
    /// stays short): pending, or dead — stale, free or expired at `now` (read now if not
    /// given) and then dropped.
    #[cold]
    #[inline(never)]
    fn settle(&mut self, slot: u32, now: Option<u64>) -> Found {
        if self.policy.is_pending(slot) {
            return Found::Pending(slot);
        }
        let now = now.unwrap_or_else(|| self.now());
        if self.policy.reap(slot, now).is_some() {
            self.unindex(slot);
        }
        Found::Absent
    }

    /// A lookup by [`TtlLruStore::get`] that found `slot` not live: settles it and counts a
    /// miss (out of line, and last, so the hit path keeps no registers across it).
    #[cold]
    #[inline(never)]
    fn miss_settling(&mut self, slot: u32, now: Option<u64>) -> Option<&V> {
        self.settle(slot, now);
        self.policy.record_miss();
        None
    }

    /// Serves the live value in `slot` (from [`TtlLruStore::find_live`]): counts a hit and
    /// makes it the most recently used.
    #[inline]
    pub(crate) fn serve(&mut self, slot: u32) -> &V {
        // The checked `touch`: a slot number from a caller, not from a check just made here.
        self.policy.touch(slot);
        match self.policy.payload_at(slot) {
            Some(Held::Ready(_, value)) => value,
            _ => unreachable!("find_live only reports ready slots as live"),
        }
    }

    /// Whether a computation is pending for `key`.
    pub(crate) fn is_pending<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key)
            .is_some_and(|slot| self.policy.is_pending(slot))
    }

    /// Joins the computation pending in `slot` (from [`TtlLruStore::find_live`]): its serial,
    /// counted as a hit and a join.
    pub(crate) fn join(&mut self, slot: u32) -> Option<u32> {
        self.policy.join(slot)
    }

    /// Counts a miss (a lookup that found nothing usable).
    pub(crate) fn record_miss(&mut self) {
        self.policy.record_miss();
    }

    /// Reserves a pending slot for `key`'s computation (after [`TtlLruStore::find_live`]
    /// found nothing) and returns its ticket.
    pub(crate) fn begin(&mut self, key: K) -> Result<Ticket, OutOfMemory> {
        let hash = self.hasher.hash_one(&key);
        self.reserve_hashes()?;
        // A lookup of the pending slot reads the clock (its marker is not `NEVER`): the epoch
        // must be set by then. One reading per store, the first time.
        if !self.started.get() {
            self.start(self.clock.now_ms());
        }
        let (slot, serial) = self.policy.begin()?;
        self.hold(slot, hash, Held::Pending(key));
        Ok(Ticket::new(slot, serial))
    }

    /// Ends `ticket`'s computation with its value, stored with `ttl_ms`; returns how many
    /// callers joined it.
    pub(crate) fn complete(
        &mut self,
        ticket: &Ticket,
        value: V,
        ttl_ms: Option<u64>,
    ) -> Result<u32, FlightError> {
        let (slot, serial) = (ticket.id().slot(), ticket.id().serial());
        let waiters = self.policy.waiters(slot, serial);
        let now = self.now();
        let Self {
            policy,
            hashes,
            index,
            ..
        } = self;
        policy.complete(slot, serial, now, ttl_ms, &mut |freed, _| {
            unindex(hashes, index, freed);
        })?;
        let entry = self.policy.payload_mut(slot);
        if let Held::Pending(key) = core::mem::take(entry) {
            *entry = Held::Ready(key, value);
        }
        Ok(waiters)
    }

    /// Ends `ticket`'s computation with a failure: nothing is stored. Returns how many callers
    /// joined it.
    pub(crate) fn fail(&mut self, ticket: &Ticket) -> Result<u32, FlightError> {
        let (slot, serial) = (ticket.id().slot(), ticket.id().serial());
        let waiters = self.policy.waiters(slot, serial);
        if !self.policy.fail(slot, serial) {
            return Err(FlightError::StaleTicket);
        }
        self.unindex(slot);
        Ok(waiters)
    }

    /// Inserts and returns the live value replaced and the entry's slot, so the caller can
    /// hand out a reference to the value even if the clock has already passed its deadline.
    pub(crate) fn insert_returning_slot(
        &mut self,
        key: K,
        value: V,
        ttl_ms: Option<u64>,
    ) -> (Option<V>, u32) {
        let now = self.now();
        let hash = self.hasher.hash_one(&key);
        if let Some(slot) = self.find_hashed(hash, &key) {
            if let Some(live) = self.policy.refresh_live(slot, now, ttl_ms) {
                let old =
                    core::mem::replace(self.policy.payload_mut(slot), Held::Ready(key, value));
                return match old {
                    Held::Ready(_, old) if live => (Some(old), slot),
                    _ => (None, slot),
                };
            }
            // Pending (this write wins over the computation) or stale: start afresh.
            self.policy.remove(slot, now);
            self.unindex(slot);
        }
        if self.reserve_hashes().is_err() {
            alloc_failed();
        }
        let Self {
            policy,
            hashes,
            index,
            ..
        } = self;
        let slot = match policy.insert(now, ttl_ms, &mut |freed, _: Freed| {
            unindex(hashes, index, freed);
        }) {
            Ok(slot) => slot,
            Err(OutOfMemory) => alloc_failed(),
        };
        self.hold(slot, hash, Held::Ready(key, value));
        (None, slot)
    }

    /// The value in a slot [`TtlLruStore::insert_returning_slot`] returned.
    pub(crate) fn value_in(&self, slot: u32) -> &V {
        match self.policy.payload(slot) {
            Held::Ready(_, value) => value,
            _ => unreachable!("insert_returning_slot returns a ready slot"),
        }
    }

    // ----- internals --------------------------------------------------------------------

    /// Store time: milliseconds since the first reading, observed by the policy (which holds
    /// it from running backwards).
    #[inline]
    fn now(&self) -> u64 {
        let reading = self.clock.now_ms();
        if !self.started.get() {
            self.start(reading);
        }
        self.policy
            .observe(reading.saturating_sub(self.epoch.get()))
    }

    /// The clock's first reading becomes the epoch (out of line: once per store).
    #[cold]
    #[inline(never)]
    fn start(&self, reading: u64) {
        self.epoch.set(reading);
        self.started.set(true);
    }

    /// Milliseconds since the epoch, not yet observed by the policy: a lookup's reading. Only
    /// once a slot has been handed out, so that the epoch is set (see `started`).
    #[inline]
    fn since_epoch(&self) -> u64 {
        self.clock.now_ms().saturating_sub(self.epoch.get())
    }

    /// Whether `slot` is live now, reading the clock only for an entry that can expire.
    fn is_live_now(&self, slot: u32) -> bool {
        match self.policy.is_live_without_clock(slot) {
            Some(live) => live,
            None => self.policy.is_live(slot, self.now()),
        }
    }

    fn value_at(&self, slot: u32) -> Option<&V> {
        if slot as usize >= self.policy.slot_count() {
            return None;
        }
        match self.policy.payload(slot) {
            Held::Ready(_, value) => Some(value),
            _ => None,
        }
    }

    #[inline]
    fn find<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find_hashed(self.hasher.hash_one(key), key)
    }

    #[inline]
    fn find_hashed<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let policy = &self.policy;
        self.index
            .find(hash, |&slot| {
                match policy.payload_at(slot).and_then(Held::key) {
                    Some(stored) => stored.borrow() == key,
                    None => false,
                }
            })
            .copied()
    }

    /// Room for one more slot's hash (nothing when there is: in particular after a clear,
    /// which keeps the memory).
    fn reserve_hashes(&mut self) -> Result<(), OutOfMemory> {
        let needed = self.policy.slot_count() + 1;
        if self.hashes.len() < needed && self.hashes.len() == self.hashes.capacity() {
            // Grow with the policy's slot array (it doubles), not one slot at a time.
            let target = self.policy.slot_capacity().max(needed);
            self.hashes
                .try_reserve_exact(target - self.hashes.len())
                .map_err(|_| OutOfMemory)?;
        }
        Ok(())
    }

    /// Records what a slot the policy just handed out holds, and indexes it.
    fn hold(&mut self, slot: u32, hash: u64, entry: Held<K, V>) {
        *self.policy.payload_mut(slot) = entry;
        let at = slot as usize;
        if at == self.hashes.len() {
            self.hashes.push(hash);
        } else {
            self.hashes[at] = hash;
        }
        let hashes = &self.hashes;
        self.index
            .insert_unique(hash, slot, |&other| hashes[other as usize]);
    }

    /// Forgets the index entry of a slot the policy freed (the policy dropped its payload).
    fn unindex(&mut self, slot: u32) {
        unindex(&self.hashes, &mut self.index, slot);
    }
}

/// Removes a freed slot's index entry (split out so the policy's `freed` callbacks can call it
/// while the policy is borrowed).
#[inline]
fn unindex(hashes: &[u64], index: &mut HashTable<u32>, slot: u32) {
    if let Ok(found) = index.find_entry(hashes[slot as usize], |&other| other == slot) {
        found.remove();
    }
}

/// A table could not grow on an infallible path: abort as `Vec::push` would. Callers that
/// want an error instead call `try_reserve_entry` first.
#[cold]
fn alloc_failed() -> ! {
    panic!("{}", OutOfMemory::MESSAGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use alloc::vec;
    use alloc::vec::Vec;

    fn store(max_size: usize, clock: &ManualClock) -> TtlLruStore<&'static str, u32, &ManualClock> {
        TtlLruStore::new(StoreConfig::new(max_size), clock).unwrap()
    }

    fn keys<V, C: Clock>(store: &TtlLruStore<&'static str, V, C>) -> Vec<&'static str> {
        store.iter().map(|(key, _)| *key).collect()
    }

    #[test]
    fn configuration_errors_are_reported() {
        let clock = ManualClock::new(0);
        let new = |config| TtlLruStore::<u8, u8, _>::new(config, &clock).err();
        assert_eq!(new(StoreConfig::new(0)), Some(ConfigError::ZeroMaxSize));
        assert_eq!(
            new(StoreConfig::new(1).ttl_ms(0)),
            Some(ConfigError::ZeroTtl)
        );
        assert_eq!(
            new(StoreConfig::new(MAX_SIZE_LIMIT + 1)),
            Some(ConfigError::MaxSizeTooLarge {
                max_size: MAX_SIZE_LIMIT as u64 + 1
            })
        );
        assert!(new(StoreConfig::new(MAX_SIZE_LIMIT)).is_none());
    }

    #[test]
    fn a_reserved_entry_inserts_without_growing_the_tables() {
        let clock = ManualClock::new(0);
        let mut store = store(100, &clock);
        for (i, key) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .into_iter()
            .enumerate()
        {
            store.try_reserve_entry().unwrap();
            let capacities = (
                store.policy.slot_capacity(),
                store.hashes.capacity(),
                store.hashes.capacity(),
                store.index.capacity(),
            );
            store.insert(key, i as u32);
            let after = (
                store.policy.slot_capacity(),
                store.hashes.capacity(),
                store.hashes.capacity(),
                store.index.capacity(),
            );
            assert_eq!(capacities, after, "inserting {key} grew a table");
        }
        assert_eq!(store.get("e"), Some(&4));
    }

    #[test]
    fn least_recently_used_is_evicted_first() {
        let clock = ManualClock::new(0);
        let mut store = store(3, &clock);
        store.insert("a", 1);
        store.insert("b", 2);
        store.insert("c", 3);
        assert_eq!(store.get("a"), Some(&1));
        assert_eq!(keys(&store), ["a", "c", "b"]);
        store.insert("d", 4);
        assert_eq!(keys(&store), ["d", "a", "c"]);
        assert_eq!(store.peek("c"), Some(&3));
        // peek does not refresh: c is still the next victim.
        store.insert("e", 5);
        assert_eq!(keys(&store), ["e", "d", "a"]);
        let stats = store.stats();
        assert_eq!(
            (stats.hits, stats.misses, stats.evictions, stats.size),
            (1, 0, 2, 3)
        );
    }

    #[test]
    fn entries_expire_after_their_ttl() {
        let clock = ManualClock::new(1_000);
        let mut store = TtlLruStore::new(StoreConfig::new(10).ttl_ms(100), &clock).unwrap();
        store.insert("default", 1);
        store.insert_with_ttl("short", 2, Some(10)).unwrap();
        store.insert_with_ttl("forever", 3, None).unwrap();
        assert_eq!(
            store.insert_with_ttl("zero", 4, Some(0)),
            Err(ConfigError::ZeroTtl)
        );
        clock.advance(9);
        assert_eq!(store.get("short"), Some(&2));
        clock.advance(1);
        assert_eq!(store.get("short"), None);
        clock.advance(89);
        assert_eq!(store.get("default"), Some(&1));
        clock.advance(1);
        assert_eq!(store.get("default"), None);
        clock.advance(1_000_000);
        assert_eq!(store.get("forever"), Some(&3));
        let stats = store.stats();
        assert_eq!((stats.expirations, stats.size, stats.misses), (2, 1, 2));
    }

    #[test]
    fn replacing_a_value_resets_its_ttl_and_returns_the_old_one() {
        let clock = ManualClock::new(0);
        let mut store = TtlLruStore::new(StoreConfig::new(2).ttl_ms(10), &clock).unwrap();
        assert_eq!(store.insert("k", 1), None);
        clock.advance(8);
        assert_eq!(store.insert("k", 2), Some(1));
        clock.advance(8);
        assert_eq!(store.get("k"), Some(&2));
        clock.advance(2);
        // Expired values are not "replaced": nothing live was there.
        assert_eq!(store.insert("k", 3), None);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_backwards_clock_delays_expiry_by_at_most_the_jump() {
        let clock = ManualClock::new(1_000);
        let mut store = TtlLruStore::new(StoreConfig::new(4).ttl_ms(100), &clock).unwrap();
        store.insert("k", 1);
        // The clock jumps back 500 ms: store time holds at 1000 until the clock catches up.
        clock.set(500);
        assert_eq!(store.get("k"), Some(&1));
        store.insert("j", 2);
        clock.set(1_099);
        assert_eq!(store.get("k"), Some(&1));
        assert_eq!(store.get("j"), Some(&2));
        // Both are due at 1100: 500 ms late in real time, the size of the jump, never early.
        clock.set(1_100);
        assert_eq!(store.get("k"), None);
        assert_eq!(store.get("j"), None);
        // Jumping back again does not bring expired entries back.
        store.insert_with_ttl("late", 3, Some(50)).unwrap();
        clock.set(1_149);
        assert_eq!(store.peek("late"), Some(&3));
        clock.set(1_150);
        assert_eq!(store.peek("late"), None);
        clock.set(0);
        assert_eq!(store.peek("late"), None);
        assert!(store.iter().next().is_none());
    }

    #[test]
    fn removal_returns_only_live_values() {
        let clock = ManualClock::new(0);
        let mut store = TtlLruStore::new(StoreConfig::new(4).ttl_ms(5), &clock).unwrap();
        store.insert("a", 1);
        store.insert("b", 2);
        assert_eq!(store.remove("a"), Some(1));
        assert_eq!(store.remove("a"), None);
        clock.advance(5);
        assert_eq!(store.remove("b"), None);
        assert!(store.is_empty());
    }

    #[test]
    fn nothing_values_are_values_not_misses() {
        let clock = ManualClock::new(0);
        let mut store: TtlLruStore<u8, Option<u8>, _> =
            TtlLruStore::new(StoreConfig::new(2), &clock).unwrap();
        store.insert(1, None);
        assert_eq!(store.get(&1), Some(&None));
        assert_eq!(store.get(&2), None);
    }

    #[test]
    fn bump_version_hides_everything_at_once_and_memory_is_reclaimed() {
        let clock = ManualClock::new(0);
        let mut store = store(3, &clock);
        store.insert("a", 1);
        store.insert("b", 2);
        store.bump_version();
        assert_eq!(store.len(), 0);
        assert_eq!(store.peek("a"), None);
        assert_eq!(store.get("b"), None);
        store.insert("a", 10);
        assert_eq!(store.len(), 1);
        store.insert("c", 3);
        store.insert("d", 4);
        // The stale "b" made room (uncounted) before any live entry was evicted.
        assert_eq!(keys(&store), ["d", "c", "a"]);
        assert_eq!(store.stats().evictions, 0);
        store.insert("e", 5);
        assert_eq!(store.stats().evictions, 1);
        assert_eq!(keys(&store), ["e", "d", "c"]);
    }

    #[test]
    fn generations_never_wrap_into_reviving_old_entries() {
        let clock = ManualClock::new(0);
        let mut store = store(4, &clock);
        store.insert("old", 1);
        for _ in 0..u16::MAX {
            store.bump_version();
        }
        store.insert("last", 2);
        assert_eq!(keys(&store), ["last"]);
        // The next bump would reuse generation 0, the generation of "old": it clears instead.
        store.bump_version();
        assert_eq!(store.peek("old"), None);
        assert_eq!(store.peek("last"), None);
        assert!(store.is_empty());
        store.insert("new", 3);
        assert_eq!(keys(&store), ["new"]);
    }

    #[test]
    fn lookups_of_entries_without_a_ttl_read_no_clock() {
        struct CountingClock(core::cell::Cell<u32>);
        impl Clock for CountingClock {
            fn now_ms(&self) -> u64 {
                self.0.set(self.0.get() + 1);
                0
            }
        }
        let clock = CountingClock(core::cell::Cell::new(0));
        let mut store = TtlLruStore::new(StoreConfig::new(4), &clock).unwrap();
        store.insert("forever", 1);
        store.insert_with_ttl("expiring", 2, Some(10)).unwrap();
        let before = clock.0.get();
        for _ in 0..10 {
            assert_eq!(store.get("forever"), Some(&1));
            assert_eq!(store.peek("forever"), Some(&1));
        }
        assert_eq!(
            clock.0.get(),
            before,
            "no clock read for an entry that cannot expire"
        );
        assert_eq!(store.get("expiring"), Some(&2));
        assert_eq!(clock.0.get(), before + 1, "one read for an entry that can");
    }

    #[test]
    fn a_flight_looked_up_before_any_other_reading_keeps_time_from_the_epoch() {
        // A flight begins in a store that never read its clock, and is looked up while pending
        // (a lookup reads the clock for it): that reading counts from the epoch like any other,
        // so the value completed later expires exactly its TTL after completion.
        let clock = ManualClock::new(5_000);
        let mut store = TtlLruStore::new(StoreConfig::new(4).ttl_ms(100), &clock).unwrap();
        let ticket = store.begin("k").unwrap();
        assert!(matches!(store.find_live("k"), Found::Pending(_)));
        clock.advance(50);
        store.complete(&ticket, 1, Some(100)).unwrap();
        clock.advance(99);
        assert_eq!(store.get("k"), Some(&1));
        clock.advance(1);
        assert_eq!(store.get("k"), None, "expired 100 ms after completion");
    }

    #[test]
    fn nodes_stay_small() {
        // Per slot: key and value here (no tag beyond the key's niche where it has one), plus
        // the policy's 16 bytes: no more than one node of key, value, deadline and two links.
        assert_eq!(core::mem::size_of::<Held<u64, u64>>() + 16, 40);
        assert_eq!(
            core::mem::size_of::<Held<alloc::string::String, u32>>() + 16,
            48
        );
    }

    #[test]
    fn the_sweep_frees_expired_entries_nobody_reads() {
        let clock = ManualClock::new(0);
        let mut store: TtlLruStore<u32, u32, _> =
            TtlLruStore::new(StoreConfig::new(1_000).ttl_ms(10), &clock).unwrap();
        for key in 0..100 {
            store.insert(key, key);
        }
        clock.advance(10);
        assert_eq!(store.len(), 100, "expired entries are counted until reaped");
        // Inserts of new keys: each examines two slots, so 50 of them reach all 100.
        for key in 1_000..1_050 {
            store.insert(key, key);
        }
        assert_eq!(store.len(), 50);
        assert_eq!(store.stats().expirations, 100);
    }

    #[test]
    fn purge_and_clear_empty_the_store() {
        let clock = ManualClock::new(0);
        let mut store = TtlLruStore::new(StoreConfig::new(8).ttl_ms(10), &clock).unwrap();
        store.insert("a", 1);
        store.insert_with_ttl("b", 2, None).unwrap();
        clock.advance(10);
        assert_eq!(store.purge_expired(), 1);
        assert_eq!(keys(&store), ["b"]);
        store.clear();
        assert!(store.is_empty());
        store.insert("c", 3);
        assert_eq!(keys(&store), ["c"]);
    }

    #[test]
    fn slots_are_reused_without_growth() {
        let clock = ManualClock::new(0);
        let mut store: TtlLruStore<u32, u32, _> =
            TtlLruStore::new(StoreConfig::new(64), &clock).unwrap();
        for key in 0..10_000 {
            store.insert(key, key);
            if key % 3 == 0 {
                store.remove(&(key / 2));
            }
        }
        assert!(store.policy.slot_count() <= 64);
        assert_eq!(store.len(), 64);
        let expected: Vec<u32> = (10_000 - 64..10_000).rev().collect();
        let got: Vec<u32> = store.iter().map(|(key, _)| *key).collect();
        assert_eq!(got, expected);
        let _ = vec![0u8; 0];
    }

    #[test]
    fn ttls_work_from_any_clock_epoch_and_deadlines_saturate() {
        // Wall milliseconds, 2^48 ms, Unix microseconds (a host passing µs), the top of u64.
        for start in [0, 1 << 48, 1_700_000_000_000_000, u64::MAX - 10_000] {
            let clock = ManualClock::new(start);
            let mut store = TtlLruStore::new(StoreConfig::new(4).ttl_ms(100), &clock).unwrap();
            store.insert("default", 1);
            store.insert_with_ttl("own", 2, Some(1_000)).unwrap();
            // A TTL that would overflow u64 saturates: the entry lives, it does not wrap into
            // the past.
            store.insert_with_ttl("huge", 3, Some(u64::MAX)).unwrap();
            clock.advance(99);
            assert_eq!(store.get("default"), Some(&1), "start {start}");
            clock.advance(1);
            assert_eq!(store.get("default"), None, "start {start}");
            clock.advance(899);
            assert_eq!(store.get("own"), Some(&2), "start {start}");
            clock.advance(1);
            assert_eq!(store.get("own"), None, "start {start}");
            clock.advance(8_999);
            assert_eq!(store.get("huge"), Some(&3), "start {start}");
            // A reading before the first one holds store time still: nothing comes back or
            // expires early.
            clock.set(start.saturating_sub(5));
            assert_eq!(store.get("own"), None, "start {start}");
            assert_eq!(store.get("huge"), Some(&3), "start {start}");
        }
    }

    #[test]
    fn readings_beyond_the_deadline_range_expire_entries_at_once() {
        // Store time counts from the first reading; 2^53 ms after it (about 285,000 years),
        // expiring entries can no longer get a later deadline and expire at once (entries
        // without a TTL stay).
        const LATEST: u64 = 1 << 53;
        let clock = ManualClock::new(7);
        let mut store = store(4, &clock);
        store.insert_with_ttl("early", 1, Some(10)).unwrap();
        clock.advance(LATEST - 1);
        store.insert_with_ttl("last", 2, Some(10)).unwrap();
        store.insert("forever", 3);
        assert_eq!(store.peek("early"), None);
        assert_eq!(
            store.peek("last"),
            Some(&2),
            "saturated to the latest deadline"
        );
        clock.advance(1);
        store.insert_with_ttl("late", 4, Some(10)).unwrap();
        assert_eq!(store.peek("last"), None);
        assert_eq!(
            store.peek("late"),
            None,
            "beyond the range: expired at once"
        );
        assert_eq!(store.peek("forever"), Some(&3));
    }
}

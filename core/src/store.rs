//! [`TtlLruStore`]: a map bounded by `max_size`, least-recently-used evicted first, entries
//! expiring after their TTL.
//!
//! Layout: entries live in a slab (`Vec` of nodes addressed by `u32`), linked into a doubly
//! linked recency list by index; a `hashbrown::HashTable<u32>` maps a key's hash to its slot.
//! Every operation is O(1) and allocates nothing beyond the key and value themselves once the
//! slab has grown to its working size (freed slots are reused).
//!
//! Expiry is lazy: an entry past its deadline is removed when it is looked up, when it reaches
//! the eviction end of the list, or by the sweep: every insert of a new key examines two slots,
//! walking the slab round-robin, so an expired entry is dropped after at most `capacity / 2`
//! such inserts even if it is never touched again. (Reads and updates do not sweep: they never
//! add entries, and their paths stay as short as an LRU's.) [`TtlLruStore::purge_expired`]
//! drops them all at once.
//!
//! Time comes only from the injected [`Clock`]. Store time counts from the store's first
//! reading (its epoch), so any clock works, whatever it reads at start (0, Unix milliseconds,
//! Unix microseconds, a counter near `u64::MAX`): deadlines are `now + ttl` in store time,
//! saturating at the latest representable one (2^48 − 2 ms ≈ 8,900 years
//! after the epoch), never wrapping. Readings that late or later make expiring entries expire at
//! once. If the clock jumps backwards (to before the epoch too), store time holds at the latest
//! reading until the clock catches up: nothing expires early, nothing once expired comes back,
//! and entries expire late by at most the jump.
//!
//! [`TtlLruStore::bump_version`] invalidates every entry in O(1): entries remember the
//! generation they were written in, and an older generation reads as absent.

use core::borrow::Borrow;
use core::cell::Cell;
use core::hash::{BuildHasher, Hash};

use alloc::vec::Vec;
use foldhash::fast::FixedState;
use hashbrown::HashTable;

use crate::clock::Clock;
use crate::error::{ConfigError, OutOfMemory};
use crate::stats::CacheStats;

/// The "no slot" link.
const NIL: u32 = u32::MAX;
/// Bits of a [`Stamp`] that hold the deadline (milliseconds of store time, counted from the
/// store's first clock reading): 2^48 ms is about 8,900 years.
const DEADLINE_BITS: u32 = 48;
/// The deadline of an entry that never expires.
const NEVER: u64 = (1 << DEADLINE_BITS) - 1;
/// The latest deadline an expiring entry can have, in store time: later deadlines saturate to
/// it. A reading this long after the store's first one (about 8,900 years, or a clock that
/// jumps that far) makes every expiring entry expire at once: never stale.
const LATEST_DEADLINE: u64 = NEVER - 1;
/// Slots an insert of a new key examines for expired or invalidated entries.
const SWEEP_PER_WRITE: u32 = 2;
/// The largest `max_size`: slot indices are `u32` and `u32::MAX` is the "no slot" link.
pub const MAX_SIZE_LIMIT: usize = (u32::MAX - 1) as usize;

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
        if self.max_size == 0 {
            return Err(ConfigError::ZeroMaxSize);
        }
        if self.max_size > MAX_SIZE_LIMIT {
            return Err(ConfigError::MaxSizeTooLarge {
                max_size: self.max_size as u64,
            });
        }
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

/// Rejects a TTL of 0 ms (`None`, never expiring, is valid).
pub(crate) fn validate_ttl(ttl_ms: Option<u64>) -> Result<(), ConfigError> {
    match ttl_ms {
        Some(0) => Err(ConfigError::ZeroTtl),
        _ => Ok(()),
    }
}

struct Node<K, V> {
    /// `None` marks a free slot.
    entry: Option<(K, V)>,
    /// When the entry stops being served, and the generation it was written in.
    stamp: Stamp,
    /// Toward the more recently used end; unused in free slots.
    newer: u32,
    /// Toward the less recently used end; in free slots, the next free slot.
    older: u32,
}

#[derive(Default, Clone, Copy)]
struct Counters {
    hits: u64,
    misses: u64,
    evictions: u64,
    expirations: u64,
}

/// An entry's generation (16 bits) and deadline (48 bits of store time) in one word, so that a
/// node stays small: checking liveness reads eight bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp(u64);

impl Stamp {
    #[inline]
    fn new(generation: u16, deadline: u64) -> Self {
        Stamp(((generation as u64) << DEADLINE_BITS) | deadline.min(NEVER))
    }

    #[inline]
    fn generation(self) -> u16 {
        (self.0 >> DEADLINE_BITS) as u16
    }

    #[inline]
    fn deadline(self) -> u64 {
        self.0 & NEVER
    }
}

/// Why an occupied slot no longer serves its value.
#[derive(PartialEq, Eq)]
enum Liveness {
    Live,
    Expired,
    Invalidated,
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
    nodes: Vec<Node<K, V>>,
    /// Each slot's key hash, beside the nodes rather than in them: only removal and index
    /// growth read it, so lookups touch smaller nodes.
    hashes: Vec<u64>,
    index: HashTable<u32>,
    hasher: FixedState,
    /// Most recently used.
    head: u32,
    /// Least recently used: the next to be evicted.
    tail: u32,
    free: u32,
    occupied: usize,
    /// Occupied slots from generations before the current one.
    stale: usize,
    generation: u16,
    sweep_cursor: u32,
    max_size: usize,
    default_ttl_ms: Option<u64>,
    /// Whether any entry was ever given a deadline (lets the sweep skip stores that never expire).
    ttl_seen: bool,
    /// The latest store time seen: store time never runs backwards, so an entry once found
    /// expired stays expired when the clock jumps back.
    time_floor: Cell<u64>,
    /// The first clock reading, from which store time counts (`None` until the clock is first
    /// read: stores whose entries never expire never read it).
    epoch: Cell<Option<u64>>,
    clock: C,
    counters: Counters,
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
            nodes: Vec::new(),
            hashes: Vec::new(),
            index: HashTable::new(),
            hasher: FixedState::with_seed(config.hash_seed),
            head: NIL,
            tail: NIL,
            free: NIL,
            occupied: 0,
            stale: 0,
            generation: 0,
            sweep_cursor: 0,
            max_size: config.max_size,
            default_ttl_ms: config.default_ttl_ms,
            ttl_seen: config.default_ttl_ms.is_some(),
            time_floor: Cell::new(0),
            epoch: Cell::new(None),
            clock,
            counters: Counters::default(),
        })
    }

    /// The value stored for `key`, if it is live; makes it the most recently used.
    /// Counts a hit or a miss.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.touch(key) {
            Some(slot) => {
                self.counters.hits += 1;
                self.value_at(slot)
            }
            None => {
                self.counters.misses += 1;
                None
            }
        }
    }

    /// The value stored for `key`, if it is live, without changing recency or counters.
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        match self.current_liveness(slot) {
            Liveness::Live => self.value_at(slot),
            _ => None,
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
    /// is full and `key` is new.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let deadline = self.deadline(self.default_ttl_ms);
        self.insert_with_deadline(key, value, deadline).0
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
        let deadline = self.deadline(ttl_ms);
        Ok(self.insert_with_deadline(key, value, deadline).0)
    }

    /// Removes `key`; returns its value if it was live.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        let now = self.now();
        let live = self.liveness(slot, now) == Liveness::Live;
        let (_, value) = self.unlink_and_free(slot)?;
        live.then_some(value)
    }

    /// Removes every entry (O(n); the memory stays reserved for reuse).
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.hashes.clear();
        self.index.clear();
        self.head = NIL;
        self.tail = NIL;
        self.free = NIL;
        self.occupied = 0;
        self.stale = 0;
        self.sweep_cursor = 0;
    }

    /// Invalidates every entry in O(1): none is served again, and their memory is reclaimed
    /// as the sweep, lookups and eviction reach them.
    pub fn bump_version(&mut self) {
        match self.generation.checked_add(1) {
            Some(next) => {
                self.generation = next;
                self.stale = self.occupied;
            }
            // After 2^16 bumps, start over with a real clear so that no old generation can be
            // mistaken for the current one.
            None => {
                self.clear();
                self.generation = 0;
            }
        }
    }

    /// Drops every expired or invalidated entry now (O(n)); returns how many were dropped.
    pub fn purge_expired(&mut self) -> usize {
        let now = self.now();
        let mut dropped = 0;
        for slot in 0..self.nodes.len() as u32 {
            if self.reap_if_dead(slot, now) {
                dropped += 1;
            }
        }
        dropped
    }

    /// Entries held and not known to be expired or invalidated. Expired entries that no
    /// lookup, eviction or sweep has reached yet are still counted.
    pub fn len(&self) -> usize {
        self.occupied - self.stale
    }

    /// Whether [`TtlLruStore::len`] is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most entries held at once.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// The TTL given to entries inserted without one.
    pub fn default_ttl_ms(&self) -> Option<u64> {
        self.default_ttl_ms
    }

    /// The store's clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The counters (`pending` is always 0 for a bare store).
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.counters.hits,
            misses: self.counters.misses,
            joined: 0,
            evictions: self.counters.evictions,
            expirations: self.counters.expirations,
            size: self.len() as u64,
            pending: 0,
        }
    }

    /// Live entries from the most to the least recently used (no recency change).
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let now = self.now();
        let mut slot = self.head;
        core::iter::from_fn(move || {
            while slot != NIL {
                let current = slot;
                let node = &self.nodes[current as usize];
                slot = node.older;
                if self.liveness(current, now) == Liveness::Live
                    && let Some((key, value)) = &node.entry
                {
                    return Some((key, value));
                }
            }
            None
        })
    }

    // ----- crate-internal API used by `Cache` -------------------------------------------

    /// The slot of `key`'s live entry, made most recently used. A dead entry found on the way
    /// is dropped. Counts nothing.
    #[inline]
    pub(crate) fn touch<Q>(&mut self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        if self.current_liveness(slot) != Liveness::Live {
            let now = self.now();
            self.reap_if_dead(slot, now);
            return None;
        }
        self.move_to_front(slot);
        Some(slot)
    }

    /// The value in a slot that [`TtlLruStore::touch`] just returned.
    pub(crate) fn occupied_value(&self, slot: u32) -> &V {
        match &self.nodes[slot as usize].entry {
            Some((_, value)) => value,
            None => unreachable!("touch only returns occupied slots"),
        }
    }

    fn value_at(&self, slot: u32) -> Option<&V> {
        self.nodes
            .get(slot as usize)?
            .entry
            .as_ref()
            .map(|(_, value)| value)
    }

    /// Inserts with the default TTL and returns the slot, so the caller can hand out a
    /// reference to the value even if the clock has already passed its deadline.
    pub(crate) fn insert_into_slot(&mut self, key: K, value: V) -> u32 {
        let deadline = self.deadline(self.default_ttl_ms);
        self.insert_with_deadline(key, value, deadline).1
    }

    /// Counts a lookup outcome made by a caller of [`TtlLruStore::touch`].
    pub(crate) fn count_lookup(&mut self, hit: bool) {
        if hit {
            self.counters.hits += 1;
        } else {
            self.counters.misses += 1;
        }
    }

    // ----- internals --------------------------------------------------------------------

    /// Store time: milliseconds since the first clock reading (readings before it count as 0),
    /// held at its latest value while the clock runs backwards. Counting from the first reading
    /// keeps deadlines within [`DEADLINE_BITS`] whatever the clock's epoch.
    #[inline]
    fn now(&self) -> u64 {
        let reading = self.clock.now_ms();
        let epoch = match self.epoch.get() {
            Some(epoch) => epoch,
            None => {
                self.epoch.set(Some(reading));
                reading
            }
        };
        let now = reading.saturating_sub(epoch).max(self.time_floor.get());
        self.time_floor.set(now);
        now
    }

    fn deadline(&self, ttl_ms: Option<u64>) -> u64 {
        match ttl_ms {
            Some(ttl) => self.now().saturating_add(ttl).min(LATEST_DEADLINE),
            None => NEVER,
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
        let nodes = &self.nodes;
        self.index
            .find(hash, |&slot| match &nodes[slot as usize].entry {
                Some((stored, _)) => stored.borrow() == key,
                None => false,
            })
            .copied()
    }

    /// [`Self::liveness`] now, reading the clock only for an entry that can expire: a lookup
    /// of an entry without a TTL costs no clock read (a call into JavaScript or the host for
    /// the bindings).
    #[inline]
    fn current_liveness(&self, slot: u32) -> Liveness {
        let stamp = self.nodes[slot as usize].stamp;
        if stamp.generation() != self.generation {
            Liveness::Invalidated
        } else if stamp.deadline() == NEVER {
            Liveness::Live
        } else {
            self.liveness(slot, self.now())
        }
    }

    #[inline]
    fn liveness(&self, slot: u32, now: u64) -> Liveness {
        let node = &self.nodes[slot as usize];
        let deadline = node.stamp.deadline();
        if node.stamp.generation() != self.generation {
            Liveness::Invalidated
        } else if deadline != NEVER && now >= deadline {
            Liveness::Expired
        } else {
            Liveness::Live
        }
    }

    /// Drops the entry in `slot` if it is occupied and dead; true if it did.
    fn reap_if_dead(&mut self, slot: u32, now: u64) -> bool {
        let occupied = matches!(self.nodes.get(slot as usize), Some(node) if node.entry.is_some());
        if !occupied {
            return false;
        }
        match self.liveness(slot, now) {
            Liveness::Live => false,
            Liveness::Expired => {
                self.counters.expirations += 1;
                self.unlink_and_free(slot);
                true
            }
            Liveness::Invalidated => {
                self.unlink_and_free(slot);
                true
            }
        }
    }

    /// Examines up to `steps` slots round-robin and drops the dead ones.
    fn sweep(&mut self, steps: u32, now: u64) {
        // Nothing can be dead if nothing can expire and nothing is stale: skip the work.
        if self.occupied == 0 || (self.stale == 0 && !self.ttl_seen) {
            return;
        }
        let len = self.nodes.len() as u32;
        for _ in 0..steps {
            if self.sweep_cursor >= len {
                self.sweep_cursor = 0;
            }
            let slot = self.sweep_cursor;
            self.sweep_cursor += 1;
            self.reap_if_dead(slot, now);
        }
    }

    /// Returns the live value replaced, and the entry's slot.
    /// Makes room for one more new key now, so that the next insert does not allocate for the
    /// store's own tables. When the allocator refuses, nothing changes and the store keeps
    /// working at its current capacity.
    pub fn try_reserve_entry(&mut self) -> Result<(), OutOfMemory> {
        if self.free == NIL && self.nodes.len() < self.max_size {
            self.nodes.try_reserve(1).map_err(|_| OutOfMemory)?;
            self.hashes.try_reserve(1).map_err(|_| OutOfMemory)?;
        }
        let hashes = &self.hashes;
        self.index
            .try_reserve(1, |&slot| hashes[slot as usize])
            .map_err(|_| OutOfMemory)
    }

    fn insert_with_deadline(&mut self, key: K, value: V, expires_at: u64) -> (Option<V>, u32) {
        let now = self.now();
        if expires_at != NEVER {
            self.ttl_seen = true;
        }
        let hash = self.hasher.hash_one(&key);

        if let Some(slot) = self.find_hashed(hash, &key) {
            let was_live = self.liveness(slot, now) == Liveness::Live;
            if !was_live && self.nodes[slot as usize].stamp.generation() != self.generation {
                self.stale -= 1;
            }
            let node = &mut self.nodes[slot as usize];
            node.stamp = Stamp::new(self.generation, expires_at);
            let old = node.entry.replace((key, value)).map(|(_, old)| old);
            self.move_to_front(slot);
            return (if was_live { old } else { None }, slot);
        }

        // Only new keys add entries, so only they pay for the sweep.
        self.sweep(SWEEP_PER_WRITE, now);
        if self.occupied >= self.max_size {
            self.evict_one(now);
        }

        let node = Node {
            entry: Some((key, value)),
            stamp: Stamp::new(self.generation, expires_at),
            newer: NIL,
            older: NIL,
        };
        let slot = if self.free != NIL {
            let slot = self.free;
            self.free = self.nodes[slot as usize].older;
            self.nodes[slot as usize] = node;
            self.hashes[slot as usize] = hash;
            slot
        } else {
            self.nodes.push(node);
            self.hashes.push(hash);
            (self.nodes.len() - 1) as u32
        };
        let hashes = &self.hashes;
        self.index
            .insert_unique(hash, slot, |&other| hashes[other as usize]);
        self.occupied += 1;
        self.push_front(slot);
        (None, slot)
    }

    /// Frees one slot at the least recently used end.
    fn evict_one(&mut self, now: u64) {
        let victim = self.tail;
        if victim == NIL {
            return;
        }
        match self.liveness(victim, now) {
            Liveness::Live => self.counters.evictions += 1,
            Liveness::Expired => self.counters.expirations += 1,
            Liveness::Invalidated => {}
        }
        self.unlink_and_free(victim);
    }

    /// Removes the entry in `slot` from the list and the index and frees the slot.
    fn unlink_and_free(&mut self, slot: u32) -> Option<(K, V)> {
        // Free slots have nothing to unlink.
        self.nodes.get(slot as usize)?.entry.as_ref()?;
        let hash = self.hashes[slot as usize];
        if let Ok(found) = self.index.find_entry(hash, |&other| other == slot) {
            found.remove();
        }
        self.detach(slot);
        if self.nodes[slot as usize].stamp.generation() != self.generation {
            self.stale -= 1;
        }
        let node = &mut self.nodes[slot as usize];
        let entry = node.entry.take();
        node.older = self.free;
        node.newer = NIL;
        self.free = slot;
        self.occupied -= 1;
        entry
    }

    #[inline]
    fn detach(&mut self, slot: u32) {
        let (newer, older) = {
            let node = &self.nodes[slot as usize];
            (node.newer, node.older)
        };
        if newer == NIL {
            self.head = older;
        } else {
            self.nodes[newer as usize].older = older;
        }
        if older == NIL {
            self.tail = newer;
        } else {
            self.nodes[older as usize].newer = newer;
        }
    }

    #[inline]
    fn push_front(&mut self, slot: u32) {
        let old_head = self.head;
        {
            let node = &mut self.nodes[slot as usize];
            node.newer = NIL;
            node.older = old_head;
        }
        if old_head == NIL {
            self.tail = slot;
        } else {
            self.nodes[old_head as usize].newer = slot;
        }
        self.head = slot;
    }

    #[inline]
    fn move_to_front(&mut self, slot: u32) {
        if self.head != slot {
            self.detach(slot);
            self.push_front(slot);
        }
    }
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
                store.nodes.capacity(),
                store.hashes.capacity(),
                store.index.capacity(),
            );
            store.insert(key, i as u32);
            let after = (
                store.nodes.capacity(),
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
        // Store time counts from the first reading; 2^48 - 2 ms after it, expiring entries
        // can no longer get a later deadline and expire at once (entries without a TTL stay).
        let clock = ManualClock::new(7);
        let mut store = store(4, &clock);
        store.insert_with_ttl("early", 1, Some(10)).unwrap();
        clock.advance(LATEST_DEADLINE - 1);
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
    fn nodes_stay_small() {
        // Key, value, 8-byte stamp, two 4-byte links: no padding beyond the entry's own.
        assert_eq!(core::mem::size_of::<Node<u64, u64>>(), 40);
        assert_eq!(core::mem::size_of::<Node<alloc::string::String, u32>>(), 48);
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
        assert!(store.nodes.len() <= 64);
        assert_eq!(store.len(), 64);
        let expected: Vec<u32> = (10_000 - 64..10_000).rev().collect();
        let got: Vec<u32> = store.iter().map(|(key, _)| *key).collect();
        assert_eq!(got, expected);
        let _ = vec![0u8; 0];
    }
}

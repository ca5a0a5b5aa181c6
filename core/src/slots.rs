//! [`SlotLru`]: the recency, expiry, eviction and pending-computation rules of a TTL + LRU
//! cache, over slot numbers, for a caller that keeps its own key → slot index.
//!
//! [`crate::TtlLruStore`] hashes keys itself. A binding whose keys are strings of its host
//! language can often index them far more cheaply there (the npm package keeps a JavaScript
//! `Map` from key to slot: V8 hashes a string once and caches the hash in it, while handing the
//! string to WebAssembly means copying and hashing it again on every call). `SlotLru` is the
//! rest of the cache for such a caller: which slots hold live values, in what order they were
//! used, when each expires, which one to evict, and which slots are reserved for a pending
//! computation. The caller keeps the keys and values by slot and drops its index entry for
//! every slot `SlotLru` reports freed.
//!
//! Slot states:
//! - **free**: on the free list, reused by the next [`SlotLru::begin`];
//! - **pending**: reserved by [`SlotLru::begin`] for a computation; not in the recency list, so
//!   never evicted, and not counted against `max_size` (like the flight table of a
//!   [`crate::Cache`]). [`SlotLru::complete`] makes it ready; [`SlotLru::remove`] cancels it;
//! - **ready**: holds a value, linked into the recency list, served until its deadline.
//!
//! Deadlines are `f64` milliseconds of the caller's clock ([`NEVER`] for no TTL), kept in one
//! contiguous array of 16-byte slots that a JavaScript caller reads in place
//! ([`SlotLru::nodes_address`]): an entry is live while `now < deadline`. Time is passed in (`now`) by the caller, who reads it from
//! its injected clock; nothing here reads a clock.
//!
//! Every operation is O(1), [`SlotLru::clear`] included (the slots hold plain numbers:
//! truncating them drops nothing). The slot array doubles as it grows but stops at `max_size`,
//! so a full cache spends exactly 16 bytes per entry here. A new entry sweeps two slots round-robin, so an
//! expired entry nobody reads is freed after at most `capacity / 2` new entries.

use alloc::vec::Vec;

use crate::error::{ConfigError, FlightError, OutOfMemory};
use crate::store::MAX_SIZE_LIMIT;

/// The deadline of an entry that never expires.
pub const NEVER: f64 = f64::INFINITY;
/// The deadline slot value of a pending slot (negative: never live).
pub const PENDING: f64 = -1.0;
/// The deadline slot value of a free slot (negative: never live).
pub const FREE: f64 = -2.0;
/// The latest finite deadline: 2^53 ms, where `f64` stops counting every millisecond.
const LATEST_DEADLINE: f64 = 9_007_199_254_740_992.0;
/// The "no slot" link.
const NIL: u32 = u32::MAX;
const FREE_NODE: SlotNode = SlotNode {
    deadline: FREE,
    newer: NIL,
    older: NIL,
};
/// Slots a new entry examines for expired entries.
const SWEEP_PER_ENTRY: u32 = 2;
/// The most slots one [`SlotLru::complete`] or [`SlotLru::insert`] frees: the sweep plus one
/// eviction. A caller may size its buffer of freed slots by it.
pub const MOST_FREED_PER_ENTRY: usize = SWEEP_PER_ENTRY as usize + 1;

/// Set on a slot listed by [`SlotLru::plan_inserts`] whose insert evicts a live entry.
pub const EVICTS: u32 = 1 << 31;

/// Why a slot was freed, as reported to the caller's `freed` callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freed {
    /// The least recently used entry made room for a new one.
    Evicted,
    /// The entry's deadline had passed.
    Expired,
}

/// Counters kept by a [`SlotLru`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SlotCounters {
    /// Entries served ([`SlotLru::touch`]).
    pub hits: u64,
    /// Live entries evicted to make room.
    pub evictions: u64,
    /// Entries freed because their deadline passed.
    pub expirations: u64,
}

/// One slot: 16 bytes in a fixed layout, so that a caller can read the deadlines in place
/// (see [`SlotLru::nodes_address`]).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct SlotNode {
    /// The deadline of a ready entry, or [`PENDING`] / [`FREE`].
    deadline: f64,
    /// Ready: toward the more recently used end. Pending: the computation's serial.
    newer: u32,
    /// Ready: toward the less recently used end. Free: the next free slot.
    older: u32,
}

/// The TTL + LRU rules over slot numbers; see the [module docs](self).
///
/// ```
/// use cashier_core::slots::{SlotLru, Freed};
///
/// let mut lru = SlotLru::new(2, None)?;
/// let mut freed = Vec::new();
/// let mut note = |slot, why| freed.push((slot, why));
/// let a = lru.insert(0, None, &mut note).unwrap();
/// let b = lru.insert(0, None, &mut note).unwrap();
/// lru.touch(a);                                      // a is now the most recently used
/// let c = lru.insert(0, Some(100), &mut note).unwrap(); // full: frees b
/// assert_eq!(freed, [(b, Freed::Evicted)]);
/// assert!(lru.is_live(c, 99) && !lru.is_live(c, 100));
/// # Ok::<(), cashier_core::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct SlotLru {
    /// Per slot, 16 bytes (see [`SlotNode`]).
    nodes: Vec<SlotNode>,
    /// Most recently used.
    head: u32,
    /// Least recently used: the next to be evicted.
    tail: u32,
    free: u32,
    ready: usize,
    pending: usize,
    max_size: usize,
    next_serial: u32,
    sweep_cursor: u32,
    /// Whether any entry was ever given a finite deadline (lets the sweep skip caches without TTLs).
    ttl_seen: bool,
    counters: SlotCounters,
}

impl SlotLru {
    /// Rules for at most `max_size` ready entries; `default_ttl_ms` is only validated here (the
    /// caller passes each entry's TTL), so a zero TTL is rejected up front.
    ///
    /// Fails for `max_size == 0`, a `max_size` beyond [`MAX_SIZE_LIMIT`], or a TTL of 0 ms.
    pub fn new(max_size: usize, default_ttl_ms: Option<u64>) -> Result<Self, ConfigError> {
        if max_size == 0 {
            return Err(ConfigError::ZeroMaxSize);
        }
        if max_size > MAX_SIZE_LIMIT {
            return Err(ConfigError::MaxSizeTooLarge {
                max_size: max_size as u64,
            });
        }
        crate::store::validate_ttl(default_ttl_ms)?;
        Ok(SlotLru {
            nodes: Vec::new(),
            head: NIL,
            tail: NIL,
            free: NIL,
            ready: 0,
            pending: 0,
            max_size,
            next_serial: 0,
            sweep_cursor: 0,
            ttl_seen: false,
            counters: SlotCounters::default(),
        })
    }

    /// Makes room for `slots` slots in all (never more than needed), so that the array does
    /// not grow (and move) until then. A caller that knows its cache will fill reserves
    /// `max_size` up front. When the allocator refuses, nothing changes.
    pub fn reserve(&mut self, slots: usize) -> Result<(), OutOfMemory> {
        let additional = slots.saturating_sub(self.nodes.len());
        self.nodes
            .try_reserve_exact(additional)
            .map_err(|_| OutOfMemory)
    }

    /// Reserves a slot for a computation and returns it with its serial; the pair is the
    /// computation's ticket for [`SlotLru::complete`]. Allocates nothing once the arrays have
    /// grown to their working size; when the allocator refuses, nothing changes.
    pub fn begin(&mut self) -> Result<(u32, u32), OutOfMemory> {
        let slot = if self.free != NIL {
            let slot = self.free;
            self.free = self.nodes[slot as usize].older;
            slot
        } else {
            let len = self.nodes.len();
            let slot = u32::try_from(len)
                .ok()
                .filter(|&slot| slot != NIL)
                .ok_or(OutOfMemory)?;
            if len == self.nodes.capacity() {
                // Double, but stop at max_size: a full cache holds exactly what it needs
                // (pending computations beyond it grow the array further, one doubling at a time).
                let target = (len * 2).max(8);
                let target = if len < self.max_size {
                    target.min(self.max_size)
                } else {
                    target
                };
                self.nodes
                    .try_reserve_exact(target - len)
                    .map_err(|_| OutOfMemory)?;
            }
            self.nodes.push(FREE_NODE);
            slot
        };
        let serial = self.next_serial;
        self.next_serial = self.next_serial.wrapping_add(1);
        self.nodes[slot as usize] = SlotNode {
            deadline: PENDING,
            newer: serial,
            older: NIL,
        };
        self.pending += 1;
        Ok((slot, serial))
    }

    /// Makes the pending slot of ticket `(slot, serial)` a ready entry, the most recently used,
    /// living `ttl_ms` from `now` (`None`: never expiring). First sweeps two slots and, when
    /// `max_size` entries are ready, evicts the least recently used; each slot freed is passed
    /// to `freed` (never `slot` itself). Fails, changing nothing, if the ticket is stale: the
    /// slot was removed or cleared, or already completed.
    pub fn complete(
        &mut self,
        slot: u32,
        serial: u32,
        now: u64,
        ttl_ms: Option<u64>,
        freed: &mut impl FnMut(u32, Freed),
    ) -> Result<(), FlightError> {
        if !self.holds_ticket(slot, serial) {
            return Err(FlightError::StaleTicket);
        }
        self.make_room(now, freed);
        self.pending -= 1;
        self.link_ready(slot, now, ttl_ms);
        Ok(())
    }

    /// A new ready entry in one step ([`SlotLru::begin`] then [`SlotLru::complete`]): returns
    /// its slot. Freed slots are reported before the slot is returned and may include a slot
    /// the new entry then reuses, so the caller must drop what it held for them first.
    pub fn insert(
        &mut self,
        now: u64,
        ttl_ms: Option<u64>,
        freed: &mut impl FnMut(u32, Freed),
    ) -> Result<u32, OutOfMemory> {
        // Make room first, so that a full cache reuses the evicted slot instead of growing.
        self.make_room(now, freed);
        let (slot, _) = self.begin()?;
        self.pending -= 1;
        self.link_ready(slot, now, ttl_ms);
        Ok(slot)
    }

    /// Lists, in `plan`, the slots the next inserts will take if nothing else happens first —
    /// no hit, remove or other operation — and returns how many it listed (fewer than
    /// `plan.len()` when the array would have to grow, or none at all once any entry has had a
    /// TTL: the sweep then decides too). A slot whose insert evicts a live entry is listed with
    /// [`EVICTS`] set. A caller that indexes keys itself can then store several new entries
    /// before telling this `SlotLru` about them, and tell it in one call: each insert, applied
    /// in order, takes exactly the slot listed.
    pub fn plan_inserts(&self, plan: &mut [u32]) -> usize {
        if self.ttl_seen {
            return 0;
        }
        let capacity = self.nodes.capacity().min(EVICTS as usize);
        let mut ready = self.ready;
        let mut free = self.free;
        let mut len = self.nodes.len();
        let mut victim = self.tail;
        // Once the entries there now are all evicted, the planned ones follow, oldest first.
        let mut planned_victim = 0;
        let mut listed = 0;
        while listed < plan.len() {
            let slot = if ready >= self.max_size {
                // Full: the least recently used goes, and the new entry takes its slot.
                if victim != NIL {
                    if victim >= EVICTS {
                        break;
                    }
                    let slot = victim;
                    victim = self.nodes[victim as usize].newer;
                    slot | EVICTS
                } else if planned_victim < listed {
                    planned_victim += 1;
                    plan[planned_victim - 1] | EVICTS
                } else {
                    break;
                }
            } else if free != NIL {
                ready += 1;
                let slot = free;
                free = self.nodes[free as usize].older;
                slot
            } else if len < capacity {
                ready += 1;
                len += 1;
                (len - 1) as u32
            } else {
                break;
            };
            plan[listed] = slot;
            listed += 1;
        }
        listed
    }

    /// Gives the ready entry in `slot` a new deadline and makes it the most recently used (a
    /// value replaced in place). Returns false, changing nothing, for a slot that is not ready.
    pub fn refresh(&mut self, slot: u32, now: u64, ttl_ms: Option<u64>) -> bool {
        if !self.is_ready(slot) {
            return false;
        }
        self.nodes[slot as usize].deadline = self.deadline_at(now, ttl_ms);
        self.move_to_front(slot);
        true
    }

    /// Records a hit on the ready entry in `slot`: it becomes the most recently used. Slots
    /// that are not ready are ignored, so a batch of hits recorded earlier is safe to apply.
    #[inline]
    pub fn touch(&mut self, slot: u32) {
        if self.is_ready(slot) {
            self.counters.hits += 1;
            self.move_to_front(slot);
        }
    }

    /// [`SlotLru::touch`] for each slot, in order.
    pub fn touch_all(&mut self, slots: &[u32]) {
        for &slot in slots {
            self.touch(slot);
        }
    }

    /// Frees `slot`, ready or pending (a pending computation is cancelled: its ticket becomes
    /// stale). Returns whether it held an entry live at `now`.
    pub fn remove(&mut self, slot: u32, now: u64) -> bool {
        let Some(deadline) = self.nodes.get(slot as usize).map(|node| node.deadline) else {
            return false;
        };
        if deadline == FREE {
            return false;
        }
        if deadline == PENDING {
            self.pending -= 1;
            self.release(slot);
            return false;
        }
        self.unlink(slot);
        self.release(slot);
        (now as f64) < deadline
    }

    /// Frees the pending slot of ticket `(slot, serial)`: its computation failed, nothing is
    /// stored. Returns false, changing nothing, if the ticket is stale.
    pub fn abandon(&mut self, slot: u32, serial: u32) -> bool {
        if self.holds_ticket(slot, serial) {
            self.pending -= 1;
            self.release(slot);
            true
        } else {
            false
        }
    }

    /// Frees the ready entry in `slot` if its deadline has passed at `now` (the caller found it
    /// expired); returns whether it did.
    pub fn expire(&mut self, slot: u32, now: u64) -> bool {
        if self.is_ready(slot) && now as f64 >= self.nodes[slot as usize].deadline {
            self.counters.expirations += 1;
            self.unlink(slot);
            self.release(slot);
            true
        } else {
            false
        }
    }

    /// Frees every slot, ready and pending (their tickets become stale). O(1): the arrays keep
    /// their memory for reuse.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.head = NIL;
        self.tail = NIL;
        self.free = NIL;
        self.ready = 0;
        self.pending = 0;
        self.sweep_cursor = 0;
    }

    /// Whether `slot` holds an entry live at `now`.
    #[inline]
    pub fn is_live(&self, slot: u32, now: u64) -> bool {
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline >= 0.0 && (now as f64) < node.deadline)
    }

    /// Whether `slot` holds a ready entry (live or not yet found expired).
    #[inline]
    pub fn is_ready(&self, slot: u32) -> bool {
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline >= 0.0)
    }

    /// Whether `slot` is reserved for a pending computation.
    pub fn is_pending(&self, slot: u32) -> bool {
        self.deadline(slot) == Some(PENDING)
    }

    /// `slot`'s deadline: a ready entry's (`now < deadline` while live; [`NEVER`] for none), or
    /// the negative markers [`PENDING`] and [`FREE`]; `None` beyond the slots ever used.
    pub fn deadline(&self, slot: u32) -> Option<f64> {
        self.nodes.get(slot as usize).map(|node| node.deadline)
    }

    /// Where the slots are in memory, for a caller that reads deadlines in place (a JavaScript
    /// view of WebAssembly memory): slot `i` is the 16 bytes at `address + 16 × i`, its deadline
    /// the little-endian `f64` at their start. Valid for [`SlotLru::slot_count`] slots, until
    /// the next [`SlotLru::begin`] or [`SlotLru::insert`] (the array moves when it grows).
    pub fn nodes_address(&self) -> usize {
        self.nodes.as_ptr() as usize
    }

    /// Slots ever used since the last clear (free ones included).
    pub fn slot_count(&self) -> usize {
        self.nodes.len()
    }

    /// Slots the array holds before it must grow (and move): a view of
    /// [`SlotLru::nodes_address`] this long stays valid until then. Slots beyond
    /// [`SlotLru::slot_count`] hold no meaning.
    pub fn slot_capacity(&self) -> usize {
        self.nodes.capacity()
    }

    /// Ready entries (including expired ones nobody has reached yet).
    pub fn len(&self) -> usize {
        self.ready
    }

    /// Whether no entry is ready.
    pub fn is_empty(&self) -> bool {
        self.ready == 0
    }

    /// Slots reserved for pending computations.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// The most ready entries held at once.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// Hits, evictions and expirations so far.
    pub fn counters(&self) -> SlotCounters {
        self.counters
    }

    /// Ready slots from the most to the least recently used.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut slot = self.head;
        core::iter::from_fn(move || {
            (slot != NIL).then(|| {
                let current = slot;
                slot = self.nodes[current as usize].older;
                current
            })
        })
    }

    // ----- internals --------------------------------------------------------------------

    fn holds_ticket(&self, slot: u32, serial: u32) -> bool {
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline == PENDING && node.newer == serial)
    }

    fn deadline_at(&mut self, now: u64, ttl_ms: Option<u64>) -> f64 {
        match ttl_ms {
            Some(ttl) => {
                self.ttl_seen = true;
                (now.saturating_add(ttl) as f64).min(LATEST_DEADLINE)
            }
            None => NEVER,
        }
    }

    /// Sweeps, then evicts the least recently used entry if `max_size` entries are ready.
    fn make_room(&mut self, now: u64, freed: &mut impl FnMut(u32, Freed)) {
        self.sweep(now, freed);
        if self.ready >= self.max_size {
            self.evict_one(now, freed);
        }
    }

    /// Makes a pending slot ready and the most recently used.
    fn link_ready(&mut self, slot: u32, now: u64, ttl_ms: Option<u64>) {
        self.ready += 1;
        self.nodes[slot as usize].deadline = self.deadline_at(now, ttl_ms);
        self.push_front(slot);
    }

    /// Examines up to two slots round-robin and frees the expired ones.
    fn sweep(&mut self, now: u64, freed: &mut impl FnMut(u32, Freed)) {
        if !self.ttl_seen || self.ready == 0 {
            return;
        }
        let len = self.nodes.len() as u32;
        for _ in 0..SWEEP_PER_ENTRY {
            if self.sweep_cursor >= len {
                self.sweep_cursor = 0;
            }
            let slot = self.sweep_cursor;
            self.sweep_cursor += 1;
            if self.expire(slot, now) {
                freed(slot, Freed::Expired);
            }
        }
    }

    /// Frees the least recently used entry.
    fn evict_one(&mut self, now: u64, freed: &mut impl FnMut(u32, Freed)) {
        let victim = self.tail;
        if victim == NIL {
            return;
        }
        let why = if (now as f64) < self.nodes[victim as usize].deadline {
            self.counters.evictions += 1;
            Freed::Evicted
        } else {
            self.counters.expirations += 1;
            Freed::Expired
        };
        self.unlink(victim);
        self.release(victim);
        freed(victim, why);
    }

    /// Takes a ready slot out of the recency list.
    fn unlink(&mut self, slot: u32) {
        let SlotNode { newer, older, .. } = self.nodes[slot as usize];
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
        self.ready -= 1;
    }

    /// Puts an unlinked slot on the free list.
    fn release(&mut self, slot: u32) {
        self.nodes[slot as usize] = SlotNode {
            older: self.free,
            ..FREE_NODE
        };
        self.free = slot;
    }

    fn push_front(&mut self, slot: u32) {
        let node = &mut self.nodes[slot as usize];
        node.newer = NIL;
        node.older = self.head;
        if self.head == NIL {
            self.tail = slot;
        } else {
            self.nodes[self.head as usize].newer = slot;
        }
        self.head = slot;
    }

    #[inline]
    fn move_to_front(&mut self, slot: u32) {
        if self.head != slot {
            // Unlink without changing the ready count, then relink at the front.
            let SlotNode { newer, older, .. } = self.nodes[slot as usize];
            self.nodes[newer as usize].older = older;
            if older == NIL {
                self.tail = newer;
            } else {
                self.nodes[older as usize].newer = newer;
            }
            self.push_front(slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    type Log = Vec<(u32, Freed)>;

    fn insert(lru: &mut SlotLru, now: u64, ttl: Option<u64>, log: &mut Log) -> u32 {
        lru.insert(now, ttl, &mut |slot, why| log.push((slot, why)))
            .unwrap()
    }

    fn order(lru: &SlotLru) -> Vec<u32> {
        lru.iter().collect()
    }

    #[test]
    fn configuration_errors_are_reported() {
        assert_eq!(SlotLru::new(0, None).unwrap_err(), ConfigError::ZeroMaxSize);
        assert_eq!(SlotLru::new(1, Some(0)).unwrap_err(), ConfigError::ZeroTtl);
        assert!(matches!(
            SlotLru::new(MAX_SIZE_LIMIT + 1, None),
            Err(ConfigError::MaxSizeTooLarge { .. })
        ));
    }

    #[test]
    fn least_recently_used_is_evicted_first_and_its_slot_reused() {
        let mut lru = SlotLru::new(3, None).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 0, None, &mut log);
        let b = insert(&mut lru, 0, None, &mut log);
        let c = insert(&mut lru, 0, None, &mut log);
        lru.touch_all(&[a, b, a]);
        assert_eq!(order(&lru), [a, b, c]);
        let d = insert(&mut lru, 0, None, &mut log);
        assert_eq!(log, [(c, Freed::Evicted)]);
        assert_eq!(d, c, "a full cache reuses the evicted slot");
        assert_eq!(order(&lru), [d, a, b]);
        assert_eq!(lru.len(), 3);
        assert_eq!(lru.counters().hits, 3);
        assert_eq!(lru.counters().evictions, 1);
    }

    #[test]
    fn entries_live_until_their_deadline() {
        let mut lru = SlotLru::new(4, Some(10)).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 100, Some(10), &mut log);
        let forever = insert(&mut lru, 100, None, &mut log);
        assert!(lru.is_live(a, 109));
        assert!(!lru.is_live(a, 110));
        assert!(lru.is_live(forever, u64::MAX));
        assert!(!lru.expire(a, 109), "not yet expired");
        assert!(lru.expire(a, 110));
        assert_eq!(lru.counters().expirations, 1);
        assert!(!lru.is_ready(a));
        assert_eq!(lru.len(), 1);
    }

    #[test]
    fn the_sweep_frees_expired_entries_nobody_reads() {
        let mut lru = SlotLru::new(100, None).unwrap();
        let mut log = Log::new();
        let short: Vec<u32> = (0..10)
            .map(|_| insert(&mut lru, 0, Some(5), &mut log))
            .collect();
        for _ in 0..5 {
            insert(&mut lru, 10, None, &mut log);
        }
        let mut swept: Vec<u32> = log.iter().map(|&(slot, _)| slot).collect();
        swept.sort_unstable();
        assert_eq!(swept, short, "two slots examined per new entry");
        assert!(log.iter().all(|&(_, why)| why == Freed::Expired));
        assert_eq!(lru.len(), 5);
    }

    #[test]
    fn evicting_an_expired_tail_counts_an_expiration() {
        let mut lru = SlotLru::new(1, None).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 0, Some(5), &mut log);
        // The sweep reaches it first here; with TTLs off for the sweep, eviction would.
        insert(&mut lru, 10, None, &mut log);
        assert_eq!(log, [(a, Freed::Expired)]);
        assert_eq!(lru.counters().evictions, 0);
        assert_eq!(lru.counters().expirations, 1);
    }

    #[test]
    fn pending_slots_are_never_evicted_and_tickets_end_once() {
        let mut lru = SlotLru::new(1, None).unwrap();
        let mut log = Log::new();
        let (p, serial) = lru.begin().unwrap();
        let (q, q_serial) = lru.begin().unwrap();
        insert(&mut lru, 0, None, &mut log);
        insert(&mut lru, 0, None, &mut log);
        assert!(lru.is_pending(p) && lru.is_pending(q));
        assert_eq!(lru.pending(), 2);
        let mut note = |slot, why| log.push((slot, why));
        lru.complete(p, serial, 0, None, &mut note).unwrap();
        assert_eq!(
            lru.complete(p, serial, 0, None, &mut note),
            Err(FlightError::StaleTicket)
        );
        assert_eq!(lru.len(), 1, "completing evicted the older entry");
        assert!(
            !lru.remove(q, 0),
            "cancelling a pending slot removes no live entry"
        );
        assert!(!lru.abandon(q, q_serial), "already cancelled");
        assert_eq!(
            lru.complete(q, q_serial, 0, None, &mut note),
            Err(FlightError::StaleTicket)
        );
        assert_eq!(lru.pending(), 0);
    }

    #[test]
    fn a_reused_slot_does_not_accept_an_old_ticket() {
        let mut lru = SlotLru::new(4, None).unwrap();
        let (slot, old) = lru.begin().unwrap();
        lru.clear();
        let (again, new) = lru.begin().unwrap();
        assert_eq!(slot, again);
        assert_ne!(old, new);
        let mut none = |_, _| {};
        assert_eq!(
            lru.complete(slot, old, 0, None, &mut none),
            Err(FlightError::StaleTicket)
        );
        lru.complete(again, new, 0, None, &mut none).unwrap();
    }

    #[test]
    fn remove_reports_only_live_entries_and_stale_slots_are_ignored() {
        let mut lru = SlotLru::new(4, None).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 0, Some(5), &mut log);
        let b = insert(&mut lru, 0, None, &mut log);
        assert!(!lru.remove(a, 5), "expired");
        assert!(lru.remove(b, 5));
        assert!(!lru.remove(b, 5), "already free");
        assert!(!lru.remove(99, 5), "never existed");
        lru.touch(b);
        lru.touch(99);
        assert!(!lru.refresh(b, 0, None));
        assert_eq!(lru.counters().hits, 0);
        assert!(lru.is_empty());
    }

    #[test]
    fn refresh_moves_to_front_with_a_new_deadline() {
        let mut lru = SlotLru::new(2, None).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 0, Some(5), &mut log);
        let b = insert(&mut lru, 0, None, &mut log);
        assert!(lru.refresh(a, 3, Some(5)));
        assert_eq!(order(&lru), [a, b]);
        assert!(lru.is_live(a, 7));
        insert(&mut lru, 4, None, &mut log);
        assert_eq!(log, [(b, Freed::Evicted)]);
    }

    #[test]
    fn clear_is_a_fresh_start() {
        let mut lru = SlotLru::new(2, None).unwrap();
        let mut log = Log::new();
        for _ in 0..5 {
            insert(&mut lru, 0, None, &mut log);
        }
        lru.clear();
        assert!(lru.is_empty());
        assert_eq!(order(&lru), Vec::<u32>::new());
        assert_eq!(insert(&mut lru, 0, None, &mut log), 0);
        assert_eq!(lru.deadline(0), Some(NEVER));
        assert_eq!(lru.slot_count(), 1);
    }

    #[test]
    fn slots_take_sixteen_bytes_and_a_full_cache_no_more_than_it_needs() {
        assert_eq!(core::mem::size_of::<SlotNode>(), 16);
        let mut lru = SlotLru::new(1000, None).unwrap();
        let mut log = Log::new();
        for _ in 0..5000 {
            insert(&mut lru, 0, None, &mut log);
        }
        assert_eq!(lru.slot_count(), 1000);
        assert_eq!(lru.nodes.capacity(), 1000);
        let mut reserved = SlotLru::new(300, None).unwrap();
        reserved.reserve(300).unwrap();
        let address = reserved.nodes_address();
        for _ in 0..600 {
            insert(&mut reserved, 0, None, &mut log);
        }
        assert_eq!(
            reserved.nodes_address(),
            address,
            "reserved slots never move"
        );
        assert_eq!(reserved.nodes.capacity(), 300);
    }

    #[test]
    fn planned_inserts_take_the_slots_listed() {
        let mut lru = SlotLru::new(4, None).unwrap();
        lru.reserve(4).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 0, None, &mut log);
        let b = insert(&mut lru, 0, None, &mut log);
        lru.remove(a, 0);
        lru.touch(b);
        let mut plan = [0u32; 8];
        let listed = lru.plan_inserts(&mut plan);
        // a's freed slot, two new slots (filling the cache), then evictions from the LRU end,
        // which reach the planned entries themselves, oldest first.
        assert_eq!(
            &plan[..listed],
            &[
                a,
                2,
                3,
                b | EVICTS,
                a | EVICTS,
                2 | EVICTS,
                3 | EVICTS,
                b | EVICTS
            ]
        );
        for &planned in &plan[..listed] {
            let mut evicted = Vec::new();
            let slot = lru
                .insert(0, None, &mut |slot, _| evicted.push(slot))
                .unwrap();
            assert_eq!(slot, planned & !EVICTS);
            assert_eq!(evicted.is_empty(), planned & EVICTS == 0);
        }
        insert(&mut lru, 0, Some(5), &mut log);
        assert_eq!(
            lru.plan_inserts(&mut plan),
            0,
            "no plan once TTLs are in play"
        );
    }

    #[test]
    fn huge_ttls_and_clocks_saturate() {
        let mut lru = SlotLru::new(2, None).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, u64::MAX - 1, Some(u64::MAX), &mut log);
        assert_eq!(lru.deadline(a), Some(LATEST_DEADLINE));
        assert!(!lru.is_live(a, u64::MAX));
        let slots = vec![a];
        assert_eq!(order(&lru), slots);
    }
}

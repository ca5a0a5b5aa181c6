//! [`SlotLru`]: the cache policy — recency, expiry, eviction, pending computations,
//! generations (version bumps) and store time — over slot numbers. Written once: every
//! delivery runs it.
//!
//! The policy knows slots, never keys. A front end keeps the key → slot index and the keys and
//! values by slot, and drops what it held for every slot the policy reports freed:
//! - [`crate::TtlLruStore`] and [`crate::Cache`] (Rust, the component) index keys in a
//!   `hashbrown` table beside the policy;
//! - the npm package indexes them in JavaScript `Map`s (V8 hashes a string once and caches the
//!   hash, while handing it to WebAssembly would copy and hash it again on every call).
//!
//! Slot states:
//! - **free**: on the free list, reused by the next [`SlotLru::begin`];
//! - **pending**: reserved by [`SlotLru::begin`] for a computation; not in the recency list, so
//!   never evicted and not counted against `max_size`. Callers that want the same key meanwhile
//!   [`SlotLru::join`] it. [`SlotLru::complete`] makes it ready; [`SlotLru::fail`] (the
//!   computation failed) and [`SlotLru::remove`] free it;
//! - **ready**: holds a value, linked into the recency list, served until its deadline.
//!
//! A slot written before the latest [`SlotLru::bump_generation`] is *stale*: neither ready nor
//! pending for any caller (its ticket no longer completes), never served, and freed without
//! being counted when the sweep, an eviction or a lookup reaches it.
//!
//! **Store time** is passed in (`now`, milliseconds) by the caller, who reads its injected
//! clock; nothing here reads a clock. It never runs backwards: a reading earlier than the
//! latest one seen counts as the latest ([`SlotLru::observe`]), so nothing expires early and
//! nothing once expired comes back. Deadlines are `f64` milliseconds ([`NEVER`] for no TTL),
//! exact up to 2^53 ms ([`LATEST_DEADLINE`], about 285,000 years); later deadlines saturate
//! there, and once store time reaches it every expiring entry is expired. An entry is live
//! while `now < deadline`.
//!
//! Deadlines are kept in one contiguous array of 16-byte slots that a JavaScript caller reads
//! in place ([`SlotLru::nodes_address`]). Every operation is O(1), [`SlotLru::clear`] and
//! [`SlotLru::bump_generation`] included. The slot array doubles as it grows but stops at
//! `max_size`, so a full cache spends 16 bytes per entry here (plus 2 once a generation has
//! been bumped). A new entry sweeps two slots round-robin, so an expired or stale entry nobody
//! reads is freed after at most `capacity / 2` new entries. While nothing can have expired
//! (store time is before a lower bound on every deadline, which each pass of the sweep renews)
//! and nothing is stale, the sweep only moves its cursor: the slots it would examine hold
//! nothing to free.

use alloc::vec::Vec;
use core::cell::Cell;

use crate::error::{ConfigError, FlightError, OutOfMemory};
use crate::stats::CacheStats;

/// The largest `max_size`: slot indices are `u32` and `u32::MAX` is the "no slot" link.
pub const MAX_SIZE_LIMIT: usize = (u32::MAX - 1) as usize;
/// The deadline of an entry that never expires.
pub const NEVER: f64 = f64::INFINITY;
/// The deadline slot value of a pending slot (negative: never live).
pub const PENDING: f64 = -1.0;
/// The deadline slot value of a free slot (negative: never live).
pub const FREE: f64 = -2.0;
/// The latest finite deadline: 2^53 ms, where `f64` stops counting every millisecond.
pub const LATEST_DEADLINE: f64 = 9_007_199_254_740_992.0;
/// The "no slot" link.
const NIL: u32 = u32::MAX;
/// Slots a new entry examines for expired or stale entries.
const SWEEP_PER_ENTRY: u32 = 2;
/// The most slots one [`SlotLru::complete`] or [`SlotLru::insert`] frees: the sweep plus one
/// eviction. A caller may size its buffer of freed slots by it.
pub const MOST_FREED_PER_ENTRY: usize = SWEEP_PER_ENTRY as usize + 1;

/// Set on a slot listed by [`SlotLru::plan_inserts`] whose insert evicts a live entry.
pub const EVICTS: u32 = 1 << 31;

/// Whether an entry with `deadline` is fresh at store time `now`: `now < deadline`, the one
/// liveness comparison. Exact for every value a slot's deadline holds (the negative markers,
/// finite deadlines up to [`LATEST_DEADLINE`], [`NEVER`]): a time past `LATEST_DEADLINE`
/// compares as `LATEST_DEADLINE` does, which lets the conversion to `f64` be a signed one (one
/// instruction on x86-64, where an unsigned one takes several).
#[inline]
pub fn is_fresh(now: u64, deadline: f64) -> bool {
    fresh_at(now) < deadline
}

/// Store time `now` as [`is_fresh`] compares it with a deadline (saturated at
/// [`LATEST_DEADLINE`], so the conversion can be a signed one).
#[inline]
fn fresh_at(now: u64) -> f64 {
    now.min(LATEST_DEADLINE as u64) as i64 as f64
}

/// Rejects a TTL of 0 ms (`None`, never expiring, is valid). Every binding checks TTLs here.
pub fn validate_ttl(ttl_ms: Option<u64>) -> Result<(), ConfigError> {
    match ttl_ms {
        Some(0) => Err(ConfigError::ZeroTtl),
        _ => Ok(()),
    }
}

/// Checks a cache size: `1..=MAX_SIZE_LIMIT`. Every binding checks sizes here.
pub fn validate_max_size(max_size: u64) -> Result<usize, ConfigError> {
    if max_size == 0 {
        return Err(ConfigError::ZeroMaxSize);
    }
    match usize::try_from(max_size) {
        Ok(size) if size <= MAX_SIZE_LIMIT => Ok(size),
        _ => Err(ConfigError::MaxSizeTooLarge { max_size }),
    }
}

/// Why a slot was freed, as reported to the caller's `freed` callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freed {
    /// The least recently used entry made room for a new one.
    Evicted,
    /// The entry's deadline had passed.
    Expired,
    /// The slot was written before the latest generation bump.
    Invalidated,
}

/// What a slot holds, from one read ([`SlotLru::state`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlotState {
    /// A value of the current generation, live while `now < deadline` ([`NEVER`]: always).
    Ready {
        /// When it stops being served.
        deadline: f64,
    },
    /// A pending computation of the current generation.
    Pending,
    /// Written before the latest generation bump: never served; [`SlotLru::reap`] frees it.
    Stale,
    /// Free, or beyond the slots ever used.
    Free,
}

/// One slot: 16 bytes in a fixed layout (then the front end's payload), so that a caller can
/// read the deadlines in place (see [`SlotLru::nodes_address`]).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct SlotNode<T> {
    /// The deadline of a ready entry, or [`PENDING`] / [`FREE`].
    deadline: f64,
    /// Ready: toward the more recently used end. Pending: the computation's serial.
    newer: u32,
    /// Ready: toward the less recently used end. Pending: how many callers joined. Free: the
    /// next free slot.
    older: u32,
    /// What the front end keeps for the slot (the keyed store: its key and value), beside the
    /// links so that a lookup touches one node; dropped when the slot is freed. `()` for a
    /// front end that keeps its own (the npm package).
    payload: T,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    hits: u64,
    stale_hits: u64,
    misses: u64,
    joined: u64,
    evictions: u64,
    expirations: u64,
}

/// The TTL + LRU policy over slot numbers; see the [module docs](self).
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
pub struct SlotLru<T = ()> {
    /// Per slot, 16 bytes and the payload (see [`SlotNode`]).
    nodes: Vec<SlotNode<T>>,
    /// Per slot, the generation it was written in; empty until the first bump (generation 0).
    generations: Vec<u16>,
    generation: u16,
    /// Most recently used.
    head: u32,
    /// Least recently used: the next to be evicted.
    tail: u32,
    free: u32,
    /// Slots in the recency list (ready ones and stale ones not yet freed).
    linked: usize,
    /// Of `linked`, the stale ones.
    stale_linked: usize,
    /// Pending slots of the current generation.
    pending: usize,
    /// Pending slots of older generations, not yet freed.
    stale_pending: usize,
    max_size: usize,
    next_serial: u32,
    sweep_cursor: u32,
    /// Whether any entry was ever given a finite deadline (lets the sweep skip caches without TTLs).
    ttl_seen: bool,
    /// No ready entry has an earlier deadline (a lower bound; [`NEVER`] when none can expire):
    /// until store time reaches it (plus the stale window) nothing has expired, and the sweep
    /// only moves its cursor.
    earliest_deadline: f64,
    /// The earliest deadline the sweep's current pass over the slots has seen or any entry was
    /// given since it began: `earliest_deadline` once the pass ends.
    pass_earliest: f64,
    /// How long after its deadline an entry may still be served stale (while one refresh runs):
    /// 0 unless [`SlotLru::with_stale_window`] set it.
    stale_window: f64,
    /// The latest time seen: store time never runs backwards. A `Cell`, so that read-only
    /// lookups (a peek) observe time too.
    time_floor: Cell<u64>,
    /// `time_floor` as the `f64` that [`is_fresh`] compares with deadlines, converted when the
    /// floor moves (once per clock tick) rather than on every lookup.
    time_at: Cell<f64>,
    counters: Counters,
}

impl SlotLru<()> {
    /// The policy for at most `max_size` ready entries, for a front end that keeps what it
    /// stores by slot itself; `default_ttl_ms` is only validated here (the caller passes each
    /// entry's TTL), so a zero TTL is rejected up front.
    ///
    /// Fails for `max_size == 0`, a `max_size` beyond [`MAX_SIZE_LIMIT`], or a TTL of 0 ms.
    pub fn new(max_size: usize, default_ttl_ms: Option<u64>) -> Result<Self, ConfigError> {
        Self::with_payloads(max_size, default_ttl_ms)
    }

    /// Where the slots are in memory, for a caller that reads deadlines in place (a JavaScript
    /// view of WebAssembly memory): slot `i` is the 16 bytes at `address + 16 × i`, its deadline
    /// the little-endian `f64` at their start. Valid for [`SlotLru::slot_count`] slots, until
    /// the next [`SlotLru::begin`] or [`SlotLru::insert`] (the array moves when it grows).
    /// A caller that reads them must not bump generations (it clears instead).
    pub fn nodes_address(&self) -> usize {
        self.nodes.as_ptr() as usize
    }
}

impl<T: Default> SlotLru<T> {
    /// The policy for at most `max_size` ready entries, each slot holding a `T` for the front
    /// end ([`SlotLru::payload`]); otherwise as [`SlotLru::new`].
    pub fn with_payloads(
        max_size: usize,
        default_ttl_ms: Option<u64>,
    ) -> Result<Self, ConfigError> {
        let max_size = validate_max_size(max_size as u64)?;
        validate_ttl(default_ttl_ms)?;
        Ok(SlotLru {
            nodes: Vec::new(),
            generations: Vec::new(),
            generation: 0,
            head: NIL,
            tail: NIL,
            free: NIL,
            linked: 0,
            stale_linked: 0,
            pending: 0,
            stale_pending: 0,
            max_size,
            next_serial: 0,
            sweep_cursor: 0,
            ttl_seen: false,
            earliest_deadline: NEVER,
            pass_earliest: NEVER,
            stale_window: 0.0,
            time_floor: Cell::new(0),
            time_at: Cell::new(0.0),
            counters: Counters::default(),
        })
    }

    /// Lets entries be served for `window_ms` after their deadline, stale, while the caller
    /// refreshes them (stale-while-revalidate): an entry is *fresh* while `now < deadline`,
    /// *stale* while `deadline <= now < deadline + window_ms`, and expires only then — the sweep
    /// and lookups free it no earlier, and evicting a stale entry counts as an eviction.
    pub fn with_stale_window(mut self, window_ms: u64) -> Self {
        self.stale_window = window_ms as f64;
        self
    }

    /// The stale window (0: none).
    pub fn stale_window_ms(&self) -> u64 {
        self.stale_window as u64
    }

    /// Makes room for `slots` slots in all (never more than needed), so that the array does
    /// not grow (and move) until then. A caller that knows its cache will fill reserves
    /// `max_size` up front. When the allocator refuses, nothing changes.
    pub fn reserve(&mut self, slots: usize) -> Result<(), OutOfMemory> {
        let additional = slots.saturating_sub(self.nodes.len());
        self.nodes
            .try_reserve_exact(additional)
            .map_err(|_| OutOfMemory)?;
        if self.generation != 0 {
            self.generations
                .try_reserve_exact(slots.saturating_sub(self.generations.len()))
                .map_err(|_| OutOfMemory)?;
        }
        Ok(())
    }

    /// Makes sure the next [`SlotLru::begin`] or [`SlotLru::insert`] allocates nothing.
    pub fn reserve_one(&mut self) -> Result<(), OutOfMemory> {
        if self.free == NIL {
            self.grow_for_one()?;
        }
        Ok(())
    }

    /// Store time at a clock reading: the reading, or the latest one seen if that is later.
    /// Every operation that takes `now` observes it first.
    #[inline]
    pub fn observe(&self, now: u64) -> u64 {
        let floor = self.time_floor.get();
        if now > floor {
            self.advance_time(now);
            now
        } else {
            floor
        }
    }

    /// [`SlotLru::observe`], returning store time as the `f64` a deadline is compared with
    /// ([`is_fresh`]: `observe_at(now) < deadline` is `is_fresh(observe(now), deadline)`). While
    /// the reading does not move forward this is one comparison and one load: the conversion
    /// happens only when the floor moves.
    #[inline]
    pub(crate) fn observe_at(&self, now: u64) -> f64 {
        if now > self.time_floor.get() {
            self.advance_time(now)
        } else {
            self.time_at.get()
        }
    }

    /// [`is_fresh`] at the time last observed: what `is_fresh(self.observe(now), deadline)`
    /// answers right after that observation, without converting the time again.
    #[inline]
    fn is_fresh_now(&self, deadline: f64) -> bool {
        self.time_at.get() < deadline
    }

    /// Moves the floor forward to `now` (later than it); returns it as [`SlotLru::observe_at`]
    /// does.
    #[inline]
    fn advance_time(&self, now: u64) -> f64 {
        self.time_floor.set(now);
        let at = fresh_at(now);
        self.time_at.set(at);
        at
    }

    /// The latest time observed (0 before any).
    pub fn time(&self) -> u64 {
        self.time_floor.get()
    }

    /// Reserves a slot for a computation and returns it with its serial; the pair is the
    /// computation's ticket for [`SlotLru::complete`]. Allocates nothing once the arrays have
    /// grown to their working size; when the allocator refuses, nothing changes.
    pub fn begin(&mut self) -> Result<(u32, u32), OutOfMemory> {
        let slot = self.take_slot()?;
        let serial = self.next_serial;
        self.next_serial = self.next_serial.wrapping_add(1);
        let node = &mut self.nodes[slot as usize];
        node.deadline = PENDING;
        node.newer = serial;
        node.older = 0;
        self.pending += 1;
        Ok((slot, serial))
    }

    /// Records a caller joining the computation pending in `slot`: returns its serial (with
    /// the slot, the computation's id), or `None` if `slot` is not pending. Counts a hit and a
    /// join.
    pub fn join(&mut self, slot: u32) -> Option<u32> {
        if !self.is_pending(slot) {
            return None;
        }
        let node = &mut self.nodes[slot as usize];
        node.older = node.older.saturating_add(1);
        self.counters.hits += 1;
        self.counters.joined += 1;
        Some(node.newer)
    }

    /// How many callers joined the computation of ticket `(slot, serial)` (0 if stale).
    pub fn waiters(&self, slot: u32, serial: u32) -> u32 {
        if self.holds_ticket(slot, serial) {
            self.nodes[slot as usize].older
        } else {
            0
        }
    }

    /// Counts a lookup that found nothing usable (a miss). Hits are counted by
    /// [`SlotLru::touch`] and [`SlotLru::join`].
    #[inline]
    pub fn record_miss(&mut self) {
        self.counters.misses += 1;
    }

    /// Counts `count` misses a front end observed without calling in (it reports them in a
    /// batch, as it reports hits through [`SlotLru::touch_all`]).
    pub fn record_misses(&mut self, count: u64) {
        self.counters.misses += count;
    }

    /// Counts `count` of the hits recorded by [`SlotLru::touch`] as stale: served after their
    /// deadline, within the stale window, while a refresh runs.
    pub fn record_stale_hits(&mut self, count: u64) {
        self.counters.stale_hits += count;
    }

    /// Counts `count` callers that joined pending computations a front end found without
    /// calling in: each is a hit and a join, as [`SlotLru::join`] counts one.
    pub fn record_joins(&mut self, count: u64) {
        self.counters.hits += count;
        self.counters.joined += count;
    }

    /// Makes the pending slot of ticket `(slot, serial)` a ready entry, the most recently used,
    /// living `ttl_ms` from `now` (`None`: never expiring). First sweeps two slots and, when
    /// `max_size` entries are ready, evicts the least recently used; each slot freed is passed
    /// to `freed` (never `slot` itself). Fails, changing nothing, if the ticket is stale: the
    /// slot was removed, cleared or invalidated, or already completed.
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
        let now = self.observe(now);
        self.make_room(now as f64, freed);
        self.pending -= 1;
        self.link_ready(slot, now, ttl_ms);
        Ok(())
    }

    /// A new ready entry in one step ([`SlotLru::begin`] then [`SlotLru::complete`]): returns
    /// its slot. Freed slots are reported before the slot is returned and may include a slot
    /// the new entry then reuses, so the caller must drop what it held for them first.
    #[inline]
    pub fn insert(
        &mut self,
        now: u64,
        ttl_ms: Option<u64>,
        freed: &mut impl FnMut(u32, Freed),
    ) -> Result<u32, OutOfMemory> {
        let now = self.observe(now);
        // `now as f64`: the converted floor below 2^53, where the two are the same.
        let at = if now < LATEST_DEADLINE as u64 {
            self.time_at.get()
        } else {
            now as f64
        };
        debug_assert_eq!(at, now as f64);
        // Make room first, so that a full cache reuses the evicted slot instead of growing.
        self.sweep(at, freed);
        if self.linked >= self.max_size
            && let Some((victim, why)) = self.choose_victim(at)
        {
            // The new entry takes the evicted slot at once, without a trip through the free
            // list: same slot, same counts, same report as freeing it and taking it.
            if !self.is_current(victim) {
                self.stale_linked -= 1;
                self.generations[victim as usize] = self.generation;
            }
            drop(core::mem::take(&mut self.nodes[victim as usize].payload));
            freed(victim, why);
            self.nodes[victim as usize].deadline = self.deadline_at(now, ttl_ms);
            // SAFETY: the victim is the tail, a linked slot, and now holds a deadline (not
            // negative): still linked, as the list's order is unchanged.
            #[allow(unsafe_code)]
            unsafe {
                self.move_to_front(victim)
            };
            return Ok(victim);
        }
        let slot = self.take_slot()?;
        self.link_ready(slot, now, ttl_ms);
        Ok(slot)
    }

    /// Lists, in `plan`, the slots the next inserts will take if nothing else happens first —
    /// no hit, remove or other operation — and returns how many it listed (fewer than
    /// `plan.len()` when the array would have to grow, or none at all once any entry has had a
    /// TTL or a generation was bumped: the sweep then decides too). A slot whose insert evicts
    /// a live entry is listed with [`EVICTS`] set. A caller that indexes keys itself can then
    /// store several new entries before telling this `SlotLru` about them, and tell it in one
    /// call: each insert, applied in order, takes exactly the slot listed.
    pub fn plan_inserts(&self, plan: &mut [u32]) -> usize {
        if self.ttl_seen || self.has_stale() {
            return 0;
        }
        let capacity = self.nodes.capacity().min(EVICTS as usize);
        let mut linked = self.linked;
        let mut free = self.free;
        let mut len = self.nodes.len();
        let mut victim = self.tail;
        // Once the entries there now are all evicted, the planned ones follow, oldest first.
        let mut planned_victim = 0;
        let mut listed = 0;
        while listed < plan.len() {
            let slot = if linked >= self.max_size {
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
                linked += 1;
                let slot = free;
                free = self.nodes[free as usize].older;
                slot
            } else if len < capacity {
                linked += 1;
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
        self.refresh_live(slot, now, ttl_ms).is_some()
    }

    /// [`SlotLru::refresh`], telling whether the entry was live at `now` before (`None`: not
    /// ready, nothing changed): a keyed front end replacing a value hands back the old one
    /// only if it was live.
    #[inline]
    pub(crate) fn refresh_live(
        &mut self,
        slot: u32,
        now: u64,
        ttl_ms: Option<u64>,
    ) -> Option<bool> {
        let deadline = self.ready_deadline(slot)?;
        let now = self.observe(now);
        let live = self.is_fresh_now(deadline);
        let deadline = self.deadline_at(now, ttl_ms);
        // SAFETY: `ready_deadline` found `slot` ready, so linked.
        #[allow(unsafe_code)]
        let nodes = unsafe { self.move_to_front(slot) };
        nodes[slot as usize].deadline = deadline;
        Some(live)
    }

    /// Records a hit on the ready entry in `slot`: it becomes the most recently used. Slots
    /// that are not ready are ignored, so a batch of hits recorded earlier is safe to apply.
    #[inline]
    pub fn touch(&mut self, slot: u32) {
        if self.is_ready(slot) {
            self.counters.hits += 1;
            // SAFETY: `slot` is ready, so linked.
            #[allow(unsafe_code)]
            unsafe {
                self.move_to_front(slot)
            };
        }
    }

    /// [`SlotLru::touch`] for each slot, in order.
    pub fn touch_all(&mut self, slots: &[u32]) {
        for &slot in slots {
            self.touch(slot);
        }
    }

    /// Frees `slot`, ready, pending (its computation is cancelled: the ticket becomes stale) or
    /// stale. Returns whether it held an entry live at `now`.
    pub fn remove(&mut self, slot: u32, now: u64) -> bool {
        self.remove_payload(slot, now).is_some_and(|(live, _)| live)
    }

    /// [`SlotLru::remove`], handing back the slot's payload: `None` for a free slot, else
    /// whether it held an entry live at `now`, and its payload.
    pub fn remove_payload(&mut self, slot: u32, now: u64) -> Option<(bool, T)> {
        let deadline = self.nodes.get(slot as usize)?.deadline;
        if deadline == FREE {
            return None;
        }
        let now = self.observe(now);
        let current = self.is_current(slot);
        let payload = self.free_occupied(slot);
        Some((current && is_fresh(now, deadline), payload))
    }

    /// What the front end keeps in `slot` (the default value for a free slot).
    #[inline]
    pub fn payload(&self, slot: u32) -> &T {
        &self.nodes[slot as usize].payload
    }

    /// [`SlotLru::payload`], or `None` beyond the slots ever used (no panic on a lookup path).
    #[inline]
    pub(crate) fn payload_at(&self, slot: u32) -> Option<&T> {
        self.nodes.get(slot as usize).map(|node| &node.payload)
    }

    /// What the front end keeps in `slot`, to fill after [`SlotLru::begin`] or
    /// [`SlotLru::insert`] and update after [`SlotLru::complete`].
    #[inline]
    pub fn payload_mut(&mut self, slot: u32) -> &mut T {
        &mut self.nodes[slot as usize].payload
    }

    /// Frees the pending slot of ticket `(slot, serial)`: its computation failed, nothing is
    /// stored. Returns false, changing nothing, if the ticket is stale.
    pub fn fail(&mut self, slot: u32, serial: u32) -> bool {
        if self.holds_ticket(slot, serial) {
            self.free_occupied(slot);
            true
        } else {
            false
        }
    }

    /// Frees the entry in `slot` if it can no longer be served at `now`: its deadline has
    /// passed (counted as an expiration) or it is stale. Returns what it did.
    pub fn reap(&mut self, slot: u32, now: u64) -> Option<Freed> {
        let at = self.observe(now) as f64;
        self.reap_observed(slot, at)
    }

    /// [`SlotLru::reap`] at a store time already observed (the sweep's), as `f64`.
    #[inline]
    fn reap_observed(&mut self, slot: u32, at: f64) -> Option<Freed> {
        let deadline = self.nodes.get(slot as usize)?.deadline;
        if deadline == FREE {
            return None;
        }
        if !self.is_current(slot) {
            self.free_occupied(slot);
            return Some(Freed::Invalidated);
        }
        if deadline >= 0.0 && at >= deadline + self.stale_window {
            self.counters.expirations += 1;
            self.free_occupied(slot);
            return Some(Freed::Expired);
        }
        None
    }

    /// Frees the ready entry in `slot` if its deadline has passed at `now` (the caller found it
    /// expired); returns whether it did.
    pub fn expire(&mut self, slot: u32, now: u64) -> bool {
        self.reap(slot, now) == Some(Freed::Expired)
    }

    /// Frees every slot, ready and pending (their tickets become stale). O(1): the arrays keep
    /// their memory for reuse.
    pub fn clear(&mut self) {
        // The list first, then the slots: should dropping a payload panic, no link is left
        // naming a slot that is gone.
        self.head = NIL;
        self.tail = NIL;
        self.free = NIL;
        self.linked = 0;
        self.stale_linked = 0;
        self.pending = 0;
        self.stale_pending = 0;
        self.sweep_cursor = 0;
        self.earliest_deadline = NEVER;
        self.pass_earliest = NEVER;
        self.generations.clear();
        self.nodes.clear();
    }

    /// Makes every slot stale in O(1): no entry is served again, no pending computation's
    /// ticket completes, and their slots are freed as the sweep, evictions and lookups reach
    /// them. After 2^16 bumps it clears instead, so no old generation is ever mistaken for the
    /// current one, and returns true: a front end then drops what it holds by slot too.
    pub fn bump_generation(&mut self) -> Result<bool, OutOfMemory> {
        let Some(next) = self.generation.checked_add(1) else {
            self.clear();
            self.generation = 0;
            return Ok(true);
        };
        if self.generations.len() < self.nodes.len() {
            // The first bump: every slot so far was written in generation 0.
            let additional = self.nodes.capacity() - self.generations.len();
            self.generations
                .try_reserve_exact(additional)
                .map_err(|_| OutOfMemory)?;
            self.generations.resize(self.nodes.len(), 0);
        }
        self.generation = next;
        self.stale_linked = self.linked;
        self.stale_pending += self.pending;
        self.pending = 0;
        Ok(false)
    }

    /// What `slot` holds, from one read of its node: what a keyed front end needs for a lookup.
    #[inline]
    pub fn state(&self, slot: u32) -> SlotState {
        match self.nodes.get(slot as usize) {
            Some(node) if node.deadline >= 0.0 || node.deadline == PENDING => {
                if !self.is_current(slot) {
                    SlotState::Stale
                } else if node.deadline == PENDING {
                    SlotState::Pending
                } else {
                    SlotState::Ready {
                        deadline: node.deadline,
                    }
                }
            }
            _ => SlotState::Free,
        }
    }

    /// The deadline of the ready entry of the current generation in `slot`, from one read of
    /// its node (`None`: pending, stale, free or beyond the slots ever used): a keyed front
    /// end's hit check, then [`is_fresh`] at the time if it is not [`NEVER`].
    #[inline]
    pub fn ready_deadline(&self, slot: u32) -> Option<f64> {
        let deadline = self.nodes.get(slot as usize)?.deadline;
        (deadline >= 0.0 && self.is_current(slot)).then_some(deadline)
    }

    /// The deadline slot value of `slot` if it was written in the current generation (ready,
    /// or a negative marker): [`is_fresh`] at any time tells a live entry, so a keyed front
    /// end's hit takes one check after this one.
    #[inline]
    pub(crate) fn current_deadline(&self, slot: u32) -> Option<f64> {
        let deadline = self.nodes.get(slot as usize)?.deadline;
        self.is_current(slot).then_some(deadline)
    }

    /// [`SlotLru::touch`] for a slot the caller just found ready, without checking again.
    /// Hands back the slot's payload (`None` only beyond the slots ever used).
    ///
    /// # Safety
    ///
    /// `slot` is ready: nothing changed it since the caller found it ready (for example
    /// [`SlotLru::current_deadline`] gave a deadline that is not negative).
    #[inline]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn touch_ready(&mut self, slot: u32) -> Option<&T> {
        debug_assert!(self.is_ready(slot));
        self.counters.hits += 1;
        // SAFETY: `slot` is ready (the caller's promise), so linked.
        let nodes = unsafe { self.move_to_front(slot) };
        nodes.get(slot as usize).map(|node| &node.payload)
    }

    /// Whether `slot` holds an entry live at `now` (observed first).
    #[inline]
    pub fn is_live(&self, slot: u32, now: u64) -> bool {
        let now = self.observe(now);
        matches!(self.nodes.get(slot as usize), Some(node) if is_fresh(now, node.deadline))
            && self.is_current(slot)
    }

    /// Whether `slot` holds an entry that never expires, or one live at the latest time
    /// observed — answered without a clock reading when it never expires (`None`: a reading
    /// is needed).
    #[inline]
    pub fn is_live_without_clock(&self, slot: u32) -> Option<bool> {
        match self.nodes.get(slot as usize) {
            Some(node) if node.deadline == NEVER => Some(self.is_current(slot)),
            Some(node) if node.deadline < 0.0 => Some(false),
            Some(_) if !self.is_current(slot) => Some(false),
            Some(_) => None,
            None => Some(false),
        }
    }

    /// Whether `slot` holds an entry that may still be served at `now`: fresh, or stale within
    /// the stale window (observed first).
    pub fn is_servable(&self, slot: u32, now: u64) -> bool {
        let now = self.observe(now) as f64;
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline >= 0.0 && now < node.deadline + self.stale_window)
            && self.is_current(slot)
    }

    /// Whether `slot` holds a ready entry (live or not yet found expired).
    #[inline]
    pub fn is_ready(&self, slot: u32) -> bool {
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline >= 0.0)
            && self.is_current(slot)
    }

    /// Whether `slot` is reserved for a pending computation of the current generation.
    pub fn is_pending(&self, slot: u32) -> bool {
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline == PENDING)
            && self.is_current(slot)
    }

    /// Whether `slot` is stale: written before the latest generation bump and not yet freed.
    pub fn is_stale(&self, slot: u32) -> bool {
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline != FREE)
            && !self.is_current(slot)
    }

    /// `slot`'s deadline: a ready entry's (`now < deadline` while live; [`NEVER`] for none), or
    /// the negative markers [`PENDING`] and [`FREE`]; `None` beyond the slots ever used.
    pub fn deadline(&self, slot: u32) -> Option<f64> {
        self.nodes.get(slot as usize).map(|node| node.deadline)
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

    /// Ready entries of the current generation (including expired ones nobody has reached yet).
    pub fn len(&self) -> usize {
        self.linked - self.stale_linked
    }

    /// Whether no entry is ready.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slots reserved for pending computations of the current generation.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// The most ready entries held at once.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// Every counter: hits (stored values served and computations joined), misses, joined,
    /// evictions, expirations, the size ([`SlotLru::len`]) and pending computations.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.counters.hits,
            stale_hits: self.counters.stale_hits,
            misses: self.counters.misses,
            joined: self.counters.joined,
            evictions: self.counters.evictions,
            expirations: self.counters.expirations,
            size: self.len() as u64,
            pending: self.pending as u64,
        }
    }

    /// Ready slots of the current generation from the most to the least recently used.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut slot = self.head;
        core::iter::from_fn(move || {
            while slot != NIL {
                let current = slot;
                slot = self.nodes[current as usize].older;
                if self.is_current(current) {
                    return Some(current);
                }
            }
            None
        })
    }

    /// Slots that may hold an entry (ready, pending or stale), for a front end that walks them
    /// all ([`SlotLru::reap`] each to purge).
    pub fn slots(&self) -> core::ops::Range<u32> {
        0..self.nodes.len() as u32
    }

    // ----- internals --------------------------------------------------------------------

    #[inline]
    fn is_current(&self, slot: u32) -> bool {
        self.generation == 0
            || self.generations.get(slot as usize).copied() == Some(self.generation)
    }

    fn has_stale(&self) -> bool {
        self.stale_linked + self.stale_pending > 0
    }

    fn holds_ticket(&self, slot: u32, serial: u32) -> bool {
        matches!(self.nodes.get(slot as usize), Some(node) if node.deadline == PENDING && node.newer == serial)
            && self.is_current(slot)
    }

    /// Room in the arrays for one more slot: when full, the slot array doubles, but stops at
    /// `max_size` (a full cache holds exactly what it needs; pending computations beyond it grow
    /// it further, one doubling at a time). Never grows by one: that would copy the array on
    /// every new slot.
    fn grow_for_one(&mut self) -> Result<(), OutOfMemory> {
        let len = self.nodes.len();
        if len == self.nodes.capacity() {
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
        if self.generation != 0 && self.generations.len() == self.generations.capacity() {
            self.generations
                .try_reserve_exact(self.nodes.capacity() - self.generations.len())
                .map_err(|_| OutOfMemory)?;
        }
        Ok(())
    }

    /// A free slot (from the free list, or a new one), marked with the current generation.
    fn take_slot(&mut self) -> Result<u32, OutOfMemory> {
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
            self.grow_for_one()?;
            self.nodes.push(SlotNode {
                deadline: FREE,
                newer: NIL,
                older: NIL,
                payload: T::default(),
            });
            if self.generation != 0 {
                self.generations.push(self.generation);
            }
            slot
        };
        if self.generation != 0 {
            self.generations[slot as usize] = self.generation;
        }
        Ok(slot)
    }

    /// The deadline of an entry given at `now` with `ttl_ms`, noted for the sweep.
    #[inline]
    fn deadline_at(&mut self, now: u64, ttl_ms: Option<u64>) -> f64 {
        match ttl_ms {
            Some(ttl) => {
                self.ttl_seen = true;
                let deadline = match now.checked_add(ttl) {
                    // Exact below 2^53, so the signed conversion (one instruction) is the same.
                    Some(at) if at < LATEST_DEADLINE as u64 => at as i64 as f64,
                    _ => LATEST_DEADLINE,
                };
                // The pass's bound is never below the bound on every deadline (deadlines the
                // pass sees are not below it), so only a deadline below the former lowers both.
                if deadline < self.pass_earliest {
                    self.pass_earliest = deadline;
                    lower(&mut self.earliest_deadline, deadline);
                }
                debug_assert!(self.pass_earliest >= self.earliest_deadline);
                deadline
            }
            None => NEVER,
        }
    }

    /// Sweeps, then evicts the least recently used entry if `max_size` slots are linked (at
    /// store time `at`).
    fn make_room(&mut self, at: f64, freed: &mut impl FnMut(u32, Freed)) {
        self.sweep(at, freed);
        if self.linked >= self.max_size {
            self.evict_one(at, freed);
        }
    }

    /// Makes a taken slot ready and the most recently used.
    fn link_ready(&mut self, slot: u32, now: u64, ttl_ms: Option<u64>) {
        self.linked += 1;
        self.nodes[slot as usize].deadline = self.deadline_at(now, ttl_ms);
        self.push_front(slot);
    }

    /// Examines up to two slots round-robin and frees the expired and stale ones (at store
    /// time `at`).
    fn sweep(&mut self, at: f64, freed: &mut impl FnMut(u32, Freed)) {
        // Nothing can be dead if nothing can expire and nothing is stale; and with nothing
        // linked or stale there is nothing to free (the cursor stays where it is).
        if !(self.ttl_seen || self.has_stale()) || (self.linked == 0 && self.stale_pending == 0) {
            return;
        }
        let len = self.nodes.len() as u32;
        // Before the earliest deadline, with nothing stale, the slots it would examine hold
        // nothing to free: it only moves its cursor (and the pass keeps the bound it had).
        let examine = self.has_stale() || at >= self.earliest_deadline + self.stale_window;
        debug_assert!(self.pass_earliest >= self.earliest_deadline);
        if !examine {
            // The pass keeps the bound it had: at its end, if it ends here, the bound stays.
            self.pass_earliest = self.earliest_deadline;
            for _ in 0..SWEEP_PER_ENTRY {
                if self.sweep_cursor >= len {
                    self.sweep_cursor = 0;
                }
                self.sweep_cursor += 1;
            }
            return;
        }
        for _ in 0..SWEEP_PER_ENTRY {
            if self.sweep_cursor >= len {
                // A pass over every slot ends: each ready entry's deadline was seen by it or
                // given during it.
                self.sweep_cursor = 0;
                self.earliest_deadline = self.pass_earliest;
                self.pass_earliest = NEVER;
            }
            let slot = self.sweep_cursor;
            self.sweep_cursor += 1;
            match self.reap_observed(slot, at) {
                Some(why) => freed(slot, why),
                None => {
                    let deadline = self.nodes[slot as usize].deadline;
                    if deadline >= 0.0 {
                        lower(&mut self.pass_earliest, deadline);
                    }
                }
            }
        }
    }

    /// Frees the least recently used slot.
    fn evict_one(&mut self, at: f64, freed: &mut impl FnMut(u32, Freed)) {
        if let Some((victim, why)) = self.choose_victim(at) {
            self.free_occupied(victim);
            freed(victim, why);
        }
    }

    /// The least recently used slot and why it goes (counted), if any slot is linked.
    #[inline]
    fn choose_victim(&mut self, at: f64) -> Option<(u32, Freed)> {
        let victim = self.tail;
        let deadline = self.nodes.get(victim as usize)?.deadline;
        let why = if !self.is_current(victim) {
            Freed::Invalidated
        } else if at < deadline + self.stale_window {
            self.counters.evictions += 1;
            Freed::Evicted
        } else {
            self.counters.expirations += 1;
            Freed::Expired
        };
        Some((victim, why))
    }

    /// Frees a ready, pending or stale slot, keeping the counts right; hands back its payload.
    fn free_occupied(&mut self, slot: u32) -> T {
        let current = self.is_current(slot);
        if self.nodes[slot as usize].deadline == PENDING {
            if current {
                self.pending -= 1;
            } else {
                self.stale_pending -= 1;
            }
        } else {
            self.unlink(slot);
            if !current {
                self.stale_linked -= 1;
            }
        }
        let free = self.free;
        let node = &mut self.nodes[slot as usize];
        node.deadline = FREE;
        node.newer = NIL;
        node.older = free;
        self.free = slot;
        core::mem::take(&mut node.payload)
    }

    /// Takes a linked slot out of the recency list.
    fn unlink(&mut self, slot: u32) {
        let SlotNode { newer, older, .. } = self.nodes[slot as usize];
        match self.nodes.get_mut(newer as usize) {
            Some(next) => next.older = older,
            None => self.head = older,
        }
        match self.nodes.get_mut(older as usize) {
            Some(previous) => previous.newer = newer,
            None => self.tail = newer,
        }
        self.linked -= 1;
    }

    /// Links `slot` in as the most recently used. A link of [`NIL`] indexes no slot (slot
    /// numbers stay below it), so `get_mut` tells an end of the list and checks bounds at once.
    #[inline]
    fn push_front(&mut self, slot: u32) {
        link_front(&mut self.nodes, &mut self.head, &mut self.tail, slot);
    }

    /// Makes a linked slot the most recently used; hands back the nodes (so that a caller
    /// reads the slot again without reloading the array).
    ///
    /// # Safety
    ///
    /// `slot` is linked: it holds a ready entry, of the current generation or stale (its
    /// deadline is not negative).
    #[inline]
    #[allow(unsafe_code)]
    unsafe fn move_to_front(&mut self, slot: u32) -> &mut [SlotNode<T>] {
        let head = self.head;
        let nodes = &mut self.nodes[..];
        debug_assert!(
            nodes
                .get(slot as usize)
                .is_some_and(|node| node.deadline >= 0.0)
        );
        if head != slot
            && let Some(&SlotNode { newer, older, .. }) = nodes.get(slot as usize)
        {
            debug_assert!((newer as usize) < nodes.len() && (head as usize) < nodes.len());
            // Unlink without changing the counts, then relink at the front.
            // SAFETY: the links of a linked slot name linked slots, or NIL at the ends of the
            // list, and linked slots are in the array (it only shrinks in `clear`, which empties
            // the list). `slot` is linked (the caller's promise) and not the head, so `newer`,
            // toward the head, is a linked slot; and the list is not empty, so `head` is one.
            unsafe { nodes.get_unchecked_mut(newer as usize).older = older };
            match nodes.get_mut(older as usize) {
                Some(previous) => previous.newer = newer,
                None => self.tail = newer,
            }
            let node = &mut nodes[slot as usize];
            node.newer = NIL;
            node.older = head;
            // SAFETY: as above, `head` is a linked slot, and still one (only `slot` moved).
            unsafe { nodes.get_unchecked_mut(head as usize).newer = slot };
            self.head = slot;
        }
        nodes
    }
}

/// Lowers `bound` to `deadline` if that is earlier (deadlines are never NaN).
#[inline]
fn lower(bound: &mut f64, deadline: f64) {
    if deadline < *bound {
        *bound = deadline;
    }
}

/// Links `slot` in at the most recently used end of the list `head`..`tail` over `nodes`.
#[inline]
fn link_front<T>(nodes: &mut [SlotNode<T>], head: &mut u32, tail: &mut u32, slot: u32) {
    let Some(node) = nodes.get_mut(slot as usize) else {
        return;
    };
    node.newer = NIL;
    node.older = *head;
    match nodes.get_mut(*head as usize) {
        Some(first) => first.newer = slot,
        None => *tail = slot,
    }
    *head = slot;
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
    fn the_time_a_lookup_compares_is_the_floor_converted() {
        // `observe_at` (the keyed hit check) and `is_fresh_now` (refresh) answer as `is_fresh`
        // at the observed time, whichever of `observe` and `observe_at` moved the floor:
        // backwards readings, readings past the deadline range, every kind of deadline.
        const LATEST: u64 = LATEST_DEADLINE as u64;
        let readings = [
            0,
            5,
            3,
            10,
            9,
            LATEST - 1,
            7,
            LATEST,
            LATEST + 7,
            2,
            u64::MAX,
            0,
        ];
        let deadlines = [
            PENDING,
            FREE,
            0.0,
            1.0,
            4.0,
            5.0,
            10.0,
            LATEST_DEADLINE,
            NEVER,
        ];
        let lru = SlotLru::new(1, None).unwrap();
        for (i, &reading) in readings.iter().enumerate() {
            let at = if i % 2 == 0 {
                lru.observe_at(reading)
            } else {
                lru.observe(reading);
                lru.time_at.get()
            };
            let now = lru.time();
            assert_eq!(now, readings[..=i].iter().copied().max().unwrap());
            for deadline in deadlines {
                assert_eq!(
                    at < deadline,
                    is_fresh(now, deadline),
                    "{reading} {deadline}"
                );
                assert_eq!(lru.is_fresh_now(deadline), is_fresh(now, deadline));
            }
        }
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
        assert_eq!(lru.stats().hits, 3);
        assert_eq!(lru.stats().evictions, 1);
    }

    #[test]
    fn entries_live_until_their_deadline() {
        let mut lru = SlotLru::new(4, Some(10)).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 100, Some(10), &mut log);
        let forever = insert(&mut lru, 100, None, &mut log);
        assert!(lru.is_live(a, 109));
        assert!(!lru.expire(a, 109), "not yet expired");
        assert!(!lru.is_live(a, 110));
        assert!(
            !lru.is_live(a, 50),
            "store time never runs back: 110 was seen"
        );
        assert!(lru.expire(a, 50));
        assert_eq!(lru.stats().expirations, 1);
        assert!(!lru.is_ready(a));
        assert!(lru.is_live(forever, u64::MAX));
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
    fn the_sweep_rests_only_while_nothing_can_have_expired() {
        let mut lru = SlotLru::new(1_000, None).unwrap();
        let mut log = Log::new();
        let swept = |log: &Log| {
            let mut slots: Vec<u32> = log.iter().map(|&(slot, _)| slot).collect();
            slots.sort_unstable();
            slots
        };
        let short: Vec<u32> = (0..10)
            .map(|_| insert(&mut lru, 0, Some(5), &mut log))
            .collect();
        let long: Vec<u32> = (0..20)
            .map(|_| insert(&mut lru, 1, Some(1_000), &mut log))
            .collect();
        assert!(log.is_empty(), "nothing expired yet");
        // Past the earliest deadline: the sweep examines slots again, and its passes (two
        // slots per new entry, fewer than 100 slots) free the short entries and then learn
        // that the earliest deadline left is the long entries'.
        for _ in 0..100 {
            insert(&mut lru, 10, None, &mut log);
        }
        assert_eq!(swept(&log), short);
        // An earlier deadline given meanwhile lowers that bound at once.
        log.clear();
        let brief = insert(&mut lru, 10, Some(1), &mut log);
        let within = lru.slot_count() / 2 + 1;
        for _ in 0..within {
            insert(&mut lru, 20, None, &mut log);
        }
        assert_eq!(
            log,
            [(brief, Freed::Expired)],
            "freed within {within} new entries"
        );
        // The long entries go once their deadline has passed.
        log.clear();
        for _ in 0..400 {
            insert(&mut lru, 2_000, None, &mut log);
        }
        assert_eq!(swept(&log), long);
        assert!(log.iter().all(|&(_, why)| why == Freed::Expired));
        assert_eq!(lru.stats().expirations, 31);
        assert_eq!(lru.stats().evictions, 0);
    }

    #[test]
    fn evicting_an_expired_tail_counts_an_expiration() {
        let mut lru = SlotLru::new(1, None).unwrap();
        let mut log = Log::new();
        let a = insert(&mut lru, 0, Some(5), &mut log);
        // The sweep reaches it first here; with TTLs off for the sweep, eviction would.
        insert(&mut lru, 10, None, &mut log);
        assert_eq!(log, [(a, Freed::Expired)]);
        assert_eq!(lru.stats().evictions, 0);
        assert_eq!(lru.stats().expirations, 1);
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
        assert!(!lru.fail(q, q_serial), "already cancelled");
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
        assert_eq!(lru.stats().hits, 0);
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
        assert_eq!(core::mem::size_of::<SlotNode<()>>(), 16);
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

    #[test]
    fn a_stale_window_keeps_entries_servable_after_their_deadline() {
        let mut lru = SlotLru::new(2, None).unwrap().with_stale_window(5);
        let mut log = Log::new();
        let a = insert(&mut lru, 0, Some(10), &mut log);
        assert!(lru.is_live(a, 9) && lru.is_servable(a, 9));
        assert!(
            !lru.is_live(a, 10) && lru.is_servable(a, 14),
            "stale, still servable"
        );
        assert!(
            !lru.expire(a, 14),
            "the sweep and lookups leave a stale entry alone"
        );
        // Within the window, evicting it counts as an eviction: it was still held.
        let b = insert(&mut lru, 14, None, &mut log);
        insert(&mut lru, 14, None, &mut log);
        assert_eq!(log, [(a, Freed::Evicted)]);
        assert!(lru.refresh(b, 14, Some(1)));
        assert!(!lru.is_servable(b, 20), "deadline 15 + window 5");
        assert!(lru.expire(b, 20));
        assert_eq!(lru.stats().expirations, 1);
        lru.record_stale_hits(3);
        assert_eq!(lru.stats().stale_hits, 3);
    }
}

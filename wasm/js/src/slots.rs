//! [`WasmSlots`]: the core's [`SlotLru`] for the JS storages, which keep the key → slot index
//! and the values in JavaScript (a `Map` and arrays) and ask the core which slots live, which
//! expire and which to evict.
//!
//! To keep a hit free of boundary crossings, two things are shared in linear memory:
//! - the core's slot array, whose deadlines JS reads in place (slot `i`'s is the `f64` at
//!   `16 × i`; `now < deadline` while live);
//! - a block of `u32` cells, [`CELLS`] long: where the deadlines are, the serial of the latest
//!   `begin`, the slots the latest operation freed, a log of operations JS made without calling
//!   in, and a plan of the slots the next inserts will take. Every operation takes the number
//!   of log entries since the last one and applies them, in order, before doing anything else,
//!   so the core evicts by exactly the recency JS observed.
//! - The log holds hits, and inserts: where nothing can expire, JS asks for a plan
//!   (`SlotLru::plan_inserts`), stores new entries in the planned slots itself, and logs them;
//!   a run of misses then costs one call per plan instead of one per miss.

use cashier_core::OutOfMemory;
use cashier_core::slots::{Freed, MOST_FREED_PER_ENTRY, SlotLru, validate_max_size};
use cashier_js_support::{Refusal, whole_number};

use crate::report::record;
use crate::ttl_from;

use crate::layout::{
    CELLS, DEADLINES_AT, DEADLINES_LEN, FREED, FREED_COUNT, INSERT, JOINS, LOG, LOG_CAPACITY,
    MISSES, NO_SLOT, PLAN, PLAN_CAPACITY, PLAN_MISSES, PREALLOCATED_SLOTS, SERIAL, STALE_HITS,
    STAT_EVICTIONS, STAT_EXPIRATIONS, STAT_HITS, STAT_JOINED, STAT_MISSES, STAT_PENDING, STAT_SIZE,
    STAT_STALE_HITS, STATS, TIME_AT,
};

/// One storage's TTL + LRU rules, indexed by slot. JS holds it by handle (the `slots*`
/// functions below): the module exports no class, whose glue would need an import to throw.
pub struct WasmSlots {
    lru: SlotLru,
    default_ttl_ms: Option<u64>,
    cells: Box<[u32; CELLS]>,
    /// Store time, shared with JS (see [`TIME_AT`]); it never moves.
    time: Box<[f64; 1]>,
}

/// A block of `N` copies of `value`, allocated without aborting when memory is exhausted.
fn boxed<T: Copy, const N: usize>(value: T) -> Result<Box<[T; N]>, OutOfMemory> {
    let mut block = Vec::new();
    block.try_reserve_exact(N).map_err(|_| OutOfMemory)?;
    block.resize(N, value);
    block.into_boxed_slice().try_into().map_err(|_| OutOfMemory)
}

impl WasmSlots {
    /// Rules for `maxSize` entries with a default `ttl` (undefined: none) and a stale window
    /// (`staleWhileRevalidate`, undefined: none).
    pub fn new(
        max_size: f64,
        ttl: Option<f64>,
        stale_window: Option<f64>,
    ) -> Result<WasmSlots, Refusal> {
        // The core's size rule, on the whole number (a size beyond usize on wasm32 is reported
        // as given, not truncated).
        let max_size = validate_max_size(whole_number("maxSize", max_size)?)?;
        let default_ttl_ms = ttl_from(ttl)?;
        let mut lru = SlotLru::new(max_size, default_ttl_ms)?;
        if let Some(window) = stale_window {
            lru = lru.with_stale_window(whole_number("staleWhileRevalidate", window)?);
        }
        // Slots up front, like the JS arrays the wrapper preallocates: a cache that fills never
        // reallocates (and leaves no freed copies behind in memory that cannot shrink).
        lru.reserve(max_size.min(PREALLOCATED_SLOTS))?;
        // The cell block and the store time, allocated without aborting when memory is exhausted.
        let mut slots = WasmSlots {
            lru,
            default_ttl_ms,
            cells: boxed(0)?,
            time: boxed(0.0)?,
        };
        slots.publish();
        Ok(slots)
    }

    /// Planned inserts that did not take their planned slot (a consistency check: always 0).
    pub fn plan_misses(&self) -> u32 {
        self.cells[PLAN_MISSES]
    }

    /// Address of the cell block in linear memory (it never moves).
    pub fn cells_at(&self) -> u32 {
        self.cells.as_ptr() as usize as u32
    }

    /// Applies the first `touched` entries of the operation log, in order: hits, and inserts
    /// made by the wrapper in the slots `plan` listed.
    pub fn flush(&mut self, touched: u32) {
        // Misses and joins JS counted without calling in: the counters are the core's.
        let (misses, joins, stale) = (
            self.cells[MISSES],
            self.cells[JOINS],
            self.cells[STALE_HITS],
        );
        if misses | joins | stale != 0 {
            self.lru.record_misses(u64::from(misses));
            self.lru.record_joins(u64::from(joins));
            self.lru.record_stale_hits(u64::from(stale));
            self.cells[MISSES] = 0;
            self.cells[JOINS] = 0;
            self.cells[STALE_HITS] = 0;
        }
        if touched != 0 {
            self.apply_log(touched);
        }
    }

    /// The log part of [`Self::flush`], apart: every operation calls `flush`, and V8 compiles
    /// a function on its first call, whole; a storage's first operations log nothing, so its
    /// first call compiles only the small part (~1.5 KB less WebAssembly on the cold start).
    #[inline(never)]
    fn apply_log(&mut self, touched: u32) {
        let count = (touched as usize).min(LOG_CAPACITY);
        for i in LOG..LOG + count {
            let entry = self.cells[i];
            if entry & INSERT == 0 {
                self.lru.touch(entry);
                continue;
            }
            // Plans are only made where nothing expires, so time plays no part here.
            let mut evicted = |_, _| {};
            let slot = self.lru.insert(0, None, &mut evicted);
            if slot != Ok(entry & !INSERT) {
                self.cells[PLAN_MISSES] += 1;
            }
        }
    }

    /// Applies `touched` log entries, then lists in the plan cells the slots of the next inserts
    /// (at most `size`; see `SlotLru::plan_inserts`) and returns how many it listed.
    pub fn plan(&mut self, touched: u32, size: u32) -> u32 {
        self.flush(touched);
        let size = (size as usize).min(PLAN_CAPACITY);
        self.lru.plan_inserts(&mut self.cells[PLAN..PLAN + size]) as u32
    }

    // The hot methods below take and return plain numbers (no `Result`, no `Option`): each
    // saves the glue's multi-value return array and its checks. `ttl` is NaN for the default;
    // the wrapper has already checked that any other TTL is a whole number ≥ 1 (`checkTtl`).

    /// Reserves a pending slot for a computation and returns it; its serial goes to the serial
    /// cell. Out of memory: [`NO_SLOT`], nothing changed.
    pub fn begin(&mut self, touched: u32) -> u32 {
        self.flush(touched);
        match self.lru.begin() {
            Ok((slot, serial)) => {
                self.cells[SERIAL] = serial;
                self.cells[FREED_COUNT] = 0;
                self.publish();
                slot
            }
            Err(OutOfMemory) => out_of_memory(),
        }
    }

    /// Makes the pending slot `slot`/`serial` ready at `now` with `ttl`. False if the ticket is
    /// stale (removed or cleared meanwhile): nothing stored. Freed slots go to the freed cells.
    pub fn complete(&mut self, touched: u32, slot: u32, serial: u32, now: f64, ttl: f64) -> bool {
        self.flush(touched);
        let ttl = self.entry_ttl(ttl);
        let now = self.store_time(now);
        let mut freed = Freeing::new(&mut self.cells);
        self.lru
            .complete(slot, serial, now, ttl, &mut |s, why| freed.push(s, why))
            .is_ok()
    }

    /// A new ready entry at `now` with `ttl`; returns its slot, or [`NO_SLOT`] when out of
    /// memory. Freed slots go to the freed cells (one of them may be the slot returned).
    pub fn insert(&mut self, touched: u32, now: f64, ttl: f64) -> u32 {
        self.flush(touched);
        let ttl = self.entry_ttl(ttl);
        let now = self.store_time(now);
        let mut freed = Freeing::new(&mut self.cells);
        match self.lru.insert(now, ttl, &mut |s, why| freed.push(s, why)) {
            Ok(slot) => {
                self.publish();
                slot
            }
            Err(OutOfMemory) => out_of_memory(),
        }
    }

    /// A new deadline for the ready entry in `slot`, made the most recently used; false for a
    /// slot that is not ready.
    pub fn refresh(&mut self, touched: u32, slot: u32, now: f64, ttl: f64) -> bool {
        self.flush(touched);
        let ttl = self.entry_ttl(ttl);
        let now = self.store_time(now);
        self.lru.refresh(slot, now, ttl)
    }

    /// Frees `slot` (a pending one is cancelled); true if it held an entry live at `now`.
    pub fn remove(&mut self, touched: u32, slot: u32, now: f64) -> bool {
        self.flush(touched);
        let now = self.store_time(now);
        self.lru.remove(slot, now)
    }

    /// Frees the pending slot `slot`/`serial` (a failed computation); false if stale.
    pub fn fail(&mut self, touched: u32, slot: u32, serial: u32) -> bool {
        self.flush(touched);
        self.lru.fail(slot, serial)
    }

    /// Frees the ready entry in `slot` if it expired at `now`.
    pub fn expire(&mut self, touched: u32, slot: u32, now: f64) -> bool {
        self.flush(touched);
        let now = self.store_time(now);
        self.lru.expire(slot, now)
    }

    /// Whether the core holds `slot` live at `now` (after applying the log): the decision JS's
    /// hit path makes from the deadline and the shared store time, asked of the core itself —
    /// the test that pins the two together calls it.
    pub fn is_live(&mut self, touched: u32, slot: u32, now: f64) -> bool {
        self.flush(touched);
        let now = self.store_time(now);
        self.lru.is_live(slot, now)
    }

    /// Whether the core would still serve `slot` at `now`, fresh or stale (after applying the
    /// log): pins JS's stale-hit decision, as [`WasmSlots::is_live`] pins the fresh one.
    pub fn is_servable(&mut self, touched: u32, slot: u32, now: f64) -> bool {
        self.flush(touched);
        let now = self.store_time(now);
        self.lru.is_servable(slot, now)
    }

    /// Frees every slot; pending tickets become stale.
    pub fn clear(&mut self) {
        self.lru.clear();
        self.publish();
    }

    /// Every counter, after applying the log and the counted misses and joins, into `stats`
    /// (at the `STAT_*` indices). `running` is how many synchronous computations are under way
    /// (they hold no pending slot: JS runs them to the end before the core's next operation);
    /// they count as pending.
    pub fn stats(&mut self, touched: u32, running: u32, stats: &mut [f64; STATS]) {
        self.flush(touched);
        let c = self.lru.stats();
        stats[STAT_HITS] = c.hits as f64;
        stats[STAT_STALE_HITS] = c.stale_hits as f64;
        stats[STAT_MISSES] = c.misses as f64;
        stats[STAT_JOINED] = c.joined as f64;
        stats[STAT_EVICTIONS] = c.evictions as f64;
        stats[STAT_EXPIRATIONS] = c.expirations as f64;
        stats[STAT_SIZE] = c.size as f64;
        stats[STAT_PENDING] = (c.pending + u64::from(running)) as f64;
    }

    /// Store time at a reading JS passed: the latest of it, what JS recorded in the shared
    /// store-time cell, and what the core saw before (time never runs backwards). Written back
    /// for JS's next hit decision.
    fn store_time(&mut self, reading: f64) -> u64 {
        let now = self.lru.observe(millis(reading).max(millis(self.time[0])));
        self.time[0] = now as f64;
        now
    }

    /// Writes where the slot array is now and how many slots it has (it moves when it grows).
    fn publish(&mut self) {
        self.cells[TIME_AT] = self.time.as_ptr() as usize as u32;
        self.cells[DEADLINES_AT] = self.lru.nodes_address() as u32;
        // The whole capacity: the view then lasts until the array moves, not one slot.
        self.cells[DEADLINES_LEN] = self.lru.slot_capacity() as u32;
    }

    /// NaN: the default TTL; otherwise whole milliseconds (checked by the wrapper; anything
    /// else saturates into range rather than trapping).
    fn entry_ttl(&self, ttl: f64) -> Option<u64> {
        if ttl.is_nan() {
            self.default_ttl_ms
        } else {
            Some((ttl as u64).max(1))
        }
    }
}

/// [`NO_SLOT`], with the out-of-memory `RangeError` reported.
#[cold]
fn out_of_memory() -> u32 {
    record(Refusal::Core(OutOfMemory.into()));
    NO_SLOT
}

/// Collects the slots one operation frees into the freed cells.
struct Freeing<'a> {
    cells: &'a mut [u32; CELLS],
}

impl<'a> Freeing<'a> {
    fn new(cells: &'a mut [u32; CELLS]) -> Self {
        cells[FREED_COUNT] = 0;
        Freeing { cells }
    }

    fn push(&mut self, slot: u32, _why: Freed) {
        let count = self.cells[FREED_COUNT] as usize;
        // The core frees at most MOST_FREED_PER_ENTRY slots per operation.
        if count < MOST_FREED_PER_ENTRY {
            self.cells[FREED + count] = slot;
            self.cells[FREED_COUNT] = count as u32 + 1;
        }
    }
}

/// A clock reading from JS as store milliseconds: the wrapper passes finite, non-negative,
/// non-decreasing readings; anything else reads as 0 (time holds still).
fn millis(now: f64) -> u64 {
    if now.is_finite() && now >= 0.0 {
        now as u64
    } else {
        0
    }
}

// Generated from wasm/js/src/layout.rs by `UPDATE_LAYOUT=1 cargo test -p cashier-js`.
// Do not edit: the test command fails when this file and the Rust constants differ.
/** Cell: the byte address of the core's slot array (it moves when the array grows). */
export const DEADLINES_AT = 0;
/** Cell: how many slots the array holds before it must grow (a view this long stays valid). */
export const DEADLINES_LEN = 1;
/** Cell: the serial of the latest `begin` (with the slot, the computation's ticket). */
export const SERIAL = 2;
/** Cell: how many slots the latest operation freed. */
export const FREED_COUNT = 3;
/** Cells: the slots the latest operation freed (`MOST_FREED_PER_ENTRY` at most). */
export const FREED = 4;
/** Cell: planned inserts that did not take their planned slot (a consistency check: always 0). */
export const PLAN_MISSES = 7;
/** Cells: the operation log JS writes without calling in: hits (a slot) and planned inserts (a slot + `INSERT`), in the order they happened; every operation applies it first. */
export const LOG = 8;
/** The most log entries between two operations. */
export const LOG_CAPACITY = 256;
/** Marks a planned insert in the operation log. */
export const INSERT = 2147483648;
/** Cells: the slots the next inserts will take (`SlotLru::plan_inserts`). */
export const PLAN = 264;
/** The most slots one plan lists. */
export const PLAN_CAPACITY = 64;
/** Cell: misses JS counted since the core's last operation (the core adds them to its counters, then zeroes the cell). */
export const MISSES = 328;
/** Cell: callers that joined a pending computation since the core's last operation (each a hit and a join for the core's counters; zeroed as `MISSES`). */
export const JOINS = 329;
/** Cell: of the hits logged since the core's last operation, how many served a stale value (zeroed as `MISSES`). */
export const STALE_HITS = 330;
/** Cell: the byte address of the store-time `f64` (the latest clock reading the storage has seen: store time never runs backwards). JS writes a later reading there when it decides a hit, as it logs hits; the core observes it at its next operation and writes its time. */
export const TIME_AT = 331;
/** Length of the cell block. */
export const CELLS = 332;
/** `f64`s per slot in the slot array (16 bytes): slot `i`'s deadline is `f64` number `SLOT_STRIDE × i` of a view starting at `DEADLINES_AT`. */
export const SLOT_STRIDE = 2;
/** The deadline the core writes for a slot reserved for a pending computation. */
export const PENDING = -1;
/** The most slots a storage reserves when it is made (beyond, the slots grow by doubling). */
export const PREALLOCATED_SLOTS = 262144;
/** What `begin` and `insert` return when memory is exhausted (the error report then describes the `RangeError` to throw). */
export const NO_SLOT = 4294967295;
/** Error report cell (`u32`, at the address `errorReport` returns): the JS error class (`TYPE_ERROR`, `RANGE_ERROR`, otherwise `Error`). */
export const REPORT_CLASS = 0;
/** Error report cell: the byte address of the message's UTF-8 text. */
export const REPORT_TEXT_AT = 1;
/** Error report cell: the length of the message's text in bytes. */
export const REPORT_TEXT_LEN = 2;
/** Error report cell: 1 if a number ends the message, as JavaScript's `String` prints it (the `f64` right after the cells). */
export const REPORT_HAS_NUMBER = 3;
/** The error report's `u32` cells (the number follows them, at byte `4 × REPORT_CELLS`). */
export const REPORT_CELLS = 4;
/** Error report class: `TypeError`. */
export const TYPE_ERROR = 2;
/** Error report class: `RangeError`. */
export const RANGE_ERROR = 3;
/** Counters (`f64`, at the address `slotsStats` returns): stored values served, and callers that joined a pending computation. */
export const STAT_HITS = 0;
/** Counter: of the hits, stale values served while they were refreshed. */
export const STAT_STALE_HITS = 1;
/** Counter: lookups that found nothing usable. */
export const STAT_MISSES = 2;
/** Counter: of the hits, those that joined a pending computation. */
export const STAT_JOINED = 3;
/** Counter: live entries removed to make room. */
export const STAT_EVICTIONS = 4;
/** Counter: entries removed because their TTL had passed. */
export const STAT_EXPIRATIONS = 5;
/** Counter: entries stored and not known to be expired. */
export const STAT_SIZE = 6;
/** Counter: computations under way. */
export const STAT_PENDING = 7;
/** How many counters `slotsStats` writes. */
export const STATS = 8;

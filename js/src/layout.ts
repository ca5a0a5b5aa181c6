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
/** What `begin` and `insert` return when memory is exhausted. */
export const NO_SLOT = 4294967295;

// Generated from wasm/js/src/layout.rs by `UPDATE_LAYOUT=1 cargo test -p cashier-js`.
// Do not edit: the test command fails when this file and the Rust constants differ.
/** Cell: the byte address of the core's slot array. */
export const DEADLINES_AT = 0;
/** Cell: slots the array holds before it moves. */
export const DEADLINES_LEN = 1;
/** Cell: the serial of the latest begin. */
export const SERIAL = 2;
/** Cell: how many slots the latest operation freed. */
export const FREED_COUNT = 3;
/** Cells: the slots the latest operation freed. */
export const FREED = 4;
/** Cell: planned inserts that missed their slot (always 0). */
export const PLAN_MISSES = 7;
/** Cells: the operation log (hits; planned inserts with INSERT set). */
export const LOG = 8;
/** The most log entries between two operations. */
export const LOG_CAPACITY = 256;
/** Marks a planned insert in the operation log. */
export const INSERT = 2147483648;
/** Cells: the slots the next inserts will take. */
export const PLAN = 264;
/** The most slots one plan lists. */
export const PLAN_CAPACITY = 64;
/** Cell: misses counted since the core's last operation (the core adds and zeroes them). */
export const MISSES = 328;
/** Cell: joins counted since the core's last operation (the core adds and zeroes them). */
export const JOINS = 329;
/** Cell: the byte address of the store-time f64 (never runs backwards; the core owns it). */
export const TIME_AT = 330;
/** Length of the cell block. */
export const CELLS = 331;
/** f64s per slot: slot i's deadline is deadlines[SLOT_STRIDE * i]. */
export const SLOT_STRIDE = 2;
/** The deadline the core writes for a slot reserved for a pending computation. */
export const PENDING = -1;
/** The most slots a storage reserves when it is made. */
export const PREALLOCATED_SLOTS = 262144;
/** What begin and insert return when memory is exhausted. */
export const NO_SLOT = 4294967295;

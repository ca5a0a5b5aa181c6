//! The memory the JS storages share with this module, declared once: the cell indices, the
//! log's format, the slot array's stride and the markers the core writes. `js/src/layout.ts`
//! is generated from [`EXPORTED`] (`UPDATE_LAYOUT=1 cargo test -p cashier-js`), and the test
//! command fails when the checked-in file differs, so the two sides cannot drift.

use cashier_core::slots::{MOST_FREED_PER_ENTRY, PENDING};

/// Cell: the byte address of the core's slot array (it moves when the array grows).
pub const DEADLINES_AT: usize = 0;
/// Cell: how many slots the array holds before it must grow (a view this long stays valid).
pub const DEADLINES_LEN: usize = 1;
/// Cell: the serial of the latest `begin` (with the slot, the computation's ticket).
pub const SERIAL: usize = 2;
/// Cell: how many slots the latest operation freed.
pub const FREED_COUNT: usize = 3;
/// Cells: the slots the latest operation freed, [`MOST_FREED_PER_ENTRY`] at most.
pub const FREED: usize = 4;
/// Cell: planned inserts that did not take their planned slot (a consistency check: always 0).
pub const PLAN_MISSES: usize = 7;
/// Cells: the operation log JS writes without calling in — hits (a slot) and planned inserts
/// (a slot + [`INSERT`]), in the order they happened; every operation applies it first.
pub const LOG: usize = 8;
/// The most log entries between two operations.
pub const LOG_CAPACITY: usize = 256;
/// Marks a planned insert in the operation log.
pub const INSERT: u32 = 1 << 31;
/// Cells: the slots the next inserts will take (`SlotLru::plan_inserts`).
pub const PLAN: usize = LOG + LOG_CAPACITY;
/// The most slots one plan lists.
pub const PLAN_CAPACITY: usize = 64;
/// Cell: misses JS counted since the core's last operation (the core adds them to its
/// counters, then zeroes the cell).
pub const MISSES: usize = PLAN + PLAN_CAPACITY;
/// Cell: callers that joined a pending computation since the core's last operation (each a hit
/// and a join for the core's counters; zeroed as [`MISSES`]).
pub const JOINS: usize = MISSES + 1;
/// Cell: the byte address of the store-time `f64` (the latest clock reading the storage has
/// seen: store time never runs backwards). JS writes a later reading there when it decides a
/// hit, as it logs hits; the core observes it at its next operation and writes back its time.
pub const TIME_AT: usize = JOINS + 1;
/// Length of the cell block.
pub const CELLS: usize = TIME_AT + 1;
/// `f64`s per slot in the slot array (16 bytes): slot `i`'s deadline is `f64` number
/// `SLOT_STRIDE × i` of a view starting at [`DEADLINES_AT`].
pub const SLOT_STRIDE: usize = 2;
/// The most slots a storage reserves when it is made (beyond, the slots grow by doubling).
pub const PREALLOCATED_SLOTS: usize = 1 << 18;
/// What `begin` and `insert` return when memory is exhausted.
pub const NO_SLOT: u32 = u32::MAX;

const _: () = assert!(FREED + MOST_FREED_PER_ENTRY <= PLAN_MISSES);
const _: () = assert!(SLOT_STRIDE * 8 == 16);

/// Every constant JS reads, with its doc line, in the order `js/src/layout.ts` lists them.
pub const EXPORTED: &[(&str, f64, &str)] = &[
    (
        "DEADLINES_AT",
        DEADLINES_AT as f64,
        "Cell: the byte address of the core's slot array.",
    ),
    (
        "DEADLINES_LEN",
        DEADLINES_LEN as f64,
        "Cell: slots the array holds before it moves.",
    ),
    (
        "SERIAL",
        SERIAL as f64,
        "Cell: the serial of the latest begin.",
    ),
    (
        "FREED_COUNT",
        FREED_COUNT as f64,
        "Cell: how many slots the latest operation freed.",
    ),
    (
        "FREED",
        FREED as f64,
        "Cells: the slots the latest operation freed.",
    ),
    (
        "PLAN_MISSES",
        PLAN_MISSES as f64,
        "Cell: planned inserts that missed their slot (always 0).",
    ),
    (
        "LOG",
        LOG as f64,
        "Cells: the operation log (hits; planned inserts with INSERT set).",
    ),
    (
        "LOG_CAPACITY",
        LOG_CAPACITY as f64,
        "The most log entries between two operations.",
    ),
    (
        "INSERT",
        INSERT as f64,
        "Marks a planned insert in the operation log.",
    ),
    (
        "PLAN",
        PLAN as f64,
        "Cells: the slots the next inserts will take.",
    ),
    (
        "PLAN_CAPACITY",
        PLAN_CAPACITY as f64,
        "The most slots one plan lists.",
    ),
    (
        "MISSES",
        MISSES as f64,
        "Cell: misses counted since the core's last operation (the core adds and zeroes them).",
    ),
    (
        "JOINS",
        JOINS as f64,
        "Cell: joins counted since the core's last operation (the core adds and zeroes them).",
    ),
    (
        "TIME_AT",
        TIME_AT as f64,
        "Cell: the byte address of the store-time f64 (never runs backwards; the core owns it).",
    ),
    ("CELLS", CELLS as f64, "Length of the cell block."),
    (
        "SLOT_STRIDE",
        SLOT_STRIDE as f64,
        "f64s per slot: slot i's deadline is deadlines[SLOT_STRIDE * i].",
    ),
    (
        "PENDING",
        PENDING,
        "The deadline the core writes for a slot reserved for a pending computation.",
    ),
    (
        "PREALLOCATED_SLOTS",
        PREALLOCATED_SLOTS as f64,
        "The most slots a storage reserves when it is made.",
    ),
    (
        "NO_SLOT",
        NO_SLOT as f64,
        "What begin and insert return when memory is exhausted.",
    ),
];

/// `js/src/layout.ts`, generated from [`EXPORTED`].
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from wasm/js/src/layout.rs by `UPDATE_LAYOUT=1 cargo test -p cashier-js`.\n\
         // Do not edit: the test command fails when this file and the Rust constants differ.\n",
    );
    for (name, value, doc) in EXPORTED {
        out.push_str(&format!("/** {doc} */\nexport const {name} = {value};\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../js/src/layout.ts");

    #[test]
    fn the_typescript_layout_is_generated_from_these_constants() {
        let expected = typescript();
        if std::env::var_os("UPDATE_LAYOUT").is_some() {
            std::fs::write(GENERATED, &expected).unwrap();
        }
        let checked_in = std::fs::read_to_string(GENERATED).unwrap_or_default();
        assert!(
            checked_in == expected,
            "js/src/layout.ts is out of date: run `UPDATE_LAYOUT=1 cargo test -p cashier-js`"
        );
    }
}

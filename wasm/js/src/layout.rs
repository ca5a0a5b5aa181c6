//! The memory the JS storages share with this module, declared once: the cell indices, the
//! log's format, the slot array's stride, the markers the core writes, and the layouts of the
//! error report and the counters it hands JS through memory (it imports nothing from JS). Every constant is
//! declared through [`layout!`], which also lists it in [`EXPORTED`]; `js/src/layout.ts` is
//! generated from that list (`UPDATE_LAYOUT=1 cargo test -p cashier-js`), and the test command
//! fails when the checked-in file differs, so the two sides cannot drift.

use cashier_core::slots::MOST_FREED_PER_ENTRY;
use cashier_js_support::ErrorClass;

/// Declares each constant and lists it, with its doc, in [`EXPORTED`].
macro_rules! layout {
    ($( $(#[doc = $doc:literal])+ $name:ident: $type:ty = $value:expr; )*) => {
        $( $(#[doc = $doc])+ pub const $name: $type = $value; )*

        /// Every constant JS reads: name, value, doc — in the order `js/src/layout.ts` lists them.
        #[allow(clippy::unnecessary_cast)]
        pub const EXPORTED: &[(&str, f64, &str)] =
            &[$( (stringify!($name), $name as f64, concat!($($doc),+)) ),*];
    };
}

layout! {
    /// Cell: the byte address of the core's slot array (it moves when the array grows).
    DEADLINES_AT: usize = 0;
    /// Cell: how many slots the array holds before it must grow (a view this long stays valid).
    DEADLINES_LEN: usize = 1;
    /// Cell: the serial of the latest `begin` (with the slot, the computation's ticket).
    SERIAL: usize = 2;
    /// Cell: how many slots the latest operation freed.
    FREED_COUNT: usize = 3;
    /// Cells: the slots the latest operation freed (`MOST_FREED_PER_ENTRY` at most).
    FREED: usize = 4;
    /// Cell: planned inserts that did not take their planned slot (a consistency check: always 0).
    PLAN_MISSES: usize = 7;
    /// Cells: the operation log JS writes without calling in: hits (a slot) and planned inserts
    /// (a slot + `INSERT`), in the order they happened; every operation applies it first.
    LOG: usize = 8;
    /// The most log entries between two operations.
    LOG_CAPACITY: usize = 256;
    /// Marks a planned insert in the operation log.
    INSERT: u32 = 1 << 31;
    /// Cells: the slots the next inserts will take (`SlotLru::plan_inserts`).
    PLAN: usize = LOG + LOG_CAPACITY;
    /// The most slots one plan lists.
    PLAN_CAPACITY: usize = 64;
    /// Cell: misses JS counted since the core's last operation (the core adds them to its
    /// counters, then zeroes the cell).
    MISSES: usize = PLAN + PLAN_CAPACITY;
    /// Cell: callers that joined a pending computation since the core's last operation (each a
    /// hit and a join for the core's counters; zeroed as `MISSES`).
    JOINS: usize = MISSES + 1;
    /// Cell: of the hits logged since the core's last operation, how many served a stale value
    /// (zeroed as `MISSES`).
    STALE_HITS: usize = JOINS + 1;
    /// Cell: the byte address of the store-time `f64` (the latest clock reading the storage has
    /// seen: store time never runs backwards). JS writes a later reading there when it decides
    /// a hit, as it logs hits; the core observes it at its next operation and writes its time.
    TIME_AT: usize = STALE_HITS + 1;
    /// Length of the cell block.
    CELLS: usize = TIME_AT + 1;
    /// `f64`s per slot in the slot array (16 bytes): slot `i`'s deadline is `f64` number
    /// `SLOT_STRIDE × i` of a view starting at `DEADLINES_AT`.
    SLOT_STRIDE: usize = 2;
    /// The deadline the core writes for a slot reserved for a pending computation.
    PENDING: f64 = cashier_core::slots::PENDING;
    /// The most slots a storage reserves when it is made (beyond, the slots grow by doubling).
    PREALLOCATED_SLOTS: usize = 1 << 18;
    /// What `begin` and `insert` return when memory is exhausted (the error report then
    /// describes the `RangeError` to throw).
    NO_SLOT: u32 = u32::MAX;
    /// Error report cell (`u32`, at the address `errorReport` returns): the JS error class
    /// (`TYPE_ERROR`, `RANGE_ERROR`, otherwise `Error`).
    REPORT_CLASS: usize = 0;
    /// Error report cell: the byte address of the message's UTF-8 text.
    REPORT_TEXT_AT: usize = 1;
    /// Error report cell: the length of the message's text in bytes.
    REPORT_TEXT_LEN: usize = 2;
    /// Error report cell: 1 if a number ends the message, as JavaScript's `String` prints it
    /// (the `f64` right after the cells).
    REPORT_HAS_NUMBER: usize = 3;
    /// The error report's `u32` cells (the number follows them, at byte `4 × REPORT_CELLS`).
    REPORT_CELLS: usize = 4;
    /// Error report class: `TypeError`.
    TYPE_ERROR: u32 = ErrorClass::TypeError as u32;
    /// Error report class: `RangeError`.
    RANGE_ERROR: u32 = ErrorClass::RangeError as u32;
    /// Counters (`f64`, at the address `slotsStats` returns): stored values served, and
    /// callers that joined a pending computation.
    STAT_HITS: usize = 0;
    /// Counter: of the hits, stale values served while they were refreshed.
    STAT_STALE_HITS: usize = 1;
    /// Counter: lookups that found nothing usable.
    STAT_MISSES: usize = 2;
    /// Counter: of the hits, those that joined a pending computation.
    STAT_JOINED: usize = 3;
    /// Counter: live entries removed to make room.
    STAT_EVICTIONS: usize = 4;
    /// Counter: entries removed because their TTL had passed.
    STAT_EXPIRATIONS: usize = 5;
    /// Counter: entries stored and not known to be expired.
    STAT_SIZE: usize = 6;
    /// Counter: computations under way.
    STAT_PENDING: usize = 7;
    /// How many counters `slotsStats` writes.
    STATS: usize = 8;
}

const _: () = assert!(FREED + MOST_FREED_PER_ENTRY <= PLAN_MISSES);
const _: () = assert!(SLOT_STRIDE * 8 == 16);

/// `js/src/layout.ts`, generated from [`EXPORTED`].
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from wasm/js/src/layout.rs by `UPDATE_LAYOUT=1 cargo test -p cashier-js`.\n\
         // Do not edit: the test command fails when this file and the Rust constants differ.\n",
    );
    for (name, value, doc) in EXPORTED {
        let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
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

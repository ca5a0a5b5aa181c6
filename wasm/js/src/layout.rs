//! The memory the JS storages share with this module, declared once: the cell indices, the
//! log's format, the slot array's stride and the markers the core writes. Every constant is
//! declared through [`layout!`], which also lists it in [`EXPORTED`]; `js/src/layout.ts` is
//! generated from that list (`UPDATE_LAYOUT=1 cargo test -p cashier-js`), and the test command
//! fails when the checked-in file differs, so the two sides cannot drift.

use cashier_core::slots::MOST_FREED_PER_ENTRY;

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
    /// What `begin` and `insert` return when memory is exhausted.
    NO_SLOT: u32 = u32::MAX;
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

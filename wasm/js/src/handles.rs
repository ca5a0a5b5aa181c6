//! The storages' [`WasmSlots`] as JS holds them: by handle, a number (`slotsNew` makes one,
//! `slotsFree` ends it), and the functions JS calls with it. A `#[wasm_bindgen]` class would
//! be the same calls with its pointer, but its glue checks each call through an import that
//! throws, and this module imports nothing (see `report.rs`). A handle is checked: a freed or
//! unknown one stops the module (a trap), never reaches another storage's memory.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use crate::layout::STATS;
use crate::report::{record, refused};
use crate::slots::WasmSlots;
use cashier_core::OutOfMemory;

/// A place in [`Registry::entries`].
enum Entry {
    Live(WasmSlots),
    /// Free, with the next free place's handle (0: none).
    Free {
        next: u32,
    },
}

/// Every storage's slots; handle `h` is place `h - 1`.
struct Registry {
    entries: Vec<Entry>,
    /// The handle of the first free place (0: none).
    first_free: u32,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = const {
        RefCell::new(Registry { entries: Vec::new(), first_free: 0 })
    };
    /// Where `slotsStats` writes the counters JS reads.
    static STATS_BLOCK: Cell<[f64; STATS]> = const { Cell::new([0.0; STATS]) };
}

/// Runs `f` on the slots of `handle`.
#[inline]
fn with<R>(handle: u32, f: impl FnOnce(&mut WasmSlots) -> R) -> R {
    REGISTRY.with_borrow_mut(|registry| {
        match registry.entries.get_mut((handle as usize).wrapping_sub(1)) {
            Some(Entry::Live(slots)) => f(slots),
            _ => unknown_handle(),
        }
    })
}

#[cold]
fn unknown_handle() -> ! {
    panic!("cashier-js: a storage handle that is not live")
}

/// A storage's slots (see `WasmSlots::new`): its handle, or 0 when refused (the error report
/// says why).
#[wasm_bindgen(js_name = slotsNew)]
pub fn slots_new(max_size: f64, ttl: Option<f64>, stale_window: Option<f64>) -> u32 {
    let slots = match WasmSlots::new(max_size, ttl, stale_window) {
        Ok(slots) => slots,
        Err(refusal) => {
            record(refusal);
            return 0;
        }
    };
    REGISTRY.with_borrow_mut(|registry| {
        let handle = registry.first_free;
        if handle != 0 {
            let entry = &mut registry.entries[handle as usize - 1];
            if let Entry::Free { next } = *entry {
                registry.first_free = next;
            }
            *entry = Entry::Live(slots);
            return handle;
        }
        if refused(
            registry
                .entries
                .try_reserve(1)
                .map_err(|_| OutOfMemory.into()),
        ) {
            return 0;
        }
        registry.entries.push(Entry::Live(slots));
        registry.entries.len() as u32
    })
}

/// Ends the storage of `handle` (its wrapper is gone); the handle may name a new one later.
#[wasm_bindgen(js_name = slotsFree)]
pub fn slots_free(handle: u32) {
    REGISTRY.with_borrow_mut(|registry| {
        let first_free = registry.first_free;
        match registry.entries.get_mut((handle as usize).wrapping_sub(1)) {
            Some(entry @ Entry::Live(_)) => *entry = Entry::Free { next: first_free },
            _ => unknown_handle(),
        }
        registry.first_free = handle;
    });
}

/// `WasmSlots::plan_misses`.
#[wasm_bindgen(js_name = slotsPlanMisses)]
pub fn slots_plan_misses(handle: u32) -> u32 {
    with(handle, |slots| slots.plan_misses())
}

/// `WasmSlots::cells_at`.
#[wasm_bindgen(js_name = slotsCellsAt)]
pub fn slots_cells_at(handle: u32) -> u32 {
    with(handle, |slots| slots.cells_at())
}

/// `WasmSlots::flush`.
#[wasm_bindgen(js_name = slotsFlush)]
pub fn slots_flush(handle: u32, touched: u32) {
    with(handle, |slots| slots.flush(touched))
}

/// `WasmSlots::plan`.
#[wasm_bindgen(js_name = slotsPlan)]
pub fn slots_plan(handle: u32, touched: u32, size: u32) -> u32 {
    with(handle, |slots| slots.plan(touched, size))
}

/// `WasmSlots::begin` (`NO_SLOT`: out of memory, reported).
#[wasm_bindgen(js_name = slotsBegin)]
pub fn slots_begin(handle: u32, touched: u32) -> u32 {
    with(handle, |slots| slots.begin(touched))
}

/// `WasmSlots::complete`.
#[wasm_bindgen(js_name = slotsComplete)]
pub fn slots_complete(
    handle: u32,
    touched: u32,
    slot: u32,
    serial: u32,
    now: f64,
    ttl: f64,
) -> bool {
    with(handle, |slots| {
        slots.complete(touched, slot, serial, now, ttl)
    })
}

/// `WasmSlots::insert` (`NO_SLOT`: out of memory, reported).
#[wasm_bindgen(js_name = slotsInsert)]
pub fn slots_insert(handle: u32, touched: u32, now: f64, ttl: f64) -> u32 {
    with(handle, |slots| slots.insert(touched, now, ttl))
}

/// `WasmSlots::refresh`.
#[wasm_bindgen(js_name = slotsRefresh)]
pub fn slots_refresh(handle: u32, touched: u32, slot: u32, now: f64, ttl: f64) -> bool {
    with(handle, |slots| slots.refresh(touched, slot, now, ttl))
}

/// `WasmSlots::remove`.
#[wasm_bindgen(js_name = slotsRemove)]
pub fn slots_remove(handle: u32, touched: u32, slot: u32, now: f64) -> bool {
    with(handle, |slots| slots.remove(touched, slot, now))
}

/// `WasmSlots::fail`.
#[wasm_bindgen(js_name = slotsFail)]
pub fn slots_fail(handle: u32, touched: u32, slot: u32, serial: u32) -> bool {
    with(handle, |slots| slots.fail(touched, slot, serial))
}

/// `WasmSlots::expire`.
#[wasm_bindgen(js_name = slotsExpire)]
pub fn slots_expire(handle: u32, touched: u32, slot: u32, now: f64) -> bool {
    with(handle, |slots| slots.expire(touched, slot, now))
}

/// `WasmSlots::is_live`.
#[wasm_bindgen(js_name = slotsIsLive)]
pub fn slots_is_live(handle: u32, touched: u32, slot: u32, now: f64) -> bool {
    with(handle, |slots| slots.is_live(touched, slot, now))
}

/// `WasmSlots::is_servable`.
#[wasm_bindgen(js_name = slotsIsServable)]
pub fn slots_is_servable(handle: u32, touched: u32, slot: u32, now: f64) -> bool {
    with(handle, |slots| slots.is_servable(touched, slot, now))
}

/// `WasmSlots::clear`.
#[wasm_bindgen(js_name = slotsClear)]
pub fn slots_clear(handle: u32) {
    with(handle, |slots| slots.clear())
}

/// `WasmSlots::stats`: the address of the counters (`f64`s at the `STAT_*` indices), valid
/// until the next call.
#[wasm_bindgen(js_name = slotsStats)]
pub fn slots_stats(handle: u32, touched: u32, running: u32) -> u32 {
    let mut stats = [0.0; STATS];
    with(handle, |slots| slots.stats(touched, running, &mut stats));
    STATS_BLOCK.set(stats);
    STATS_BLOCK.with(|block| block.as_ptr() as usize as u32)
}

//! The npm package's core module (`cashier-js`), loaded at import: the cache rules of the local
//! storages ([`WasmSlots`] over cashier-core's `SlotLru`) and the checks of key options a
//! `memoize` call must fail on at once. Kept small so the package starts fast: everything
//! about building keys is in the key module (`cashier-js-keys`), loaded on first need.
//!
//! A thin adapter: every rule is cashier-core's. The TypeScript wrapper in `js/` is the public
//! API and keeps the key → slot index in JavaScript.

pub mod layout;
mod slots;

#[global_allocator]
static ALLOCATOR: cashier_js_support::Heap = cashier_js_support::Heap;

use cashier_core::{KeyBuilder, OutOfMemory};
use cashier_js_support::{error, key_options};
use wasm_bindgen::prelude::*;

pub use slots::{SlotStats, WasmSlots};

/// Checks a function's name and key options exactly as the key builder will: the error a
/// `memoize` call must throw, without loading the key module. `serializer` is "repr", "md5" or
/// "sha256"; `cache_with` is ignored when `select_all`.
#[wasm_bindgen(js_name = checkKeyOptions)]
pub fn check_key_options(
    name: &str,
    prefix: String,
    version: Option<String>,
    select_all: bool,
    cache_with: Vec<u32>,
    serializer: &str,
    max_key_bytes: f64,
) -> Result<(), JsValue> {
    let options = key_options(
        prefix,
        version,
        select_all,
        cache_with,
        serializer,
        max_key_bytes,
    )?;
    KeyBuilder::new(name, &options)
        .map(drop)
        .map_err(|e| error(e.into()))
}

/// The module's `WebAssembly.Memory`: the JS storages read the core's deadlines and exchange
/// hits and freed slots through views of it.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Bytes of this module's linear memory (the package adds the key module's).
#[wasm_bindgen(js_name = slotsMemoryBytes)]
pub fn slots_memory_bytes() -> f64 {
    cashier_js_support::memory_bytes()
}

/// The `RangeError` for exhausted memory (after `WasmSlots` returned `NO_SLOT`).
#[wasm_bindgen(js_name = outOfMemory)]
pub fn out_of_memory() -> JsValue {
    error(OutOfMemory.into())
}

/// Checks a TTL by the core's rule (a whole number of milliseconds ≥ 1): the `RangeError` the
/// wrapper throws for a bad `ttl` option or `set(key, value, ttl)`, so no binding re-codes it.
#[wasm_bindgen(js_name = checkTtl)]
pub fn check_ttl(ttl: f64) -> Result<(), JsValue> {
    ttl_from(Some(ttl)).map(drop)
}

/// Checks a duration option (`timeout`, `staleWhileRevalidate`): a whole number of
/// milliseconds ≥ 1, else the `RangeError` naming the option.
#[wasm_bindgen(js_name = checkMilliseconds)]
pub fn check_milliseconds(name: &str, value: f64) -> Result<(), JsValue> {
    cashier_js_support::whole_number(name, value).map(drop)
}

/// A TTL from JS: undefined → none; otherwise a whole number of milliseconds ≥ 1.
fn ttl_from(ttl: Option<f64>) -> Result<Option<u64>, JsValue> {
    let ttl = ttl
        .map(|ms| cashier_js_support::whole_number("ttl", ms))
        .transpose()?;
    cashier_core::slots::validate_ttl(ttl).map_err(|e| error(e.into()))?;
    Ok(ttl)
}

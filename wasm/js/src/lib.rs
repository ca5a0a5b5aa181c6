//! The npm package's core module (`cashier-js`), loaded at import: the cache rules of the local
//! storages ([`WasmSlots`] over cashier-core's `SlotLru`) and the checks of key options a
//! `memoize` call must fail on at once. Kept small so the package starts fast: everything
//! about building keys is in the key module (`cashier-js-keys`), loaded on first need.
//!
//! A thin adapter: every rule is cashier-core's. The TypeScript wrapper in `js/` is the public
//! API and keeps the key → slot index in JavaScript.
//!
//! The module imports nothing from JavaScript (see `report.rs`): a refused call returns a
//! failure value and leaves an error report the wrapper throws; storages are handles
//! (`handles.rs`); the wrapper gets the module's memory from the glue.

mod handles;
pub mod layout;
mod report;
mod slots;

#[global_allocator]
static ALLOCATOR: cashier_js_support::Heap = cashier_js_support::Heap;

use cashier_core::KeyBuilder;
use cashier_js_support::{Refusal, key_options};
use wasm_bindgen::prelude::*;

use report::refused;

pub use handles::*;
pub use report::error_report;
pub use slots::WasmSlots;

/// Checks a function's name and key options exactly as the key builder will: whether a
/// `memoize` call must fail at once (true: the error report says why), without loading the key
/// module. `serializer` is "repr", "md5" or "sha256"; `cache_with` is ignored when `select_all`.
#[wasm_bindgen(js_name = checkKeyOptions)]
pub fn check_key_options(
    name: &str,
    prefix: String,
    version: Option<String>,
    select_all: bool,
    cache_with: Vec<u32>,
    serializer: &str,
    max_key_bytes: f64,
) -> bool {
    refused(
        key_options(
            prefix,
            version,
            select_all,
            cache_with,
            serializer,
            max_key_bytes,
        )
        .and_then(|options| Ok(KeyBuilder::check(name, &options)?)),
    )
}

/// Bytes of this module's linear memory (the package adds the key module's).
#[wasm_bindgen(js_name = slotsMemoryBytes)]
pub fn slots_memory_bytes() -> f64 {
    cashier_js_support::memory_bytes()
}

/// Checks a TTL by the core's rule (a whole number of milliseconds ≥ 1): true when refused,
/// with the `RangeError` the wrapper throws for a bad `ttl` option or `set(key, value, ttl)` in
/// the error report, so no binding re-codes it.
#[wasm_bindgen(js_name = checkTtl)]
pub fn check_ttl(ttl: f64) -> bool {
    refused(ttl_from(Some(ttl)))
}

/// Checks a duration option (`timeout`, `staleWhileRevalidate`): a whole number of
/// milliseconds ≥ 1; true when refused (the error report has the `RangeError` naming it).
#[wasm_bindgen(js_name = checkMilliseconds)]
pub fn check_milliseconds(name: &str, value: f64) -> bool {
    refused(cashier_js_support::whole_number(name, value))
}

/// A TTL from JS: undefined → none; otherwise a whole number of milliseconds ≥ 1.
fn ttl_from(ttl: Option<f64>) -> Result<Option<u64>, Refusal> {
    let ttl = ttl
        .map(|ms| cashier_js_support::whole_number("ttl", ms))
        .transpose()?;
    cashier_core::slots::validate_ttl(ttl)?;
    Ok(ttl)
}

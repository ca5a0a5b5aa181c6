//! wasm-bindgen exports for the npm package `cashier-wasm`: a thin adapter over cashier-core.
//! It converts JS values into the core's argument model and forwards; every cache rule is the
//! core's. The TypeScript wrapper in `js/` is the public API; these exports are its engine.
//!
//! - [`WasmSlots`]: the core's TTL + LRU rules by slot ([`cashier_core::slots::SlotLru`]) for the
//!   JS storages, which keep the key → slot index and the values in JavaScript.
//! - [`WasmMemo`]: one memoized function's key builder (arguments JS cannot key itself:
//!   objects, escaped strings, hashed serializers).
//! - [`WasmFlights`]: per-key dedup alone, for functions memoized over a shared storage.
//! - [`build_key`]: the canonical key of a call, as every binding builds it.
//!
//! Errors are thrown as JS errors with the core's message: `TypeError` for values that cannot
//! be keys, `RangeError` for invalid sizes and TTLs and for exhausted memory. Arguments are
//! converted before anything is stored, so a throwing getter or proxy leaves the cache intact.

mod convert;
mod flights;
mod headroom;
mod slots;

#[global_allocator]
static ALLOCATOR: headroom::ReservingAllocator = headroom::ReservingAllocator;

use cashier_core::{Error as CoreError, KeyBuilder, KeyOptions, OutOfMemory, StandardSerializer};
use js_sys::Array;
use wasm_bindgen::prelude::*;

pub use flights::WasmFlights;
pub use slots::WasmSlots;

/// Key options from JS (`prefix`, `version`, `cacheWith`, `serializer`, `maxKeyBytes`).
#[wasm_bindgen]
pub struct KeyOptionsJs {
    options: KeyOptions,
}

#[wasm_bindgen]
impl KeyOptionsJs {
    /// Options; `serializer` is "repr", "md5" or "sha256"; `cache_with` empty with
    /// `select_all` true means every argument.
    #[wasm_bindgen(constructor)]
    pub fn new(
        prefix: String,
        version: Option<String>,
        select_all: bool,
        cache_with: Vec<u32>,
        serializer: &str,
        max_key_bytes: f64,
    ) -> Result<KeyOptionsJs, JsValue> {
        let serializer = StandardSerializer::from_name(serializer).map_err(|e| error(e.into()))?;
        let mut options = KeyOptions::default().prefix(prefix).serializer(serializer);
        if let Some(version) = version {
            options = options.version(version);
        }
        if !select_all {
            options = options.cache_with(
                cache_with
                    .into_iter()
                    .map(|p| p as usize)
                    .collect::<Vec<_>>(),
            );
        }
        if !max_key_bytes.is_nan() {
            options = options.max_key_bytes(
                usize::try_from(whole_number("maxKeyBytes", max_key_bytes)?).unwrap_or(usize::MAX),
            );
        }
        Ok(KeyOptionsJs { options })
    }

    fn builder(&self, name: &str) -> Result<KeyBuilder, JsValue> {
        KeyBuilder::new(name, &self.options).map_err(|e| error(e.into()))
    }
}

/// One memoized function's key builder.
#[wasm_bindgen]
pub struct WasmMemo {
    builder: KeyBuilder,
    /// The last key built (reused buffer: no allocation per call once warm).
    key: String,
}

#[wasm_bindgen]
impl WasmMemo {
    /// The key builder of function `name` under `options`.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, options: &KeyOptionsJs) -> Result<WasmMemo, JsValue> {
        Ok(WasmMemo {
            builder: options.builder(name)?,
            key: String::new(),
        })
    }

    /// What every `repr` key of this function starts with: `prefix name[@version](`. The JS
    /// wrapper appends primitive arguments to it itself (the canonical forms of numbers —
    /// ECMAScript `Number::toString` — and of plain strings are JavaScript's own) and falls back
    /// to `lookup` for everything else; the shared vectors check that both agree.
    #[wasm_bindgen(js_name = keyHead)]
    pub fn key_head(&self) -> String {
        format!("{}{}(", self.builder.prefix(), self.builder.label())
    }

    /// The key of `args`.
    #[wasm_bindgen(js_name = keyOf)]
    pub fn key_of(&mut self, args: &Array) -> Result<String, JsValue> {
        self.build(args)?;
        Ok(self.key.clone())
    }

    fn build(&mut self, args: &Array) -> Result<(), JsValue> {
        // Building a key needs memory; with none left, refuse before converting anything.
        if !headroom::available() {
            return Err(error(OutOfMemory.into()));
        }
        let values = convert::arguments(args)?;
        self.key.clear();
        self.builder
            .build_into(&values, &mut self.key)
            .map_err(|e| error(e.into()))
    }
}

/// Bytes of WebAssembly linear memory in use by the package (all stores together). Memory only
/// grows; a bounded cache keeps it bounded.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size(0);
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0;
    (pages * 65_536) as f64
}

/// The canonical key of a call to `name` with `args`.
#[wasm_bindgen(js_name = buildKey)]
pub fn build_key(name: &str, args: &Array, options: &KeyOptionsJs) -> Result<String, JsValue> {
    let values = convert::arguments(args)?;
    options
        .builder(name)?
        .build(&values)
        .map_err(|e| error(e.into()))
}

/// What every repr key of `name` under `options` starts with: `{prefix}{label}(` — the same
/// head as `Memo::keyHead`, for callers without a cache (the shared-storage path of `memoize`).
#[wasm_bindgen(js_name = keyHead)]
pub fn key_head(name: &str, options: &KeyOptionsJs) -> Result<String, JsValue> {
    let builder = options.builder(name)?;
    Ok(format!("{}{}(", builder.prefix(), builder.label()))
}

/// A JS number that must be a whole number from 1 to 2^53 - 1.
fn whole_number(name: &str, value: f64) -> Result<u64, JsValue> {
    if value.is_finite()
        && (1.0..=9_007_199_254_740_991.0).contains(&value)
        && (value as u64) as f64 == value
    {
        Ok(value as u64)
    } else {
        let mut digits = ryu_js::Buffer::new();
        let shown = digits.format(value);
        Err(js_sys::RangeError::new(&format!(
            "{name} must be a whole number of at least 1, got {shown}"
        ))
        .into())
    }
}

/// A TTL from JS: undefined → none; otherwise a whole number of milliseconds ≥ 1 (the wrapper
/// rejects values that are not numbers).
fn ttl_from(ttl: Option<f64>) -> Result<Option<u64>, JsValue> {
    ttl.map(|ms| whole_number("ttl", ms)).transpose()
}

/// A core error as the JS error users expect.
fn error(error: CoreError) -> JsValue {
    if let CoreError::OutOfMemory(_) = error {
        // No formatting: there may be no memory to format into.
        return js_sys::RangeError::new(OutOfMemory::MESSAGE).into();
    }
    let message = error.to_string();
    match error {
        CoreError::Key(_) => js_sys::TypeError::new(&message).into(),
        CoreError::Config(_) => js_sys::RangeError::new(&message).into(),
        CoreError::Flight(_) => js_sys::Error::new(&message).into(),
        CoreError::OutOfMemory(_) => js_sys::RangeError::new(OutOfMemory::MESSAGE).into(),
    }
}

/// The `RangeError` for exhausted memory (after `WasmSlots` returned `NO_SLOT`).
#[wasm_bindgen(js_name = outOfMemory)]
pub fn out_of_memory() -> JsValue {
    error(OutOfMemory.into())
}

/// A `RangeError` saying memory is exhausted when it is (the allocator's reserve is spent and
/// cannot be re-taken), else undefined. The wrapper asks after a refused lookup or a trap, to
/// report a clear error instead of the engine's "unreachable". Allocates nothing in wasm.
#[wasm_bindgen(js_name = outOfMemoryError)]
pub fn out_of_memory_error() -> JsValue {
    if headroom::available() {
        JsValue::UNDEFINED
    } else {
        error(OutOfMemory.into())
    }
}

/// The module's `WebAssembly.Memory`: the JS storages read the core's deadlines and exchange
/// hits and freed slots through views of it.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

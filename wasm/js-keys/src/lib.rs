//! The npm package's key module (`cashier-js-keys`): everything about keys that JavaScript
//! cannot do cheaply itself — the converter from JS values into cashier-core's argument model,
//! the canonical key builder and its hashed serializers — and the flight table of the shared
//! (Redis) path. A thin adapter: every rule is cashier-core's.
//!
//! It is a module of its own, loaded on first need (Node, Deno and Bun compile it then; browsers
//! and workerd load it with the package), so that caches of primitive arguments start without
//! it: they need only the small `cashier-js` module.
//!
//! - [`WasmKeyBuilder`]: one memoized function's key builder.
//! - [`WasmFlights`]: per-key dedup for functions memoized over a shared storage.
//! - [`build_key`] and [`key_head`]: the canonical key of a call, as every binding builds it.
//!
//! Errors are thrown as JS errors with the core's message: `TypeError` for values that cannot
//! be keys, `RangeError` for invalid sizes and exhausted memory. Arguments are converted before
//! anything is stored, so a throwing getter or proxy leaves the cache intact; arguments left out
//! by `cacheWith` are never read at all.

mod convert;
mod flights;
mod headroom;
mod js_error;

use cashier_core::{ArgSelection, KeyBuilder, KeyOptions, OutOfMemory};
use cashier_js_support::key_options;
use js_error::error;
use js_sys::Array;
use wasm_bindgen::prelude::*;

pub use flights::WasmFlights;

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
        let options = key_options(
            prefix,
            version,
            select_all,
            cache_with,
            serializer,
            max_key_bytes,
        )
        .map_err(js_error::refusal)?;
        Ok(KeyOptionsJs { options })
    }

    fn builder(&self, name: &str) -> Result<KeyBuilder, JsValue> {
        KeyBuilder::new(name, &self.options).map_err(|e| error(e.into()))
    }
}

/// One memoized function's key builder.
#[wasm_bindgen]
pub struct WasmKeyBuilder {
    builder: KeyBuilder,
    /// The participating parameters: only those are converted.
    selection: ArgSelection,
    /// The last key built (reused buffer: no allocation per call once warm).
    key: String,
}

#[wasm_bindgen]
impl WasmKeyBuilder {
    /// The key builder of function `name` under `options`.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, options: &KeyOptionsJs) -> Result<WasmKeyBuilder, JsValue> {
        Ok(WasmKeyBuilder {
            builder: options.builder(name)?,
            selection: options.options.selection.clone(),
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
        let values = convert::arguments(args, &self.selection)?;
        self.key.clear();
        self.builder
            .build_into(&values, &mut self.key)
            .map_err(|e| error(e.into()))
    }
}

/// The canonical key of a call to `name` with `args`.
#[wasm_bindgen(js_name = buildKey)]
pub fn build_key(name: &str, args: &Array, options: &KeyOptionsJs) -> Result<String, JsValue> {
    let values = convert::arguments(args, &options.options.selection)?;
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

/// Bytes of this module's linear memory (the package adds the other module's). Memory only
/// grows; a bounded cache keeps it bounded.
#[wasm_bindgen(js_name = keysMemoryBytes)]
pub fn keys_memory_bytes() -> f64 {
    cashier_js_support::memory_bytes()
}

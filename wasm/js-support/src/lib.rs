//! What the npm package's two WebAssembly modules (`cashier-js`, loaded at import, and
//! `cashier-js-keys`, loaded on first need) share: core errors turned into the JS errors users
//! expect, and checks of numbers that come from JS. No `#[wasm_bindgen]` exports live here, so
//! each module exports only its own API.

use cashier_core::{Error as CoreError, OutOfMemory};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// JavaScript's `String(number)`: numbers in messages exactly as JS prints them, without
    /// linking a float formatter into the modules.
    #[wasm_bindgen(js_name = String)]
    fn number_text(value: f64) -> String;
}

/// A core error as the JS error users expect: `TypeError` for keys, `RangeError` for
/// configuration and exhausted memory, `Error` for flight protocol errors.
pub fn error(error: CoreError) -> JsValue {
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

/// A JS number that must be a whole number from 1 to 2^53 - 1, else a `RangeError` naming it.
pub fn whole_number(name: &str, value: f64) -> Result<u64, JsValue> {
    if value.is_finite()
        && (1.0..=9_007_199_254_740_991.0).contains(&value)
        && (value as u64) as f64 == value
    {
        Ok(value as u64)
    } else {
        let shown = number_text(value);
        Err(js_sys::RangeError::new(&format!(
            "{name} must be a whole number of at least 1, got {shown}"
        ))
        .into())
    }
}

/// The allocator of both modules: TLSF (`rlsf`), constant-time, with adjacent memory growths
/// joined into one pool; on other targets (native tests) the system allocator. The key module
/// wraps it with its out-of-memory reserve; the core module uses it as it is.
pub struct Heap;

/// TLSF's options: memory growths joined into one pool (large blocks stay possible without
/// waste), and realloc as allocate + copy + free (TLSF's in-place realloc is ~1 KB more code).
#[cfg(target_arch = "wasm32")]
struct TlsfOptions;

#[cfg(target_arch = "wasm32")]
impl rlsf::GlobalTlsfOptions for TlsfOptions {
    const ENABLE_REALLOCATION: bool = false;
    const COALESCE_POOLS: bool = true;
}

#[cfg(target_arch = "wasm32")]
static TLSF: rlsf::GlobalTlsf<TlsfOptions> = rlsf::GlobalTlsf::new();

// SAFETY: every method forwards to one allocator with the caller's arguments.
unsafe impl core::alloc::GlobalAlloc for Heap {
    #[inline]
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        #[cfg(target_arch = "wasm32")]
        return unsafe { TLSF.alloc(layout) };
        #[cfg(not(target_arch = "wasm32"))]
        return unsafe { std::alloc::System.alloc(layout) };
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: core::alloc::Layout) {
        #[cfg(target_arch = "wasm32")]
        unsafe {
            TLSF.dealloc(ptr, layout)
        };
        #[cfg(not(target_arch = "wasm32"))]
        unsafe {
            std::alloc::System.dealloc(ptr, layout)
        };
    }

    #[inline]
    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: core::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        #[cfg(target_arch = "wasm32")]
        return unsafe { TLSF.realloc(ptr, layout, new_size) };
        #[cfg(not(target_arch = "wasm32"))]
        return unsafe { std::alloc::System.realloc(ptr, layout, new_size) };
    }
}

/// Bytes of this module's linear memory. Memory only grows; a bounded cache keeps it bounded.
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size(0);
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0;
    (pages * 65_536) as f64
}

/// Key options from the wrapper's arguments: `prefix`, `version` (none: unversioned),
/// `cacheWith` (ignored when `select_all`), `serializer` ("repr", "md5" or "sha256") and
/// `maxKeyBytes` (NaN: the default). Errors are the JS errors users see.
pub fn key_options(
    prefix: String,
    version: Option<String>,
    select_all: bool,
    cache_with: Vec<u32>,
    serializer: &str,
    max_key_bytes: f64,
) -> Result<cashier_core::KeyOptions, JsValue> {
    use cashier_core::{KeyOptions, StandardSerializer};
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
    Ok(options)
}

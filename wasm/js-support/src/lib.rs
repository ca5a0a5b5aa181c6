//! What the npm package's two WebAssembly modules (`cashier-js`, loaded at import, and
//! `cashier-js-keys`, loaded on first need) share: which JS error class a refusal becomes, checks
//! of the values that come from JS, the allocator. No JavaScript is reached from here (no
//! `wasm-bindgen`, no `js-sys`): the checks return a [`Refusal`], which the key module throws as
//! a JS error and the core module, which imports nothing from JavaScript, reports through its
//! memory for the wrapper to throw (see `wasm/js/src/report.rs`).

use cashier_core::{ConfigError, Error as CoreError, KeyError, OutOfMemory};

/// The JS error class a refusal becomes (its number is what the core module reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ErrorClass {
    /// `Error`: flight protocol errors.
    Error = 1,
    /// `TypeError`: keys.
    TypeError = 2,
    /// `RangeError`: configuration, numbers out of range, exhausted memory.
    RangeError = 3,
}

impl ErrorClass {
    /// The class of `error`: `TypeError` for keys, `RangeError` for configuration and exhausted
    /// memory, `Error` for flight protocol errors.
    pub fn of(error: &CoreError) -> Self {
        match error {
            CoreError::Key(_) => ErrorClass::TypeError,
            CoreError::Config(_) | CoreError::OutOfMemory(_) => ErrorClass::RangeError,
            CoreError::Flight(_) => ErrorClass::Error,
        }
    }
}

/// A value from JS that a check refused, before it becomes a JS error.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// A core rule refused it.
    Core(CoreError),
    /// Not a whole number from 1 to 2^53 - 1 (a `RangeError`): the message up to the number,
    /// and the number, which ends the message as JavaScript's `String` prints it.
    NotWholeNumber {
        /// "`name` must be a whole number of at least 1, got ".
        message: String,
        /// The number refused.
        value: f64,
    },
}

impl From<CoreError> for Refusal {
    fn from(error: CoreError) -> Self {
        Refusal::Core(error)
    }
}

impl From<ConfigError> for Refusal {
    fn from(error: ConfigError) -> Self {
        Refusal::Core(error.into())
    }
}

impl From<KeyError> for Refusal {
    fn from(error: KeyError) -> Self {
        Refusal::Core(error.into())
    }
}

impl From<OutOfMemory> for Refusal {
    fn from(error: OutOfMemory) -> Self {
        Refusal::Core(error.into())
    }
}

/// A JS number that must be a whole number from 1 to 2^53 - 1, else a `RangeError` naming it.
pub fn whole_number(name: &str, value: f64) -> Result<u64, Refusal> {
    if value.is_finite()
        && (1.0..=9_007_199_254_740_991.0).contains(&value)
        && (value as u64) as f64 == value
    {
        Ok(value as u64)
    } else {
        Err(not_whole_number(name, value))
    }
}

/// [`whole_number`]'s refusal, apart: the formatting stays out of the callers' code.
#[cold]
#[inline(never)]
fn not_whole_number(name: &str, value: f64) -> Refusal {
    Refusal::NotWholeNumber {
        message: format!("{name} must be a whole number of at least 1, got "),
        value,
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
/// `maxKeyBytes` (NaN: the default).
pub fn key_options(
    prefix: String,
    version: Option<String>,
    select_all: bool,
    cache_with: Vec<u32>,
    serializer: &str,
    max_key_bytes: f64,
) -> Result<cashier_core::KeyOptions, Refusal> {
    use cashier_core::{KeyOptions, StandardSerializer};
    let serializer = StandardSerializer::from_name(serializer).map_err(CoreError::from)?;
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

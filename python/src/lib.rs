//! `cashier._native`: cashier-core for CPython. The Python package (`python/cashier`) builds
//! the public API (`cache`, `CacheWith`, the storages, `build_key`) on these pieces:
//!
//! - [`convert`]: Python values → the core's `ArgValue` (the Python forms of `core/KEYS.md`);
//! - [`keys`]: `Keys`, one decorated function's key plan, and `build_key`;
//! - [`store`]: `Store`, the TTL + LRU cache of Python objects with per-key thread dedup;
//! - [`memo`]: `CachedFunction`, the native call path of a cached sync function.

use pyo3::prelude::*;

mod convert;
mod errors;
mod keys;
mod memo;
mod store;

// The module keeps no state of its own and every shared structure is behind a Rust lock: it is
// safe without the GIL (free-threaded CPython builds do not re-enable the GIL for it).
#[pymodule(gil_used = false)]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<store::Store>()?;
    module.add_class::<keys::Keys>()?;
    module.add_class::<memo::CachedFunction>()?;
    module.add_function(wrap_pyfunction!(keys::build_key, module)?)?;
    Ok(())
}

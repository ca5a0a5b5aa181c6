//! [`CachedFunction`]: the callable a sync function becomes; its whole hit path is native.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::keys::Keys;
use crate::store::Store;

/// A sync function cached in a [`Store`]: builds the call's key, answers a hit, and on a miss
/// computes once across threads. Carries the wrapped function's metadata in its `__dict__`.
#[pyclass(frozen, dict, module = "cashier._native")]
pub struct CachedFunction {
    function: Py<PyAny>,
    keys: Py<Keys>,
    store: Py<Store>,
}

#[pymethods]
impl CachedFunction {
    #[new]
    fn new(function: Py<PyAny>, keys: Py<Keys>, store: Py<Store>) -> Self {
        Self {
            function,
            keys,
            store,
        }
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let keys = self.keys.get();
        let key = keys.key_for(py, args, kwargs)?;
        self.store
            .get()
            .get_or_compute(py, key, keys.function(), || {
                self.function.bind(py).call(args, kwargs).map(Bound::unbind)
            })
    }

    /// Binds like a function when looked up on an instance (decorated methods).
    fn __get__(
        slf: Bound<'_, Self>,
        instance: Option<Bound<'_, PyAny>>,
        _owner: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        match instance {
            None => Ok(slf.into_any().unbind()),
            Some(instance) if instance.is_none() => Ok(slf.into_any().unbind()),
            Some(instance) => {
                let py = slf.py();
                let method = py.import("types")?.getattr("MethodType")?;
                Ok(method.call1((slf, instance))?.unbind())
            }
        }
    }

    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.function)?;
        visit.call(&self.keys)?;
        visit.call(&self.store)
    }
}

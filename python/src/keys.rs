//! Keys from Python calls: [`Keys`] (one decorated function's key plan) and [`build_key`].

use cashier_core::{ArgValue, KeyBuilder, KeyOptions, StandardSerializer};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::convert::{refusal_error, to_arg};
use crate::errors::key_error;

/// How one decorated function's calls become keys: validated once at decoration.
///
/// The arguments are bound to the signature by `bind` (a function with the same parameters
/// that returns the participating ones, in signature order: keywords normalized, defaults
/// applied). A call passing exactly the positional parameters and no keywords skips it: its
/// participating values are read by position.
#[pyclass(frozen, module = "cashier._native")]
pub struct Keys {
    builder: KeyBuilder,
    function: String,
    /// The participating parameters' names, for error messages.
    names: Vec<String>,
    bind: Py<PyAny>,
    /// The positional arity of a signature of plain positional parameters only.
    fast_arity: Option<usize>,
    /// The defaults of the last positional parameters (of a `fast_arity` signature).
    defaults: Vec<Py<PyAny>>,
    /// The participating positions (`None`: all).
    positions: Option<Vec<usize>>,
    /// A user's `key_builder(*args, **kwargs) -> str`; its text follows the prefix.
    custom: Option<Py<PyAny>>,
    prefix: String,
}

fn serializer(name: &str) -> PyResult<StandardSerializer> {
    StandardSerializer::from_name(name).map_err(|_| {
        PyValueError::new_err(format!(
            "cashier: unknown serializer {name:?}; use \"repr\", \"md5\" or \"sha256\""
        ))
    })
}

impl Keys {
    /// The function's name, for messages.
    pub fn function(&self) -> &str {
        &self.function
    }

    /// The key of one call.
    pub fn key_for(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<String> {
        if let Some(custom) = &self.custom {
            let text = custom.bind(py).call(args, kwargs)?;
            let text = text.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "cashier: key_builder of {} must return a str",
                    self.function
                ))
            })?;
            return Ok(format!("{}{}", self.prefix, text.to_cow()?));
        }
        let no_keywords = kwargs.is_none_or(|k| k.is_empty());
        let given = args.len();
        let values = match self.fast_arity {
            // Positional calls: the interpreter's binding reduces to "given, then defaults".
            Some(arity)
                if no_keywords && given <= arity && given + self.defaults.len() >= arity =>
            {
                let first_default = arity - self.defaults.len();
                let value = |i: usize| match i < given {
                    // In range: no IndexError is built (that would cost more than the hit).
                    true => args
                        .get_item(i)
                        .unwrap_or_else(|_| py.None().into_bound(py)),
                    false => self.defaults[i - first_default].bind(py).clone(),
                };
                match &self.positions {
                    None => self.convert((0..arity).map(value))?,
                    Some(positions) => self.convert(positions.iter().map(|&i| value(i)))?,
                }
            }
            _ => {
                let bound = self.bind.bind(py).call(args, kwargs)?;
                let bound = bound.cast_into::<PyTuple>()?;
                self.convert(bound.iter())?
            }
        };
        // Sized for a typical key at once: no regrowth while encoding.
        let mut key = String::with_capacity(self.builder.prefix().len() + self.function.len() + 48);
        self.builder
            .build_into(&values, &mut key)
            .map_err(|e| key_error(&e, &format!("the key of {}", self.function)))?;
        Ok(key)
    }

    fn convert<'py>(
        &self,
        values: impl ExactSizeIterator<Item = Bound<'py, PyAny>>,
    ) -> PyResult<Vec<ArgValue>> {
        let mut out = Vec::with_capacity(values.len());
        for (i, value) in values.enumerate() {
            match to_arg(&value) {
                Ok(arg) => out.push(arg),
                Err(refusal) => {
                    let name = self.names.get(i).map_or("?", String::as_str);
                    return Err(refusal_error(refusal, &format!("{name:?}"), &self.function));
                }
            }
        }
        Ok(out)
    }
}

#[pymethods]
impl Keys {
    /// Validates the name and options (a `ValueError` names the problem).
    #[new]
    #[pyo3(signature = (name, names, bind, fast_arity, positions, *, defaults=Vec::new(), version=None, prefix=String::new(), serializer="repr", key_builder=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &str,
        names: Vec<String>,
        bind: Py<PyAny>,
        fast_arity: Option<usize>,
        positions: Option<Vec<usize>>,
        defaults: Vec<Py<PyAny>>,
        version: Option<String>,
        prefix: String,
        serializer: &str,
        key_builder: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let mut options = KeyOptions::default()
            .prefix(prefix.clone())
            .serializer(self::serializer(serializer)?);
        if let Some(version) = version {
            options = options.version(version);
        }
        if let (Some(arity), Some(positions)) = (fast_arity, &positions)
            && positions.iter().any(|&p| p >= arity)
        {
            return Err(PyValueError::new_err(
                "cashier: a participating position is past the positional parameters",
            ));
        }
        if !defaults.is_empty() && fast_arity.is_none_or(|arity| defaults.len() > arity) {
            return Err(PyValueError::new_err(
                "cashier: more defaults than positional parameters",
            ));
        }
        let builder = KeyBuilder::new(name, &options)
            .map_err(|e| key_error(&e, &format!("function name {name:?}")))?;
        Ok(Self {
            builder,
            function: name.to_owned(),
            names,
            bind,
            fast_arity,
            defaults,
            positions,
            custom: key_builder,
            prefix,
        })
    }

    /// The key of a call with `args` and `kwargs`.
    #[pyo3(signature = (args, kwargs=None))]
    fn key(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<String> {
        self.key_for(py, args, kwargs)
    }

    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.bind)?;
        for default in &self.defaults {
            visit.call(default)?;
        }
        if let Some(custom) = &self.custom {
            visit.call(custom)?;
        }
        Ok(())
    }

    /// The function's name (with its version: `name@version`).
    #[getter]
    fn label(&self) -> &str {
        self.builder.label()
    }
}

/// The canonical key of `name` called with `args`, the same string the Rust core and the npm
/// package build. `cache_with` lists the participating positions (a position past the end keys
/// as JavaScript's `undefined`, as in every binding).
#[pyfunction]
#[pyo3(signature = (name, args, *, version=None, prefix=String::new(), cache_with=None, serializer="repr", max_key_bytes=None))]
pub fn build_key(
    name: &str,
    args: &Bound<'_, PyAny>,
    version: Option<String>,
    prefix: String,
    cache_with: Option<Vec<usize>>,
    serializer: &str,
    max_key_bytes: Option<usize>,
) -> PyResult<String> {
    if args.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "cashier: build_key takes the arguments as a list or tuple, not a str",
        ));
    }
    let mut options = KeyOptions::default()
        .prefix(prefix)
        .serializer(self::serializer(serializer)?);
    if let Some(version) = version {
        options = options.version(version);
    }
    if let Some(positions) = cache_with {
        options = options.cache_with(positions);
    }
    if let Some(max) = max_key_bytes {
        options = options.max_key_bytes(max);
    }
    let values = args
        .try_iter()?
        .enumerate()
        .map(|(i, value)| {
            let value = value?;
            to_arg(&value).map_err(|refusal| refusal_error(refusal, &i.to_string(), name))
        })
        .collect::<PyResult<Vec<_>>>()?;
    cashier_core::build_key(name, &values, &options).map_err(|e| key_error(&e, "build_key"))
}

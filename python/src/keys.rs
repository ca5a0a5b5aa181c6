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
        let values = match self.fast_arity {
            Some(arity) if no_keywords && args.len() == arity => match &self.positions {
                None => self.convert(args.iter())?,
                Some(positions) => self.convert(
                    positions
                        .iter()
                        .map(|&i| args.get_item(i).expect("i < arity")),
                )?,
            },
            _ => {
                let bound = self.bind.bind(py).call(args, kwargs)?;
                let bound = bound.cast_into::<PyTuple>()?;
                self.convert(bound.iter())?
            }
        };
        self.builder
            .build(&values)
            .map_err(|e| key_error(&e, &format!("the key of {}", self.function)))
    }

    fn convert<'py>(
        &self,
        values: impl Iterator<Item = Bound<'py, PyAny>>,
    ) -> PyResult<Vec<ArgValue>> {
        values
            .enumerate()
            .map(|(i, value)| {
                to_arg(&value).map_err(|refusal| {
                    let name = self.names.get(i).map_or("?", String::as_str);
                    refusal_error(refusal, &format!("{name:?}"), &self.function)
                })
            })
            .collect()
    }
}

#[pymethods]
impl Keys {
    /// Validates the name and options (a `ValueError` names the problem).
    #[new]
    #[pyo3(signature = (name, names, bind, fast_arity, positions, *, version=None, prefix=String::new(), serializer="repr", key_builder=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &str,
        names: Vec<String>,
        bind: Py<PyAny>,
        fast_arity: Option<usize>,
        positions: Option<Vec<usize>>,
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
        let builder = KeyBuilder::new(name, &options)
            .map_err(|e| key_error(&e, &format!("function name {name:?}")))?;
        Ok(Self {
            builder,
            function: name.to_owned(),
            names,
            bind,
            fast_arity,
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

//! Python values → [`ArgValue`]: the Python forms of `core/KEYS.md` ("Python" section).
//!
//! The mapping is total over the supported types and refuses everything else with an error
//! that names the argument, so no value is ever keyed by accident (an object's `repr` holding
//! its address, a set ordered by hash).

use cashier_core::ArgValue;
use cashier_core::key::MAX_DEPTH;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString,
    PyTuple, PyType,
};

/// Integers within ±2^53 are exactly representable as doubles: they key as numbers, as the
/// same value does in JavaScript; larger ones key as BigInts.
const MAX_SAFE: i64 = 1 << 53;

/// Why one argument could not be converted; the caller adds which argument it was.
pub enum Refusal {
    /// An unsupported type (its Python type name).
    Unsupported(String),
    /// Containers nested deeper than [`MAX_DEPTH`] (or a cycle).
    TooDeep,
    /// A datetime with a sub-millisecond part (keys hold milliseconds, as JavaScript dates do).
    SubMillisecond,
    /// A Python exception raised while reading the value (a failing `__str__`, say).
    Raised(PyErr),
}

/// The `datetime` pieces the conversion needs, imported once.
struct DateTimeKit {
    datetime: Py<PyType>,
    epoch_naive: Py<PyAny>,
    epoch_aware: Py<PyAny>,
}

static DATETIME: PyOnceLock<DateTimeKit> = PyOnceLock::new();

fn datetime_kit(py: Python<'_>) -> PyResult<&DateTimeKit> {
    DATETIME.get_or_try_init(py, || {
        let module = py.import("datetime")?;
        let datetime = module.getattr("datetime")?.cast_into::<PyType>()?;
        let utc = module.getattr("timezone")?.getattr("utc")?;
        let epoch_naive = datetime.call1((1970, 1, 1))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        let epoch_aware = datetime.call((1970, 1, 1), Some(&kwargs))?;
        Ok(DateTimeKit {
            datetime: datetime.unbind(),
            epoch_naive: epoch_naive.unbind(),
            epoch_aware: epoch_aware.unbind(),
        })
    })
}

/// Converts one argument.
pub fn to_arg(value: &Bound<'_, PyAny>) -> Result<ArgValue, Refusal> {
    convert(value, 0)
}

fn convert(value: &Bound<'_, PyAny>, depth: usize) -> Result<ArgValue, Refusal> {
    // Exact types first: the common cases cost one pointer comparison each.
    if let Ok(text) = value.cast_exact::<PyString>() {
        return string(text);
    }
    if value.is_exact_instance_of::<PyInt>() {
        return integer(value);
    }
    if value.is_none() {
        return Ok(ArgValue::Null);
    }
    if let Ok(flag) = value.cast_exact::<PyBool>() {
        return Ok(ArgValue::Bool(flag.is_true()));
    }
    if let Ok(float) = value.cast_exact::<PyFloat>() {
        return Ok(ArgValue::Number(float.value()));
    }
    if depth >= MAX_DEPTH {
        return match container_kind(value) {
            true => Err(Refusal::TooDeep),
            false => scalar_subclass(value),
        };
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return tuple
            .iter()
            .map(|item| convert(&item, depth + 1))
            .collect::<Result<_, _>>()
            .map(ArgValue::List);
    }
    if let Ok(list) = value.cast::<PyList>() {
        // Iterate by index over a snapshot-free view: a list mutated during the walk (another
        // thread) can only shorten or lengthen it; `iter` handles both without panicking.
        return list
            .iter()
            .map(|item| convert(&item, depth + 1))
            .collect::<Result<_, _>>()
            .map(ArgValue::List);
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        return mapping(dict, depth);
    }
    if let Ok(set) = value.cast::<PySet>() {
        return set
            .iter()
            .map(|item| convert(&item, depth + 1))
            .collect::<Result<_, _>>()
            .map(ArgValue::Set);
    }
    if let Ok(set) = value.cast::<PyFrozenSet>() {
        return set
            .iter()
            .map(|item| convert(&item, depth + 1))
            .collect::<Result<_, _>>()
            .map(ArgValue::Set);
    }
    scalar_subclass(value)
}

/// Whether `value` is one of the container types (for the depth limit's error).
fn container_kind(value: &Bound<'_, PyAny>) -> bool {
    value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyDict>()
        || value.is_instance_of::<PySet>()
        || value.is_instance_of::<PyFrozenSet>()
}

/// The scalar types by `isinstance` (subclasses: `IntEnum`, `str` enums...), bytes and datetimes.
fn scalar_subclass(value: &Bound<'_, PyAny>) -> Result<ArgValue, Refusal> {
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(ArgValue::Bool(flag.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return integer(value);
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        return Ok(ArgValue::Number(float.value()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return string(text);
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(ArgValue::Bytes(bytes.as_bytes().to_vec()));
    }
    if let Ok(bytes) = value.cast::<PyByteArray>() {
        return Ok(ArgValue::Bytes(bytes.to_vec()));
    }
    let py = value.py();
    let kit = datetime_kit(py).map_err(Refusal::Raised)?;
    if value
        .is_instance(kit.datetime.bind(py))
        .map_err(Refusal::Raised)?
    {
        return datetime(value, kit);
    }
    let name = value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "value".into());
    Err(Refusal::Unsupported(name))
}

fn string(text: &Bound<'_, PyString>) -> Result<ArgValue, Refusal> {
    match text.to_cow() {
        Ok(text) => Ok(ArgValue::String(text.into_owned())),
        // A lone surrogate ("\ud800") is not text: refused, as in JavaScript.
        Err(_) => Err(Refusal::Unsupported("str with a lone surrogate".into())),
    }
}

fn integer(value: &Bound<'_, PyAny>) -> Result<ArgValue, Refusal> {
    if let Ok(small) = value.extract::<i64>() {
        if (-MAX_SAFE..=MAX_SAFE).contains(&small) {
            return Ok(ArgValue::Number(small as f64));
        }
        return Ok(ArgValue::BigInt(small.to_string()));
    }
    // Beyond i64: the decimal text of the exact int (a subclass's own __str__ is not used).
    let exact = value
        .py()
        .get_type::<PyInt>()
        .call1((value,))
        .map_err(Refusal::Raised)?;
    let text = exact.str().map_err(Refusal::Raised)?;
    Ok(ArgValue::BigInt(
        text.to_cow().map_err(Refusal::Raised)?.into_owned(),
    ))
}

fn mapping(dict: &Bound<'_, PyDict>, depth: usize) -> Result<ArgValue, Refusal> {
    let all_text = dict
        .keys()
        .iter()
        .all(|key| key.is_instance_of::<PyString>());
    if all_text {
        let mut pairs = Vec::with_capacity(dict.len());
        for (key, item) in dict.iter() {
            let ArgValue::String(key) = string(
                key.cast::<PyString>()
                    .map_err(|e| Refusal::Raised(PyErr::from(e)))?,
            )?
            else {
                unreachable!("string() returns strings")
            };
            pairs.push((key, convert(&item, depth + 1)?));
        }
        return Ok(ArgValue::Object(pairs));
    }
    let mut pairs = Vec::with_capacity(dict.len());
    for (key, item) in dict.iter() {
        pairs.push((convert(&key, depth + 1)?, convert(&item, depth + 1)?));
    }
    Ok(ArgValue::Map(pairs))
}

/// A datetime as its milliseconds since the Unix epoch: an aware value by its UTC instant, a
/// naive one read as UTC (never as local time, which differs between machines).
fn datetime(value: &Bound<'_, PyAny>, kit: &DateTimeKit) -> Result<ArgValue, Refusal> {
    let py = value.py();
    let raised = Refusal::Raised;
    let aware = !value.call_method0("utcoffset").map_err(raised)?.is_none();
    let epoch = if aware {
        kit.epoch_aware.bind(py)
    } else {
        kit.epoch_naive.bind(py)
    };
    let delta = value
        .call_method1("__sub__", (epoch,))
        .map_err(Refusal::Raised)?;
    let days: i64 = delta
        .getattr("days")
        .and_then(|d| d.extract())
        .map_err(Refusal::Raised)?;
    let seconds: i64 = delta
        .getattr("seconds")
        .and_then(|d| d.extract())
        .map_err(Refusal::Raised)?;
    let micros: i64 = delta
        .getattr("microseconds")
        .and_then(|d| d.extract())
        .map_err(Refusal::Raised)?;
    if micros % 1000 != 0 {
        return Err(Refusal::SubMillisecond);
    }
    let ms = days * 86_400_000 + seconds * 1000 + micros / 1000;
    Ok(ArgValue::Date(ms as f64))
}

/// The `TypeError` for a refused argument: names it and says how to leave it out.
pub fn refusal_error(refusal: Refusal, argument: &str, function: &str) -> PyErr {
    let hint =
        "mark the parameters that take part with Annotated[T, CacheWith], or pass key_builder";
    let problem = match refusal {
        Refusal::Raised(error) => return error,
        Refusal::Unsupported(what) => format!("a value of type {what} cannot be part of a cache key"),
        Refusal::TooDeep => format!(
            "values nest deeper than {MAX_DEPTH} levels (or hold a cycle)"
        ),
        Refusal::SubMillisecond => {
            "a datetime with microseconds cannot be part of a cache key: keys hold milliseconds (round it)".into()
        }
    };
    PyTypeError::new_err(format!(
        "cashier: argument {argument} of {function}: {problem}; {hint}"
    ))
}

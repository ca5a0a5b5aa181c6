//! cashier-core errors as Python exceptions: bad configuration is a `ValueError`, a value that
//! cannot be keyed is a `TypeError`, misuse of a flight is a `RuntimeError`.

use cashier_core::{ConfigError, Error, KeyError};
use pyo3::PyErr;
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};

/// The Python exception for a key error, prefixed with what was being built.
pub fn key_error(error: &KeyError, context: &str) -> PyErr {
    let message = format!("cashier: {context}: {error}");
    match error {
        KeyError::InvalidBigInt { .. }
        | KeyError::InvalidDate { .. }
        | KeyError::TooDeep { .. }
        | KeyError::Unsupported { .. } => PyTypeError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}

/// The Python exception for a configuration error, in Python's units (seconds).
pub fn config_error(error: &ConfigError) -> PyErr {
    let message = match error {
        ConfigError::ZeroMaxSize => "cashier: max_size must be at least 1".to_string(),
        ConfigError::MaxSizeTooLarge { max_size } => {
            format!("cashier: max_size {max_size} is larger than the supported 4294967294")
        }
        ConfigError::ZeroTtl => {
            "cashier: ttl must be at least 0.001 s; pass ttl=None for entries that never expire"
                .to_string()
        }
    };
    PyValueError::new_err(message)
}

/// Any core error.
pub fn core_error(error: &Error) -> PyErr {
    match error {
        Error::Config(error) => config_error(error),
        Error::Key(error) => key_error(error, "key"),
        Error::Flight(error) => PyRuntimeError::new_err(format!("cashier: {error}")),
        Error::OutOfMemory(error) => PyMemoryError::new_err(format!("cashier: {error}")),
    }
}

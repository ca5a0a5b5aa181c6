//! [`Store`]: a `cashier_core::Cache` of Python objects behind one mutex, with the threads'
//! per-key dedup (one computation per key; the others wait for it without holding the GIL).
//!
//! Two rules keep it free of deadlocks with the interpreter:
//! - No Python code runs while the mutex is held. The timer is read before locking (the cache's
//!   clock replays that reading), and values the cache drops while locked (evicted, expired,
//!   replaced, cleared) are parked in a per-thread list and released after unlocking, so no
//!   `__del__` can run (and re-enter the cache) under the lock.
//! - A thread that finds the mutex taken detaches from the interpreter while it waits
//!   (`lock_py_attached`), so the holder is never blocked on the GIL or a stop-the-world pause.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use cashier_core::{Cache, Clock, Lookup, OutOfMemory, StoreConfig, Ticket};
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::MutexExt;
use pyo3::types::PyDict;

use crate::errors::{config_error, core_error};

/// A cached Python object. Dropping it parks the reference in this thread's graveyard; the
/// store empties the graveyard after unlocking (see the module comment).
pub struct Held(Option<Py<PyAny>>);

impl Held {
    fn new(value: Py<PyAny>) -> Self {
        Self(Some(value))
    }

    fn value(&self, py: Python<'_>) -> Py<PyAny> {
        match &self.0 {
            Some(value) => value.clone_ref(py),
            None => py.None(),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(value) = self.0.take() {
            // During thread teardown the list is gone: let pyo3 defer the release instead.
            let _ = GRAVEYARD.try_with(|dead| dead.borrow_mut().push(value));
        }
    }
}

thread_local! {
    static GRAVEYARD: RefCell<Vec<Py<PyAny>>> = const { RefCell::new(Vec::new()) };
}

/// Releases the references parked by [`Held::drop`]; call with no store lock held.
fn bury() {
    let dead = GRAVEYARD.with(|dead| {
        let mut dead = dead.borrow_mut();
        if dead.is_empty() {
            Vec::new()
        } else {
            std::mem::take(&mut *dead)
        }
    });
    drop(dead);
}

/// The cache's clock: the reading taken before the lock, replayed inside it.
#[derive(Default)]
pub struct Replayed(Cell<u64>);

impl Clock for Replayed {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
}

/// Where time comes from: the process's monotonic clock, or the user's `timer()` (seconds).
enum Timer {
    Native,
    Python(Py<PyAny>),
}

static START: OnceLock<Instant> = OnceLock::new();

impl Timer {
    fn now_ms(&self, py: Python<'_>) -> PyResult<u64> {
        match self {
            Timer::Native => {
                let elapsed = START.get_or_init(Instant::now).elapsed();
                Ok(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
            }
            Timer::Python(timer) => {
                let seconds: f64 = timer.call0(py)?.extract(py).map_err(|_| {
                    PyTypeError::new_err("cashier: timer() must return a number of seconds")
                })?;
                if seconds.is_nan() {
                    return Err(PyValueError::new_err("cashier: timer() returned NaN"));
                }
                // Readings before 0 read as 0: the store then holds its time until the timer
                // passes its latest reading again, as for any clock going backwards.
                Ok((seconds * 1000.0).floor().clamp(0.0, u64::MAX as f64) as u64)
            }
        }
    }
}

/// Seconds (Python) → whole milliseconds (core), refusing what cannot be a TTL.
pub fn ttl_ms(seconds: Option<f64>) -> PyResult<Option<u64>> {
    let Some(seconds) = seconds else {
        return Ok(None);
    };
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(PyValueError::new_err(format!(
            "cashier: ttl must be a positive, finite number of seconds (or None: no expiry), not {seconds}"
        )));
    }
    let ms = (seconds * 1000.0).round();
    if ms < 1.0 {
        return Err(config_error(&cashier_core::ConfigError::ZeroTtl));
    }
    Ok(Some(ms.min(u64::MAX as f64) as u64))
}

/// How a computation ended, for the threads that waited for it.
enum Outcome {
    Value(Py<PyAny>),
    Error(PyErr),
}

/// One pending computation that other threads can wait for.
struct Flight {
    leader: ThreadId,
    outcome: Mutex<Option<Outcome>>,
    landed: Condvar,
}

struct State {
    cache: Cache<String, Held, Replayed>,
    /// The pending computations of `get_or_compute`, by flight id.
    flights: HashMap<u64, Arc<Flight>>,
}

/// The native half of `TTLMapStorage`/`TTLMapAsyncStorage`: a TTL + LRU cache of Python
/// objects (values come back by identity), safe to share between threads.
#[pyclass(frozen, module = "cashier._native")]
pub struct Store {
    state: Mutex<State>,
    timer: Timer,
}

impl Drop for Store {
    /// A store is freed by the interpreter (the thread is attached): release its values now,
    /// not at this thread's next cache operation.
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        state.cache.clear();
        state.flights.clear();
        bury();
    }
}

/// What `Store::lookup` answers, as the first item of its tuple.
const HIT: u8 = 0;
const JOINED: u8 = 1;
const MISS: u8 = 2;

impl Store {
    fn lock(&self, py: Python<'_>, now: u64) -> MutexGuard<'_, State> {
        // A panic while locked cannot leave the cache half-updated in a way that matters
        // more than refusing every later call would: keep serving.
        let state = self
            .state
            .lock_py_attached(py)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.cache.store().clock().0.set(now);
        state
    }

    /// The value for `key`, or `compute`'s, computed once across threads: concurrent callers
    /// of the same key wait (detached from the interpreter) and share the value or the error.
    /// Errors are not cached.
    pub fn get_or_compute(
        &self,
        py: Python<'_>,
        key: String,
        function: &str,
        compute: impl FnOnce() -> PyResult<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        let ticket = match state.cache.try_begin(key.as_str()) {
            Ok(Lookup::Hit(held)) => {
                let value = held.value(py);
                drop(state);
                bury();
                return Ok(value);
            }
            Ok(Lookup::Joined(id)) => {
                let flight = state.flights.get(&id.to_raw()).cloned();
                drop(state);
                bury();
                return match flight {
                    Some(flight) => wait(py, &flight, function),
                    None => Err(PyRuntimeError::new_err(
                        "cashier: a pending computation was started outside this function; use one storage per decorated function or distinct names",
                    )),
                };
            }
            Ok(Lookup::Miss(ticket)) => ticket,
            Err(OutOfMemory) => return Err(PyMemoryError::new_err(OutOfMemory::MESSAGE)),
        };
        let flight = Arc::new(Flight {
            leader: std::thread::current().id(),
            outcome: Mutex::new(None),
            landed: Condvar::new(),
        });
        let raw = ticket.to_raw();
        state.flights.insert(raw, flight.clone());
        drop(state);
        bury();

        let result = compute();
        // The TTL runs from when the value is stored; a failing timer fails the computation.
        let (result, now) = match (result, self.timer.now_ms(py)) {
            (Ok(value), Ok(now)) => (Ok(value), now),
            (Err(error), _) | (Ok(_), Err(error)) => (Err(error), now),
        };
        let mut state = self.lock(py, now);
        match &result {
            // A stale ticket (the key was deleted or cleared meanwhile) stores nothing; the
            // waiting threads still take the value they waited for.
            Ok(value) => drop(state.cache.complete(ticket, Held::new(value.clone_ref(py)))),
            Err(_) => drop(state.cache.fail(ticket)),
        }
        state.flights.remove(&raw);
        drop(state);
        let outcome = match &result {
            Ok(value) => Outcome::Value(value.clone_ref(py)),
            Err(error) => Outcome::Error(error.clone_ref(py)),
        };
        *flight.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
        flight.landed.notify_all();
        drop(flight);
        bury();
        result
    }
}

/// Waits, detached from the interpreter, for another thread's computation; wakes up now and
/// then to let Ctrl-C (a pending signal) interrupt the wait.
fn wait(py: Python<'_>, flight: &Arc<Flight>, function: &str) -> PyResult<Py<PyAny>> {
    if flight.leader == std::thread::current().id() {
        return Err(PyRuntimeError::new_err(format!(
            "cashier: {function} called itself with the same arguments while computing them; waiting for itself would never end"
        )));
    }
    loop {
        let shared = flight.clone();
        let landed = py.detach(move || {
            let outcome = shared.outcome.lock().unwrap_or_else(|p| p.into_inner());
            let (outcome, _) = shared
                .landed
                .wait_timeout_while(outcome, Duration::from_millis(50), |o| o.is_none())
                .unwrap_or_else(|p| p.into_inner());
            outcome.is_some()
        });
        if landed {
            break;
        }
        py.check_signals()?;
    }
    let outcome = flight.outcome.lock().unwrap_or_else(|p| p.into_inner());
    match outcome.as_ref() {
        Some(Outcome::Value(value)) => Ok(value.clone_ref(py)),
        Some(Outcome::Error(error)) => Err(error.clone_ref(py)),
        None => unreachable!("the wait ends only once the outcome is set"),
    }
}

#[pymethods]
impl Store {
    /// A store of at most `max_size` entries, expiring them `ttl` seconds after they are
    /// stored (`None`: never), reading time from `timer()` (seconds; `None`: monotonic).
    #[new]
    #[pyo3(signature = (max_size, ttl=None, timer=None))]
    fn new(max_size: i64, ttl: Option<f64>, timer: Option<Py<PyAny>>) -> PyResult<Self> {
        if max_size < 1 {
            return Err(config_error(&cashier_core::ConfigError::ZeroMaxSize));
        }
        let mut config = StoreConfig::new(usize::try_from(max_size).unwrap_or(usize::MAX));
        if let Some(ms) = ttl_ms(ttl)? {
            config = config.ttl_ms(ms);
        }
        let cache = Cache::new(config, Replayed::default()).map_err(|e| config_error(&e))?;
        Ok(Self {
            state: Mutex::new(State {
                cache,
                flights: HashMap::new(),
            }),
            timer: timer.map_or(Timer::Native, Timer::Python),
        })
    }

    /// `(0, value)` for a live value, `(1, flight)` for a pending computation to join, or
    /// `(2, ticket)`: compute, then end the flight with `complete` or `fail`.
    fn lookup(&self, py: Python<'_>, key: &str) -> PyResult<(u8, Py<PyAny>)> {
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        let answer = match state.cache.try_begin(key) {
            Ok(Lookup::Hit(held)) => (HIT, held.value(py)),
            Ok(Lookup::Joined(id)) => (JOINED, id.to_raw().into_pyobject(py)?.into_any().unbind()),
            Ok(Lookup::Miss(ticket)) => {
                (MISS, ticket.to_raw().into_pyobject(py)?.into_any().unbind())
            }
            Err(OutOfMemory) => return Err(PyMemoryError::new_err(OutOfMemory::MESSAGE)),
        };
        drop(state);
        bury();
        Ok(answer)
    }

    /// Ends a flight with its value (stored with the default TTL). False if the flight was
    /// invalidated meanwhile (delete or clear): then nothing is stored.
    fn complete(&self, py: Python<'_>, ticket: u64, value: Py<PyAny>) -> PyResult<bool> {
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        let stored = state
            .cache
            .complete(Ticket::from_raw(ticket), Held::new(value))
            .is_ok();
        drop(state);
        bury();
        Ok(stored)
    }

    /// Ends a flight with a failure: nothing is stored, the key is free for a new flight.
    fn fail(&self, py: Python<'_>, ticket: u64) -> PyResult<bool> {
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        let ended = state.cache.fail(Ticket::from_raw(ticket)).is_ok();
        drop(state);
        bury();
        Ok(ended)
    }

    /// `(True, value)` for a live value of `key`, else `(False, None)` (a counted lookup).
    fn get(&self, py: Python<'_>, key: &str) -> PyResult<(bool, Py<PyAny>)> {
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        let found = match state.cache.get(key) {
            Some(held) => (true, held.value(py)),
            None => (false, py.None()),
        };
        drop(state);
        bury();
        Ok(found)
    }

    /// Stores `value` for `key` with its own `ttl` in seconds (`None`: the store's default).
    /// A computation pending for the key is superseded: this value wins.
    #[pyo3(signature = (key, value, ttl=None))]
    fn set(&self, py: Python<'_>, key: String, value: Py<PyAny>, ttl: Option<f64>) -> PyResult<()> {
        let ttl = ttl_ms(ttl)?;
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        let result = match ttl {
            Some(ms) => state
                .cache
                .insert_with_ttl(key, Held::new(value), Some(ms))
                .map(drop)
                .map_err(|e| core_error(&e.into())),
            None => {
                state.cache.insert(key, Held::new(value));
                Ok(())
            }
        };
        drop(state);
        bury();
        result
    }

    /// Removes `key` (and cancels its pending computation); True if a live value was removed.
    fn delete(&self, py: Python<'_>, key: &str) -> PyResult<bool> {
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        let removed = state.cache.remove(key).is_some();
        drop(state);
        bury();
        Ok(removed)
    }

    /// Removes every value and cancels every pending computation.
    fn clear(&self, py: Python<'_>) -> PyResult<()> {
        let now = self.timer.now_ms(py)?;
        let mut state = self.lock(py, now);
        state.cache.clear();
        drop(state);
        bury();
        Ok(())
    }

    /// The counters: hits, misses, joined, evictions, expirations, size, pending.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = {
            let state = self
                .state
                .lock_py_attached(py)
                .unwrap_or_else(|p| p.into_inner());
            state.cache.stats()
        };
        let dict = PyDict::new(py);
        dict.set_item("hits", stats.hits)?;
        dict.set_item("misses", stats.misses)?;
        dict.set_item("joined", stats.joined)?;
        dict.set_item("evictions", stats.evictions)?;
        dict.set_item("expirations", stats.expirations)?;
        dict.set_item("size", stats.size)?;
        dict.set_item("pending", stats.pending)?;
        Ok(dict)
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        let state = self
            .state
            .lock_py_attached(py)
            .unwrap_or_else(|p| p.into_inner());
        state.cache.len()
    }
}

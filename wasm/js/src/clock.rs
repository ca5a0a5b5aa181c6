//! The store's clock from JS: `Date.now()`, or a function the user passes.

use cashier_core::Clock;
use js_sys::Function;
use wasm_bindgen::prelude::*;

/// Milliseconds from JS. A reading that is not a finite, non-negative number (or a clock that
/// throws) reads as 0, which the store treats like a clock jumping back: its time holds still.
pub enum JsClock {
    DateNow,
    User(Function),
}

impl JsClock {
    pub fn from_js(clock: JsValue) -> Result<JsClock, JsValue> {
        if clock.is_undefined() || clock.is_null() {
            Ok(JsClock::DateNow)
        } else {
            clock
                .dyn_into::<Function>()
                .map(JsClock::User)
                .map_err(|_| {
                    js_sys::TypeError::new("clock must be a function returning milliseconds").into()
                })
        }
    }
}

impl Clock for JsClock {
    fn now_ms(&self) -> u64 {
        let reading = match self {
            JsClock::DateNow => js_sys::Date::now(),
            JsClock::User(function) => function
                .call0(&JsValue::UNDEFINED)
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(f64::NAN),
        };
        if reading.is_finite() && reading >= 0.0 {
            reading as u64
        } else {
            0
        }
    }
}

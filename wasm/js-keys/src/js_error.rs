//! Refusals and core errors as the JS errors users expect, made here (the key module calls into
//! JavaScript freely; the core module reports its errors through memory instead). The class of
//! each is `cashier_js_support::ErrorClass::of`'s.

use cashier_core::{Error as CoreError, OutOfMemory};
use cashier_js_support::{ErrorClass, Refusal};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// JavaScript's `String(number)`: numbers in messages exactly as JS prints them, without
    /// linking a float formatter into the module.
    #[wasm_bindgen(js_name = String)]
    fn number_text(value: f64) -> String;
}

/// A JS error of `class` with `message`.
fn with_message(class: ErrorClass, message: &str) -> JsValue {
    match class {
        ErrorClass::Error => js_sys::Error::new(message).into(),
        ErrorClass::TypeError => js_sys::TypeError::new(message).into(),
        ErrorClass::RangeError => js_sys::RangeError::new(message).into(),
    }
}

/// A core error as the JS error users expect: `TypeError` for keys, `RangeError` for
/// configuration and exhausted memory, `Error` for flight protocol errors.
pub fn error(error: CoreError) -> JsValue {
    if let CoreError::OutOfMemory(_) = error {
        // No formatting: there may be no memory to format into.
        return with_message(ErrorClass::RangeError, OutOfMemory::MESSAGE);
    }
    with_message(ErrorClass::of(&error), &error.to_string())
}

/// A refused value from JS as the JS error users expect.
pub fn refusal(refusal: Refusal) -> JsValue {
    match refusal {
        Refusal::Core(e) => error(e),
        Refusal::NotWholeNumber { message, value } => {
            with_message(ErrorClass::RangeError, &(message + &number_text(value)))
        }
    }
}

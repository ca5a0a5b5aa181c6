//! How this module reports an error: through its memory, not as a JS error. The module imports
//! nothing from JavaScript: V8 (Node 20) compiles a wrapper for each distinct import signature
//! when a module compiles, and the first costs ~0.5 ms of the package's cold start (the
//! wrappers that made JS errors, printed numbers and fetched the memory were ~0.55 ms of the
//! core module's ~1 ms compile). A refused call returns a failure value; the wrapper then reads
//! the report at [`error_report`] and throws the error it describes (`js/src/core-error.ts`).

use std::borrow::Cow;
use std::cell::RefCell;

use cashier_core::{Error as CoreError, OutOfMemory};
use cashier_js_support::{ErrorClass, Refusal};
use wasm_bindgen::prelude::*;

use crate::layout::{
    REPORT_CELLS, REPORT_CLASS, REPORT_HAS_NUMBER, REPORT_TEXT_AT, REPORT_TEXT_LEN,
};

/// The report JS reads: `u32` cells (see `layout.rs`), then the number that ends the message.
#[repr(C)]
struct Report {
    cells: [u32; REPORT_CELLS],
    /// Printed by JS's `String` at the end of the message when `REPORT_HAS_NUMBER` is 1.
    number: f64,
}

// JS reads the number right after the cells.
const _: () = assert!(std::mem::offset_of!(Report, number) == 4 * REPORT_CELLS);

/// The latest error and the text its report points at (kept until the next error).
struct Latest {
    report: Report,
    text: Cow<'static, str>,
}

thread_local! {
    static LATEST: RefCell<Latest> = const {
        RefCell::new(Latest { report: Report { cells: [0; REPORT_CELLS], number: 0.0 }, text: Cow::Borrowed("") })
    };
}

/// Whether `result` is a refusal: if so, it is now the latest error (`errorReport`).
pub fn refused<T>(result: Result<T, Refusal>) -> bool {
    match result {
        Ok(_) => false,
        Err(refusal) => {
            record(refusal);
            true
        }
    }
}

/// Makes `refusal` the latest error. Apart and cold: the formatting stays out of the callers.
#[cold]
#[inline(never)]
pub fn record(refusal: Refusal) {
    let (class, text, number) = match refusal {
        // No formatting: there may be no memory to format into.
        Refusal::Core(CoreError::OutOfMemory(_)) => (
            ErrorClass::RangeError,
            Cow::Borrowed(OutOfMemory::MESSAGE),
            None,
        ),
        Refusal::Core(error) => (ErrorClass::of(&error), Cow::Owned(error.to_string()), None),
        Refusal::NotWholeNumber { message, value } => {
            (ErrorClass::RangeError, Cow::Owned(message), Some(value))
        }
    };
    LATEST.with_borrow_mut(|latest| {
        latest.text = text;
        let cells = &mut latest.report.cells;
        cells[REPORT_CLASS] = class as u32;
        cells[REPORT_TEXT_AT] = latest.text.as_ptr() as usize as u32;
        cells[REPORT_TEXT_LEN] = latest.text.len() as u32;
        cells[REPORT_HAS_NUMBER] = u32::from(number.is_some());
        latest.report.number = number.unwrap_or(0.0);
    });
}

/// The address of the latest error's report (its layout: the `REPORT_*` constants): read it
/// right after a call that returned a failure.
#[wasm_bindgen(js_name = errorReport)]
pub fn error_report() -> u32 {
    LATEST.with_borrow(|latest| &latest.report as *const Report as usize as u32)
}

//! [`WasmFlights`]: the core's per-key dedup of pending computations, without a local store —
//! for functions memoized over a storage outside the process (Redis), where the value lives
//! elsewhere but concurrent callers in this process must still share one computation.

use cashier_core::{FlightTable, OutOfMemory, Ticket};
use wasm_bindgen::prelude::*;

use crate::headroom;

/// A table of pending computations by key: the first caller of a key starts its flight, callers
/// arriving while it is pending join it, and completing, failing or cancelling ends it.
#[wasm_bindgen]
pub struct WasmFlights {
    table: FlightTable<String>,
    /// The serial of the flight the latest `begin` started (read by `startedSerial`).
    started_serial: u32,
}

#[wasm_bindgen]
impl WasmFlights {
    /// An empty table whose index is hashed with the given seed (drawn from
    /// `crypto.getRandomValues` by the wrapper).
    #[wasm_bindgen(constructor)]
    pub fn new(seed_low: u32, seed_high: u32) -> WasmFlights {
        WasmFlights {
            table: FlightTable::new((u64::from(seed_high) << 32) | u64::from(seed_low)),
            started_serial: 0,
        }
    }

    /// Joins `key`'s pending flight, returning `-(slot + 1)`, or starts one, returning its slot
    /// (≥ 0; its serial is then `startedSerial()`). Slots are unique among pending flights.
    /// Out of memory: a `RangeError` and nothing started.
    pub fn begin(&mut self, key: &str) -> Result<f64, JsValue> {
        if let Some(id) = self.table.join(key) {
            return Ok(-(f64::from(id.slot()) + 1.0));
        }
        if !headroom::available() || self.table.try_reserve().is_err() {
            return Err(js_sys::RangeError::new(OutOfMemory::MESSAGE).into());
        }
        match self.table.begin(key.to_owned()) {
            Ok(ticket) => {
                self.started_serial = ticket.id().serial();
                Ok(f64::from(ticket.id().slot()))
            }
            // Unreachable: the key was not pending a moment ago, and nothing ran since.
            Err(id) => Ok(-(f64::from(id.slot()) + 1.0)),
        }
    }

    /// The serial of the flight the latest `begin` started.
    #[wasm_bindgen(js_name = startedSerial)]
    pub fn started_serial(&self) -> u32 {
        self.started_serial
    }

    /// Completes the flight `slot`/`serial` (its value went to the shared storage); false if it
    /// had already ended (cancelled by `cancel` or `clear`, its slot perhaps reused).
    pub fn complete(&mut self, slot: u32, serial: u32) -> bool {
        self.table
            .complete(Ticket::from_parts(slot, serial))
            .is_ok()
    }

    /// Fails the flight `slot`/`serial` (its computation threw); false if it had already ended.
    pub fn fail(&mut self, slot: u32, serial: u32) -> bool {
        self.table.fail(Ticket::from_parts(slot, serial)).is_ok()
    }

    /// Ends `key`'s pending flight, if any (its callers keep their promise; later callers start
    /// anew); returns its slot, or -1.
    pub fn cancel(&mut self, key: &str) -> f64 {
        self.table
            .cancel(key)
            .map_or(-1.0, |id| f64::from(id.slot()))
    }

    /// Ends every pending flight.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// How many flights are pending.
    pub fn pending(&self) -> u32 {
        self.table.len() as u32
    }
}

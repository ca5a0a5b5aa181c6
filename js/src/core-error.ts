// The error the core module reported for a call it refused. The module imports nothing from
// JavaScript (wasm/js/src/report.rs says why), so it cannot make a JS error itself: the call
// returns a failure and the module describes the error in its memory — its class, its message,
// and a number that ends the message, printed here as JavaScript prints numbers.

import { errorReport, wasmMemory } from "./wasm/cashier_js.js";
import { RANGE_ERROR, REPORT_CELLS, REPORT_CLASS, REPORT_HAS_NUMBER, REPORT_TEXT_AT, REPORT_TEXT_LEN, TYPE_ERROR } from "./layout.js";

/** @internal The error of the core module's latest refused call (to throw right after it). */
export function coreError(): Error {
  const buffer = wasmMemory().buffer;
  const at = errorReport();
  const report = new Uint32Array(buffer, at, REPORT_CELLS);
  let message = new TextDecoder().decode(new Uint8Array(buffer, report[REPORT_TEXT_AT]!, report[REPORT_TEXT_LEN]!));
  if (report[REPORT_HAS_NUMBER] === 1) message += String(new Float64Array(buffer, at + 4 * REPORT_CELLS, 1)[0]);
  const kind = report[REPORT_CLASS];
  return kind === TYPE_ERROR ? new TypeError(message) : kind === RANGE_ERROR ? new RangeError(message) : new Error(message);
}

// The package's WebAssembly memory, as users see it: how many bytes it takes, and the clear
// out-of-memory error in place of a trap when it is exhausted.

import { core } from "./wasm-core.js";
import { keyModule, keyModuleLoaded } from "./keys.js";

/** Bytes of WebAssembly memory the package uses (both modules, all storages together); it only grows, and a bounded cache keeps it bounded. */
export function wasmMemoryBytes(): number {
  return core().slotsMemoryBytes() + (keyModuleLoaded() ? keyModule().keysMemoryBytes() : 0);
}

/** @internal The error to report for `error` thrown by a wasm call: a trap while the module's
 * memory is exhausted (e.g. passing a key in) becomes the clear out-of-memory `RangeError`. */
export function boundaryError(error: unknown): unknown {
  if (!(error instanceof WebAssembly.RuntimeError) || !keyModuleLoaded()) return error;
  return keyModule().outOfMemoryError() ?? error;
}

// The core module (cashier_js: the local storages' rules), instantiated at its first use: the
// first storage, memoized function or option check. Code that reaches the core before any storage
// exists goes through core(); a storage handle implies it is ready.

import { checkKeyOptions, checkMilliseconds, checkTtl, initSync, slotsMemoryBytes, slotsNew, wasmMemory } from "./wasm/cashier_js.js";
import { wasmSources } from "./sources.js";
import { provideNodeAsyncContext } from "./node-context.js";

/** The glue's exports the package uses, by name: bundlers then leave out the glue's unused async loader. */
const api = { checkKeyOptions, checkMilliseconds, checkTtl, slotsMemoryBytes, slotsNew, wasmMemory };

let ready = false;

/** @internal The core module's glue, instantiated now if it was not yet. */
export function core(): typeof api {
  if (!ready) instantiate();
  return api;
}

/** @internal Whether the core module has been instantiated (it is not instantiated just to ask). */
export function coreReady(): boolean {
  return ready;
}

function instantiate(): void {
  const sources = wasmSources();
  initSync({ module: sources.core() });
  if (sources.nodeContext) provideNodeAsyncContext();
  ready = true;
}

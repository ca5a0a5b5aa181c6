// The key module (cashier_keys: the converter from JS values, the canonical key builder, the
// hashed serializers and the shared path's flight table), loaded on first need. Caches whose
// calls have primitive arguments never need it, so they start with the small core module alone.
// Its compiled module comes from where the core's does (sources.ts).

import { KeyOptionsJs, WasmFlights, WasmKeyBuilder, buildKey, initSync, keyHead, keysMemoryBytes, outOfMemoryError } from "./wasm/cashier_keys.js";
import { wasmSources } from "./sources.js";

/** The glue's exports the package uses, by name: bundlers then leave out the glue's unused async loader. */
const api = { KeyOptionsJs, WasmFlights, WasmKeyBuilder, buildKey, keyHead, keysMemoryBytes, outOfMemoryError };

/** @internal The key module's API. */
export type KeyModule = typeof api;

let loaded: KeyModule | undefined;

/** @internal The initialized key module, loaded now if it was not yet. */
export function keyModule(): KeyModule {
  if (loaded === undefined) {
    initSync({ module: wasmSources().keys() });
    loaded = api;
  }
  return loaded;
}

/** @internal Whether the key module has been loaded (it is not loaded just to ask). */
export function keyModuleLoaded(): boolean {
  return loaded !== undefined;
}

// The key module (cashier_keys: the converter from JS values, the canonical key builder, the
// hashed serializers and the shared path's flight table), loaded on first need. Caches whose
// calls have primitive arguments never need it, so they start with the small core module alone.
// Each runtime entry says where its compiled module comes from: its embedded bytes (browser.ts,
// node.ts) or the .wasm module workerd compiled at deploy (workerd.ts); it is instantiated when
// first asked.

import { KeyOptionsJs, WasmFlights, WasmKeyBuilder, buildKey, initSync, keyHead, keysMemoryBytes, outOfMemoryError } from "./wasm/cashier_keys.js";

/** The glue's exports the package uses, by name: bundlers then leave out the glue's unused async loader. */
const api = { KeyOptionsJs, WasmFlights, WasmKeyBuilder, buildKey, keyHead, keysMemoryBytes, outOfMemoryError };

/** @internal The key module's API. */
export type KeyModule = typeof api;

let loaded: KeyModule | undefined;
let compiled: (() => WebAssembly.Module) | undefined;

/** @internal Called by each runtime entry: how to get the compiled key module. */
export function provideKeyModule(module: () => WebAssembly.Module): void {
  compiled = module;
}

/** @internal The initialized key module, loaded now if it was not yet. */
export function keyModule(): KeyModule {
  if (loaded === undefined) {
    if (compiled === undefined) throw new Error("cashier-wasm: the key module has no loader; import the package through its entry point");
    initSync({ module: compiled() });
    loaded = api;
  }
  return loaded;
}

/** @internal Whether the key module has been loaded (it is not loaded just to ask). */
export function keyModuleLoaded(): boolean {
  return loaded !== undefined;
}

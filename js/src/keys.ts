// The key module (cashier_keys: the converter from JS values, the canonical key builder, the
// hashed serializers and the shared path's flight table), loaded on first need. Caches whose
// calls have primitive arguments never need it, so they start with the small core module alone.
// Each runtime entry says how to load it: from its embedded bytes (browser.ts, node.ts) or from
// the .wasm module workerd compiled at deploy (workerd.ts), instantiated when first asked.

import type * as KeyModule from "./wasm/cashier_keys.js";

/** @internal */
export type { KeyModule };

let loaded: typeof KeyModule | undefined;
let load: (() => typeof KeyModule) | undefined;

/** @internal Called by each runtime entry: how to get the initialized key module. */
export function provideKeyModule(loader: () => typeof KeyModule): void {
  load = loader;
}

/** @internal The initialized key module, loaded now if it was not yet. */
export function keyModule(): typeof KeyModule {
  if (loaded === undefined) {
    if (load === undefined) throw new Error("cashier-wasm: the key module has no loader; import the package through its entry point");
    loaded = load();
  }
  return loaded;
}

/** @internal Whether the key module has been loaded (it is not loaded just to ask). */
export function keyModuleLoaded(): boolean {
  return loaded !== undefined;
}

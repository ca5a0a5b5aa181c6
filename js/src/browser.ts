// Browsers, bundlers and any runtime without `node:async_hooks`: the core module compiles from
// its embedded bytes at import, synchronously; the key module when first needed (a cache of
// primitive arguments never needs it). No top-level await, no fetch, no asset: bundlers need no
// configuration and `require()` of this module gives the API at once.
import { initSync } from "./wasm/cashier_js.js";
import * as keys from "./wasm/cashier_keys.js";
import { base64 as coreBytes } from "./wasm/cashier_js_bytes.js";
import { base64 as keyBytes } from "./wasm/cashier_keys_bytes.js";
import { compileBase64 } from "./bytes.js";
import { provideKeyModule } from "./keys.js";

initSync({ module: compileBase64(coreBytes) });
provideKeyModule(() => {
  keys.initSync({ module: compileBase64(keyBytes) });
  return keys;
});

export * from "./index.js";

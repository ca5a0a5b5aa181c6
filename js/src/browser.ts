// Browsers, bundlers and any runtime without `node:async_hooks`: the core module compiles from
// its embedded bytes at import, synchronously; the key module when first needed (a cache of
// primitive arguments never needs it). No top-level await, no fetch, no asset: bundlers need no
// configuration and `require()` of this module gives the API at once.
import { initSync } from "./wasm/cashier_js.js";
import { hex as coreBytes } from "./wasm/cashier_js_bytes.js";
import { hex as keyBytes } from "./wasm/cashier_keys_bytes.js";
import { compileHex } from "./bytes.js";
import { provideKeyModule } from "./keys.js";

initSync({ module: compileHex(coreBytes()) });
provideKeyModule(() => compileHex(keyBytes()));

export * from "./index.js";

// Browsers, bundlers and any runtime without `node:async_hooks`: the main module, given the
// WebAssembly as embedded bytes, compiled synchronously when first needed (the key module only
// if a cache needs it: one of primitive arguments never does). No top-level await, no fetch, no
// asset: bundlers need no configuration and `require()` of this module gives the API at once.
import { hex as coreBytes } from "./wasm/cashier_js_bytes.js";
import { hex as keyBytes } from "./wasm/cashier_keys_bytes.js";
import { compileHex } from "./bytes.js";
import { handoff } from "./handoff.js";

handoff().sources = { core: () => compileHex(coreBytes()), keys: () => compileHex(keyBytes()), nodeContext: false };

export * from "./cashier.js";

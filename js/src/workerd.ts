// Cloudflare Workers (workerd): compiling WebAssembly from bytes is forbidden at run time, so the
// .wasm files are imported as modules (compiled WebAssembly.Modules) by the bundler/runtime and
// handed to the main module, which instantiates each when first needed.
import wasmModule from "./wasm/cashier_js_bg.wasm";
import keysModule from "./wasm/cashier_keys_bg.wasm";
import { handoff } from "./handoff.js";

handoff().sources = { core: () => wasmModule, keys: () => keysModule, nodeContext: false };

export * from "./cashier.js";

// Cloudflare Workers (workerd): compiling WebAssembly from bytes is forbidden at run time, so the
// .wasm file is imported as a module (a compiled WebAssembly.Module) by the bundler/runtime.
import wasmModule from "./wasm/cashier_js_bg.wasm";
import { initSync } from "./wasm/cashier_js.js";

initSync({ module: wasmModule });

export * from "./index.js";

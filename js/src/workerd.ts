// Cloudflare Workers (workerd): compiling WebAssembly from bytes is forbidden at run time, so the
// .wasm files are imported as modules (compiled WebAssembly.Modules) by the bundler/runtime. The
// key module is instantiated when first needed.
import wasmModule from "./wasm/cashier_js_bg.wasm";
import keysModule from "./wasm/cashier_keys_bg.wasm";
import { initSync } from "./wasm/cashier_js.js";
import { provideKeyModule } from "./keys.js";

initSync({ module: wasmModule });
provideKeyModule(() => keysModule);

export * from "./index.js";

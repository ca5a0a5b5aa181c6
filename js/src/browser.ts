// Browsers and bundlers: the .wasm file is fetched next to this module (top-level await).
import init from "./wasm/cashier_js.js";

await init({ module_or_path: new URL("./wasm/cashier_js_bg.wasm", import.meta.url) });

export * from "./index.js";

// Browsers and bundlers: both .wasm files are fetched next to this module (top-level await;
// browsers forbid compiling larger modules synchronously, so the key module cannot wait).
import init from "./wasm/cashier_js.js";
import * as keys from "./wasm/cashier_keys.js";
import { provideKeyModule } from "./keys.js";

await Promise.all([
  init({ module_or_path: new URL("./wasm/cashier_js_bg.wasm", import.meta.url) }),
  keys.default({ module_or_path: new URL("./wasm/cashier_keys_bg.wasm", import.meta.url) }),
]);
provideKeyModule(() => keys);

export * from "./index.js";

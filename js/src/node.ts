// Node, Deno and Bun: the WebAssembly module is read from disk and compiled at import.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/cashier_js.js";

initSync({ module: readFileSync(new URL("./wasm/cashier_js_bg.wasm", import.meta.url)) });

export * from "./api.js";

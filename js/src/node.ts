// Node, Deno and Bun: the WebAssembly module is read from disk and compiled at import.
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/cashier_js.js";
import { useAsyncContext } from "./api.js";

initSync({ module: readFileSync(new URL("./wasm/cashier_js_bg.wasm", import.meta.url)) });
// Async re-entrancy detection follows calls across awaits.
useAsyncContext(new AsyncLocalStorage());

export * from "./index.js";

// CommonJS (`require("cashier-wasm")`): wasm-bindgen's Node glue loads the core module
// synchronously at require; the key module is required when first needed, and so is
// `node:async_hooks` (at the first async computation), for async re-entrancy detection.
import { provideKeyModule, type KeyModule } from "./keys.js";
import { provideAsyncContext } from "./context.js";
import { nodeAsyncContext } from "./node-context.js";

declare const require: (id: string) => unknown;
provideKeyModule(() => require("./wasm/cashier_keys.js") as typeof KeyModule);
let asyncHooks: typeof import("node:async_hooks") | undefined;
provideAsyncContext(nodeAsyncContext(() => (asyncHooks ??= require("node:async_hooks") as typeof import("node:async_hooks"))));

export * from "./index.js";

// CommonJS (`require("cashier-wasm")`): wasm-bindgen's Node glue loads the core module
// synchronously at require; the key module is required when first needed.
import { provideKeyModule, type KeyModule } from "./keys.js";

declare const require: (id: string) => unknown;
provideKeyModule(() => require("./wasm/cashier_keys.js") as typeof KeyModule);

export * from "./index.js";

// CommonJS (`require("cashier-wasm")`): wasm-bindgen's Node glue loads the module synchronously.
export * from "./index.js";

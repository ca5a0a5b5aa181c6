// Everything the main entry exports, whichever runtime entry loaded the WebAssembly module.
// The Redis storages live in the "cashier-wasm/redis" entry (redis-entry.ts), so that code is
// loaded only by applications that use it.
export * from "./api.js";
export * from "./shared.js";

// Everything the main entry exports (cashier.ts re-exports it; each runtime entry re-exports that).
// The Redis storages live in the "cashier-wasm/redis" entry (redis-entry.ts), so that code is
// loaded only by applications that use it.
export * from "./api.js";
export * from "./shared.js";

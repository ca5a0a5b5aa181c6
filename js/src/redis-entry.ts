// "cashier-wasm/redis": storages shared by processes and machines — RedisStorage, TieredStorage
// and their value serializer. Use them with `memoize` from "cashier-wasm".
export * from "./shared.js";
export * from "./values.js";
export * from "./redis.js";
export * from "./tiered.js";

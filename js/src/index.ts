// Everything the package exports, whichever runtime entry loaded the WebAssembly module.
export * from "./api.js";
export * from "./shared.js";
export * from "./values.js";
export * from "./redis.js";
export * from "./tiered.js";

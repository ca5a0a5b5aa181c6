// What the package's files hand each other at run time without exporting it. The main module
// (cashier.ts: plain Node's entry, which every other entry re-exports) keeps its namespace to the
// public API, so two things cross between it and the files bundled apart from it through one slot
// on globalThis: the WebAssembly an entry compiles for it (browser.ts, node.ts, workerd.ts → the
// main module, read at its first use), and the redis entry's TieredStorage class (defined in the
// main module, where the local storage's engine never leaves). The slot is named by the build, so
// two builds of the package in one process never take each other's modules. It holds no internal
// state: compiled modules and a public class.

import { BUILD_ID } from "./wasm/build-id.js";
import type { TieredStorage } from "./tiered.js";

/** @internal Where the compiled WebAssembly modules come from, and which async context applies. */
export interface WasmSources {
  /** The core module (the local storages' rules). */
  core(): WebAssembly.Module;
  /** The key module, compiled when first needed. */
  keys(): WebAssembly.Module;
  /** Whether Node's async context (node:async_hooks or V8's promise hooks) is used. */
  nodeContext: boolean;
}

/** @internal What crosses between the package's files. */
export interface Handoff {
  sources?: WasmSources;
  TieredStorage?: typeof TieredStorage;
}

const SLOT = Symbol.for(`cashier-wasm ${BUILD_ID}`);

/** @internal The slot of this build, created on first use (not enumerable). */
export function handoff(): Handoff {
  const global = globalThis as unknown as Record<symbol, Handoff | undefined>;
  let slot = global[SLOT];
  if (slot === undefined) {
    slot = {};
    Object.defineProperty(globalThis, SLOT, { value: slot, configurable: true });
  }
  return slot;
}

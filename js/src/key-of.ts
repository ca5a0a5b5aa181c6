// The key string of a call: built in JavaScript for the values it is sure of (fast-keys.ts), by the
// key module (WebAssembly) for everything else, or by the user's keyBuilder/serializer. One
// recipe for every storage, and `buildKey` for callers without a cache.

import type { WasmKeyBuilder } from "./wasm/cashier_keys.js";
import { keyModule } from "./keys.js";
import { reprKey } from "./fast-keys.js";
import { ANONYMOUS, keyOptions, type KeyOptionArgs } from "./options.js";
import type { KeyOptions, MemoizeOptions } from "./api.js";

/** The canonical key of a call to `name` with `args`: the same string every cashier binding builds. */
export function buildKey(name: string, args: readonly unknown[], options: KeyOptions = {}): string {
  if (!Array.isArray(args)) throw new TypeError("buildKey(name, args, options): args must be an array");
  const key = keyModule().buildKey(name, args as unknown[], keyOptions(options));
  return typeof options.serializer === "object" ? options.serializer.serialize(key) : key;
}

/** @internal Whether `options` give cashier's readable repr keys (no keyBuilder, no hashing or
 * custom serializer): the keys JavaScript can build itself, and index by value. */
export function reprKeys(options: MemoizeOptions): boolean {
  return typeof options.keyBuilder !== "function" && (options.serializer ?? "repr") === "repr";
}

/**
 * @internal
 * The key of a call to `name` (empty: anonymous) with `args` under `options` (already checked:
 * `optionArgs` is what {@link checkedKeyOptionArgs} returned; `positions` the sorted `cacheWith`).
 * Repr keys are built in JavaScript where it can (anything else goes to the converter); the key module is loaded and its key
 * builder made only when a call first needs them.
 */
export function makeKeyOf(name: string, options: MemoizeOptions, optionArgs: KeyOptionArgs, positions: number[] | undefined): (args: unknown[]) => string {
  let builder: WasmKeyBuilder | undefined;
  const memo = (): WasmKeyBuilder => (builder ??= new (keyModule().WasmKeyBuilder)(name || ANONYMOUS, new (keyModule().KeyOptionsJs)(...optionArgs)));
  const { keyBuilder, serializer } = options;
  if (typeof keyBuilder === "function" || typeof serializer === "object") {
    // A custom keyBuilder or serializer object (slow path): its result must be a string.
    return (args) => {
      const key = typeof keyBuilder === "function" ? keyBuilder(name, args) : memo().keyOf(args);
      const stored = typeof serializer === "object" ? serializer.serialize(key) : key;
      if (typeof stored !== "string") throw new TypeError("keyBuilder and serializer.serialize must return strings");
      return stored;
    };
  }
  if (!reprKeys(options)) return (args) => memo().keyOf(args);
  let fast: ((args: unknown[]) => string | undefined) | undefined;
  return (args) => (fast ??= reprKey(memo().keyHead(), positions, options))(args) ?? memo().keyOf(args);
}

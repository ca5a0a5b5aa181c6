// The checks a `memoize` call makes before anything is built: the function, its options and its
// storage, the name its keys carry, and that no other function already keys the same way on a
// shared storage. Each refusal is a TypeError naming the problem, thrown at `memoize` time.
// Internal: nothing here is exported from the package.

import { core } from "./wasm-core.js";
import { coreError } from "./core-error.js";
import type { KeyOptionsJs } from "./wasm/cashier_keys.js";
import { keyModule } from "./keys.js";
import { TTLMapAsyncStorage, TTLMapStorage } from "./storages.js";
import type { KeyOptions, MemoizeOptions } from "./api.js";

/** @internal The default of `maxKeyBytes`: 1 MiB. */
export const DEFAULT_MAX_KEY_BYTES = 1 << 20;

/** @internal The name in the keys of an anonymous function with a storage of its own (a shared
 * storage refuses anonymous functions: {@link resolveName}). */
export const ANONYMOUS = "anonymous";

/** A shared storage's size and clock are the storage's: one function cannot set them. */
const SHARED_SIZE_AND_CLOCK = "memoize: maxSize and clock belong to the shared storage; set them there";
/** On a shared storage the name tells functions' keys apart, so it cannot be empty. */
const SHARED_NEEDS_NAME = "memoize: an anonymous function sharing a storage needs a name (options.name)";

/** @internal The end of the error for a synchronous function given an async storage: a function
 * that returns promises without being declared `async` is not detected as async. */
export const UNDECLARED_ASYNC_HINT = "If it returns promises without being declared async, pass async: true";

/** @internal How an error message names `fn`. */
export function describe(fn: Function): string {
  return fn.name || "this function";
}

/** Whether `fn` is declared `async`. */
function isAsyncFunction(fn: Function): boolean {
  return fn.constructor?.name === "AsyncFunction";
}

/** Whether `fn` is a generator function (`function*` or `async function*`): its calls return
 * iterators, which are consumed once, so memoizing them would serve spent iterators. */
function isGeneratorFunction(fn: Function): boolean {
  const kind = fn.constructor?.name;
  return kind === "GeneratorFunction" || kind === "AsyncGeneratorFunction";
}

/**
 * @internal
 * Checks what every `memoize` call is given, whatever its storage: `fn` is a function that can
 * be memoized and a `keyBuilder` comes without the key options it would override. Returns
 * whether `fn` is async (declared so, or `async: true`).
 */
export function checkFunction(fn: unknown, options: MemoizeOptions): boolean {
  if (typeof fn !== "function") throw new TypeError("memoize(fn, options): fn must be a function");
  if (isGeneratorFunction(fn)) {
    throw new TypeError(`memoize: ${describe(fn)} is a generator function; its calls return iterators that are consumed once, so they cannot be cached. Memoize a function that returns the collected values instead`);
  }
  if (typeof options.keyBuilder === "function" && (options.version !== undefined || options.prefix !== undefined || options.cacheWith !== undefined)) {
    throw new TypeError("memoize: a keyBuilder builds the whole key, so version, prefix and cacheWith would not apply; put them in the keyBuilder");
  }
  return options.async === true || isAsyncFunction(fn);
}

/**
 * @internal
 * Checks `timeout`, `staleWhileRevalidate` and `onError`: durations are whole milliseconds ≥ 1
 * (checked by the core module), both serve async functions only, and a shared local storage
 * owns its stale window as it owns its size.
 */
export function checkFreshness(fn: Function, options: MemoizeOptions, isAsync: boolean, sharedStorage: boolean): void {
  const { timeout, staleWhileRevalidate, onError } = options;
  if (timeout !== undefined) {
    if (typeof timeout !== "number") throw new TypeError(`timeout must be a number of milliseconds, got ${typeof timeout}`);
    if (core().checkMilliseconds("timeout", timeout)) throw coreError();
    if (!isAsync) throw new TypeError(`memoize: ${describe(fn)} is synchronous; a timeout applies to async functions (a synchronous call cannot be given up). ${UNDECLARED_ASYNC_HINT}`);
  }
  if (staleWhileRevalidate !== undefined) {
    if (sharedStorage) throw new TypeError("memoize: staleWhileRevalidate belongs to the shared storage; set it there");
    if (typeof staleWhileRevalidate !== "number") throw new TypeError(`staleWhileRevalidate must be a number of milliseconds, got ${typeof staleWhileRevalidate}`);
    if (core().checkMilliseconds("staleWhileRevalidate", staleWhileRevalidate)) throw coreError();
    if (!isAsync) throw new TypeError(`memoize: ${describe(fn)} is synchronous; staleWhileRevalidate serves a stale value while an async refresh runs. ${UNDECLARED_ASYNC_HINT}`);
  }
  if (onError !== undefined && typeof onError !== "function") throw new TypeError("onError must be a function");
}

/** @internal Checks that `storage` is a local storage `fn` can use: a TTLMapStorage for a
 * synchronous function, a TTLMapAsyncStorage for an async one. */
export function checkLocalStorage(fn: Function, storage: unknown, isAsync: boolean): void {
  if (!(storage instanceof TTLMapStorage) && !(storage instanceof TTLMapAsyncStorage)) {
    throw new TypeError("storage must be a TTLMapStorage, a TTLMapAsyncStorage, or an async storage with getOrCompute (RedisStorage, TieredStorage)");
  }
  if (isAsync && storage instanceof TTLMapStorage) {
    throw new TypeError(`memoize: ${describe(fn)} is async; give it a TTLMapAsyncStorage, not a TTLMapStorage`);
  }
  if (!isAsync && storage instanceof TTLMapAsyncStorage) {
    throw new TypeError(
      `memoize: ${describe(fn)} is synchronous; give it a TTLMapStorage, not a TTLMapAsyncStorage. ${UNDECLARED_ASYNC_HINT}`,
    );
  }
}

/**
 * @internal
 * The name in `fn`'s keys: `options.name`, else `fn.name` (empty for an anonymous function with
 * a storage of its own). On a `shared` storage, which owns its size and clock, `maxSize` and
 * `clock` are refused and so is an empty name.
 */
export function resolveName(fn: Function, options: MemoizeOptions, shared: boolean): string {
  if (shared && (options.maxSize !== undefined || options.clock !== undefined)) throw new TypeError(SHARED_SIZE_AND_CLOCK);
  const name = options.name ?? fn.name;
  if (shared && !name) throw new TypeError(SHARED_NEEDS_NAME);
  return name;
}

/** @internal The key options as the WebAssembly modules take them, after the checks JavaScript makes. */
export type KeyOptionArgs = [prefix: string, version: string | undefined, selectAll: boolean, cacheWith: Uint32Array, serializer: string, maxKeyBytes: number];

/** @internal `options` as the WebAssembly modules take them; a TypeError for a malformed one. The
 * core checks the values (see {@link checkedKeyOptionArgs}). */
export function keyOptionArgs(options: KeyOptions): KeyOptionArgs {
  const { cacheWith, serializer = "repr", version, prefix = "", maxKeyBytes } = options;
  if (cacheWith !== undefined) {
    if (!Array.isArray(cacheWith) || !cacheWith.every((p) => Number.isInteger(p) && p >= 0 && p < 2 ** 32)) {
      throw new TypeError("cacheWith must be an array of parameter positions (whole numbers ≥ 0)");
    }
  }
  if (maxKeyBytes !== undefined && typeof maxKeyBytes !== "number") {
    throw new TypeError(`maxKeyBytes must be a number of bytes, got ${typeof maxKeyBytes}`);
  }
  if (typeof serializer !== "string" && typeof serializer?.serialize !== "function") {
    throw new TypeError('serializer must be "repr", "md5", "sha256" or an object with a serialize(key) method');
  }
  return [
    String(prefix),
    version === undefined ? undefined : String(version),
    cacheWith === undefined,
    Uint32Array.from(cacheWith ?? []),
    typeof serializer === "string" ? serializer : "repr",
    maxKeyBytes ?? Number.NaN,
  ];
}

/** @internal {@link keyOptionArgs}, with the name and the values checked by the small core module
 * exactly as the key builder will check them: `memoize` fails at once, without loading the key
 * module. */
export function checkedKeyOptionArgs(name: string, options: KeyOptions): KeyOptionArgs {
  const args = keyOptionArgs(options);
  if (core().checkKeyOptions(name || ANONYMOUS, ...args)) throw coreError();
  return args;
}

/** @internal `options` compiled by the key module (which checks them). */
export function keyOptions(options: KeyOptions): KeyOptionsJs {
  return new (keyModule().KeyOptionsJs)(...keyOptionArgs(options));
}

/** The functions memoized over each shared storage, by the head of their keys: two different
 * functions with one head would serve each other's values. */
const heads = new WeakMap<object, Map<string, Function>>();
/** Custom serializers, numbered: keys of different serializers are told apart by their owner. */
const serializerIds = new WeakMap<object, number>();
let serializers = 0;

/**
 * @internal
 * Records that `fn` keys as `name`/`version`/`prefix` in `storage`; a TypeError if another
 * function already does (the same function again is fine: it computes the same values). The
 * serializer is part of the head: repr, md5 and sha256 keys never look alike.
 */
export function claimHead(storage: object, fn: Function, name: string, options: KeyOptions): void {
  let claimed = heads.get(storage);
  if (claimed === undefined) heads.set(storage, (claimed = new Map()));
  const version = options.version === undefined ? undefined : String(options.version);
  const prefix = String(options.prefix ?? "");
  const { serializer = "repr" } = options;
  let serializing: string | number = typeof serializer === "string" ? serializer : 0;
  if (typeof serializer === "object") {
    let id = serializerIds.get(serializer);
    if (id === undefined) serializerIds.set(serializer, (id = ++serializers));
    serializing = id;
  }
  const head = JSON.stringify([prefix, name, version ?? null, serializing]);
  const owner = claimed.get(head);
  if (owner === undefined) {
    claimed.set(head, fn);
    return;
  }
  if (owner !== fn) {
    const what = `name "${name}"${version === undefined ? "" : `, version "${version}"`}${prefix ? `, prefix "${prefix}"` : ""}`;
    throw new TypeError(
      `memoize: another function with ${what} already uses this storage; their keys would clash and each would serve the other's values. Give one a different name (options.name), version or prefix`,
    );
  }
}

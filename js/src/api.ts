// The public API of cashier-wasm: memoize, the storages and buildKey. The cache rules (recency,
// expiry, eviction, pending computations, key encoding) live in the WebAssembly core; the
// storages' engine (engine.ts) adapts them and keeps the key → slot index and the values; this
// module adapts memoize to JavaScript (promises, `this`, options) and builds the keys.

import { checkKeyOptions, slotsMemoryBytes } from "./wasm/cashier_js.js";
import type { KeyOptionsJs, WasmKeyBuilder } from "./wasm/cashier_keys.js";
import { keyModule, keyModuleLoaded } from "./keys.js";
import { randomWords } from "./random.js";
import { isSharedAsyncStorage, type SharedAsyncStorage, type SharedStats } from "./shared.js";
import { currentFlights, insideFlight, leaveContext, runComputation, type Flight } from "./context.js";
import { ABSENT, BY_MANY, BY_ONE, BY_STRING, BY_TWO, Engine, NO_ARGUMENTS, PENDING_BASE, checkTtl, type Home } from "./engine.js";
import { TTLMapAsyncStorage, TTLMapStorage, engineOf, type CacheStats, type StorageOptions } from "./storages.js";

export { TTLMapAsyncStorage, TTLMapStorage };
export type { CacheStats, StorageOptions };

/** How the canonical key becomes the stored key. */
export type Serializer = "repr" | "md5" | "sha256" | { serialize(canonicalKey: string): string };

/** Options shared by {@link memoize} and {@link buildKey}. */
export interface KeyOptions {
  /** Prepended to every key, e.g. "myapp:". */
  prefix?: string;
  /** Rotating it gives every key of the function a new value. `[A-Za-z0-9._-]+`. */
  version?: string | number;
  /** Positions of the parameters that take part in the key. Default: all. */
  cacheWith?: readonly number[];
  /** "repr" (readable, the default), "md5", "sha256", or `{ serialize(key) }`. */
  serializer?: Serializer;
  /** The longest key accepted, in bytes. Default 1 MiB. */
  maxKeyBytes?: number;
}

/** Options of {@link memoize}. */
export interface MemoizeOptions extends KeyOptions, StorageOptions {
  /** The qualified name in keys. Default `fn.name`; required for anonymous functions on a shared storage. */
  name?: string;
  /** Build the key yourself: `(name, args) => string`. */
  keyBuilder?: (name: string, args: readonly unknown[]) => string;
  /**
   * A storage to share between functions: `TTLMapStorage` (sync functions), `TTLMapAsyncStorage`,
   * or a storage outside the process such as `RedisStorage`/`TieredStorage` (async functions).
   * `maxSize` and `clock` then belong to the storage.
   */
  storage?: TTLMapStorage | TTLMapAsyncStorage | SharedAsyncStorage;
  /** Treat a function that returns promises as async (declared `async` functions are detected). */
  async?: boolean;
}

/** The `.cache` of a memoized function. */
export interface MemoCache<A extends unknown[]> {
  /** Removes the entry for these arguments (and cancels its pending call); true if one was live. */
  delete(...args: A): boolean;
  /** Removes every entry of the function's storage. */
  clear(): void;
  /** The key these arguments have. */
  keyOf(...args: A): string;
  /** The storage's counters. */
  stats(): CacheStats;
}

/** The `.cache` of a function memoized over a storage outside the process (Redis): async. */
export interface SharedMemoCache<A extends unknown[]> {
  /** Removes the entry for these arguments wherever the storage reaches (and cancels this process's pending call). */
  delete(...args: A): Promise<boolean>;
  /** Makes every entry of the storage unreachable (by rotation). */
  clear(): Promise<void>;
  /** The key these arguments have. */
  keyOf(...args: A): string;
  /** This process's counters of the storage. */
  stats(): SharedStats;
}

/** A memoized function: the same signature, plus `.cache`. */
export type Memoized<F extends (...args: any[]) => any> = F & { readonly cache: MemoCache<Parameters<F>> };

/** A function memoized over a storage outside the process: the same signature, plus an async `.cache`. */
export type SharedMemoized<F extends (...args: any[]) => any> = F & { readonly cache: SharedMemoCache<Parameters<F>> };


type AnyFunction = (...args: any[]) => any;

/** Options of {@link memoize} over a storage it shares with other functions: `maxSize` and
 * `clock` then belong to the storage. */
export type SharedStorageOptions<S> = Omit<MemoizeOptions, "storage" | "maxSize" | "clock"> & { storage: S; maxSize?: never; clock?: never };

/** Options of {@link memoize} with a storage of its own (made from `maxSize`, `ttl`, `clock`). */
export type PrivateStorageOptions = Omit<MemoizeOptions, "storage"> & { storage?: undefined };

/** What `F` returns, for the storages it can use: "promise" (async), "value", or "unknown" (`any`). */
type Returns<F extends AnyFunction> = 0 extends 1 & ReturnType<F> ? "unknown" : [ReturnType<F>] extends [PromiseLike<unknown>] ? "promise" : "value";

/** The local storages a function returning `R` can share. */
type LocalStorageFor<R> = R extends "promise" ? TTLMapAsyncStorage : R extends "value" ? TTLMapStorage : TTLMapStorage | TTLMapAsyncStorage;

const DEFAULT_MAX_KEY_BYTES = 1 << 20;
/** Characters a string's canonical form escapes or rejects (KEYS.md): those go through wasm. */
const NEEDS_WASM = /["\\\u0000-\u001f\u007f\ud800-\udfff]/;
const NOT_FOUND: unique symbol = Symbol("cashier.notFound");

/** A hasher seed as (low, high) words; see {@link randomWords}. */
function randomSeed(): [number, number] {
  const [low, high] = randomWords(2);
  return [low!, high!];
}

function reentrant(name: string): Error {
  return new Error(`memoize: ${name || "an anonymous function"} awaited its own pending call with the same arguments (async re-entrancy); it would wait for itself forever`);
}

/** The functions memoized over each shared storage, by the head of their keys: two different
 * functions with one head would serve each other's values. */
const heads = new WeakMap<object, Map<string, Function>>();
/** Custom serializers, numbered: keys of different serializers are told apart by their owner. */
const serializerIds = new WeakMap<object, number>();
let serializers = 0;

/** Records that `fn` keys as `name`/`version`/`prefix` in `storage`; a TypeError if another
 * function already does (the same function again is fine: it computes the same values). The
 * serializer is part of the head: repr, md5 and sha256 keys never look alike. */
function claimHead(storage: object, fn: Function, name: string, options: KeyOptions): void {
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
/** The key options as the WebAssembly modules take them, after the checks JavaScript makes. */
type KeyOptionArgs = [prefix: string, version: string | undefined, selectAll: boolean, cacheWith: Uint32Array, serializer: string, maxKeyBytes: number];

function keyOptionArgs(options: KeyOptions): KeyOptionArgs {
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

function keyOptions(options: KeyOptions): KeyOptionsJs {
  return new (keyModule().KeyOptionsJs)(...keyOptionArgs(options));
}

/** Bytes of WebAssembly memory the package uses (both modules, all storages together); it only grows, and a bounded cache keeps it bounded. */
export function wasmMemoryBytes(): number {
  return slotsMemoryBytes() + (keyModuleLoaded() ? keyModule().keysMemoryBytes() : 0);
}

/** The error to report for `error` thrown by a wasm call: a trap while the module's memory is
 * exhausted (e.g. passing a key in) becomes the clear out-of-memory `RangeError`. */
function boundaryError(error: unknown): unknown {
  if (!(error instanceof WebAssembly.RuntimeError) || !keyModuleLoaded()) return error;
  return keyModule().outOfMemoryError() ?? error;
}

/** The canonical key of a call to `name` with `args`: the same string every cashier binding builds. */
export function buildKey(name: string, args: readonly unknown[], options: KeyOptions = {}): string {
  if (!Array.isArray(args)) throw new TypeError("buildKey(name, args, options): args must be an array");
  const key = keyModule().buildKey(name, args as unknown[], keyOptions(options));
  return typeof options.serializer === "object" ? options.serializer.serialize(key) : key;
}

function isAsyncFunction(fn: Function): boolean {
  return fn.constructor?.name === "AsyncFunction";
}

/** Whether `fn` is a generator function (`function*` or `async function*`): its calls return
 * iterators, which are consumed once, so memoizing them would serve spent iterators. */
function isGeneratorFunction(fn: Function): boolean {
  const kind = fn.constructor?.name;
  return kind === "GeneratorFunction" || kind === "AsyncGeneratorFunction";
}

/** The most bytes the head of a key (`{prefix}{name}[@{version}](`…`)`) can take in UTF-8. */
function headBytes(name: string, options: KeyOptions): number {
  const version = options.version === undefined ? "" : String(options.version);
  return 3 * (String(options.prefix ?? "").length + name.length + version.length) + 3;
}

/** A UTF-16 string that is not well formed (a lone surrogate): not a key, so the converter says why. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Characters a key escapes as `\uXXXX`: up to six bytes each. */
const ESCAPED = /[\u0000-\u001f\u007f]/;

/**
 * Whether a call's participating arguments can be indexed by value: all primitives the key
 * grammar accepts (no symbols, no lone surrogates) and, by a cautious estimate, a key within
 * `maxKeyBytes`. Anything else takes the key-string path, where the converter keys it or says
 * exactly why it cannot. Asked only on a miss.
 */
function keyableByValue(positions: number[] | undefined, maxKeyBytes: number): (args: unknown[]) => boolean {
  return (args) => {
    const count = positions ? positions.length : args.length;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const size = keyBytes(positions ? args[positions[i]!] : args[i]);
      if (size < 0) return false;
      bytes += size;
    }
    return bytes <= maxKeyBytes;
  };
}

/** At least the bytes `value` takes in a key, or -1 if the argument index cannot take it. */
function keyBytes(value: unknown): number {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
      return 25;
    case "string":
      if (LONE_SURROGATE.test(value)) return -1;
      return value.length * (ESCAPED.test(value) ? 6 : 3) + 3;
    case "bigint":
      return value.toString().length + 2;
    case "object":
      return value === null ? 5 : -1;
    default:
      return -1;
  }
}

/**
 * The repr key of a call whose participating arguments are all primitives, built without
 * leaving JS, or undefined for anything else. The canonical forms involved are JavaScript's own
 * — numbers are ECMAScript Number::toString, BigInts their decimal digits + "n", plain strings
 * quoted — so this is the core's encoding, not a second one; every shared vector checks that
 * both paths agree. Objects, strings needing escapes and keys that may exceed maxKeyBytes go
 * through wasm. `head` is the key's start, `{prefix}{label}(`.
 */
function primitiveKey(head: string, options: KeyOptions): (args: unknown[]) => string | undefined {
  const positions = options.cacheWith ? [...options.cacheWith].sort((a, b) => a - b) : undefined;
  const maxKeyChars = Math.floor((options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES) / 3);
  return (args) => {
    let key = head;
    const count = positions ? positions.length : args.length;
    for (let i = 0; i < count; i++) {
      const value = positions ? args[positions[i]!] : args[i];
      if (i > 0) key += ",";
      switch (typeof value) {
        case "number":
          key += value;
          break;
        case "string":
          if (NEEDS_WASM.test(value)) return undefined;
          key += '"' + value + '"';
          break;
        case "boolean":
          key += value ? "true" : "false";
          break;
        case "undefined":
          key += "undefined";
          break;
        case "bigint":
          key += value + "n";
          break;
        case "object":
          if (value !== null) return undefined;
          key += "null";
          break;
        default:
          return undefined;
      }
    }
    key += ")";
    return key.length <= maxKeyChars ? key : undefined;
  };
}

/**
 * Memoizes `fn`. Calls with equal arguments (by value; see `core/KEYS.md`) share one stored
 * result until it expires or is evicted. Async functions share one pending promise per key:
 * concurrent callers get the same value or the same rejection, and a rejection caches nothing.
 * A storage outside the process (`RedisStorage`, `TieredStorage`) takes async functions only; a
 * `TTLMapStorage` synchronous ones, a `TTLMapAsyncStorage` async ones.
 */
export function memoize<F extends AnyFunction>(fn: F, options: Returns<F> extends "value" ? never : SharedStorageOptions<SharedAsyncStorage>): SharedMemoized<F>;
export function memoize<F extends AnyFunction>(fn: F, options: SharedStorageOptions<LocalStorageFor<Returns<F>>>): Memoized<F>;
export function memoize<F extends AnyFunction>(fn: F, options?: PrivateStorageOptions): Memoized<F>;
export function memoize<F extends AnyFunction>(fn: F, options: MemoizeOptions = {}): Memoized<F> | SharedMemoized<F> {
  if (typeof fn !== "function") throw new TypeError("memoize(fn, options): fn must be a function");
  if (isGeneratorFunction(fn)) {
    throw new TypeError(`memoize: ${fn.name || "this function"} is a generator function; its calls return iterators that are consumed once, so they cannot be cached. Memoize a function that returns the collected values instead`);
  }
  if (typeof options.keyBuilder === "function" && (options.version !== undefined || options.prefix !== undefined || options.cacheWith !== undefined)) {
    throw new TypeError("memoize: a keyBuilder builds the whole key, so version, prefix and cacheWith would not apply; put them in the keyBuilder");
  }
  const isAsync = options.async === true || isAsyncFunction(fn);
  const given = options.storage;
  if (isSharedAsyncStorage(given)) return memoizeShared(fn, options, given, isAsync);
  const declared = fn.name || "this function";
  if (given !== undefined) {
    if (!(given instanceof TTLMapStorage) && !(given instanceof TTLMapAsyncStorage)) {
      throw new TypeError("storage must be a TTLMapStorage, a TTLMapAsyncStorage, or an async storage with getOrCompute (RedisStorage, TieredStorage)");
    }
    if (isAsync && given instanceof TTLMapStorage) {
      throw new TypeError(`memoize: ${declared} is async; give it a TTLMapAsyncStorage, not a TTLMapStorage`);
    }
    if (!isAsync && given instanceof TTLMapAsyncStorage) {
      throw new TypeError(
        `memoize: ${declared} is synchronous; give it a TTLMapStorage, not a TTLMapAsyncStorage. If it returns promises without being declared async, pass async: true`,
      );
    }
    if (options.maxSize !== undefined || options.clock !== undefined) {
      throw new TypeError("memoize: maxSize and clock belong to the shared storage; set them there");
    }
  }
  const name = options.name ?? fn.name;
  if (!name && given !== undefined) {
    throw new TypeError("memoize: an anonymous function sharing a storage needs a name (options.name)");
  }
  // Over a shared storage the function's own ttl applies; otherwise the storage's default does.
  const ttl = given !== undefined ? options.ttl : undefined;
  checkTtl(ttl);
  // The name and key options are checked now, by the small core module; the key builder (in
  // the key module) is made when a call first needs a key string.
  const optionArgs = keyOptionArgs(options);
  checkKeyOptions(name || "anonymous", ...optionArgs);
  const { keyBuilder, serializer } = options;
  if (given !== undefined && typeof keyBuilder !== "function") claimHead(given, fn, name, options);
  const storage: Engine = given !== undefined ? engineOf(given) : new Engine(options, isAsync);
  let builder: WasmKeyBuilder | undefined;
  const memo = (): WasmKeyBuilder => (builder ??= new (keyModule().WasmKeyBuilder)(name || "anonymous", new (keyModule().KeyOptionsJs)(...optionArgs)));
  const custom = typeof keyBuilder === "function" || typeof serializer === "object";

  // The key of `args` under a custom keyBuilder or serializer object (slow path).
  const customKey = (args: unknown[]): string => {
    const key = keyBuilder ? keyBuilder(name, args) : memo().keyOf(args);
    const stored = typeof serializer === "object" ? serializer.serialize(key) : key;
    if (typeof stored !== "string") throw new TypeError("keyBuilder and serializer.serialize must return strings");
    return stored;
  };
  const fast = !custom && (options.serializer ?? "repr") === "repr";
  let primitive: ((args: unknown[]) => string | undefined) | undefined;
  const fastKey = (args: unknown[]) => (primitive ??= primitiveKey(memo().keyHead(), options))(args);
  const keyOf: (args: unknown[]) => string = custom
    ? customKey
    : fast
      ? (args) => fastKey(args) ?? memo().keyOf(args)
      : (args) => memo().keyOf(args);

  // A private cache with repr keys indexes calls of primitive arguments by the arguments
  // themselves (see engine.ts); everything else, and every shared storage, by the key string. (Hashed serializers keep string keys: V8 hashes strings with a secret seed,
  // numbers not.) Only the participating arguments (cacheWith) are ever read.
  const byValue = fast && given === undefined;
  const positions = options.cacheWith ? [...options.cacheWith].sort((a, b) => a - b) : undefined;
  const maxKeyBytes = (options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES) - headBytes(name, options) - 64;
  const keyable = keyableByValue(positions, maxKeyBytes);

  // Where the latest lookup that found nothing would store: the key's home and its parts there.
  let missHome: Home = BY_STRING;
  let missFirst: unknown;
  let missSecond: unknown;
  /** The home of a call's key in the argument index, and its parts there (see engine.ts). */
  const place = (args: unknown[]): void => {
    const count = positions ? positions.length : args.length;
    if (count > 2) {
      missHome = BY_MANY;
      missFirst = positions ? positions.map((position) => args[position]) : args;
      missSecond = undefined;
    } else {
      missHome = count === 2 ? BY_TWO : BY_ONE;
      missFirst = count === 0 ? NO_ARGUMENTS : positions ? args[positions[0]!] : args[0];
      missSecond = count === 2 ? (positions ? args[positions[1]!] : args[1]) : undefined;
    }
  };
  const locate = (args: unknown[]): number => {
    if (byValue) {
      place(args);
      const found = storage.check(storage.find(missHome, missFirst, missSecond));
      if (found !== ABSENT) return found;
      if (keyable(args)) return ABSENT;
    }
    const key = keyOf(args);
    missHome = BY_STRING;
    missFirst = key;
    missSecond = undefined;
    return storage.check(storage.strings.get(key));
  };

  /** Joins the pending computation a lookup found (`found` ≤ PENDING_BASE). */
  const join = (found: number): Promise<unknown> => {
    const flight = storage.values[PENDING_BASE - found] as Flight;
    if (insideFlight(flight)) return Promise.reject(reentrant(name));
    storage.countJoin();
    return flight.promise;
  };

  /**
   * A synchronous miss: runs `fn` (with `args`, or with the one argument `single`) and stores
   * its value under the key unless a delete, set or clear came first. A same-key call from
   * inside the computation is an error.
   */
  const computeSync = (thisArg: unknown, home: Home, first: unknown, second: unknown, args: unknown[] | undefined, single: unknown): unknown => {
    if (storage.busyDepth > 0 && storage.isBusy(home, first, second)) {
      throw new Error(`memoize: ${name || "an anonymous function"} was called again with the same arguments while computing them (synchronous re-entrancy)`);
    }
    storage.countMiss();
    const epoch = storage.epoch;
    storage.enter(home, first, second);
    let value: unknown;
    try {
      value = args === undefined ? fn.call(thisArg, single) : fn.apply(thisArg, args);
    } catch (error) {
      storage.leave(home, first, second, epoch, undefined, ttl, true);
      throw error;
    }
    try {
      storage.leave(home, first, second, epoch, value, ttl, false);
    } catch (error) {
      throw boundaryError(error);
    }
    return value;
  };

  let memoized: (this: unknown, ...args: unknown[]) => unknown;
  if (!isAsync) {
    memoized = function (this: unknown, ...args: unknown[]) {
      let found: number;
      try {
        found = locate(args);
      } catch (error) {
        throw boundaryError(error);
      }
      if (found >= 0) return storage.values[found];
      return computeSync(this, missHome, missFirst, missSecond, args, undefined);
    };
  } else {
    memoized = function (this: unknown, ...args: unknown[]) {
      let found: number;
      try {
        found = locate(args);
      } catch (error) {
        return Promise.reject(boundaryError(error));
      }
      if (found >= 0) return Promise.resolve(storage.values[found]);
      if (found !== ABSENT) return join(found);
      storage.countMiss();
      let slot: number;
      try {
        slot = storage.begin(missHome, missFirst, missSecond);
      } catch (error) {
        return Promise.reject(boundaryError(error));
      }
      const serial = storage.serial();
      const flight: Flight = { serial, promise: undefined as unknown as Promise<unknown> };
      const lineage = [...currentFlights(), flight];
      // Registered before `fn` runs, so a same-key call from inside it finds this flight.
      storage.values[slot] = flight;
      let started: Promise<unknown>;
      try {
        started = Promise.resolve(runComputation(lineage, () => fn.apply(this, args)));
      } catch (error) {
        leaveContext();
        storage.fail(slot, serial);
        return Promise.reject(error);
      }
      const promise = started.then(
        (value) => {
          leaveContext();
          storage.complete(slot, serial, value, ttl);
          return value;
        },
        (error) => {
          leaveContext();
          storage.fail(slot, serial);
          throw error;
        },
      );
      flight.promise = promise;
      return promise;
    };
  }

  // Calls of one or two arguments on a private cache: no rest array, no key, no loop. Anything
  // else, and every miss but a synchronous one-argument miss, goes through the general wrapper.
  if (byValue && positions === undefined) {
    const general = memoized;
    const ones = storage.ones;
    const twos = storage.twos;
    const find = (count: number, a: unknown, b: unknown): number => {
      if (count === 1) return storage.check(ones.get(a));
      const first = twos.get(a);
      if (first === undefined) return ABSENT;
      if (typeof first !== "number") return storage.check(first.get(b));
      // The only entry with this first argument: its second is kept by slot.
      const second = storage.seconds[first];
      return second === b || (second !== second && b !== b) ? storage.check(first) : ABSENT;
    };
    memoized = isAsync
      ? function (this: unknown, a?: unknown, b?: unknown) {
          const count = arguments.length;
          if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
          const found = find(count, a, b);
          if (found >= 0) return Promise.resolve(storage.values[found]);
          if (found !== ABSENT) return join(found);
          return general.apply(this, arguments as unknown as unknown[]);
        }
      : function (this: unknown, a?: unknown, b?: unknown) {
          const count = arguments.length;
          if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
          const found = find(count, a, b);
          if (found >= 0) return storage.values[found];
          const size = count === 1 ? keyBytes(a) : -1;
          if (size < 0 || size > maxKeyBytes) return general.apply(this, arguments as unknown as unknown[]);
          return computeSync(this, BY_ONE, a, undefined, undefined, a);
        };
  }

  /** Removes the entry (or cancels the computation) these arguments have. */
  const remove = (args: unknown[]): boolean => {
    if (byValue && keyable(args)) {
      place(args);
      return storage.deleteAt(missHome, missFirst, missSecond);
    }
    return storage.deleteKey(keyOf(args));
  };

  const cache: MemoCache<Parameters<F>> = {
    delete: (...args) => remove(args),
    clear: () => storage.clearAll(),
    keyOf: (...args) => keyOf(args),
    stats: () => storage.counters(),
  };
  return withCache(memoized, fn, cache) as Memoized<F>;
}

/** `memoized` dressed as `fn` (its name and length), with `.cache`. */
function withCache(memoized: Function, fn: Function, cache: object): unknown {
  Object.defineProperty(memoized, "cache", { value: cache, enumerable: true });
  Object.defineProperty(memoized, "name", { value: fn.name, configurable: true });
  Object.defineProperty(memoized, "length", { value: fn.length, configurable: true });
  return memoized;
}

/**
 * memoize over a storage outside the process: the key is built here, concurrent calls of one key
 * in this process share one promise, and the storage answers or computes (and, with a lock, makes
 * other processes wait for this one).
 */
function memoizeShared<F extends (...args: any[]) => any>(
  fn: F,
  options: MemoizeOptions,
  storage: SharedAsyncStorage,
  isAsync: boolean,
): SharedMemoized<F> {
  if (!isAsync) {
    throw new TypeError(
      `memoize: ${fn.name || "this function"} is synchronous; a storage outside the process answers with promises, so give it a TTLMapStorage. If it returns promises without being declared async, pass async: true`,
    );
  }
  if (options.maxSize !== undefined || options.clock !== undefined) {
    throw new TypeError("memoize: maxSize and clock belong to the shared storage; set them there");
  }
  const name = options.name ?? fn.name;
  if (!name) throw new TypeError("memoize: an anonymous function sharing a storage needs a name (options.name)");
  const { keyBuilder, serializer, ttl } = options;
  checkTtl(ttl);
  if (typeof keyBuilder !== "function") claimHead(storage, fn, name, options);
  const compiled = keyOptions(options);
  const fast = !keyBuilder && (serializer ?? "repr") === "repr";
  const keys = keyModule();
  const fastKey = fast ? primitiveKey(keys.keyHead(name, compiled), options) : () => undefined;
  const keyOf = (args: unknown[]): string => {
    const key = keyBuilder ? keyBuilder(name, args) : (fastKey(args) ?? keys.buildKey(name, args, compiled));
    const stored = typeof serializer === "object" ? serializer.serialize(key) : key;
    if (typeof stored !== "string") throw new TypeError("keyBuilder and serializer.serialize must return strings");
    return stored;
  };
  // Per-key dedup is the core's flight table; JS keeps each flight's promise by its slot.
  const [low, high] = randomSeed();
  const table = new keys.WasmFlights(low, high);
  const flights = new Map<number, Flight>();
  const peek = storage.peek;
  const memoized = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    let key: string;
    let begun: number;
    try {
      key = keyOf(args);
      if (peek) {
        const found = peek.call(storage, key, NOT_FOUND);
        if (found !== NOT_FOUND) return Promise.resolve(found);
      }
      begun = table.begin(key);
    } catch (error) {
      return Promise.reject(boundaryError(error));
    }
    if (begun < 0) {
      const joined = flights.get(-begun - 1)!;
      return insideFlight(joined) ? Promise.reject(reentrant(name)) : joined.promise;
    }
    const slot = begun;
    const flight: Flight = { serial: table.startedSerial(), promise: undefined as unknown as Promise<unknown> };
    const lineage = [...currentFlights(), flight];
    const compute = () => {
      let result: unknown;
      try {
        result = runComputation(lineage, () => fn.apply(this, args));
      } catch (error) {
        leaveContext();
        throw error;
      }
      Promise.resolve(result).then(leaveContext, leaveContext);
      return result;
    };
    // Registered before the storage runs `compute`, so a same-key call from inside finds it.
    flights.set(slot, flight);
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(storage.getOrCompute(key, compute, ttl));
    } catch (error) {
      answer = Promise.reject(error); // a storage that throws instead of rejecting
    }
    // A cancelled flight's slot may already belong to a newer one: only the owner releases it.
    flight.promise = answer.then(
      (value) => {
        if (table.complete(slot, flight.serial)) flights.delete(slot);
        return value;
      },
      (error: unknown) => {
        if (table.fail(slot, flight.serial)) flights.delete(slot);
        throw error;
      },
    );
    return flight.promise;
  };
  const cancel = (slot: number) => {
    if (slot >= 0) flights.delete(slot);
  };
  const cache: SharedMemoCache<Parameters<F>> = {
    delete: (...args) => {
      const key = keyOf(args);
      cancel(table.cancel(key));
      return storage.delete(key);
    },
    clear: () => {
      table.clear();
      flights.clear();
      return storage.clear();
    },
    keyOf: (...args) => keyOf(args),
    stats: () => storage.stats(),
  };
  return withCache(memoized, fn, cache) as SharedMemoized<F>;
}

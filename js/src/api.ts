// The public API of cashier-wasm: memoize, the storages and buildKey. Every cache rule lives in
// the WebAssembly core; this module adapts it to JavaScript (promises, `this`, options).

import {
  KeyOptionsJs,
  WasmFlights,
  WasmStore,
  buildKey as wasmBuildKey,
  keyHead as wasmKeyHead,
  outOfMemoryError,
  wasmMemoryBytes as wasmMemory,
} from "./wasm/cashier_js.js";
import type { WasmMemo } from "./wasm/cashier_js.js";
import { randomWords } from "./random.js";
import { isSharedAsyncStorage, type SharedAsyncStorage, type SharedStats } from "./shared.js";

/** How the canonical key becomes the stored key. */
export type Serializer = "repr" | "md5" | "sha256" | { serialize(canonicalKey: string): string };

/** Options of {@link TTLMapStorage} and {@link TTLMapAsyncStorage}. */
export interface StorageOptions {
  /** The most entries held; the least recently used is evicted. Default 1000. */
  maxSize?: number;
  /** Default time to live in milliseconds (a whole number ≥ 1); omitted: entries never expire. */
  ttl?: number;
  /** The time source in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Counters of a storage. `hits + misses` = lookups; `joined` = hits that shared a pending call. */
export interface CacheStats {
  hits: number;
  misses: number;
  joined: number;
  evictions: number;
  expirations: number;
  size: number;
  pending: number;
}

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

const DEFAULT_MAX_SIZE = 1000;
const DEFAULT_MAX_KEY_BYTES = 1 << 20;
/** Characters a string's canonical form escapes or rejects (KEYS.md): those go through wasm. */
const NEEDS_WASM = /["\\\u0000-\u001f\u007f\ud800-\udfff]/;
const NOT_FOUND: unique symbol = Symbol("cashier.notFound");

/** A hasher seed as (low, high) words; see {@link randomWords}. */
function randomSeed(): [number, number] {
  const [low, high] = randomWords(2);
  return [low!, high!];
}

function toStats(values: Float64Array): CacheStats {
  const [hits, misses, joined, evictions, expirations, size, pending] = values as unknown as number[];
  return { hits: hits!, misses: misses!, joined: joined!, evictions: evictions!, expirations: expirations!, size: size!, pending: pending! };
}

/**
 * Async context for re-entrancy detection: the flights whose computation the current code runs
 * inside. Set by runtimes that have `AsyncLocalStorage` (the Node/Deno/Bun entry); elsewhere only
 * the synchronous part of a computation is tracked.
 */
interface FlightContext {
  getStore(): readonly Flight[] | undefined;
  run<R>(store: readonly Flight[], callback: () => R): R;
}
let flightContext: FlightContext | undefined;
/** Flights whose computation is running synchronously right now (fallback tracking). */
let synchronousFlights: readonly Flight[] = [];

/** @internal Called by runtime entries that provide AsyncLocalStorage. */
export function useAsyncContext(context: FlightContext): void {
  flightContext = context;
}

/** A pending computation shared by every caller of one key. */
interface Flight {
  serial: number;
  promise: Promise<unknown>;
}

function reentrant(name: string): Error {
  return new Error(`memoize: ${name || "an anonymous function"} awaited its own pending call with the same arguments (async re-entrancy); it would wait for itself forever`);
}

abstract class Storage {
  /** @internal */
  readonly engine: WasmStore;
  /** @internal Pending promises by flight slot (slots are unique among pending flights). */
  readonly flights = new Map<number, Flight>();
  /** @internal */
  readonly shared: boolean;

  constructor(options: StorageOptions = {}, shared = true) {
    const [low, high] = randomSeed();
    this.engine = new WasmStore(options.maxSize ?? DEFAULT_MAX_SIZE, options.ttl, low, high, options.clock);
    this.shared = shared;
  }

  protected lookupValue(key: string): unknown {
    return this.engine.get(key) ? this.engine.value() : undefined;
  }
}

/** A TTL + LRU storage of JavaScript values (kept by identity) for synchronous functions. */
export class TTLMapStorage extends Storage {
  /** A storage of `maxSize` entries (default 1000) with an optional default `ttl`. */
  constructor(options?: StorageOptions) {
    super(options);
  }
  /** The live value for `key`, or undefined (use {@link has} to tell a stored undefined apart). */
  get(key: string): unknown {
    return this.lookupValue(key);
  }
  /** Whether `key` has a live value. */
  has(key: string): boolean {
    return this.engine.has(key);
  }
  /** Stores `value` for `key`, with its own `ttl` or the default. */
  set(key: string, value: unknown, ttl?: number): void {
    this.engine.set(key, value, ttl);
  }
  /** Removes `key`; true if a live value was removed. */
  delete(key: string): boolean {
    return this.engine.delete(key);
  }
  /** Removes every entry. */
  clear(): void {
    this.engine.clear();
  }
  /** Invalidates every entry at once (O(1)). */
  bumpVersion(): void {
    this.engine.bumpVersion();
  }
  /** The counters. */
  stats(): CacheStats {
    return toStats(this.engine.stats());
  }
}

/** The same storage for async functions: every method returns a promise. */
export class TTLMapAsyncStorage extends Storage {
  /** A storage of `maxSize` entries (default 1000) with an optional default `ttl`. */
  constructor(options?: StorageOptions) {
    super(options);
  }
  async get(key: string): Promise<unknown> {
    return this.lookupValue(key);
  }
  async has(key: string): Promise<boolean> {
    return this.engine.has(key);
  }
  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    this.engine.set(key, value, ttl);
  }
  async delete(key: string): Promise<boolean> {
    return this.engine.delete(key);
  }
  async clear(): Promise<void> {
    this.engine.clear();
  }
  async bumpVersion(): Promise<void> {
    this.engine.bumpVersion();
  }
  async stats(): Promise<CacheStats> {
    return toStats(this.engine.stats());
  }
}

function keyOptions(options: KeyOptions): KeyOptionsJs {
  const { cacheWith, serializer = "repr", version, prefix = "", maxKeyBytes } = options;
  if (cacheWith !== undefined) {
    if (!Array.isArray(cacheWith) || !cacheWith.every((p) => Number.isInteger(p) && p >= 0 && p < 2 ** 32)) {
      throw new TypeError("cacheWith must be an array of parameter positions (whole numbers ≥ 0)");
    }
  }
  if (typeof serializer !== "string" && typeof serializer?.serialize !== "function") {
    throw new TypeError('serializer must be "repr", "md5", "sha256" or an object with a serialize(key) method');
  }
  return new KeyOptionsJs(
    String(prefix),
    version === undefined ? undefined : String(version),
    cacheWith === undefined,
    Uint32Array.from(cacheWith ?? []),
    typeof serializer === "string" ? serializer : "repr",
    maxKeyBytes ?? Number.NaN,
  );
}

/** Bytes of WebAssembly memory the package uses (all storages together); it only grows, and a bounded cache keeps it bounded. */
export function wasmMemoryBytes(): number {
  return wasmMemory();
}

/** The error to report for `error` thrown by a wasm call: a trap while the module's memory is
 * exhausted (e.g. passing a key in) becomes the clear out-of-memory `RangeError`. */
function boundaryError(error: unknown): unknown {
  return error instanceof WebAssembly.RuntimeError ? (outOfMemoryError() ?? error) : error;
}

/** A lookup refused because memory is exhausted: nothing started, cached entries still served. */
const REFUSED = 3;

/** The canonical key of a call to `name` with `args`: the same string every cashier binding builds. */
export function buildKey(name: string, args: readonly unknown[], options: KeyOptions = {}): string {
  if (!Array.isArray(args)) throw new TypeError("buildKey(name, args, options): args must be an array");
  const key = wasmBuildKey(name, args as unknown[], keyOptions(options));
  return typeof options.serializer === "object" ? options.serializer.serialize(key) : key;
}

function isAsyncFunction(fn: Function): boolean {
  return fn.constructor?.name === "AsyncFunction" || fn.constructor?.name === "AsyncGeneratorFunction";
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
 */
export function memoize<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions & { storage: SharedAsyncStorage }): SharedMemoized<F>;
export function memoize<F extends (...args: any[]) => any>(fn: F, options?: MemoizeOptions): Memoized<F>;
export function memoize<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions = {}): Memoized<F> | SharedMemoized<F> {
  if (typeof fn !== "function") throw new TypeError("memoize(fn, options): fn must be a function");
  const isAsync = options.async === true || isAsyncFunction(fn);
  const given = options.storage;
  if (isSharedAsyncStorage(given)) return memoizeShared(fn, options, given, isAsync);
  if (given !== undefined) {
    if (!(given instanceof TTLMapStorage) && !(given instanceof TTLMapAsyncStorage)) {
      throw new TypeError("storage must be a TTLMapStorage, a TTLMapAsyncStorage, or an async storage with getOrCompute (RedisStorage, TieredStorage)");
    }
    if (isAsync && given instanceof TTLMapStorage) {
      throw new TypeError(`memoize: ${fn.name || "this function"} is async; give it a TTLMapAsyncStorage, not a TTLMapStorage`);
    }
    if (!isAsync && given instanceof TTLMapAsyncStorage) {
      throw new TypeError(`memoize: ${fn.name || "this function"} is synchronous; give it a TTLMapStorage, not a TTLMapAsyncStorage`);
    }
    if (options.maxSize !== undefined || options.clock !== undefined) {
      throw new TypeError("memoize: maxSize and clock belong to the shared storage; set them there");
    }
  }
  const name = options.name ?? fn.name;
  if (!name && given !== undefined) {
    throw new TypeError("memoize: an anonymous function sharing a storage needs a name (options.name)");
  }
  const storage: Storage =
    given ?? (isAsync ? new TTLMapAsyncStorage(options) : new TTLMapStorage(options));
  const ttl = given !== undefined ? options.ttl : undefined;
  const engine = storage.engine;
  const memo: WasmMemo = engine.memo(name || "anonymous", keyOptions(options), NOT_FOUND);
  const { keyBuilder, serializer } = options;
  const custom = typeof keyBuilder === "function" || typeof serializer === "object";

  // The key of `args` under a custom keyBuilder or serializer object (slow path).
  const customKey = (args: unknown[]): string => {
    const key = keyBuilder ? keyBuilder(name, args) : memo.keyOf(args);
    const stored = typeof serializer === "object" ? serializer.serialize(key) : key;
    if (typeof stored !== "string") throw new TypeError("keyBuilder and serializer.serialize must return strings");
    return stored;
  };
  const fast = !custom && (options.serializer ?? "repr") === "repr";
  const fastKey = fast ? primitiveKey(memo.keyHead(), options) : () => undefined;

  // One lookup: the value on a hit, else NOT_FOUND with `state` holding the store's answer
  // (outcome + 4 × flight slot) — read at once, before `fn` can run another lookup.
  let state = 0;
  const notFound = () => {
    state = engine.state();
    if (state === REFUSED) throw outOfMemoryError() ?? new RangeError("out of memory");
    return NOT_FOUND;
  };
  const viaWasm = (args: unknown[]) => {
    const found = memo.lookup(args);
    return found === NOT_FOUND ? notFound() : found;
  };
  const lookup = custom
    ? (args: unknown[]) => (engine.lookup(customKey(args)) === 0 ? engine.value() : notFound())
    : fast
      ? (args: unknown[]) => {
          const key = fastKey(args);
          if (key === undefined) return viaWasm(args);
          const found = engine.find(key);
          if (found !== undefined) return found;
          // A stored undefined, or no hit at all: the state tells.
          return notFound() === NOT_FOUND && state % 4 === 0 ? undefined : NOT_FOUND;
        }
      : viaWasm;
  const keyOf = (args: unknown[]): string =>
    custom ? customKey(args) : ((fast ? fastKey(args) : undefined) ?? memo.keyOf(args));
  const complete = (slot: number, serial: number, value: unknown) => {
    try {
      engine.complete(slot, serial, value, ttl);
    } catch {
      // Stale: the key was deleted or cleared while computing. The caller still gets its value.
    }
  };
  const fail = (slot: number, serial: number) => {
    try {
      engine.fail(slot, serial);
    } catch {
      // Stale: nothing to release.
    }
  };

  let memoized: (this: unknown, ...args: unknown[]) => unknown;
  if (!isAsync) {
    memoized = function (this: unknown, ...args: unknown[]) {
      let found: unknown;
      try {
        found = lookup(args);
      } catch (error) {
        throw boundaryError(error);
      }
      if (found !== NOT_FOUND) return found;
      if (state % 4 === 1) {
        throw new Error(`memoize: ${name || "an anonymous function"} was called again with the same arguments while computing them (synchronous re-entrancy)`);
      }
      const slot = (state - (state % 4)) / 4;
      const serial = engine.flightSerial();
      let value: unknown;
      try {
        value = fn.apply(this, args);
      } catch (error) {
        fail(slot, serial);
        throw error;
      }
      complete(slot, serial, value);
      return value;
    };
  } else {
    const flights = storage.flights;
    memoized = function (this: unknown, ...args: unknown[]) {
      let found: unknown;
      try {
        found = lookup(args);
      } catch (error) {
        return Promise.reject(boundaryError(error));
      }
      if (found !== NOT_FOUND) return Promise.resolve(found);
      const slot = (state - (state % 4)) / 4;
      const serial = engine.flightSerial();
      if (state % 4 === 1) {
        const flight = flights.get(slot);
        if (flight !== undefined && flight.serial === serial) {
          const inside = flightContext?.getStore() ?? synchronousFlights;
          if (inside.includes(flight)) return Promise.reject(reentrant(name));
          return flight.promise;
        }
      }
      const flight: Flight = { serial, promise: undefined as unknown as Promise<unknown> };
      const ancestors = flightContext?.getStore() ?? synchronousFlights;
      const lineage = [...ancestors, flight];
      // Registered before `fn` runs, so a same-key call from inside it finds this flight.
      flights.set(slot, flight);
      let started: Promise<unknown>;
      const outer = synchronousFlights;
      synchronousFlights = lineage;
      try {
        const result = flightContext ? flightContext.run(lineage, () => fn.apply(this, args)) : fn.apply(this, args);
        started = Promise.resolve(result);
      } catch (error) {
        if (flights.get(slot) === flight) flights.delete(slot);
        fail(slot, serial);
        return Promise.reject(error);
      } finally {
        synchronousFlights = outer;
      }
      const release = () => {
        if (flights.get(slot) === flight) flights.delete(slot);
      };
      const promise = started.then(
        (value) => {
          release();
          complete(slot, serial, value);
          return value;
        },
        (error) => {
          release();
          fail(slot, serial);
          throw error;
        },
      );
      flight.promise = promise;
      return promise;
    };
  }

  const cache: MemoCache<Parameters<F>> = {
    delete: (...args) => {
      const key = custom ? customKey(args) : fast ? fastKey(args) : undefined;
      return key === undefined ? memo.delete(args) : engine.delete(key);
    },
    clear: () => engine.clear(),
    keyOf: (...args) => keyOf(args),
    stats: () => toStats(engine.stats()),
  };
  Object.defineProperty(memoized, "cache", { value: cache, enumerable: true });
  Object.defineProperty(memoized, "name", { value: fn.name, configurable: true });
  Object.defineProperty(memoized, "length", { value: fn.length, configurable: true });
  return memoized as unknown as Memoized<F>;
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
      `memoize: ${fn.name || "this function"} is synchronous; a storage outside the process answers with promises, so give it a TTLMapStorage (or declare it async)`,
    );
  }
  if (options.maxSize !== undefined || options.clock !== undefined) {
    throw new TypeError("memoize: maxSize and clock belong to the shared storage; set them there");
  }
  const name = options.name ?? fn.name;
  if (!name) throw new TypeError("memoize: an anonymous function sharing a storage needs a name (options.name)");
  const { keyBuilder, serializer, ttl } = options;
  const compiled = keyOptions(options);
  const fast = !keyBuilder && (serializer ?? "repr") === "repr";
  const fastKey = fast ? primitiveKey(wasmKeyHead(name, compiled), options) : () => undefined;
  const keyOf = (args: unknown[]): string => {
    const key = keyBuilder ? keyBuilder(name, args) : (fastKey(args) ?? wasmBuildKey(name, args, compiled));
    const stored = typeof serializer === "object" ? serializer.serialize(key) : key;
    if (typeof stored !== "string") throw new TypeError("keyBuilder and serializer.serialize must return strings");
    return stored;
  };
  // Per-key dedup is the core's flight table; JS keeps each flight's promise by its slot.
  const [low, high] = randomSeed();
  const table = new WasmFlights(low, high);
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
      const inside = flightContext?.getStore() ?? synchronousFlights;
      return inside.includes(joined) ? Promise.reject(reentrant(name)) : joined.promise;
    }
    const slot = begun;
    const flight: Flight = { serial: table.startedSerial(), promise: undefined as unknown as Promise<unknown> };
    const lineage = [...(flightContext?.getStore() ?? synchronousFlights), flight];
    const compute = () => {
      const outer = synchronousFlights;
      synchronousFlights = lineage;
      try {
        return flightContext ? flightContext.run(lineage, () => fn.apply(this, args)) : fn.apply(this, args);
      } finally {
        synchronousFlights = outer;
      }
    };
    // Registered before the storage runs `compute`, so a same-key call from inside finds it.
    flights.set(slot, flight);
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(storage.getOrCompute(key, compute, ttl));
    } catch (error) {
      answer = Promise.reject(error); // a storage that throws instead of rejecting
    }
    flight.promise = answer.finally(() => {
      // A cancelled flight's slot may already belong to a newer one: only the owner releases it.
      if (table.finish(slot, flight.serial)) flights.delete(slot);
    });
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
  Object.defineProperty(memoized, "cache", { value: cache, enumerable: true });
  Object.defineProperty(memoized, "name", { value: fn.name, configurable: true });
  Object.defineProperty(memoized, "length", { value: fn.length, configurable: true });
  return memoized as unknown as SharedMemoized<F>;
}

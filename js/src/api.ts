// The public API of cashier-wasm: what the main entry exports (index.ts), and the types of
// memoize's options and results. The cache rules (recency, expiry, eviction, pending
// computations, key encoding) live in the WebAssembly core; the modules behind this one each
// have one job:
// - memoize.ts: memoize's checks and its local storages' wrappers (the hit path); lookup.ts:
//   where a call's entry is; computations.ts: misses, joins, stale refreshes;
//   memoize-shared.ts: memoize over a storage outside the process (Redis);
// - options.ts: checks of memoize's options, the name in keys, name clashes on shared storages;
// - key-of.ts: the key string of a call (and buildKey); fast-keys.ts: keys of primitive
//   arguments built in JavaScript, and the byte estimates of the argument index;
// - engine.ts: a storage's engine and argument index; storages.ts: the public storage classes;
// - context.ts: re-entrancy; memory.ts: WebAssembly memory; with-cache.ts: `.cache`.

import type { SharedAsyncStorage, SharedStats } from "./shared.js";
import type { CacheStats, StorageOptions, TTLMapAsyncStorage, TTLMapStorage } from "./storages.js";

export { TTLMapAsyncStorage, TTLMapStorage } from "./storages.js";
export type { CacheStats, StorageOptions } from "./storages.js";
export { memoize } from "./memoize.js";
export { buildKey } from "./key-of.js";
export { TimeoutError } from "./timeout.js";
export { computationSignal } from "./context.js";
export { wasmMemoryBytes } from "./memory.js";

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
  /**
   * Async functions: a computation that has not settled after this many milliseconds rejects
   * every caller with a {@link TimeoutError}, caches nothing and frees the key, so the next
   * call computes afresh instead of joining the hung one. The computation can observe it through
   * {@link computationSignal}. Local storages only.
   */
  timeout?: number;
  /** Reports failed background refreshes (`staleWhileRevalidate`): the stale value is kept. */
  onError?: (error: unknown) => void;
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

/** Options of {@link memoize} over a storage it shares with other functions: `maxSize` and
 * `clock` then belong to the storage. */
export type SharedStorageOptions<S> = Omit<MemoizeOptions, "storage" | "maxSize" | "clock" | "staleWhileRevalidate"> & { storage: S; maxSize?: never; clock?: never; staleWhileRevalidate?: never };

/** Options of {@link memoize} with a storage of its own (made from `maxSize`, `ttl`, `clock`). */
export type PrivateStorageOptions = Omit<MemoizeOptions, "storage"> & { storage?: undefined };

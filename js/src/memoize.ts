// memoize: the checks every call makes, then a function memoized over a local storage (its own,
// or a TTLMapStorage/TTLMapAsyncStorage it shares); a storage outside the process goes to
// memoize-shared.ts. The wrappers made here are the hit path: each is one closure over the
// function's lookups (lookup.ts) and its engine (engine.ts), with the one- and two-argument calls
// of a private cache taking a shorter road (no rest array, no key string); what a call that finds
// no live value does is computations.ts'.

import { isSharedAsyncStorage, type SharedAsyncStorage } from "./shared.js";
import { ABSENT, BY_ONE, Engine, STALE_BASE, checkTtl } from "./engine.js";
import { asyncMiss, joiner, staleServer, syncMiss, type Computation, type ComputeAsync, type ComputeSync, type ServeStale } from "./computations.js";
import { Lookup } from "./lookup.js";
import { engineOf, type TTLMapAsyncStorage, type TTLMapStorage } from "./storages.js";
import { argumentBudget, keyBytes, keyableByValue, sortedPositions } from "./fast-keys.js";
import { makeKeyOf, reprKeys } from "./key-of.js";
import { boundaryError } from "./memory.js";
import { checkFreshness, checkFunction, checkLocalStorage, checkedKeyOptionArgs, claimHead, resolveName } from "./options.js";
import { memoizeShared } from "./memoize-shared.js";
import { withCache } from "./with-cache.js";
import type { MemoCache, MemoizeOptions, Memoized, PrivateStorageOptions, SharedMemoized, SharedStorageOptions } from "./api.js";

type AnyFunction = (...args: any[]) => any;

/** What `F` returns, for the storages it can use: "promise" (async), "value", or "unknown" (`any`). */
type Returns<F extends AnyFunction> = 0 extends 1 & ReturnType<F> ? "unknown" : [ReturnType<F>] extends [PromiseLike<unknown>] ? "promise" : "value";

/** The local storages a function returning `R` can share. */
type LocalStorageFor<R> = R extends "promise" ? TTLMapAsyncStorage : R extends "value" ? TTLMapStorage : TTLMapStorage | TTLMapAsyncStorage;

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
  const isAsync = checkFunction(fn, options);
  const given = options.storage;
  if (isSharedAsyncStorage(given)) return memoizeShared(fn, options, given, isAsync);
  if (given !== undefined) checkLocalStorage(fn, given, isAsync);
  return memoizeLocal(fn, options, given, isAsync);
}

/** `fn` memoized over `given` (a local storage it shares) or, without one, a storage of its own. */
function memoizeLocal<F extends AnyFunction>(fn: F, options: MemoizeOptions, given: TTLMapStorage | TTLMapAsyncStorage | undefined, isAsync: boolean): Memoized<F> {
  const name = resolveName(fn, options, given !== undefined);
  // Over a shared storage the function's own ttl applies; otherwise the storage's default does.
  const ttl = given !== undefined ? options.ttl : undefined;
  checkTtl(ttl);
  checkFreshness(fn, options, isAsync, given !== undefined);
  // The name and key options are checked now, by the small core module; the key builder (in
  // the key module) is made when a call first needs a key string.
  const optionArgs = checkedKeyOptionArgs(name, options);
  if (given !== undefined && typeof options.keyBuilder !== "function") claimHead(given, fn, name, options);
  const storage: Engine = given !== undefined ? engineOf(given) : new Engine(options, isAsync);
  // Only the participating arguments (cacheWith) are ever read.
  const positions = sortedPositions(options);
  const keyOf = makeKeyOf(name, options, optionArgs, positions);
  // A private cache with repr keys indexes calls of primitive arguments by the arguments.
  const byValue = reprKeys(options) && given === undefined;
  const budget = argumentBudget(name, options);
  const lookup = new Lookup(storage, positions, keyOf, byValue ? keyableByValue(positions, budget) : undefined);
  const c: Computation = { fn, name, ttl, timeout: options.timeout, onError: options.onError, storage };
  // Calls of one or two arguments then go straight to the argument index.
  const direct = byValue && positions === undefined;
  const memoized = isAsync ? wrapAsync(lookup, c, direct) : wrapSync(lookup, c, direct ? budget : undefined);
  return withCache(memoized, fn, localCache(storage, lookup, keyOf)) as Memoized<F>;
}

/** A memoized function's wrapper. */
type Wrapper = (this: unknown, ...args: unknown[]) => unknown;

/** The wrapper of synchronous `c`; with a `budget`, one- and two-argument calls take the direct road. */
function wrapSync(lookup: Lookup, c: Computation, budget: number | undefined): Wrapper {
  const miss = syncMiss(c);
  const general = syncWrapper(lookup, miss);
  return budget === undefined ? general : oneOrTwoSync(c.storage, general, miss, budget);
}

/** The wrapper of async `c`; when `direct`, one- and two-argument calls take the direct road. */
function wrapAsync(lookup: Lookup, c: Computation, direct: boolean): Wrapper {
  const join = joiner(c);
  const serveStale = staleServer(c);
  const general = asyncWrapper(lookup, asyncMiss(c), join, serveStale);
  return direct ? oneOrTwoAsync(c.storage, general, join, serveStale) : general;
}

/** The wrapper of a synchronous function over a local storage: a live value, else `miss`. */
function syncWrapper(lookup: Lookup, miss: ComputeSync): Wrapper {
  const storage = lookup.storage;
  return function (this: unknown, ...args: unknown[]) {
    let found: number;
    try {
      found = lookup.locate(args);
    } catch (error) {
      throw boundaryError(error);
    }
    if (found >= 0) return storage.valueAt(found);
    return miss(this, lookup.home, lookup.first, lookup.second, args, undefined);
  };
}

/** The wrapper of an async function over a local storage: a live value, a stale one (refreshed),
 * the pending computation of the key, else `miss`. */
function asyncWrapper(lookup: Lookup, miss: ComputeAsync, join: (found: number) => Promise<unknown>, serveStale: ServeStale): Wrapper {
  const storage = lookup.storage;
  return function (this: unknown, ...args: unknown[]) {
    let found: number;
    try {
      found = lookup.locate(args);
    } catch (error) {
      return Promise.reject(boundaryError(error));
    }
    if (found >= 0) return Promise.resolve(storage.valueAt(found));
    if (found <= STALE_BASE) return serveStale(this, args, found);
    if (found !== ABSENT) return join(found);
    return miss(this, args, lookup.home, lookup.first, lookup.second);
  };
}

/**
 * The wrapper of a synchronous private cache with repr keys over every argument: calls of one or
 * two arguments look in the argument index directly (no rest array, no key, no loop). Anything
 * else, and every miss but a one-argument miss within `budget`, goes through `general`.
 */
function oneOrTwoSync(storage: Engine, general: Wrapper, miss: ComputeSync, budget: number): Wrapper {
  return function (this: unknown, a?: unknown, b?: unknown) {
    const count = arguments.length;
    if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
    const found = storage.lookupOneOrTwo(count, a, b);
    if (found >= 0) return storage.valueAt(found);
    const size = count === 1 ? keyBytes(a) : -1;
    if (size < 0 || size > budget) return general.apply(this, arguments as unknown as unknown[]);
    return miss(this, BY_ONE, a, undefined, undefined, a);
  };
}

/** {@link oneOrTwoSync} for an async function: every miss goes through `general`. */
function oneOrTwoAsync(storage: Engine, general: Wrapper, join: (found: number) => Promise<unknown>, serveStale: ServeStale): Wrapper {
  return function (this: unknown, a?: unknown, b?: unknown) {
    const count = arguments.length;
    if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
    const found = storage.lookupOneOrTwo(count, a, b);
    if (found >= 0) return Promise.resolve(storage.valueAt(found));
    if (found <= STALE_BASE) return serveStale(this, count === 1 ? [a] : [a, b], found);
    if (found !== ABSENT) return join(found);
    return general.apply(this, arguments as unknown as unknown[]);
  };
}

/** The `.cache` of a function memoized over a local storage. */
function localCache<A extends unknown[]>(storage: Engine, lookup: Lookup, keyOf: (args: unknown[]) => string): MemoCache<A> {
  return {
    delete: (...args) => lookup.remove(args),
    clear: () => storage.clearAll(),
    keyOf: (...args) => keyOf(args),
    stats: () => storage.counters(),
  };
}

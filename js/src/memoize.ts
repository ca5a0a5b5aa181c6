// memoize: the checks every call makes, then a function memoized over a local storage (its own,
// or a TTLMapStorage/TTLMapAsyncStorage it shares); a storage outside the process goes to
// memoize-shared.ts. The wrappers made here are the hit path: each is one closure over the
// engine (engine.ts), with the one- and two-argument calls of a private cache taking a shorter
// road (no rest array, no key string).

import { isSharedAsyncStorage, type SharedAsyncStorage } from "./shared.js";
import { asyncReentrancyError, insideFlight, leaveContext, lineageOf, runFlight, syncReentrancyError, type Flight } from "./context.js";
import { ABSENT, BY_MANY, BY_ONE, BY_STRING, BY_TWO, Engine, NO_ARGUMENTS, PENDING_BASE, STALE_BASE, checkTtl, type Home } from "./engine.js";
import { TimeoutError, withTimeout } from "./timeout.js";
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
  const { timeout, onError } = options;
  checkFreshness(fn, options, isAsync, given !== undefined);
  // The name and key options are checked now, by the small core module; the key builder (in
  // the key module) is made when a call first needs a key string.
  const optionArgs = checkedKeyOptionArgs(name, options);
  if (given !== undefined && typeof options.keyBuilder !== "function") claimHead(given, fn, name, options);
  const storage: Engine = given !== undefined ? engineOf(given) : new Engine(options, isAsync);
  // Only the participating arguments (cacheWith) are ever read.
  const positions = sortedPositions(options);
  const keyOf = makeKeyOf(name, options, optionArgs, positions);

  // A private cache with repr keys indexes calls of primitive arguments by the arguments
  // themselves (see engine.ts); everything else, and every shared storage, by the key string.
  // (Hashed serializers keep string keys: V8 hashes strings with a secret seed, numbers not.)
  const byValue = reprKeys(options) && given === undefined;
  const budget = argumentBudget(name, options);
  const keyable = keyableByValue(positions, budget);

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
  /** The {@link Engine.check} result for `args`; when nothing is live, the miss home is set. */
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

  /** Starts `fn` as the computation of `flight` (with `lineage` for re-entrancy), with its
   * `timeout` if it has one. May throw synchronously, as `fn` may. */
  const run = (thisArg: unknown, args: unknown[], flight: Flight, lineage: readonly Flight[]): Promise<unknown> => {
    if (timeout === undefined) return Promise.resolve(runFlight(lineage, () => fn.apply(thisArg, args)));
    const controller = new AbortController();
    flight.signal = controller.signal;
    const started = Promise.resolve(runFlight(lineage, () => fn.apply(thisArg, args)));
    return withTimeout(started, timeout, controller, () => new TimeoutError(name, timeout));
  };

  /** Reports a failed background refresh (stale-while-revalidate). */
  const report = (error: unknown): void => {
    try {
      onError?.(error);
    } catch {
      // A throwing handler must not turn a kept stale value into an unhandled rejection.
    }
  };

  /** Starts the one refresh of the stale entry in `slot`; its value replaces the stale one
   * unless a delete, set or clear comes first. */
  const refresh = (thisArg: unknown, args: unknown[], slot: number): void => {
    const token = {};
    storage.refreshing.set(slot, token);
    const flight: Flight = { serial: -1, promise: undefined as unknown as Promise<unknown> };
    let started: Promise<unknown>;
    try {
      started = run(thisArg, args, flight, lineageOf(flight));
    } catch (error) {
      storage.refreshFailed(slot, token);
      report(error);
      return;
    }
    flight.promise = started.then(
      (value) => {
        leaveContext();
        storage.refreshed(slot, token, value, ttl);
        return value;
      },
      (error: unknown) => {
        leaveContext();
        storage.refreshFailed(slot, token);
        report(error);
      },
    );
  };

  /** A stale hit (`found` ≤ STALE_BASE): the stale value at once, and a refresh unless one runs. */
  const serveStale = (thisArg: unknown, args: unknown[], found: number): Promise<unknown> => {
    const slot = STALE_BASE - found;
    const value = storage.values[slot];
    if (!storage.refreshing.has(slot)) refresh(thisArg, args, slot);
    return Promise.resolve(value);
  };

  /** Joins the pending computation a lookup found (`found` ≤ PENDING_BASE). */
  const join = (found: number): Promise<unknown> => {
    const flight = storage.values[PENDING_BASE - found] as Flight;
    if (insideFlight(flight)) return Promise.reject(asyncReentrancyError(name));
    storage.countJoin();
    return flight.promise;
  };

  /**
   * A synchronous miss: runs `fn` (with `args`, or with the one argument `single`) and stores
   * its value under the key unless a delete, set or clear came first. A same-key call from
   * inside the computation is an error.
   */
  const computeSync = (thisArg: unknown, home: Home, first: unknown, second: unknown, args: unknown[] | undefined, single: unknown): unknown => {
    if (storage.busyDepth > 0 && storage.isBusy(home, first, second)) throw syncReentrancyError(name);
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
      if (found <= STALE_BASE) return serveStale(this, args, found);
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
      const lineage = lineageOf(flight);
      // Registered before `fn` runs, so a same-key call from inside it finds this flight.
      storage.values[slot] = flight;
      let started: Promise<unknown>;
      try {
        started = run(this, args, flight, lineage);
      } catch (error) {
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
  if (byValue && positions === undefined) memoized = oneOrTwoArguments(storage, memoized, isAsync, join, serveStale, computeSync, budget);

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

/**
 * The wrapper of a private cache with repr keys over every argument: calls of one or two
 * arguments look in the argument index directly (no rest array, no key, no loop). Anything else,
 * and every miss but a synchronous one-argument miss, goes through `general`.
 */
function oneOrTwoArguments(
  storage: Engine,
  general: (this: unknown, ...args: unknown[]) => unknown,
  isAsync: boolean,
  join: (found: number) => Promise<unknown>,
  serveStale: (thisArg: unknown, args: unknown[], found: number) => Promise<unknown>,
  computeSync: (thisArg: unknown, home: Home, first: unknown, second: unknown, args: unknown[] | undefined, single: unknown) => unknown,
  budget: number,
): (this: unknown, ...args: unknown[]) => unknown {
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
  return isAsync
    ? function (this: unknown, a?: unknown, b?: unknown) {
        const count = arguments.length;
        if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
        const found = find(count, a, b);
        if (found >= 0) return Promise.resolve(storage.values[found]);
        if (found <= STALE_BASE) return serveStale(this, count === 1 ? [a] : [a, b], found);
        if (found !== ABSENT) return join(found);
        return general.apply(this, arguments as unknown as unknown[]);
      }
    : function (this: unknown, a?: unknown, b?: unknown) {
        const count = arguments.length;
        if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
        const found = find(count, a, b);
        if (found >= 0) return storage.values[found];
        const size = count === 1 ? keyBytes(a) : -1;
        if (size < 0 || size > budget) return general.apply(this, arguments as unknown as unknown[]);
        return computeSync(this, BY_ONE, a, undefined, undefined, a);
      };
}

// memoize over a storage outside the process (RedisStorage, TieredStorage): the key is built
// here, concurrent calls of one key in this process share one promise (the core's flight table),
// and the storage answers or computes (and, with a lock, makes other processes wait for this one).

import { keyModule } from "./keys.js";
import { randomWords } from "./random.js";
import type { SharedAsyncStorage } from "./shared.js";
import { asyncReentrancyError, insideFlight, leaveContext, lineageOf, runFlight, type Flight } from "./context.js";
import { checkTtl } from "./engine.js";
import { sortedPositions } from "./fast-keys.js";
import { makeKeyOf } from "./key-of.js";
import { boundaryError } from "./memory.js";
import { UNDECLARED_ASYNC_HINT, checkedKeyOptionArgs, claimHead, describe, resolveName } from "./options.js";
import { withCache } from "./with-cache.js";
import type { MemoizeOptions, SharedMemoCache, SharedMemoized } from "./api.js";

/** What `peek` returns for a key the storage does not hold (a stored undefined is a value). */
const NOT_FOUND: unique symbol = Symbol("cashier.notFound");

/** A hasher seed as (low, high) words; see {@link randomWords}. */
function randomSeed(): [number, number] {
  const [low, high] = randomWords(2);
  return [low!, high!];
}

/** @internal `memoize(fn, options)` with `storage` outside the process (`options.storage`). */
export function memoizeShared<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions, storage: SharedAsyncStorage, isAsync: boolean): SharedMemoized<F> {
  if (!isAsync) {
    throw new TypeError(
      `memoize: ${describe(fn)} is synchronous; a storage outside the process answers with promises, so give it a TTLMapStorage. ${UNDECLARED_ASYNC_HINT}`,
    );
  }
  if (options.timeout !== undefined || options.staleWhileRevalidate !== undefined) {
    throw new TypeError(
      "memoize: timeout and staleWhileRevalidate apply to functions memoized over a local storage (TTLMapAsyncStorage or their own); a storage outside the process has its own timeout for its commands",
    );
  }
  const name = resolveName(fn, options, true);
  const { ttl } = options;
  checkTtl(ttl);
  const optionArgs = checkedKeyOptionArgs(name, options);
  if (typeof options.keyBuilder !== "function") claimHead(storage, fn, name, options);
  const keyOf = makeKeyOf(name, options, optionArgs, sortedPositions(options));
  // Per-key dedup is the core's flight table; JS keeps each flight's promise by its slot.
  const [low, high] = randomSeed();
  const table = new (keyModule().WasmFlights)(low, high);
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
      return insideFlight(joined) ? Promise.reject(asyncReentrancyError(name)) : joined.promise;
    }
    const slot = begun;
    const flight: Flight = { serial: table.startedSerial(), promise: undefined as unknown as Promise<unknown> };
    const lineage = lineageOf(flight);
    const compute = () => {
      const result = runFlight(lineage, () => fn.apply(this, args));
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

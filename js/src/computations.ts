// What a memoized function over a local storage does when a lookup finds no live value: run the
// function (a miss), join the pending computation of the key, or serve a stale value while one
// refresh runs (stale-while-revalidate). Each maker returns a closure over one function's
// options and engine; memoize.ts calls them from its wrappers.

import { asyncReentrancyError, insideFlight, leaveContext, lineageOf, runFlight, syncReentrancyError, type Flight } from "./context.js";
import { PENDING_BASE, STALE_BASE, type Engine, type Home } from "./engine.js";
import { TimeoutError, withTimeout } from "./timeout.js";
import { boundaryError } from "./memory.js";

/** @internal What the computations of one memoized function need: the function, its options,
 * its storage's engine. */
export interface Computation {
  readonly fn: (...args: any[]) => any;
  /** The name in keys (and in errors). */
  readonly name: string;
  /** The function's own ttl (over a shared storage), or undefined: the storage's default. */
  readonly ttl: number | undefined;
  readonly timeout: number | undefined;
  readonly onError: ((error: unknown) => void) | undefined;
  readonly storage: Engine;
}

/** @internal A synchronous miss: runs the function (with `args`, or with the one argument
 * `single`) and stores its value under the key at `home`. */
export type ComputeSync = (thisArg: unknown, home: Home, first: unknown, second: unknown, args: unknown[] | undefined, single: unknown) => unknown;

/** @internal The synchronous miss of `c`: its value is stored unless a delete, set or clear
 * came first; a same-key call from inside the computation is an error. */
export function syncMiss(c: Computation): ComputeSync {
  const { fn, name, ttl, storage } = c;
  return (thisArg, home, first, second, args, single) => {
    if (storage.isBusy(home, first, second)) throw syncReentrancyError(name);
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
}

/** @internal An async miss: starts the function as the pending computation of the key at `home`,
 * which every same-key call joins until it settles. */
export type ComputeAsync = (thisArg: unknown, args: unknown[], home: Home, first: unknown, second: unknown) => Promise<unknown>;

/** @internal The async miss of `c`: a value is stored unless a delete, set or clear came first;
 * a rejection stores nothing. */
export function asyncMiss(c: Computation): ComputeAsync {
  const { ttl, storage } = c;
  return (thisArg, args, home, first, second) => {
    storage.countMiss();
    // Held by the slot before the function runs, so a same-key call from inside it finds it.
    const flight: Flight = { serial: 0, promise: undefined as unknown as Promise<unknown> };
    let slot: number;
    try {
      slot = storage.begin(home, first, second, flight);
    } catch (error) {
      return Promise.reject(boundaryError(error));
    }
    const serial = (flight.serial = storage.serial());
    let started: Promise<unknown>;
    try {
      started = run(c, thisArg, args, flight, lineageOf(flight));
    } catch (error) {
      storage.fail(slot, serial);
      return Promise.reject(error);
    }
    flight.promise = started.then(
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
    return flight.promise;
  };
}

/** @internal Joins the pending computation a lookup found (`found` ≤ PENDING_BASE). */
export function joiner(c: Computation): (found: number) => Promise<unknown> {
  const { name, storage } = c;
  return (found) => {
    const flight = storage.valueAt(PENDING_BASE - found) as Flight;
    if (insideFlight(flight)) return Promise.reject(asyncReentrancyError(name));
    storage.countJoin();
    return flight.promise;
  };
}

/** @internal A stale hit (`found` ≤ STALE_BASE): the stale value at once, and a refresh unless one runs. */
export type ServeStale = (thisArg: unknown, args: unknown[], found: number) => Promise<unknown>;

/** @internal Stale-while-revalidate for `c`: a refreshed value replaces the stale one unless a
 * delete, set or clear comes first; a failed refresh is reported to `onError`. */
export function staleServer(c: Computation): ServeStale {
  const { ttl, storage } = c;
  const refresh = (thisArg: unknown, args: unknown[], slot: number, token: object): void => {
    const flight: Flight = { serial: -1, promise: undefined as unknown as Promise<unknown> };
    let started: Promise<unknown>;
    try {
      started = run(c, thisArg, args, flight, lineageOf(flight));
    } catch (error) {
      storage.refreshFailed(slot, token);
      report(c, error);
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
        report(c, error);
      },
    );
  };
  return (thisArg, args, found) => {
    const slot = STALE_BASE - found;
    const value = storage.valueAt(slot);
    const token = storage.startRefresh(slot);
    if (token !== undefined) refresh(thisArg, args, slot, token);
    return Promise.resolve(value);
  };
}

/** Starts the function of `c` as the computation of `flight` (with `lineage` for re-entrancy),
 * with its `timeout` if it has one. May throw synchronously, as the function may. */
function run(c: Computation, thisArg: unknown, args: unknown[], flight: Flight, lineage: readonly Flight[]): Promise<unknown> {
  const { fn, timeout, name } = c;
  if (timeout === undefined) return Promise.resolve(runFlight(lineage, () => fn.apply(thisArg, args)));
  const controller = new AbortController();
  flight.signal = controller.signal;
  const started = Promise.resolve(runFlight(lineage, () => fn.apply(thisArg, args)));
  return withTimeout(started, timeout, controller, () => new TimeoutError(name, timeout));
}

/** Reports a failed background refresh (stale-while-revalidate) to `onError`. */
function report(c: Computation, error: unknown): void {
  try {
    c.onError?.(error);
  } catch {
    // A throwing handler must not turn a kept stale value into an unhandled rejection.
  }
}

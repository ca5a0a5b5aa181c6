// The contenders, shared by run.mjs and memory.mjs. make(fn, { max, ttl, keying }) returns the
// memoized function, or a string saying why the contender cannot run the workload. keying:
// "primitive" (f(number, string)), "object" (one object argument, keyed by value), "number".
// bounded: the workload needs maxSize to hold (hit-path workloads on warm keys do not).

import { LRUCache } from "lru-cache";
import moize from "moize";
import memoizee from "memoizee";
import fastMemoize from "fast-memoize";
import pMemoize from "p-memoize";
import { createCache } from "async-cache-dedupe";

/** The installed cashier-wasm package, or null (its rows are then skipped). */
export async function loadCashier() {
  try {
    return await import("cashier-wasm");
  } catch (error) {
    console.error(`cashier-wasm is not installed here (${error.message}); its rows are skipped`);
    return null;
  }
}

let fnCounter = 0;
const uniqueName = () => `bench.f${++fnCounter}`;

// ---------------------------------------------------------------- contenders
// make(fn, { max, ttl, keying }) returns the memoized function, or a string saying why the
// contender cannot run the workload. keying: "primitive" (f(number, string)), "object" (one
// object argument, keyed by value), "number" (f(number)).

export const syncContendersFor = (cashier) => [
  cashier && {
    name: "cashier",
    make: (fn, { max, ttl }) => cashier.memoize(fn, { name: uniqueName(), maxSize: max, ttl }),
  },
  {
    name: "lru-cache memo",
    make: (fn, { max, ttl, keying }) => {
      const cache = new LRUCache({ max, ttl });
      const keyOf =
        keying === "object" ? (a) => JSON.stringify(a) : keying === "number" ? (a) => a : (a, b) => `${a}\u0000${b}`;
      return (a, b) => {
        const key = keyOf(a, b);
        const hit = cache.get(key);
        if (hit !== undefined) return hit;
        const value = fn(a, b);
        cache.set(key, value);
        return value;
      };
    },
  },
  {
    name: "moize",
    make: (fn, { max, ttl, keying }) =>
      moize(fn, { maxSize: max, ...(ttl ? { maxAge: ttl } : {}), ...(keying === "object" ? { isDeepEqual: true } : {}) }),
  },
  {
    name: "memoizee",
    make: (fn, { max, ttl, keying }) =>
      memoizee(fn, {
        max,
        ...(ttl ? { maxAge: ttl } : {}),
        ...(keying === "object" ? { normalizer: (a) => JSON.stringify(a[0]) } : { primitive: true }),
      }),
  },
  {
    name: "fast-memoize",
    // Unbounded and without TTL: it runs the hit-path workloads only.
    make: (fn, { ttl, bounded }) => (bounded || ttl ? "no maxSize/TTL support" : fastMemoize(fn)),
  },
].filter(Boolean);

export const asyncContendersFor = (cashier) => [
  cashier && {
    name: "cashier",
    make: (fn, { max, ttl }) => cashier.memoize(fn, { name: uniqueName(), maxSize: max, ttl }),
  },
  {
    name: "p-memoize",
    make: (fn, { max, ttl }) => pMemoize(fn, { cache: new LRUCache({ max, ttl }) }),
  },
  {
    name: "async-cache-dedupe",
    make: (fn, { max, ttl }) => {
      const cache = createCache({ ttl: ttl ? ttl / 1000 : 3600, storage: { type: "memory", options: { size: max } } });
      cache.define("f", fn);
      return (a) => cache.f(a);
    },
  },
].filter(Boolean);

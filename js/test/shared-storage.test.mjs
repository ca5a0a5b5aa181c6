// memoize over a SharedAsyncStorage (the protocol RedisStorage and TieredStorage implement; here
// a user-written in-process one, so no server is needed): per-key dedup through the core's flight
// table, re-entrancy, delete/clear of pending calls, and storages that fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize } from "cashier-wasm";
import { MapStorage } from "./map-storage.mjs";

/** A minimal SharedAsyncStorage over a Map, counting what memoize asks of it. */

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("concurrent calls of one key share one storage lookup and one computation", async () => {
  const storage = new MapStorage();
  let calls = 0;
  const f = memoize(async (k) => {
    calls++;
    await tick();
    return k * 2;
  }, { name: "shared.double", storage });
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => f(i % 10)));
  assert.equal(calls, 10);
  assert.equal(storage.asked, 10, "joined callers never reach the storage");
  assert.deepEqual(results.slice(0, 10), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  await Promise.all(Array.from({ length: 10 }, (_, i) => f(i)));
  assert.equal(storage.asked, 20, "after the flights ended, each key asks the storage again");
  assert.equal(calls, 10);
});

test("async self-recursion on the same key rejects instead of waiting for itself", async () => {
  const storage = new MapStorage();
  const f = memoize(async (n) => {
    await tick();
    return f(n);
  }, { name: "shared.self", storage });
  await assert.rejects(f(1), /async re-entrancy/);
  // Recursion on other keys is fine.
  const fib = memoize(async (n) => (n < 2 ? n : (await fib(n - 1)) + (await fib(n - 2))), { name: "shared.fib", storage });
  assert.equal(await fib(30), 832040);
});

test("delete and clear during a pending call: its callers keep their promise, later callers start anew", async () => {
  const storage = new MapStorage();
  let release;
  let calls = 0;
  const f = memoize(async (k) => {
    const n = ++calls;
    if (n === 1) await new Promise((resolve) => (release = resolve));
    return `${k}#${n}`;
  }, { name: "shared.pending", storage });
  const first = f("a");
  await tick();
  await f.cache.delete("a");
  const second = f("a");
  assert.equal(await second, "a#2", "a new flight after the delete");
  release();
  assert.equal(await first, "a#1", "the first caller still gets its value");
  const third = f("b"); // computes "b#3" and stores it
  f.cache.clear(); // ends the pending flight at once (the storage clears asynchronously)
  const fourth = f("b");
  assert.notEqual(fourth, third, "a new flight after the clear");
  assert.equal(await third, "b#3");
  assert.equal(calls, 4);
  // Nothing left pending: a burst on one key computes once more.
  calls = 10;
  storage.values.clear();
  await Promise.all([f("c"), f("c"), f("c")]);
  assert.equal(calls, 11);
});

test("a storage that throws or rejects fails the call, leaves nothing pending", async () => {
  let mode = "throw";
  const storage = {
    getOrCompute(key, compute) {
      if (mode === "throw") throw new Error("storage threw");
      if (mode === "reject") return Promise.reject(new Error("storage rejected"));
      return Promise.resolve(compute());
    },
    delete: async () => false,
    clear: async () => {},
    stats: () => ({ hits: 0, misses: 0, waits: 0, errors: 0 }),
  };
  const f = memoize(async (k) => k, { name: "shared.failing", storage });
  await assert.rejects(f(1), /storage threw/);
  mode = "reject";
  await assert.rejects(f(1), /storage rejected/);
  mode = "ok";
  assert.equal(await f(1), 1, "the key was released both times");
});

test("bad keys and key builders are clear errors", async () => {
  const storage = new MapStorage();
  const f = memoize(async (x) => x, { name: "shared.keys", storage });
  await assert.rejects(f(() => {}), TypeError);
  const g = memoize(async (x) => x, { name: "shared.custom", storage, keyBuilder: () => 42 });
  await assert.rejects(g(1), /must return strings/);
  assert.equal(await f(1), 1);
});

// Freshness options of memoize: staleWhileRevalidate (a stale value served at once while one
// refresh runs) and timeout (a computation given up: every caller gets a TimeoutError, nothing
// is cached, the key is free, and the computation's AbortSignal is aborted).
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize, TTLMapAsyncStorage, TTLMapStorage, TimeoutError, computationSignal } from "cashier-wasm";
import { MapStorage } from "./map-storage.mjs";

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("within the stale window a call returns the stale value at once and starts one shared refresh", async () => {
  let now = 0;
  const runs = [];
  const f = memoize(
    async (x) => {
      const run = deferred();
      runs.push(run);
      return run.promise.then((v) => `${x}:${v}`);
    },
    { ttl: 100, staleWhileRevalidate: 50, clock: () => now },
  );
  const first = f(1);
  runs[0].resolve("a");
  assert.equal(await first, "1:a");
  now = 120; // stale: past the TTL, within the window
  assert.equal(await f(1), "1:a", "the stale value, at once, though the refresh is pending");
  assert.equal(await f(1), "1:a");
  assert.equal(runs.length, 2, "one refresh for both stale calls");
  runs[1].resolve("b");
  await tick();
  assert.equal(await f(1), "1:b", "the refreshed value, fresh again");
  assert.equal(runs.length, 2);
  const stats = f.cache.stats();
  assert.equal(stats.staleHits, 2);
  assert.equal(stats.hits, 3);
  assert.equal(stats.misses, 1);
  now = 120 + 99; // the refresh stored at 120: fresh until 220
  assert.equal(await f(1), "1:b");
  assert.equal(runs.length, 2);
});

test("a failed refresh keeps the stale value until the window ends and goes to onError", async () => {
  let now = 0;
  let fail = false;
  let calls = 0;
  const errors = [];
  const f = memoize(
    async () => {
      calls++;
      if (fail) throw new Error(`refresh ${calls} failed`);
      return calls;
    },
    { ttl: 10, staleWhileRevalidate: 20, clock: () => now, onError: (error) => errors.push(error.message) },
  );
  assert.equal(await f(), 1);
  fail = true;
  now = 15;
  assert.equal(await f(), 1, "stale");
  await tick();
  assert.deepEqual(errors, ["refresh 2 failed"]);
  assert.equal(await f(), 1, "still the stale value; the next stale call refreshes again");
  await tick();
  assert.deepEqual(errors, ["refresh 2 failed", "refresh 3 failed"]);
  now = 30; // deadline 10 + window 20: the window is over, calls wait for a fresh value
  fail = false;
  assert.equal(await f(), 4);
  assert.equal(f.cache.stats().staleHits, 2);
});

test("after the window a call waits for a fresh value; a delete during a refresh drops its value", async () => {
  let now = 0;
  const runs = [];
  const f = memoize(
    async () => {
      const run = deferred();
      runs.push(run);
      return run.promise;
    },
    { ttl: 10, staleWhileRevalidate: 5, clock: () => now },
  );
  const first = f();
  runs[0].resolve("old");
  await first;
  now = 12;
  assert.equal(await f(), "old");
  f.cache.delete();
  runs[1].resolve("refreshed after the delete");
  await tick();
  const fresh = f();
  assert.equal(runs.length, 3, "the delete dropped the entry: a new computation");
  runs[2].resolve("new");
  assert.equal(await fresh, "new");
  now = 100; // far past the window
  const waited = f();
  let settled = false;
  waited.then(() => (settled = true));
  await tick();
  assert.equal(settled, false, "waits for the computation");
  runs[3].resolve("newest");
  assert.equal(await waited, "newest");
});

test("a shared TTLMapAsyncStorage owns its stale window; the options are checked", async () => {
  let now = 0;
  let calls = 0;
  const storage = new TTLMapAsyncStorage({ ttl: 10, staleWhileRevalidate: 10, clock: () => now });
  const f = memoize(async (x) => `${x}${++calls}`, { name: "f", storage });
  assert.equal(await f("a"), "a1");
  now = 15;
  assert.equal(await f("a"), "a1");
  await tick();
  assert.equal(await f("a"), "a2");
  assert.equal((await storage.stats()).staleHits, 1);
  assert.throws(() => memoize(async () => 1, { name: "g", storage, staleWhileRevalidate: 5 }), /belongs to the shared storage/);
  assert.throws(() => memoize(() => 1, { staleWhileRevalidate: 5, ttl: 5 }), { name: "TypeError", message: /synchronous.*async refresh/ });
  assert.throws(() => new TTLMapStorage({ ttl: 5, staleWhileRevalidate: 5 }), { name: "TypeError", message: /async/ });
  assert.throws(() => memoize(async () => 1, { staleWhileRevalidate: 0 }), { name: "RangeError", message: /staleWhileRevalidate must be a whole number of at least 1/ });
  assert.throws(() => memoize(async () => 1, { staleWhileRevalidate: "5" }), { name: "TypeError" });
  assert.throws(() => memoize(async () => 1, { name: "h", storage: new MapStorage(), timeout: 5 }), /local storage/);
  assert.throws(() => memoize(async () => 1, { onError: 5 }), /onError must be a function/);
});

test("a computation past its timeout rejects every caller with a TimeoutError, caches nothing and frees the key", async () => {
  let calls = 0;
  const signals = [];
  const f = memoize(
    async (x) => {
      calls++;
      signals.push(computationSignal());
      if (calls === 1) return new Promise(() => {}); // hangs
      return `${x} on call ${calls}`;
    },
    { timeout: 30 },
  );
  const callers = [f(1), f(1), f(1)];
  const outcomes = await Promise.allSettled(callers);
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "rejected");
    assert.ok(outcome.reason instanceof TimeoutError);
    assert.equal(outcome.reason.name, "TimeoutError");
    assert.equal(outcome.reason.timeout, 30);
  }
  assert.equal(calls, 1, "one computation for the three callers");
  assert.ok(signals[0] instanceof AbortSignal);
  assert.equal(signals[0].aborted, true, "the computation can see it was given up");
  assert.equal(signals[0].reason, outcomes[0].reason);
  assert.equal(f.cache.stats().pending, 0);
  assert.equal(await f(1), "1 on call 2", "the next call computes afresh");
  assert.equal(signals[1].aborted, false, "a computation in time is not aborted");
  assert.equal(await f(1), "1 on call 2", "and its value is cached");
  assert.equal(computationSignal(), undefined, "no signal outside a computation");
});

test("a result arriving after the timeout is not stored; timeout is for async functions", async () => {
  let calls = 0;
  const late = deferred();
  const f = memoize(
    async () => {
      calls++;
      return calls === 1 ? late.promise : "fresh";
    },
    { timeout: 20 },
  );
  await assert.rejects(f(), TimeoutError);
  late.resolve("late");
  await tick();
  assert.equal(await f(), "fresh");
  assert.equal(calls, 2);
  assert.throws(() => memoize(() => 1, { timeout: 10 }), { name: "TypeError", message: /synchronous; a timeout applies to async functions/ });
  assert.throws(() => memoize(async () => 1, { timeout: 0 }), { name: "RangeError", message: /timeout must be a whole number of at least 1/ });
  assert.throws(() => memoize(async () => 1, { timeout: "10" }), { name: "TypeError" });
});

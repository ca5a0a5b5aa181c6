// memoize through the built package: hits, identity, TTL, LRU, dedup, errors, storages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize, TTLMapStorage, TTLMapAsyncStorage } from "cashier-wasm";

test("a hit returns the stored value by identity; undefined is a value", () => {
  let calls = 0;
  const f = memoize((id) => (calls++, id === 0 ? undefined : { id }));
  const first = f(1);
  assert.equal(f(1), first);
  assert.equal(f(0), undefined);
  assert.equal(f(0), undefined);
  assert.equal(calls, 2);
  assert.deepEqual(f.cache.stats(), { hits: 2, staleHits: 0, misses: 2, joined: 0, evictions: 0, expirations: 0, size: 2, pending: 0 });
});

test("arguments are keyed by value in any property order", () => {
  let calls = 0;
  const f = memoize((q) => (calls++, q.id));
  f({ id: 1, filter: { tags: ["a"], since: new Date(0) } });
  f({ filter: { since: new Date(0), tags: ["a"] }, id: 1 });
  f({ id: 1, filter: { tags: ["a"], since: new Date(1) } });
  assert.equal(calls, 2);
});

test("entries expire after the TTL on the injected clock", () => {
  let now = 1_000;
  let calls = 0;
  const f = memoize((x) => (calls++, x), { ttl: 100, clock: () => now });
  f(1);
  now += 99;
  f(1);
  assert.equal(calls, 1);
  now += 1;
  f(1);
  assert.equal(calls, 2);
  assert.equal(f.cache.stats().expirations, 1);
  // A clock going backwards or returning garbage does not revive or corrupt anything.
  now = Number.NaN;
  f(1);
  now = 0;
  f(1);
  assert.equal(calls, 2);
});

test("the least recently used entry is evicted", () => {
  const seen = [];
  const f = memoize((x) => (seen.push(x), x), { maxSize: 2 });
  f("a");
  f("b");
  f("a");
  f("c"); // evicts b
  f("a");
  f("b"); // recomputed
  assert.deepEqual(seen, ["a", "b", "c", "b"]);
  assert.equal(f.cache.stats().evictions, 2);
});

test("10,000 concurrent calls over 100 keys run the function exactly 100 times", async () => {
  let invocations = 0;
  const f = memoize(async (k) => {
    invocations++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return k * 2;
  });
  const results = await Promise.all(Array.from({ length: 10_000 }, (_, i) => f(i % 100)));
  assert.equal(invocations, 100);
  assert.ok(results.every((value, i) => value === (i % 100) * 2));
  const stats = f.cache.stats();
  assert.equal(stats.joined, 9_900);
  assert.equal(stats.pending, 0);
  await Promise.all(Array.from({ length: 1000 }, (_, i) => f(i % 100)));
  assert.equal(invocations, 100, "the second burst is all hits");
});

test("a rejection is shared by every waiter and cached by none", async () => {
  let invocations = 0;
  const f = memoize(async (k) => {
    invocations++;
    await null;
    if (invocations === 1) throw new Error(`boom ${k}`);
    return k;
  });
  const settled = await Promise.allSettled([f(1), f(1), f(1)]);
  assert.equal(invocations, 1);
  assert.ok(settled.every((s) => s.status === "rejected" && s.reason.message === "boom 1"));
  assert.equal(new Set(settled.map((s) => s.reason)).size, 1, "the same error object");
  assert.equal(await f(1), 1, "the next call retries");
  assert.equal(invocations, 2);
  assert.equal(f.cache.stats().pending, 0);
});

test("synchronous exceptions are not cached and leave nothing pending", () => {
  let calls = 0;
  const f = memoize((x) => {
    calls++;
    if (calls === 1) throw new RangeError("first");
    return x;
  });
  assert.throws(() => f(1), RangeError);
  assert.equal(f(1), 1);
  assert.equal(f.cache.stats().pending, 0);
});

test("synchronous self-recursion on the same key is a clear error", () => {
  const f = memoize((x) => f(x));
  assert.throws(() => f(1), /re-entrancy/);
  assert.equal(f.cache.stats().pending, 0);
  // Recursion on other keys is fine.
  const fib = memoize((n) => (n < 2 ? n : fib(n - 1) + fib(n - 2)));
  assert.equal(fib(80), 23416728348467685);
});

test("sync/async storage mismatches are TypeErrors at memoize time naming the right class", () => {
  assert.throws(() => memoize(async () => 1, { storage: new TTLMapStorage() }), /TTLMapAsyncStorage/);
  assert.throws(() => memoize(() => 1, { storage: new TTLMapAsyncStorage() }), /TTLMapStorage/);
  assert.throws(() => memoize(function () {}, { storage: new TTLMapStorage(), name: "" }), /needs a name/);
  assert.throws(() => memoize(() => 1, { storage: new TTLMapStorage(), maxSize: 3 }), /belong to the shared storage/);
});

test("a shared storage keeps functions apart by name", async () => {
  const storage = new TTLMapAsyncStorage({ maxSize: 100 });
  const double = memoize(async (x) => x * 2, { storage, name: "double" });
  const triple = memoize(async (x) => x * 3, { storage, name: "triple" });
  assert.equal(await double(5), 10);
  assert.equal(await triple(5), 15);
  assert.equal((await storage.stats()).size, 2);
  assert.equal(await storage.get("double(5)"), 10);
});

test("cacheWith keeps other parameters out of the key", () => {
  let calls = 0;
  const f = memoize((request, id) => (calls++, id), { cacheWith: [1] });
  f({ socket: 1 }, 7);
  f({ socket: 2 }, 7);
  assert.equal(calls, 1);
  assert.equal(f.cache.keyOf({ any: true }, 7), "anonymous(7)");
});

test("keyBuilder, serializers, delete and clear", () => {
  let calls = 0;
  const custom = memoize((a) => (calls++, a), { name: "c", keyBuilder: (name, args) => `${name}:${args[0]}` });
  custom(1);
  custom(1);
  assert.equal(calls, 1);
  assert.equal(custom.cache.keyOf(1), "c:1");
  assert.ok(custom.cache.delete(1));
  custom(1);
  assert.equal(calls, 2);
  const hashed = memoize((a) => a, { name: "h", serializer: "sha256" });
  assert.match(hashed.cache.keyOf(1), /^h:[0-9a-f]{64}$/);
  const upper = memoize((a) => a, { name: "u", serializer: { serialize: (key) => key.toUpperCase() } });
  assert.equal(upper.cache.keyOf("x"), 'U("X")');
  upper("x");
  upper.cache.clear();
  assert.equal(upper.cache.stats().size, 0);
});

test("storages validate their options and work directly", () => {
  assert.throws(() => new TTLMapStorage({ maxSize: 0 }), RangeError);
  assert.throws(() => new TTLMapStorage({ maxSize: 1.5 }), RangeError);
  assert.throws(() => new TTLMapStorage({ ttl: -1 }), RangeError);
  assert.throws(() => new TTLMapStorage({ ttl: Infinity }), RangeError);
  assert.throws(() => new TTLMapStorage({ clock: 5 }), TypeError);
  const storage = new TTLMapStorage({ maxSize: 2 });
  storage.set("k", undefined);
  assert.ok(storage.has("k"));
  assert.equal(storage.get("k"), undefined);
  assert.ok(storage.delete("k"));
  assert.ok(!storage.has("k"));
  storage.set("a", 1);
  storage.bumpVersion();
  assert.equal(storage.get("a"), undefined);
  assert.equal(storage.stats().size, 0);
});

test("this is passed through and the signature is kept", () => {
  const object = { base: 10, add: memoize(function (x) { return this.base + x; }) };
  assert.equal(object.add(1), 11);
  const named = memoize(function fetchUser(a, b) { return a + b; });
  assert.equal(named.name, "fetchUser");
  assert.equal(named.length, 2);
});

test("async self-recursion on the same key rejects instead of waiting forever", async () => {
  let depth = 0;
  const f = memoize(async (k) => {
    depth++;
    await new Promise((resolve) => setTimeout(resolve, 1));
    return f(k); // awaits its own pending call
  });
  await assert.rejects(f(1), /async re-entrancy/);
  assert.equal(depth, 1);
  assert.equal(f.cache.stats().pending, 0);
  // The same before the first await, and recursion on other keys still works.
  const g = memoize(async (k) => g(k));
  await assert.rejects(g(2), /async re-entrancy/);
  const sum = memoize(async (n) => (n === 0 ? 0 : n + (await sum(n - 1))));
  assert.equal(await sum(100), 5050);
  // Unrelated concurrent callers of a pending key still share it.
  const slow = memoize(async (k) => (await new Promise((r) => setTimeout(r, 5)), k));
  const [a, b] = await Promise.all([slow(3), slow(3)]);
  assert.equal(a + b, 6);
  assert.equal(slow.cache.stats().joined, 1);
});

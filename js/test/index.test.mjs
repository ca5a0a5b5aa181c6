// The JS side of the local storages: the key → slot index in JavaScript (argument levels for
// primitive calls of a private cache, key strings otherwise), the hits batched to the core, the
// views of the core's deadlines, and the equivalence of the argument index with canonical keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { memoize, buildKey, TTLMapStorage } from "cashier-wasm";
import * as unbundled from "./internals.mjs";

/** Memoizes a function that records each call's arguments. */
function recorded(options) {
  const calls = [];
  const f = memoize((...args) => (calls.push(args), calls.length), options);
  return { f, calls };
}

test("the argument index keys exactly as the canonical keys do", () => {
  const { f, calls } = recorded({ name: "eq", maxSize: 10_000 });
  // Pairs that are one key, then argument lists that must all be distinct keys.
  const same = [
    [[0], [-0]],
    [[Number.NaN], [0 / 0]],
    [["a\"b\\c\u0001"], ["a\"b\\c\u0001"]],
    [[1n], [BigInt(1)]],
    [["\ud83d\ude00"], ["😀"]],
  ];
  for (const [a, b] of same) {
    assert.equal(f(...a), f(...b), `${String(a)} and ${String(b)} share a key`);
    assert.equal(buildKey("eq", a), buildKey("eq", b));
  }
  const distinct = [[], [undefined], [undefined, undefined], [null], [1], ["1"], [1n], [true], ["true"], [1, 2], [2, 1], [1, "2"], ["1,2"], [1, 2, 3]];
  const results = distinct.map((args) => f(...args));
  assert.equal(new Set(results).size, distinct.length, "every list is its own entry");
  assert.equal(new Set(distinct.map((args) => buildKey("eq", args))).size, distinct.length);
  // And each is a hit now, in any order.
  const before = calls.length;
  distinct.reverse().forEach((args) => f(...args));
  assert.equal(calls.length, before);
});

test("arguments the index cannot take go through the converter, with its errors", () => {
  const { f, calls } = recorded({ name: "conv" });
  assert.throws(() => f("\ud800"), TypeError, "a lone surrogate is not a key");
  assert.throws(() => f(Symbol("s")), TypeError);
  assert.throws(() => f(1, () => 1), TypeError);
  assert.equal(calls.length, 0);
  // Objects and primitives in one private cache: both kinds hit, and LRU spans both.
  const g = recorded({ name: "mixed", maxSize: 2 });
  g.f(1);
  g.f({ a: 1 });
  g.f({ a: 1 });
  g.f(1);
  assert.equal(g.calls.length, 2);
  g.f("x"); // evicts {a:1}, the least recently used
  g.f({ a: 1 });
  assert.equal(g.calls.length, 4);
  g.f("x");
  assert.equal(g.calls.length, 4);
  // A key above maxKeyBytes is refused by the converter before anything runs.
  const h = recorded({ name: "long", maxKeyBytes: 100 });
  assert.throws(() => h.f("x".repeat(200)), TypeError);
  assert.equal(h.f("x".repeat(10)), 1);
  assert.equal(h.calls.length, 1);
});

test("cacheWith selects the indexed arguments", () => {
  const { f, calls } = recorded({ name: "sel", cacheWith: [2, 0] });
  f(1, { db: true }, "a");
  f(1, { other: 1 }, "a");
  f(1, null, "b");
  assert.equal(calls.length, 2);
  assert.equal(f.cache.delete(1, "anything", "a"), true);
  f(1, 0, "a");
  assert.equal(calls.length, 3);
});

test("delete and clear reach both indexes, and during a computation the value is not stored", () => {
  let inner;
  const f = memoize((x) => (inner?.(), typeof x === "object" ? x.v : x));
  f(1);
  f({ v: 2 });
  assert.equal(f.cache.delete(1), true);
  assert.equal(f.cache.delete({ v: 2 }), true);
  assert.equal(f.cache.delete(1), false);
  assert.equal(f.cache.stats().size, 0);
  // Deleted while computing: the computation's value is returned but not stored.
  inner = () => f.cache.delete(3);
  assert.equal(f(3), 3);
  inner = undefined;
  assert.equal(f.cache.stats().size, 0);
  // Cleared while computing: likewise.
  inner = () => f.cache.clear();
  f(4);
  f({ v: 5 });
  inner = undefined;
  assert.equal(f.cache.stats().size, 0);
  assert.equal(f.cache.stats().pending, 0);
  f(4);
  assert.equal(f.cache.stats().size, 1);
});

test("hits recorded in batches decide eviction exactly as if applied one by one", () => {
  const { f, calls } = recorded({ name: "batch", maxSize: 3 });
  f(1);
  f(2);
  f(3);
  // Many more hits than the batch holds (256), ending with 2 then 1: 3 is the least recent.
  for (let i = 0; i < 1000; i++) f(3);
  for (let i = 0; i < 300; i++) f(2);
  f(1);
  f(4); // evicts 3
  assert.equal(calls.length, 4);
  f(1);
  f(2);
  assert.equal(calls.length, 4);
  f(3);
  assert.equal(calls.length, 5, "3 was evicted");
  assert.equal(f.cache.stats().hits, 1000 + 300 + 1 + 2);
});

test("hits keep working while WebAssembly memory grows and the core's arrays move", () => {
  const { f, calls } = recorded({ name: "grow", maxSize: 1_000_000 });
  let expected = 0;
  for (let i = 0; i < 200_000; i++) {
    f(i);
    expected++;
    // Interleave hits on old entries while the arrays grow and move.
    if (i % 997 === 0) assert.equal(f(i >> 1), (i >> 1) + 1);
    if (i % 50_000 === 0) {
      // Grow the memory from elsewhere: a large key built by the converter.
      buildKey("big", [{ s: "y".repeat(300_000) }]);
    }
  }
  assert.equal(calls.length, expected);
  for (let i = 0; i < 200_000; i += 1_111) assert.equal(f(i), i + 1);
  assert.equal(calls.length, expected);
});

test("a storage's string keys and its TTL: expired entries are freed when found", () => {
  let now = 10;
  const storage = new TTLMapStorage({ maxSize: 4, ttl: 50, clock: () => now });
  storage.set("a", 1);
  storage.set("b", 2, 5);
  now = 14;
  assert.equal(storage.get("b"), 2);
  now = 15;
  assert.equal(storage.has("b"), false);
  assert.equal(storage.get("b"), undefined);
  assert.equal(storage.stats().expirations, 1);
  storage.set("a", 10); // replaces in place with a fresh deadline
  now = 64;
  assert.equal(storage.get("a"), 10);
  now = 1; // backwards: store time holds, nothing revives or expires early
  assert.equal(storage.get("a"), 10);
  now = 65; // set at 15 with the default 50 ms
  assert.equal(storage.get("a"), undefined);
  assert.deepEqual(
    { ...storage.stats(), hits: 0 },
    { hits: 0, staleHits: 0, misses: 2, joined: 0, evictions: 0, expirations: 2, size: 0, pending: 0 },
  );
});

test("entries of many two-argument keys are reclaimed from the index as they are evicted", () => {
  // 200,000 distinct first arguments through maxSize 100: the emptied levels are pruned, so
  // the heap stays flat (a leak of one level per first argument would add megabytes).
  const f = memoize((a, b) => a + b.length, { name: "prune", maxSize: 100 });
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const heap = () => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  for (let i = 0; i < 20_000; i++) f(i, "x");
  const warm = heap();
  for (let i = 20_000; i < 220_000; i++) f(i, "x");
  const after = heap();
  assert.ok(after - warm < 4 << 20, `heap grew by ${after - warm} B`);
  assert.equal(f.cache.stats().size, 100);
});

test("storages that become unreachable give their slots back to the core", async () => {
  // Each storage's slots live in the core module, held by a handle its engine frees when it is
  // collected: 2,000 short-lived storages of 1,000 slots (16 KB each, 32 MB in all) must not
  // pile up in WebAssembly memory, and the handles freed are reused.
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const { wasmMemoryBytes } = await import("cashier-wasm");
  const before = wasmMemoryBytes();
  for (let batch = 0; batch < 20; batch++) {
    for (let i = 0; i < 100; i++) {
      const f = memoize((n) => n + 1, { name: `short${batch}_${i}`, maxSize: 1000 });
      assert.equal(f(i), i + 1);
    }
    gc();
    // Finalizers run in a task of their own after a collection.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const grown = wasmMemoryBytes() - before;
  assert.ok(grown < 12 << 20, `WebAssembly memory grew by ${grown} B`);
  const g = memoize((n) => n * 3, { name: "afterwards", maxSize: 10 });
  assert.equal(g(2), 6);
  assert.equal(g(2), 6);
  assert.equal(g.cache.stats().hits, 1);
});

test("inserts planned and logged in JavaScript evict exactly like a reference LRU", () => {
  // Random gets, sets, deletes and memoized calls on small caches, against a Map kept in
  // recency order; runs of misses go through the planned-insert path, hits cut plans short.
  for (let seed = 1; seed <= 20; seed++) {
    let state = seed;
    const random = (n) => ((state = (state * 1103515245 + 12345) % 2147483648) % n);
    const maxSize = 1 + random(6);
    // The unbundled build's storage: its engine tells how many planned slots were taken.
    const storage = new unbundled.TTLMapStorage({ maxSize });
    const reference = new Map();
    const touch = (key) => {
      const value = reference.get(key);
      reference.delete(key);
      reference.set(key, value);
      return value;
    };
    const put = (key, value) => {
      if (reference.has(key)) reference.delete(key);
      else if (reference.size >= maxSize) reference.delete(reference.keys().next().value);
      reference.set(key, value);
    };
    let calls = 0;
    const f = memoize((n) => (calls++, `v${n}`), { name: `plan${seed}`, maxSize });
    const model = new Map();
    for (let step = 0; step < 3000; step++) {
      const key = `k${random(12)}`;
      const n = random(3) === 0 ? random(40) : 40 + step; // runs of new keys, some repeats
      switch (random(7)) {
        case 0:
        case 1:
          assert.equal(storage.get(key), reference.has(key) ? touch(key) : undefined, `seed ${seed} step ${step}: get`);
          break;
        case 2:
        case 3:
          storage.set(key, step);
          put(key, step);
          break;
        case 4:
          assert.equal(storage.delete(key), reference.delete(key), `seed ${seed} step ${step}: delete`);
          break;
        case 5:
          assert.equal(storage.has(key), reference.has(key), `seed ${seed} step ${step}: has`);
          break;
        default: {
          const before = calls;
          assert.equal(f(n), `v${n}`);
          const hit = model.has(n);
          if (hit) {
            const value = model.get(n);
            model.delete(n);
            model.set(n, value);
          } else {
            if (model.size >= maxSize) model.delete(model.keys().next().value);
            model.set(n, `v${n}`);
          }
          assert.equal(calls - before, hit ? 0 : 1, `seed ${seed} step ${step}: memoized call ${n}`);
        }
      }
      if (step % 500 === 0) {
        assert.equal(storage.stats().size, reference.size);
        assert.equal(f.cache.stats().size, model.size);
      }
    }
    assert.equal(unbundled.engineOf(storage).planMisses(), 0, "every planned insert took its slot");
  }
});

test("hits logged before a clear or version bump still count", () => {
  const storage = new TTLMapStorage({ maxSize: 10 });
  const f = memoize((n) => n + 1, { storage, name: "counted" });
  f(1);
  for (let i = 0; i < 10; i++) f(1);
  storage.bumpVersion();
  f(1);
  for (let i = 0; i < 5; i++) f(1);
  f.cache.clear();
  const { hits, misses } = storage.stats();
  assert.deepEqual({ hits, misses }, { hits: 15, misses: 2 });
});

// The argument index of a private cache (calls of primitive arguments, indexed by the arguments
// themselves): an entry is always found again while it lives, whatever the making of room for
// it (LRU eviction, the TTL sweep of an insert, a clear() inside a computation) removed. (Issue
// 12, defect 2.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize } from "cashier-wasm";

/** A memoized function counting its runs; `clock` is settable through `time.now`. */
function counted(options, body) {
  const time = { now: 0 };
  const runs = { count: 0 };
  const f = memoize(
    (...args) => {
      runs.count++;
      body?.(f, args);
      return args.join("|");
    },
    { name: "counted", clock: () => time.now, ...options },
  );
  return { f, runs, time };
}

test("maxSize 1: a second entry under the same first argument is found again", () => {
  const { f, runs } = counted({ maxSize: 1 });
  f(0, 0);
  f(0, 1);
  f(0, 1);
  f(0, 1);
  assert.equal(runs.count, 2);
  assert.equal(f.cache.stats().size, 1);
  assert.equal(f.cache.delete(0, 1), true);
  assert.equal(f.cache.stats().size, 0);
});

test("maxSize 3: evicting the only entry of a first argument keeps the new one findable", () => {
  const { f, runs } = counted({ maxSize: 3 });
  for (const [a, b] of [["x", 1], ["y", 1], ["z", 1], ["x", 2], ["x", 2]]) f(a, b);
  assert.equal(runs.count, 4);
  assert.equal(f.cache.delete("x", 2), true);
});

test("ttl: the sweep of an insert emptying the first argument's entries keeps the new one", () => {
  const { f, runs, time } = counted({ ttl: 10 });
  f(0, 0);
  time.now = 20;
  f(0, 1);
  f(0, 1);
  assert.equal(runs.count, 2);
  assert.equal(f.cache.delete(0, 1), true);
  assert.equal(f.cache.stats().size, 0);
});

/** A deterministic generator (mulberry32). */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A reference LRU of keys (no expiry): insertion order is recency order. */
class ReferenceLru {
  constructor(maxSize) {
    this.maxSize = maxSize;
    this.entries = new Map();
  }
  /** Whether `key` is held (and makes it the most recent). */
  hit(key) {
    if (!this.entries.has(key)) return false;
    this.entries.delete(key);
    this.entries.set(key, true);
    return true;
  }
  insert(key) {
    this.entries.set(key, true);
    if (this.entries.size > this.maxSize) this.entries.delete(this.entries.keys().next().value);
  }
}

const VALUES = [0, 1, 2, "a", "b", -0, Number.NaN, 1n, true, null, undefined];

/** Random argument lists of 1 to 3 primitives (mostly 2, so first arguments repeat). */
function argumentsFrom(next) {
  const pick = () => (next() < 0.8 ? VALUES[Math.floor(next() * 4)] : VALUES[4 + Math.floor(next() * 7)]);
  const roll = next();
  const arity = roll < 0.55 ? 2 : roll < 0.75 ? 1 : roll < 0.9 ? 3 : 4;
  return Array.from({ length: arity }, pick);
}

/** The reference's key of a call: the same for SameValueZero-equal primitives. */
function referenceKey(args) {
  return args.map((v) => (typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "0" : typeof v === "string" ? `"${v}"` : String(v))).join(",");
}

test("random calls, deletes and clears inside computations agree with a reference LRU", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const next = random(seed);
    const maxSize = 1 + Math.floor(next() * 5);
    const reference = new ReferenceLru(maxSize);
    let clearInside = false;
    const { f, runs } = counted({ maxSize }, (self) => {
      if (clearInside) self.cache.clear();
    });
    for (let step = 0; step < 400; step++) {
      const args = argumentsFrom(next);
      const key = referenceKey(args);
      const where = `seed ${seed}, maxSize ${maxSize}, step ${step}, f(${key})`;
      const roll = next();
      if (roll < 0.1) {
        assert.equal(f.cache.delete(...args), reference.entries.delete(key), `delete: ${where}`);
      } else if (roll < 0.13) {
        // A computation that clears the cache stores nothing (it started before the clear).
        clearInside = true;
        const before = runs.count;
        f(...args);
        clearInside = false;
        if (reference.hit(key)) {
          assert.equal(runs.count, before, `hit: ${where}`);
        } else {
          assert.equal(runs.count, before + 1, `miss: ${where}`);
          reference.entries.clear();
        }
      } else {
        const before = runs.count;
        assert.equal(f(...args), args.join("|"));
        const hit = reference.hit(key);
        assert.equal(runs.count, before + (hit ? 0 : 1), `${hit ? "hit" : "miss"}: ${where}`);
        if (!hit) reference.insert(key);
      }
      assert.equal(f.cache.stats().size, reference.entries.size, `size: ${where}`);
    }
  }
});

test("random calls with expiry and a small maxSize: what was just stored is found, size stays bounded", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const next = random(1000 + seed);
    const maxSize = 1 + Math.floor(next() * 4);
    const ttl = 5 + Math.floor(next() * 20);
    const { f, runs, time } = counted({ maxSize, ttl });
    for (let step = 0; step < 300; step++) {
      time.now += Math.floor(next() * 8);
      const args = argumentsFrom(next);
      const where = `seed ${seed}, maxSize ${maxSize}, ttl ${ttl}, step ${step}, f(${referenceKey(args)})`;
      f(...args);
      const before = runs.count;
      // Same time: the entry just found or stored is live, so this is a hit.
      assert.equal(f(...args), args.join("|"));
      assert.equal(runs.count, before, `repeat: ${where}`);
      assert.ok(f.cache.stats().size <= maxSize, `size: ${where}`);
      if (next() < 0.2) {
        assert.equal(f.cache.delete(...args), true, `delete: ${where}`);
        assert.equal(f.cache.delete(...args), false, `delete again: ${where}`);
      }
    }
  }
});

test("random calls with expiry and no eviction agree with a reference of deadlines", async () => {
  for (const asynchronous of [false, true]) {
    for (let seed = 1; seed <= 30; seed++) {
      const next = random(5000 + seed);
      const ttl = 3 + Math.floor(next() * 10);
      const time = { now: 0 };
      let runs = 0;
      const body = (...args) => (runs++, args.join("|"));
      const options = { name: "deadlines", maxSize: 10_000, ttl, clock: () => time.now };
      const f = asynchronous ? memoize(async (...args) => body(...args), options) : memoize(body, options);
      const deadlines = new Map();
      for (let step = 0; step < 300; step++) {
        time.now += Math.floor(next() * 4);
        const args = argumentsFrom(next);
        const key = referenceKey(args);
        const live = (deadlines.get(key) ?? -1) > time.now;
        const before = runs;
        assert.equal(await f(...args), args.join("|"));
        assert.equal(runs, before + (live ? 0 : 1), `${live ? "hit" : "miss"}: async ${asynchronous}, seed ${seed}, step ${step}, f(${key})`);
        if (!live) deadlines.set(key, time.now + ttl);
      }
    }
  }
});

test("random calls with cacheWith agree with a reference LRU of the selected arguments", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const next = random(9000 + seed);
    const maxSize = 1 + Math.floor(next() * 5);
    const reference = new ReferenceLru(maxSize);
    let runs = 0;
    // Position 1 is left out: an object the index never reads.
    const f = memoize((a, _ignored, b, c) => (runs++, `${String(a)}|${String(b)}|${String(c)}`), { name: "selected", maxSize, cacheWith: [0, 2, 3] });
    for (let step = 0; step < 300; step++) {
      const [a, b, c] = [0, 1, 2].map(() => (next() < 0.8 ? VALUES[Math.floor(next() * 3)] : VALUES[3 + Math.floor(next() * 8)]));
      const key = referenceKey([a, b, c]);
      const where = `seed ${seed}, maxSize ${maxSize}, step ${step}, f(${key})`;
      if (next() < 0.1) {
        assert.equal(f.cache.delete(a, { step }, b, c), reference.entries.delete(key), `delete: ${where}`);
        continue;
      }
      const before = runs;
      f(a, { step }, b, c);
      const hit = reference.hit(key);
      assert.equal(runs, before + (hit ? 0 : 1), `${hit ? "hit" : "miss"}: ${where}`);
      if (!hit) reference.insert(key);
      assert.equal(f.cache.stats().size, reference.entries.size, `size: ${where}`);
    }
  }
});

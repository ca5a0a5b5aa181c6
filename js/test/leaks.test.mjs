// Long runs leave nothing behind: rejected calls leave no pending flights, distinct keys through a
// bounded cache keep WebAssembly memory bounded, synchronous throws leave nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize, wasmMemoryBytes } from "cashier-wasm";

test("1,000,000 calls of an async function that rejects leave zero pending flights", async () => {
  const f = memoize(async (k) => {
    throw new Error(`no ${k}`);
  });
  let rejected = 0;
  for (let batch = 0; batch < 100; batch++) {
    const calls = Array.from({ length: 10_000 }, (_, i) => f(i % 1000).catch(() => rejected++));
    await Promise.all(calls);
  }
  assert.equal(rejected, 1_000_000);
  const stats = f.cache.stats();
  assert.equal(stats.pending, 0);
  assert.equal(stats.size, 0, "nothing cached");
});

test("1,000,000 distinct keys through a maxSize 1,000 cache keep WebAssembly memory bounded", () => {
  const f = memoize((k) => ({ k }), { maxSize: 1000 });
  for (let i = 0; i < 100_000; i++) f(`warm-${i}`);
  const warm = wasmMemoryBytes();
  for (let i = 0; i < 1_000_000; i++) f(`key-${i}-${"x".repeat(i % 64)}`);
  const after = wasmMemoryBytes();
  console.log(`wasm memory: ${warm} B after 100,000 warm-up keys, ${after} B after 1,000,000 more`);
  assert.equal(f.cache.stats().size, 1000);
  // Bound: keys of up to 75 bytes can need at most one more 64 KiB page of growth per
  // allocator size class beyond the warm-up; allow 1 MiB.
  assert.ok(after - warm <= 1 << 20, `grew by ${after - warm} bytes`);
});

test("a function that throws synchronously leaves nothing behind", () => {
  const f = memoize((k) => {
    throw new TypeError(`bad ${k}`);
  });
  for (let i = 0; i < 100_000; i++) assert.throws(() => f(i % 100), TypeError);
  const stats = f.cache.stats();
  assert.equal(stats.pending, 0);
  assert.equal(stats.size, 0);
  assert.equal(stats.misses, 100_000);
});

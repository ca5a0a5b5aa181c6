// WebAssembly out-of-memory: a Node child whose wasm memories are capped (V8's
// --wasm-max-mem-pages, per module) fills a cache until the core module's memory (the slots)
// cannot grow; then the key module's (an object argument's key) must not either. The call that
// cannot be cached gets a clear RangeError (not the engine's "unreachable" trap), every entry
// already cached is still served, and after freeing memory a fresh cache works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const child = String.raw`
import { memoize, TTLMapStorage, wasmMemoryBytes } from "cashier-wasm";
const storage = new TTLMapStorage({ maxSize: 10_000_000 });
let calls = 0;
const f = memoize((s) => { calls++; return s.length; }, { name: "f", storage });
const pad = "x".repeat(1000);
let stored = 0, error;
for (;;) {
  try { f(stored + pad); stored++; } catch (e) { error = e; break; }
  if (stored > 1e6) break;
}
const callsAtLimit = calls;
const stillServed = [0, stored >> 1, stored - 1].every((i) => f(i + pad) === (String(i) + pad).length);
let objectError;
try { memoize((o) => o.a, { name: "g", storage })({ a: "y".repeat(4096) }); } catch (e) { objectError = e; }
const storageError = (() => { try { storage.set("extra" + pad, 1); } catch (e) { return e; } })();
storage.clear();
const fresh = memoize((n) => n * 2, { maxSize: 10 });
const freshWorks = fresh(21) === 42 && fresh(21) === 42 && fresh.cache.stats().hits === 1;
const afterClear = f("again") === 5 && f("again") === 5;
console.log(JSON.stringify({
  stored, memory: wasmMemoryBytes(),
  error: { name: error?.name, message: error?.message },
  objectError: objectError && { name: objectError.name, message: objectError.message },
  storageError: storageError && { name: storageError.name, message: storageError.message },
  repeatedCalls: calls - callsAtLimit, stillServed, freshWorks, afterClear,
}));
`;

test("exhausted WebAssembly memory is a RangeError, cached entries survive, and memory freed is reused", () => {
  const pages = 160; // 10 MiB
  const out = execFileSync(process.execPath, [`--wasm-max-mem-pages=${pages}`, "--input-type=module", "-e", child], {
    encoding: "utf8",
  });
  const result = JSON.parse(out.trim().split("\n").pop());
  console.log(JSON.stringify(result));
  assert.ok(result.stored > 1000, `only ${result.stored} keys of 1 KiB fit in 10 MiB`);
  assert.ok(result.memory <= 2 * pages * 65536, "two modules, each capped");
  assert.equal(result.error.name, "RangeError");
  assert.match(result.error.message, /out of memory/);
  assert.equal(result.stillServed, true, "entries cached before the limit are served");
  assert.equal(result.repeatedCalls, 1, "the three hits ran nothing; 'again' ran once");
  if (result.objectError) assert.match(result.objectError.message, /out of memory/);
  if (result.storageError) assert.match(result.storageError.message, /out of memory/);
  assert.equal(result.freshWorks, true, "a fresh cache works after clear");
  assert.equal(result.afterClear, true, "the cleared cache caches again");
});

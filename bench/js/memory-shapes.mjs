// Bytes per entry of a memo of f(number, string) with distinct first arguments, 100,000 entries:
// cashier vs lru-cache used as a memo with a string key. Heap + external memory (ArrayBuffers,
// WebAssembly memory) after full GCs. Each measurement runs in its own process:
//   node --expose-gc bench/js/memory-shapes.mjs cashier [path/to/dist/esm/node.js]
//   node --expose-gc bench/js/memory-shapes.mjs lru-cache
//   node bench/js/memory-shapes.mjs compare [dist-before] [dist-after]   (medians of 3 runs each)
// The optional path measures another build of the package (e.g. before and after a change).

import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";

const ENTRIES = 100_000;
const [, , contender, packagePath] = process.argv;

const measure = () => {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};

/** The memo of `fn` for `contender`, holding up to `max` entries. */
async function make(fn, max) {
  if (contender === "lru-cache") {
    const { LRUCache } = await import("lru-cache");
    const cache = new LRUCache({ max });
    return (a, b) => {
      const key = `${a}\u0000${b}`;
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const value = fn(a, b);
      cache.set(key, value);
      return value;
    };
  }
  const cashier = await import(packagePath ? pathToFileURL(resolve(packagePath)).href : "cashier-wasm");
  return cashier.memoize(fn, { name: `shapes${max}`, maxSize: max });
}

if (contender === "compare") {
  const [, , , before, after] = process.argv;
  const self = fileURLToPath(import.meta.url);
  const run = (...args) => JSON.parse(execFileSync(process.execPath, ["--expose-gc", self, ...args], { encoding: "utf8" }));
  const rows = [
    ["lru-cache", []],
    ...(before ? [["cashier (before)", ["cashier", `${before}/esm/node.js`]]] : []),
    ...(after ? [["cashier (after)", ["cashier", `${after}/esm/node.js`]]] : []),
    ...(before || after ? [] : [["cashier", ["cashier"]]]),
  ];
  const results = {};
  for (let round = 0; round < 3; round++) {
    for (const [label, args] of rows) (results[label] ??= []).push(run(...(args.length ? args : ["lru-cache"])));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[1];
  const lru = median(results["lru-cache"].map((r) => r.bytesPerEntry));
  for (const [label] of rows) {
    const bytes = median(results[label].map((r) => r.bytesPerEntry));
    const withCache = median(results[label].map((r) => r.withCacheBytesPerEntry));
    console.log(`${label.padEnd(18)} ${String(bytes).padStart(5)} B/entry (${(bytes / lru).toFixed(2)}× lru-cache); with the cache's own reservation ${withCache} B/entry`);
  }
} else {
  const warm = await make((a, b) => ({ value: a, b }), 2);
  warm(-2, "w");
  const beforeCache = measure();
  // Values are small distinct objects, as memoized results usually are; the strings repeat (a
  // handful of distinct ones), the first arguments are all distinct.
  const strings = Array.from({ length: 37 }, (_, i) => `s${i}`);
  const memo = await make((a, b) => ({ value: a, b }), ENTRIES);
  memo(-1, "x");
  const before = measure();
  for (let i = 0; i < ENTRIES; i++) memo(i, strings[i % 37]);
  const after = measure();
  // Keep the cache alive through the measurement, and check it kept the entries.
  if (memo(ENTRIES - 1, strings[(ENTRIES - 1) % 37]).value !== ENTRIES - 1) throw new Error("lost an entry");
  console.log(
    JSON.stringify({
      bytesPerEntry: Math.round((after - before) / ENTRIES),
      withCacheBytesPerEntry: Math.round((after - beforeCache) / ENTRIES),
    }),
  );
}

// Bytes per entry at 100,000 entries for one contender (run in its own process by run.mjs):
//   node --expose-gc bench/js/memory.mjs NAME
// Counts the V8 heap plus external memory (ArrayBuffers, WebAssembly memory) after full GCs.

import { loadCashier, syncContendersFor } from "./contenders.mjs";

const ENTRIES = 100_000;
const name = process.argv[2];
const contender = syncContendersFor(await loadCashier()).find((c) => c.name === name);
if (!contender) throw new Error(`no contender ${name}`);

const measure = () => {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};

// Warm up the contender's code (a throwaway cache), then measure from before the cache is made:
// `bytesPerEntry` counts from after its first call (what entries add), `withCacheBytesPerEntry`
// also counts what making the cache reserved up front.
const warm = contender.make((a) => ({ value: a }), { max: 2, keying: "number", bounded: true });
if (typeof warm !== "string") warm(-2);
const beforeCache = measure();
// Values are small distinct objects, as memoized results usually are.
const memo = contender.make((a) => ({ value: a }), { max: ENTRIES, keying: "number", bounded: true });
if (typeof memo === "string") {
  console.log(JSON.stringify({ failing: memo }));
} else {
  memo(-1);
  const before = measure();
  for (let i = 0; i < ENTRIES; i++) memo(i);
  const after = measure();
  // Keep the cache alive through the measurement.
  if (memo(ENTRIES - 1).value !== ENTRIES - 1) throw new Error("lost an entry");
  console.log(
    JSON.stringify({
      bytesPerEntry: Math.round((after - before) / ENTRIES),
      withCacheBytesPerEntry: Math.round((after - beforeCache) / ENTRIES),
    }),
  );
}

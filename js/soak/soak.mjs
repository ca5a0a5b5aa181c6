// The soak (not part of the test command): mixes every operation of the package for a while in
// one Node process and checks invariants throughout, reporting ops/s per interval.
//   bash .ci/build-js.sh && node js/soak/soak.mjs [--minutes 10]
// Invariants, checked after every interval: size ≤ maxSize; hits + misses = the lookups this
// script made (every memoized call is one lookup); no pending flight once calls have settled;
// every returned value is the function's value for its arguments; WebAssembly memory stays flat
// after warm-up.
import { memoize, TTLMapStorage, TTLMapAsyncStorage, wasmMemoryBytes } from "cashier-wasm";

const minutes = Number(process.argv[process.argv.indexOf("--minutes") + 1] || 10);
const deadline = Date.now() + minutes * 60_000;
let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const pick = (n) => Math.floor(random() * n);

let clock = 0;
const MAX = 1000;
const syncStorage = new TTLMapStorage({ maxSize: MAX, ttl: 50, clock: () => clock });
const asyncStorage = new TTLMapAsyncStorage({ maxSize: MAX, ttl: 50, clock: () => clock });
const square = memoize((n) => n * n, { storage: syncStorage, name: "soak.square" });
const describe = memoize((o) => `${o.id}:${o.tags.join("+")}`, { storage: syncStorage, name: "soak.describe" });
let failures = 0;
const flaky = memoize(
  async (n) => {
    await null;
    if (n % 7 === 0) {
      failures++;
      throw new Error(`flaky ${n}`);
    }
    return -n;
  },
  { storage: asyncStorage, name: "soak.flaky" },
);

let syncLookups = 0;
let asyncLookups = 0;
let operations = 0;
const check = (ok, what) => {
  if (!ok) {
    console.error(`INVARIANT BROKEN: ${what}`);
    process.exit(1);
  }
};

let warmMemory = 0;
const startedAt = Date.now();
console.log("minute  ops/s      sync size  async size  hits/lookups  wasm memory");
for (let interval = 0; Date.now() < deadline; interval++) {
  const started = Date.now();
  let ops = 0;
  while (Date.now() - started < 5_000) {
    for (let i = 0; i < 1000; i++) {
      const choice = pick(100);
      if (choice < 50) {
        const n = pick(3000);
        check(square(n) === n * n, "square value");
        syncLookups++;
      } else if (choice < 70) {
        const id = pick(2000);
        const tags = ["a", "b", "c"].slice(0, 1 + (id % 3));
        const object = id % 2 ? { tags, id } : { id, tags };
        check(describe(object) === `${id}:${tags.join("+")}`, "describe value");
        syncLookups++;
      } else if (choice < 95) {
        const n = pick(500);
        asyncLookups++;
        flaky(n).then(
          (v) => check(v === -n, "flaky value"),
          (e) => check(n % 7 === 0 && e.message === `flaky ${n}`, "flaky rejection"),
        );
      } else if (choice < 97) {
        square.cache.delete(pick(3000));
      } else if (choice < 98) {
        clock += pick(20);
      } else if (choice < 99) {
        if (pick(50) === 0) syncStorage.bumpVersion();
      } else {
        syncStorage.delete(`soak.square(${pick(3000)})`);
      }
      ops++;
    }
    await new Promise((resolve) => setImmediate(resolve)); // let async calls settle
  }
  operations += ops;
  const s = syncStorage.stats();
  const a = await asyncStorage.stats();
  check(s.size <= MAX && a.size <= MAX, `size ${s.size}/${a.size} ≤ ${MAX}`);
  check(s.hits + s.misses === syncLookups, `sync hits+misses ${s.hits + s.misses} = lookups ${syncLookups}`);
  check(a.hits + a.misses === asyncLookups, `async hits+misses ${a.hits + a.misses} = lookups ${asyncLookups}`);
  check(a.pending === 0 && s.pending === 0, `pending ${a.pending}/${s.pending} = 0 after settling`);
  const memory = wasmMemoryBytes();
  if (interval === 2) warmMemory = memory;
  if (interval > 2) check(memory === warmMemory, `wasm memory flat: ${memory} vs ${warmMemory}`);
  if (minutes < 2 || interval % 12 === 11 || Date.now() >= deadline) {
    const minute = ((Date.now() - startedAt) / 60_000).toFixed(1);
    const hitRatio = ((s.hits + a.hits) / (syncLookups + asyncLookups)).toFixed(3);
    console.log(`${minute.padStart(6)}  ${Math.round(ops / 5).toLocaleString().padStart(9)}  ${String(s.size).padStart(9)}  ${String(a.size).padStart(10)}  ${hitRatio.padStart(12)}  ${memory} B`);
  }
}
console.log(`soak: ${operations.toLocaleString()} operations in ${minutes} min, ${failures} injected failures, every invariant held`);

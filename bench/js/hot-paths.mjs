// The hot paths of run.mjs (W1 hits of f(number, string), W3 miss + evict, W4 Zipf, W6 TTL hits,
// W5 async burst) for one or more builds of the package side by side with the lru-cache memo
// (not in W5: it shares no pending calls), in one process with interleaved rounds: to compare a
// change against the build before it.
//   node bench/js/hot-paths.mjs [label=path/to/dist ...]   (default: the installed package)

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { LRUCache } from "lru-cache";
import { prng, median } from "./sequence.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const builds = process.argv.slice(2).map((arg) => arg.split("="));
const contenders = [
  {
    name: "lru-cache memo",
    make: (fn, max, keying, ttl) => {
      const cache = new LRUCache({ max, ttl });
      const keyOf = keying === "number" ? (a) => a : (a, b) => `${a}\u0000${b}`;
      return (a, b) => {
        const key = keyOf(a, b);
        const hit = cache.get(key);
        if (hit !== undefined) return hit;
        const value = fn(a, b);
        cache.set(key, value);
        return value;
      };
    },
  },
];
let names = 0;
for (const [label, path] of builds.length ? builds : [["cashier", undefined]]) {
  const cashier = await import(path ? pathToFileURL(resolve(path, "esm/node.js")).href : "cashier-wasm");
  contenders.push({ name: label, build: true, make: (fn, max, keying, ttl) => cashier.memoize(fn, { name: `hot${++names}`, maxSize: max, ttl }) });
}

/** ns per call of `body` for each contender, median of interleaved rounds. */
function race(setup, body, calls) {
  const prepared = contenders.map((contender) => ({ contender, memo: setup(contender), samples: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < prepared.length; i++) {
      const entry = prepared[(i + round) % prepared.length];
      const started = process.hrtime.bigint();
      entry.check = body(entry.memo, calls);
      entry.samples.push(Number(process.hrtime.bigint() - started) / calls);
    }
  }
  const checks = new Set(prepared.map((entry) => entry.check));
  if (checks.size !== 1) throw new Error(`contenders disagree: ${[...checks]}`);
  return Object.fromEntries(prepared.map((entry) => [entry.contender.name, median(entry.samples)]));
}

function w1() {
  const KEYS = 1000;
  const CALLS = 200_000;
  const random = prng(1);
  const pairs = Array.from({ length: KEYS }, (_, i) => [i, `s${i % 37}`]);
  const sequence = Int32Array.from({ length: CALLS }, () => Math.floor(random() * KEYS));
  return race(
    (contender) => {
      const memo = contender.make((a, b) => a * 2 + b.length, KEYS, "primitive");
      for (const [a, b] of pairs) memo(a, b);
      return memo;
    },
    (memo, limit) => {
      let sum = 0;
      for (let i = 0; i < limit; i++) {
        const pair = pairs[sequence[i]];
        sum += memo(pair[0], pair[1]);
      }
      return sum;
    },
    CALLS,
  );
}

function w3() {
  const CALLS = 200_000;
  const random = prng(3);
  const sequence = Int32Array.from({ length: CALLS }, () => Math.floor(random() * 1_000_000));
  return race(
    (contender) => contender.make((a) => a * 2, 1000, "number"),
    (memo, limit) => {
      let sum = 0;
      for (let i = 0; i < limit; i++) sum += memo(sequence[i]);
      return sum;
    },
    CALLS,
  );
}

function w4() {
  const KEYS = 100_000;
  const CALLS = 300_000;
  const cumulative = new Float64Array(KEYS);
  let total = 0;
  for (let k = 0; k < KEYS; k++) cumulative[k] = total += 1 / Math.pow(k + 1, 0.99);
  const random = prng(4);
  const sequence = Int32Array.from({ length: CALLS }, () => {
    const target = random() * total;
    let low = 0;
    let high = KEYS - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return low;
  });
  return race(
    (contender) => contender.make((a) => a * 2, 10_000, "number"),
    (memo, limit) => {
      let sum = 0;
      for (let i = 0; i < limit; i++) sum += memo(sequence[i]);
      return sum;
    },
    CALLS,
  );
}

/** W6: hits on entries with a TTL (read against the clock on every call). */
function w6() {
  const KEYS = 1000;
  const PASSES = 200;
  return race(
    (contender) => {
      const memo = contender.make((a) => a * 2, KEYS * 2, "number", 600_000);
      for (let k = 0; k < KEYS; k++) memo(k);
      return memo;
    },
    (memo) => {
      let sum = 0;
      for (let pass = 0; pass < PASSES; pass++) for (let k = 0; k < KEYS; k++) sum += memo(k);
      return sum;
    },
    KEYS * PASSES,
  );
}

/** W5: a burst of 10,000 concurrent async calls over 100 keys, on a fresh cache (cold: 100
 * misses, the rest join them) and again (warm: hits); ms per burst, median of interleaved rounds. */
async function w5() {
  const CALLS = 10_000;
  const KEYS = 100;
  const builds = contenders.filter((contender) => contender.build);
  const samples = new Map(builds.map((contender) => [contender.name, { cold: [], warm: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < builds.length; i++) {
      const contender = builds[(i + round) % builds.length];
      const memo = contender.make(async (k) => {
        await new Promise((resolve) => setImmediate(resolve));
        return k * 2;
      }, 1000, "number", 60_000);
      const burst = async () => {
        const started = process.hrtime.bigint();
        const values = await Promise.all(Array.from({ length: CALLS }, (_, n) => memo(n % KEYS)));
        if (values.some((value, n) => value !== (n % KEYS) * 2)) throw new Error(`${contender.name}: wrong results`);
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      samples.get(contender.name).cold.push(await burst());
      samples.get(contender.name).warm.push(await burst());
    }
  }
  return [...samples].map(([name, { cold, warm }]) => [name, median(cold), median(warm)]);
}

const first = contenders.find((contender) => contender.build)?.name;
for (const [workload, run] of [["W1 hits f(number, string)", w1], ["W3 miss + evict", w3], ["W4 Zipf", w4], ["W6 TTL hits", w6]]) {
  const results = run();
  const lru = results["lru-cache memo"];
  console.log(workload);
  for (const [name, ns] of Object.entries(results)) {
    const ratio = results[first] && name !== "lru-cache memo" ? `  ${(ns / results[first]).toFixed(3)}× ${first}` : "";
    console.log(`  ${name.padEnd(16)} ${ns.toFixed(1).padStart(7)} ns/call  ${(ns / lru).toFixed(2)}× lru-cache${ratio}`);
  }
}
console.log("W5 async burst (10,000 calls, 100 keys)");
const bursts = await w5();
const [, firstCold, firstWarm] = bursts[0];
for (const [name, cold, warm] of bursts) {
  console.log(`  ${name.padEnd(16)} cold ${cold.toFixed(2).padStart(6)} ms (${(cold / firstCold).toFixed(3)}×)  warm ${warm.toFixed(2).padStart(6)} ms (${(warm / firstWarm).toFixed(3)}×)`);
}

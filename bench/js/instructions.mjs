// One workload of bench/js/hot-paths.mjs for one build, a given number of calls, nothing else: to
// count instructions per call with callgrind, deterministic where timings on a shared machine are
// not. Instructions per call = (Ir at N2 − Ir at N1) / (N2 − N1), which cancels start-up and JIT:
//   for n in 200000 1200000; do
//     valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
//       node --single-threaded bench/js/instructions.mjs path/to/dist w1 $n 2>&1 | grep Collected
//   done
// Workloads: w1 (hits of f(number, string)), w3 (miss + evict), w4 (Zipf; HITS=1: hits only),
// w6 (TTL hits, Date.now), w6f (TTL hits, a fixed clock), w5 (N bursts of 10,000 async calls
// over 100 keys, cold then warm: use N = 4 and 24).
import { pathToFileURL } from "node:url";
const [dist, workload, callsArg] = process.argv.slice(2);
const { memoize } = await import(pathToFileURL(dist + "/esm/node.js").href);
const CALLS = Number(callsArg);
const KEYS = 1000;
let seed = 1; const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pairs = Array.from({ length: KEYS }, (_, i) => [i, `s${i % 37}`]);
const seq = Int32Array.from({ length: 200_000 }, () => Math.floor(rnd() * KEYS));
let sum = 0;
if (workload === "w1") {
  const memo = memoize((a, b) => a * 2 + b.length, { name: "w1", maxSize: KEYS });
  for (const [a, b] of pairs) memo(a, b);
  for (let i = 0; i < CALLS; i++) { const p = pairs[seq[i % 200_000]]; sum += memo(p[0], p[1]); }
} else if (workload === "w3") {
  const memo = memoize((a) => a * 2, { name: "w3", maxSize: KEYS });
  for (let i = 0; i < CALLS; i++) sum += memo(Math.floor(rnd() * 1_000_000));
} else if (workload === "w4") {
  // Zipf(0.99) over 100,000 keys, a cache of 10,000 (bench/js/hot-paths.mjs's W4).
  const cumulative = new Float64Array(100_000);
  let total = 0;
  for (let k = 0; k < 100_000; k++) cumulative[k] = total += 1 / Math.pow(k + 1, 0.99);
  const zipf = Int32Array.from({ length: 300_000 }, () => {
    const target = rnd() * total;
    let low = 0, high = 99_999;
    while (low < high) { const mid = (low + high) >> 1; if (cumulative[mid] < target) low = mid + 1; else high = mid; }
    return low;
  });
  const memo = memoize((a) => a * 2, { name: "w4", maxSize: 10_000 });
  if (process.env.HITS) {
    // Hits only: every key the sequence asks for is held.
    for (let k = 0; k < 10_000; k++) memo(k);
    for (let i = 0; i < CALLS; i++) sum += memo(zipf[i % 300_000] % 10_000);
  } else {
    for (let i = 0; i < CALLS; i++) sum += memo(zipf[i % 300_000]);
  }
} else if (workload === "w5") {
  // CALLS bursts, each on a fresh cache: 10,000 concurrent calls over 100 keys, then again (warm).
  for (let burst = 0; burst < CALLS; burst++) {
    const memo = memoize(async (k) => {
      await new Promise((resolve) => setImmediate(resolve));
      return k * 2;
    }, { name: `w5_${burst}`, maxSize: 1000, ttl: 60_000 });
    for (let pass = 0; pass < 2; pass++) {
      const values = await Promise.all(Array.from({ length: 10_000 }, (_, n) => memo(n % 100)));
      for (const value of values) sum += value;
    }
  }
} else if (workload === "w6f") {
  // TTL hits against a fixed clock: no clock tick changes the work between runs.
  const memo = memoize((a) => a * 2, { name: "w6f", maxSize: 2 * KEYS, ttl: 600_000, clock: () => 1_000_000 });
  for (let i = 0; i < CALLS; i++) sum += memo(i % KEYS);
} else if (workload === "w6") {
  const memo = memoize((a) => a * 2, { name: "w6", maxSize: 2 * KEYS, ttl: 600_000 });
  for (let i = 0; i < CALLS; i++) sum += memo(i % KEYS);
}
console.log(sum);

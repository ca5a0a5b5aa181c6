import { memoize } from "cashier-wasm";
const CALLS = 10_000, KEYS = 100;
const times = [];
for (let r = 0; r < 30; r++) {
  const memo = memoize(async (k) => { await new Promise((r) => setImmediate(r)); return k * 2; }, { name: "w5" + r, maxSize: 1000, ttl: 60000 });
  const t = performance.now();
  await Promise.all(Array.from({ length: CALLS }, (_, n) => memo(n % KEYS)));
  times.push(performance.now() - t);
}
console.log(times.slice(5).map((t) => t.toFixed(2)).join(" "));

import { memoize } from "cashier-wasm";
import pMemoize from "p-memoize";
import { LRUCache } from "lru-cache";
const CALLS = 10_000, KEYS = 100;
for (let r = 0; r < Number(process.env.R ?? 3); r++) {
  for (const [label, make] of [["cashier", (fn) => memoize(fn, { name: "w5" + r, maxSize: 1000, ttl: 60000 })], ["p", (fn) => pMemoize(fn, { cache: new LRUCache({ max: 1000, ttl: 60000 }) })]]) {
    let inv = 0;
    const memo = make(async (k) => { inv++; await new Promise((r) => setImmediate(r)); return k * 2; });
    let t = performance.now();
    await Promise.all(Array.from({ length: CALLS }, (_, n) => memo(n % KEYS)));
    const cold = performance.now() - t;
    t = performance.now();
    await Promise.all(Array.from({ length: CALLS }, (_, n) => memo(n % KEYS)));
    console.log(label, cold.toFixed(2), (performance.now() - t).toFixed(2), inv);
  }
}

import { memoize } from "cashier-wasm";
import { LRUCache } from "lru-cache";
const CALLS = 1_000_000;
let seed = 7; const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const seq = Int32Array.from({ length: CALLS }, () => Math.floor(rnd() * 1_000_000));
// Zipf-ish: 
const lruMemo = (fn) => { const c = new LRUCache({ max: 1000 }); return (a) => { const h = c.get(a); if (h !== undefined) return h; const v = fn(a); c.set(a, v); return v; }; };
const which = process.argv[2] ?? "both";
const res = { cashier: [], lru: [] };
for (let r = 0; r < 5; r++) {
  for (const [label, make] of [["cashier", (fn) => memoize(fn, { name: "w3" + r, maxSize: 1000 })], ["lru", lruMemo]]) {
    if (which !== "both" && which !== label) continue;
    const memo = make((a) => a * 2);
    const t = performance.now(); let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += memo(seq[i]);
    res[label].push((performance.now() - t) * 1e6 / CALLS);
  }
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log("W3 cashier", med(res.cashier).toFixed(1), "lru", med(res.lru).toFixed(1), "ratio", (med(res.cashier) / med(res.lru)).toFixed(2));

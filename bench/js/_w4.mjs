import { memoize } from "cashier-wasm";
import { LRUCache } from "lru-cache";
const KEYS = 100_000, MAX = 10_000, CALLS = 300_000;
const cumulative = new Float64Array(KEYS); let total = 0;
for (let k = 0; k < KEYS; k++) cumulative[k] = total += 1 / Math.pow(k + 1, 0.99);
let seed = 4; const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const seq = Int32Array.from({ length: CALLS }, () => { const t = rnd() * total; let lo = 0, hi = KEYS - 1; while (lo < hi) { const m = (lo + hi) >> 1; if (cumulative[m] < t) lo = m + 1; else hi = m; } return lo; });
const lruMemo = (fn) => { const c = new LRUCache({ max: MAX }); return (a) => { const h = c.get(a); if (h !== undefined) return h; const v = fn(a); c.set(a, v); return v; }; };
const which = process.argv[2] ?? "both";
const res = { cashier: [], lru: [] };
for (let r = 0; r < 7; r++) {
  for (const [label, make] of [["cashier", (fn) => memoize(fn, { name: "w4" + r, maxSize: MAX })], ["lru", lruMemo]]) {
    if (which !== "both" && which !== label) continue;
    const memo = make((a) => a * 2);
    for (let i = 0; i < CALLS; i++) memo(seq[i]);
    const t = performance.now(); let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += memo(seq[i]);
    res[label].push((performance.now() - t) * 1e6 / CALLS);
  }
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
if (which === "both") console.log("W4 cashier", med(res.cashier).toFixed(1), "lru", med(res.lru).toFixed(1), "ratio", (med(res.cashier) / med(res.lru)).toFixed(2));

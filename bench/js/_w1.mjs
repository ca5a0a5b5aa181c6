import { memoize } from "cashier-wasm";
const KEYS = 1000, CALLS = 2_000_000;
const pairs = Array.from({ length: KEYS }, (_, i) => [i, `s${i % 37}`]);
let seed = 1; const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const seq = Int32Array.from({ length: CALLS }, () => Math.floor(rnd() * KEYS));
const memo = memoize((a, b) => a * 2 + b.length, { name: "w1", maxSize: KEYS });
for (const [a, b] of pairs) memo(a, b);
for (let r = 0; r < 5; r++) {
  const t = performance.now(); let sum = 0;
  for (let i = 0; i < CALLS; i++) { const p = pairs[seq[i]]; sum += memo(p[0], p[1]); }
  console.log(((performance.now() - t) * 1e6 / CALLS).toFixed(1), "ns", sum);
}
const m = new Map(); for (const [a,b] of pairs) m.set(`w1(${a},"${b}")`, a);
for (let r = 0; r < 3; r++) {
  const t = performance.now(); let sum = 0;
  for (let i = 0; i < CALLS; i++) { const p = pairs[seq[i]]; sum += m.get(`w1(${p[0]},"${p[1]}")`); }
  console.log("map+key", ((performance.now() - t) * 1e6 / CALLS).toFixed(1), "ns", sum);
}

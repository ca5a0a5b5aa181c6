// W2 alone (issue 14, object keys): hits of a memoized f(q) where q is a freshly built object
// each call, with its properties in a different order every other call, so a memoizer must key
// by value with sorted properties. Two shapes: run.mjs's W2 ({id, filter:{tags, since: number}})
// and the ({id, filter:{tags, since: Date}}). Contenders take turns, several rounds, in
// one process; medians in ns per hit, and each contender's ratio to the best peer.
//
//   node bench/js/w2.mjs [--rounds N] [--cashier path/to/entry.js] [--md out.md]
// Peers come from bench/js/node_modules (npm install in bench/js); cashier from the built
// package (dist/esm/node.js by default), so the numbers are the working tree's.

import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { LRUCache } from "lru-cache";
import memoizee from "memoizee";
import fastMemoize from "fast-memoize";
import { prng, median } from "./sequence.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const ROUNDS = Number(option("--rounds", 9));
const here = path.dirname(fileURLToPath(import.meta.url));
const entry = option("--cashier", path.join(here, "../../dist/esm/node.js"));
const MD_OUT = option("--md", null);
/** The markdown tables (--md): one per shape. */
const markdown = [];
const cashier = await import(pathToFileURL(path.resolve(entry)).href);

/** JSON with every object's properties sorted (what fast-json-stable-stringify does): the
 * normalizer a peer needs to key by value, written for speed so that the peers are at their best. */
const sortedJson = (value) => {
  if (value === null || typeof value !== "object" || typeof value.toJSON === "function") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + (sortedJson(value[i]) ?? "null");
    return out + "]";
  }
  const names = Object.keys(value).sort();
  let out = "";
  for (const name of names) {
    const item = sortedJson(value[name]);
    if (item !== undefined) out += (out ? "," : "") + JSON.stringify(name) + ":" + item;
  }
  return "{" + out + "}";
};

let names = 0;
const contenders = [
  { name: "cashier", make: (fn) => cashier.memoize(fn, { name: `w2.f${++names}` }) },
  { name: "fast-memoize+sortedJSON", make: (fn) => fastMemoize(fn, { serializer: sortedJson }) /* monadic: the serializer gets the argument */ },
  {
    name: "lru-cache+sortedJSON",
    make: (fn) => {
      const cache = new LRUCache({ max: 10_000 });
      return (q) => {
        const key = sortedJson(q);
        const hit = cache.get(key);
        if (hit !== undefined) return hit;
        const value = fn(q);
        cache.set(key, value);
        return value;
      };
    },
  },
  { name: "memoizee+sortedJSON", make: (fn) => memoizee(fn, { normalizer: (a) => sortedJson(a[0]) }) },
];

const VALUES = 1000;
const CALLS = 100_000;
const random = prng(2);
const sequence = Int32Array.from({ length: CALLS }, () => Math.floor(random() * VALUES));
const shapes = {
  "run.mjs W2 (since: number)": (i, flip) =>
    flip
      ? { filter: { since: i * 1000, tags: [`t${i % 7}`, `t${i % 3}`] }, id: i }
      : { id: i, filter: { tags: [`t${i % 7}`, `t${i % 3}`], since: i * 1000 } },
  "issue 14 (since: Date)": (i, flip) =>
    flip
      ? { filter: { since: new Date(i * 1000), tags: [`t${i % 7}`, `t${i % 3}`] }, id: i }
      : { id: i, filter: { tags: [`t${i % 7}`, `t${i % 3}`], since: new Date(i * 1000) } },
};
const compute = (q) => q.id * 3 + q.filter.tags.length;

for (const [shape, build] of Object.entries(shapes)) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const memos = contenders.map((c) => {
    let invocations = 0;
    const memo = c.make((q) => (invocations++, compute(q)));
    for (let i = 0; i < VALUES; i++) memo(build(i, 0)), memo(build(i, 1));
    return { c, memo, invocations: () => invocations };
  });
  let expected = 0;
  for (let n = 0; n < CALLS; n++) expected += compute(build(sequence[n], n & 1));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < memos.length; k++) {
      const { c, memo } = memos[(k + round) % memos.length];
      const started = process.hrtime.bigint();
      let sum = 0;
      for (let n = 0; n < CALLS; n++) sum += memo(build(sequence[n], n & 1));
      const ns = Number(process.hrtime.bigint() - started) / CALLS;
      if (sum !== expected) throw new Error(`${c.name}: wrong results`);
      samples[c.name].push(ns);
    }
  }
  for (const { c, invocations } of memos) if (invocations() > VALUES) throw new Error(`${c.name}: not keyed by value`);
  const medians = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
  const bestPeer = Math.min(...Object.entries(medians).filter(([n]) => n !== "cashier").map(([, m]) => m));
  console.log(`W2 ${shape}, ${ROUNDS} rounds of ${CALLS} hits (ns per hit, median; ratio to the best peer):`);
  for (const [name, m] of Object.entries(medians)) console.log(`  ${name.padEnd(26)} ${m.toFixed(0).padStart(6)}  ${(m / bestPeer).toFixed(2)}`);
  markdown.push(`W2, shape ${shape}: ${ROUNDS} interleaved rounds of ${CALLS.toLocaleString("en")} hits, fresh objects in alternating property order`, "", "| contender | median ns per hit | ÷ best peer |", "|---|---:|---:|");
  for (const [name, m] of Object.entries(medians).sort((a, b) => a[1] - b[1])) markdown.push(`| ${name} | ${m.toFixed(0)} | ${(m / bestPeer).toFixed(2)}× |`);
  markdown.push("");
}
if (MD_OUT) writeFileSync(MD_OUT, markdown.join("\n"));

// The JavaScript benchmark: cashier-wasm (the built, packed package) against peer memoizers,
// side by side in one Node process, several interleaved rounds, median ns per call.
//
//   node --expose-gc bench/js/run.mjs [--rounds N] [--json out.json]
//
// Every contender sees the same seeded key sequences. A contender whose results are wrong, or
// that does not do what the workload asks (key by value, bound its size, expire entries), is
// reported as failing and not ranked. bench/run.sh installs the packed package and writes
// bench/RESULTS.md from the JSON this prints.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

import { prng, median } from "./sequence.mjs";
import { loadCashier, syncContendersFor, asyncContendersFor } from "./contenders.mjs";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const ROUNDS = Number(option("--rounds", 7));
const JSON_OUT = option("--json", null);

const cashier = await loadCashier();
const syncContenders = syncContendersFor(cashier);
const asyncContenders = asyncContendersFor(cashier);

// ---------------------------------------------------------------- helpers

function versionOf(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    try {
      const entry = require.resolve(name);
      let dir = path.dirname(entry);
      while (dir !== path.dirname(dir)) {
        try {
          const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
          if (pkg.name === name) return pkg.version;
        } catch {}
        dir = path.dirname(dir);
      }
    } catch {}
    return "?";
  }
}

// ---------------------------------------------------------------- timing

/**
 * Runs `rounds` rounds; in each, every contender runs `body` once (in rotating order).
 * Returns { name -> { samples: [ns per call], ...extra } }.
 */
function raceSync(contenders, setup, body, calls) {
  const prepared = [];
  const results = {};
  for (const contender of contenders) {
    const made = setup(contender);
    if (typeof made === "string") {
      results[contender.name] = { failing: made };
    } else {
      // Calibrate: contenders slower than 2 µs per call run a shorter prefix of the sequence,
      // so an O(n) peer cannot stretch the suite to hours. Checks then cover that prefix.
      const probe = Math.min(2000, calls);
      const started = process.hrtime.bigint();
      body({ contender, ...made }, probe);
      const perCall = Number(process.hrtime.bigint() - started) / probe;
      const limit = perCall > 2000 ? Math.max(probe, Math.floor(calls / 20)) : calls;
      prepared.push({ contender, ...made, limit });
      results[contender.name] = { samples: [], calls: limit };
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = prepared.map((_, i) => prepared[(i + round) % prepared.length]);
    for (const entry of order) {
      const started = process.hrtime.bigint();
      const check = body(entry, entry.limit);
      const elapsed = Number(process.hrtime.bigint() - started);
      results[entry.contender.name].samples.push(elapsed / entry.limit);
      results[entry.contender.name].check = check;
    }
  }
  for (const entry of prepared) {
    const result = results[entry.contender.name];
    result.ns = median(result.samples);
    if (entry.finish) Object.assign(result, entry.finish());
  }
  return results;
}

// ---------------------------------------------------------------- workloads

function w1() {
  const KEYS = 1000;
  const CALLS = 200_000;
  const random = prng(1);
  const pairs = Array.from({ length: KEYS }, (_, i) => [i, `s${i % 37}`]);
  const sequence = Int32Array.from({ length: CALLS }, () => Math.floor(random() * KEYS));
  const compute = (a, b) => a * 2 + b.length;
  const expectedSums = new Map();
  const expectedFor = (limit) => {
    if (!expectedSums.has(limit)) {
      let sum = 0;
      for (let i = 0; i < limit; i++) sum += compute(...pairs[sequence[i]]);
      expectedSums.set(limit, sum);
    }
    return expectedSums.get(limit);
  };

  const results = raceSync(
    syncContenders,
    (contender) => {
      let invocations = 0;
      const memo = contender.make((a, b) => (invocations++, compute(a, b)), { max: KEYS, keying: "primitive", bounded: false });
      if (typeof memo === "string") return memo;
      for (const [a, b] of pairs) memo(a, b);
      return { memo, finish: () => ({ extraInvocations: invocations - KEYS }) };
    },
    ({ memo }, limit) => {
      let sum = 0;
      for (let i = 0; i < limit; i++) {
        const pair = pairs[sequence[i]];
        sum += memo(pair[0], pair[1]);
      }
      return sum;
    },
    CALLS,
  );
  for (const result of Object.values(results)) {
    if (result.failing) continue;
    if (result.check !== expectedFor(result.calls)) result.failing = "wrong results";
    else if (result.extraInvocations > 0) result.failing = `${result.extraInvocations} extra invocations on warm keys`;
  }
  // The limits: a bare Map.get on a ready key, and a plain call.
  const ready = new Map(pairs.map(([a, b], i) => [`${a}\u0000${b}`, compute(a, b)]));
  const readyKeys = pairs.map(([a, b]) => `${a}\u0000${b}`);
  const limits = raceSync(
    [{ name: "bare Map.get (ready key)" }, { name: "plain call" }],
    (contender) => ({ kind: contender.name }),
    ({ kind }, limit) => {
      let sum = 0;
      if (kind === "plain call") {
        for (let i = 0; i < limit; i++) {
          const pair = pairs[sequence[i]];
          sum += compute(pair[0], pair[1]);
        }
      } else {
        for (let i = 0; i < limit; i++) sum += ready.get(readyKeys[sequence[i]]);
      }
      return sum;
    },
    CALLS,
  );
  return { results, limits };
}

function w2() {
  const VALUES = 1000;
  const CALLS = 100_000;
  const random = prng(2);
  const sequence = Int32Array.from({ length: CALLS }, () => Math.floor(random() * VALUES));
  // A fresh object per call; every other call builds it with the properties in another order.
  const build = (i, flip) =>
    flip
      ? { filter: { since: i * 1000, tags: [`t${i % 7}`, `t${i % 3}`] }, id: i }
      : { id: i, filter: { tags: [`t${i % 7}`, `t${i % 3}`], since: i * 1000 } };
  const compute = (q) => q.id * 3 + q.filter.tags.length + q.filter.since;
  const expectedFor = (limit) => {
    let sum = 0;
    for (let n = 0; n < limit; n++) sum += compute(build(sequence[n], n & 1));
    return sum;
  };

  const results = raceSync(
    syncContenders,
    (contender) => {
      let invocations = 0;
      const memo = contender.make((q) => (invocations++, compute(q)), { max: VALUES, keying: "object", bounded: false });
      if (typeof memo === "string") return memo;
      for (let i = 0; i < VALUES; i++) {
        memo(build(i, 0));
        memo(build(i, 1));
      }
      return { memo, finish: () => ({ invocations }) };
    },
    ({ memo }, limit) => {
      let sum = 0;
      for (let n = 0; n < limit; n++) sum += memo(build(sequence[n], n & 1));
      return sum;
    },
    CALLS,
  );
  for (const result of Object.values(results)) {
    if (result.failing) continue;
    if (result.check !== expectedFor(result.calls)) result.failing = "wrong results";
    else if (result.invocations > VALUES) result.failing = `not keyed by value (${result.invocations} invocations for ${VALUES} values: property order matters)`;
  }
  const limits = raceSync(
    [{ name: "plain call (fresh object)" }],
    () => ({}),
    (_, limit) => {
      let sum = 0;
      for (let n = 0; n < limit; n++) sum += compute(build(sequence[n], n & 1));
      return sum;
    },
    CALLS,
  );
  return { results, limits };
}

function w3() {
  const MAX = 1000;
  const CALLS = 200_000;
  const random = prng(3);
  const sequence = Int32Array.from({ length: CALLS }, () => Math.floor(random() * 1_000_000));
  return {
    results: raceSync(
      syncContenders,
      (contender) => {
        const memo = contender.make((a) => a * 2, { max: MAX, keying: "number", bounded: true });
        return typeof memo === "string" ? memo : { memo };
      },
      ({ memo }, limit) => {
        let sum = 0;
        for (let i = 0; i < limit; i++) sum += memo(sequence[i]);
        return sum;
      },
      CALLS,
    ),
  };
}

function w4() {
  const KEYS = 100_000;
  const MAX = 10_000;
  const CALLS = 300_000;
  // Zipf(0.99) by inverse CDF over a cumulative table.
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
  const results = raceSync(
    syncContenders,
    (contender) => {
      const memo = contender.make((a) => a * 2, { max: MAX, keying: "number", bounded: true });
      return typeof memo === "string" ? memo : { memo };
    },
    ({ memo }, limit) => {
      let sum = 0;
      for (let i = 0; i < limit; i++) sum += memo(sequence[i]);
      return sum;
    },
    CALLS,
  );
  // Hit ratio: one full pass over the whole sequence, on a fresh cache, for every contender.
  for (const contender of syncContenders) {
    if (results[contender.name].failing) continue;
    let invocations = 0;
    const memo = contender.make((a) => (invocations++, a * 2), { max: MAX, keying: "number", bounded: true });
    for (let i = 0; i < sequence.length; i++) memo(sequence[i]);
    results[contender.name].hitRatio = 1 - invocations / sequence.length;
  }
  return { results };
}

async function w5() {
  const CALLS = 10_000;
  const KEYS = 100;
  const results = {};
  for (const contender of asyncContenders) results[contender.name] = { cold: [], warm: [], invocations: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < asyncContenders.length; i++) {
      const contender = asyncContenders[(i + round) % asyncContenders.length];
      let invocations = 0;
      const memo = contender.make(
        async (k) => {
          invocations++;
          await new Promise((resolve) => setImmediate(resolve));
          return k * 2;
        },
        { max: 1000, ttl: 60_000 },
      );
      const burst = async () => {
        const started = performance.now();
        const values = await Promise.all(Array.from({ length: CALLS }, (_, n) => memo(n % KEYS)));
        const ms = performance.now() - started;
        if (values.some((value, n) => value !== (n % KEYS) * 2)) throw new Error(`${contender.name}: wrong results`);
        return ms;
      };
      const result = results[contender.name];
      result.cold.push(await burst());
      result.invocations.push(invocations);
      result.warm.push(await burst());
      if (invocations !== KEYS) result.failing = `${invocations} invocations for ${KEYS} keys`;
    }
  }
  for (const result of Object.values(results)) {
    result.coldMs = median(result.cold);
    result.warmMs = median(result.warm);
    result.maxInvocations = Math.max(...result.invocations);
  }
  return { results };
}

async function w6() {
  const KEYS = 1000;
  const TTL = 200;
  const PASSES = 5;
  const results = {};
  for (const contender of syncContenders) {
    let invocations = 0;
    const memo = contender.make((a) => (invocations++, a * 2), { max: KEYS * 2, ttl: TTL, keying: "number", bounded: true });
    if (typeof memo === "string") {
      results[contender.name] = { failing: memo };
      continue;
    }
    for (let k = 0; k < KEYS; k++) memo(k);
    const started = process.hrtime.bigint();
    for (let pass = 0; pass < PASSES; pass++) for (let k = 0; k < KEYS; k++) memo(k);
    const hitNs = Number(process.hrtime.bigint() - started) / (KEYS * PASSES);
    const beforeExpiry = invocations;
    await sleep(TTL + 100);
    for (let k = 0; k < KEYS; k++) memo(k);
    const recomputed = invocations - beforeExpiry;
    const healthy = beforeExpiry === KEYS && recomputed === KEYS;
    results[contender.name] = {
      ns: hitNs,
      recomputed,
      ...(healthy ? {} : { failing: `${beforeExpiry - KEYS} early recomputes, ${recomputed}/${KEYS} recomputed after the TTL` }),
    };
  }
  return { results };
}

/** Bytes per entry at 100,000 entries, each contender in its own process. */
function memory() {
  const results = {};
  for (const contender of syncContenders) {
    const child = spawnSync(process.execPath, ["--expose-gc", path.join(here, "memory.mjs"), contender.name], {
      encoding: "utf8",
      cwd: here,
    });
    try {
      results[contender.name] = JSON.parse(child.stdout.trim().split("\n").pop());
    } catch {
      results[contender.name] = { failing: (child.stderr || child.stdout).trim().split("\n").slice(-1)[0] };
    }
  }
  return { results };
}

/**
 * gzip size of what `import "cashier-wasm"` loads in Node, and cold start (import + first call).
 * The key module (converter, key builder, hashes) is loaded on the first call that needs a key
 * string (an object argument, a hashed serializer, a shared storage): it is reported on its own,
 * with the cold start of a first call that loads it.
 */
function packageFigures() {
  if (!cashier) return null;
  const root = path.dirname(require.resolve("cashier-wasm/package.json"));
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const measure = (files) => {
    let raw = 0;
    let gzip = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      raw += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    return { raw, gzip };
  };
  // The files a cold start in Node loads: the ESM entry's own imports plus the .wasm it reads.
  const files = listLoadedFiles(root);
  const { raw, gzip } = measure(files);
  // The key module: its bytes travel in the entry's chunks (counted above); this is what compiles on first need.
  const keyFiles = ["dist/esm/wasm/cashier_keys_bg.wasm"].map((f) => path.join(root, f));
  const keyModule = keyFiles.every((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  })
    ? { files: keyFiles.map((f) => path.relative(root, f)), ...measure(keyFiles) }
    : null;
  const coldStart = (firstCall, specifier = "cashier-wasm") => {
    const starts = [];
    for (let i = 0; i < 9; i++) {
      const child = spawnSync(
        process.execPath,
        ["--input-type=module", "-e", `const t = performance.now(); const m = await import(${JSON.stringify(specifier)}); ${firstCall}; console.log(performance.now() - t);`],
        { encoding: "utf8", cwd: here },
      );
      if (child.status !== 0) return { failing: child.stderr.trim().split("\n").pop() };
      starts.push(Number(child.stdout.trim()));
    }
    return median(starts);
  };
  const coldStartMs = coldStart(`m.memoize((x) => x, { name: "cold" })(1)`);
  if (typeof coldStartMs === "object") return coldStartMs;
  const coldStartObjectMs = coldStart(`m.memoize((x) => x.id, { name: "cold" })({ id: 1 })`);
  if (typeof coldStartObjectMs === "object") return coldStartObjectMs;
  // The floor under any package's cold start in this measurement (Node's ESM loader starting up),
  // and a peer's: lru-cache's import + first set and get.
  const emptyModule = path.join(here, "..", "out", "empty-module.mjs");
  writeFileSync(emptyModule, "export const x = 1;\n");
  const coldStartEmptyMs = coldStart("m.x", pathToFileURL(emptyModule).href);
  const coldStartLruMs = coldStart("const c = new m.LRUCache({ max: 10 }); c.set(1, 1); c.get(1)", "lru-cache");
  return {
    version: pkg.version,
    files: files.map((f) => path.relative(root, f)),
    raw,
    gzip,
    coldStartMs,
    keyModule,
    coldStartObjectMs,
    coldStartEmptyMs,
    coldStartLruMs,
  };
}

/** The package's files a cold start loads: the static imports of its Node ESM entry, and the
 * .wasm files that importing it and a first call of a primitive-argument cache read. */
function listLoadedFiles(root) {
  const entry = import.meta.resolve("cashier-wasm");
  const seen = new Set();
  const queue = [fileURLToPath(entry)];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s*["'](\.[^"']+)["']|import\s*["'](\.[^"']+)["']/g)) {
      queue.push(path.resolve(path.dirname(file), match[1] ?? match[2]));
    }
  }
  const child = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `import fs from "node:fs";
const read = [];
for (const name of ["openSync", "readFileSync"]) {
  const original = fs[name];
  fs[name] = function (file, ...rest) { read.push(String(file)); return original.call(this, file, ...rest); };
}
const m = await import("cashier-wasm");
m.memoize((x) => x, { name: "cold" })(1);
console.log(JSON.stringify(read));`],
    { encoding: "utf8", cwd: here },
  );
  if (child.status !== 0) throw new Error(`listing the files a cold start reads: ${child.stderr}`);
  for (const file of JSON.parse(child.stdout.trim().split("\n").pop())) {
    if (file.endsWith(".wasm")) seen.add(file.startsWith("file:") ? fileURLToPath(file) : file);
  }
  return [...seen].filter((file) => file.startsWith(root));
}

// ---------------------------------------------------------------- main

const report = {
  command: "bash bench/run.sh",
  date: new Date().toISOString(),
  node: process.version,
  versions: Object.fromEntries(
    ["cashier-wasm", "lru-cache", "moize", "memoizee", "fast-memoize", "p-memoize", "async-cache-dedupe"].map((n) => [n, versionOf(n)]),
  ),
  rounds: ROUNDS,
};
const step = (name) => console.error(`… ${name}`);
step("W1 hit path, primitive args");
report.w1 = w1();
step("W2 hit path, fresh object arg");
report.w2 = w2();
step("W3 miss + evict");
report.w3 = w3();
step("W4 Zipf");
report.w4 = w4();
step("W5 async dedup");
report.w5 = await w5();
step("W6 TTL churn");
report.w6 = await w6();
step("memory per entry");
report.memory = memory();
step("package size and cold start");
report.package = packageFigures();

const text = JSON.stringify(report, (key, value) => (key === "samples" || key === "cold" || key === "warm" ? undefined : value), 1);
if (JSON_OUT) writeFileSync(JSON_OUT, text);
else console.log(text);

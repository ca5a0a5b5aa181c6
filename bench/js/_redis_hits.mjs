// Focused A/B of Redis hits (issue 14): cashier's RedisStorage as installed in bench/js
// (node_modules/cashier-wasm: the baseline tarball), the worktree's dist/ build, and
// async-cache-dedupe, each on its own ioredis client, on one redis-server; interleaved rounds,
// medians. Rows: sequential hits, 50-in-flight hits, sequential misses (fresh keys: fetch +
// store). `--only NAME --loops N [--phase par|seq|miss]` runs one contender's loop of one phase (for node --cpu-prof).
//
//   node bench/js/_redis_hits.mjs [--rounds N] [--pipeline] [--only NAME --loops N]
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { createCache as createDedupeCache } from "async-cache-dedupe";
import * as baseMain from "cashier-wasm";
import * as baseRedis from "cashier-wasm/redis";
import { prng, median } from "./sequence.mjs";
import { redisProcess } from "../../js/test/redis/redis-process.mjs";

// CASHIER_ESM=target/js/esm: tsc's unbundled output (readable profiles).
const esm = new URL(`../../${process.env.CASHIER_ESM ?? "dist/esm"}/`, import.meta.url);
const newMain = await import(new URL("node.js", esm));
const newRedis = await import(new URL("redis-entry.js", esm));

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const ROUNDS = Number(option("--rounds", 7));
const PIPELINE = args.includes("--pipeline");
// Under valgrind (callgrind instruction counts) commands are slow: --timeout 60000.
const TIMEOUT = Number(option("--timeout", 500));
const KEYS = 100, SEQ = 2000, PAR = 5000, IN_FLIGHT = 50, MISSES = 1000;

const server = await redisProcess();
process.on("exit", () => server.stop());
const region = (id) => ["eu", "us", "ap"][id % 3];
const fn = async (id, where) => ({ id, region: where, payload: `row ${id} `.repeat(10) });
const probe = new Redis(server.url);
/** redis-server's CPU time so far, µs (INFO cpu). */
async function serverCpu() {
  const info = await probe.call("INFO", "cpu");
  const get = (name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)[1]);
  return (get("used_cpu_user") + get("used_cpu_sys")) * 1e6;
}
const client = () => new Redis(server.url, { enableAutoPipelining: PIPELINE });

const cashier = (main, redis) => (ns) => {
  const c = client();
  return { f: main.memoize(fn, { name: "bench.row", storage: new redis.RedisStorage({ client: c, prefix: ns, timeout: TIMEOUT }) }), close: () => c.disconnect() };
};
const contenders = {
  "cashier (baseline)": cashier(baseMain, baseRedis),
  "cashier (worktree)": cashier(newMain, newRedis),
  "async-cache-dedupe": (ns) => {
    const c = client();
    const cache = createDedupeCache({ ttl: 3600, storage: { type: "redis", options: { client: c } } });
    cache.define(ns.replace(/\W/g, "_"), ({ id, where }) => fn(id, where));
    return { f: (id, where) => cache[ns.replace(/\W/g, "_")]({ id, where }), close: () => c.disconnect() };
  },
};

const sequence = (n, seed) => {
  const next = prng(seed);
  return Array.from({ length: n }, () => Math.floor(next() * KEYS));
};
const SEQ_KEYS = sequence(SEQ, 1);
const PAR_KEYS = sequence(PAR, 2);
const check = (v, id) => {
  if (v?.id !== id || v.region !== region(id)) throw new Error(`wrong value for ${id}`);
};

/** This process's CPU µs since `start` (a process.cpuUsage()). */
const cpuOf = (start) => {
  const used = process.cpuUsage(start);
  return used.user + used.system;
};

async function par(f) {
  for (let at = 0; at < PAR; at += IN_FLIGHT) {
    await Promise.all(PAR_KEYS.slice(at, at + IN_FLIGHT).map((id) => f(id, region(id)).then((v) => check(v, id))));
  }
}

async function once(name, round) {
  const ns = `hits-${round}-${name.replace(/\W+/g, "-")}-`;
  const one = contenders[name](ns);
  try {
    for (let id = 0; id < KEYS; id++) await one.f(id, region(id));
    let cpuStart = process.cpuUsage();
    let start = performance.now();
    for (let i = 0; i < MISSES; i++) await one.f(KEYS + i, region(i));
    const missOps = MISSES / ((performance.now() - start) / 1000);
    const missUs = cpuOf(cpuStart) / MISSES;
    cpuStart = process.cpuUsage();
    start = performance.now();
    for (const id of SEQ_KEYS) check(await one.f(id, region(id)), id);
    const seqOps = SEQ / ((performance.now() - start) / 1000);
    const seqUs = cpuOf(cpuStart) / SEQ;
    const serverBefore = await serverCpu();
    const cpuBefore = process.cpuUsage();
    start = performance.now();
    await par(one.f);
    const parOps = PAR / ((performance.now() - start) / 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const serverUs = (await serverCpu()) - serverBefore;
    return { seqOps, parOps, missOps, missUs, seqUs, clientUs: (cpu.user + cpu.system) / PAR, serverUs: serverUs / PAR };
  } finally {
    one.close();
  }
}

const only = option("--only", null);
if (only) {
  const one = contenders[only]("prof-");
  for (let id = 0; id < KEYS; id++) await one.f(id, region(id));
  const loops = Number(option("--loops", 20));
  const phase = option("--phase", "par");
  const cpu = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  for (let i = 0; i < loops; i++) {
    if (phase === "par") await par(one.f);
    else if (phase === "seq") for (const id of SEQ_KEYS) check(await one.f(id, region(id)), id);
    else for (let k = 0; k < MISSES; k++) await one.f(KEYS + i * MISSES + k, region(k));
    n += phase === "par" ? PAR : phase === "seq" ? SEQ : MISSES;
  }
  const used = process.cpuUsage(cpu);
  console.log(`${only}: ${Math.round(n / ((performance.now() - start) / 1000))} ops/s (${phase}), client CPU ${((used.user + used.system) / n).toFixed(1)} µs/op`);
  one.close();
  await server.stop();
  process.exit(0);
}

const names = Object.keys(contenders);
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round) % names.length];
    samples[name].push(await once(name, round));
  }
}
const fmt = (n) => Math.round(n).toLocaleString("en");
const dedupe = median(samples["async-cache-dedupe"].map((s) => s.parOps));
console.log(`${ROUNDS} rounds, medians; ioredis enableAutoPipelining: ${PIPELINE}`);
console.log("| contender | misses seq ops/s | hits seq ops/s | hits 50 in flight ops/s | ÷ dedupe (50 in flight, median of per-round ratios) | client CPU µs/op: miss seq / hit seq / hit 50 in flight | redis-server CPU µs/hit (50 in flight) |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const name of names) {
  const s = samples[name];
  const ratios = s.map((x, r) => x.parOps / samples["async-cache-dedupe"][r].parOps);
  console.log(`| ${name} | ${fmt(median(s.map((x) => x.missOps)))} | ${fmt(median(s.map((x) => x.seqOps)))} | ${fmt(median(s.map((x) => x.parOps)))} | ${median(ratios).toFixed(2)}× | ${["missUs", "seqUs", "clientUs"].map((k) => median(s.map((x) => x[k])).toFixed(1)).join(" / ")} | ${median(s.map((x) => x.serverUs)).toFixed(1)} |`);
}
void dedupe;
probe.disconnect();
await server.stop();
process.exit(0);

// The Redis benchmark: cashier's RedisStorage / TieredStorage against async-cache-dedupe (redis
// storage, ioredis), cache-manager (Keyv + @keyv/redis) and cacheable (memory + @keyv/redis), all
// on one redis-server started here on 127.0.0.1, several interleaved rounds, medians; plus
// cashier's RedisStorage on a 3-master Redis Cluster also started here (ioredis Cluster and
// node-redis createCluster; one storage's keys share one hash-tag slot, so one master serves it),
// and how long a TieredStorage delete takes to reach another connection's L1 (pub/sub); and the
// cluster layout's trade-off: a lookup as one script in the storage's slot (cashier's layout) vs
// the per-key alternative (GET the generation, then a script in the key's own slot).
//
//   node bench/js/redis.mjs [--rounds N] [--json out.json] [--md out.md]
//
// Per round and contender, in a fresh namespace:
//   burst  two instances (two clients, as two processes) each fire 1,000 concurrent calls over
//          the same 100 missing keys; the function takes 5 ms. Invocations (ideal: 100) and ms.
//   seq    2,000 awaited calls, one at a time, over those 100 (now cached) keys: ops/s.
//   par    5,000 calls over the 100 keys, 50 in flight at a time: ops/s.
// Every result is checked; a contender returning a wrong value is reported as failing.

import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "redis";
import { Redis } from "ioredis";
import { nodeRedisCluster, ioRedisCluster } from "../../js/test/redis/clients.mjs";
import { redisCluster } from "../../js/test/redis/cluster-process.mjs";
import { createCache as createDedupeCache } from "async-cache-dedupe";
import { createCache as createManagerCache } from "cache-manager";
import { Cacheable } from "cacheable";
import { createKeyv as createKeyvRedis } from "@keyv/redis";
import { memoize, TTLMapAsyncStorage } from "cashier-wasm";
import { RedisStorage, TieredStorage } from "cashier-wasm/redis";
import { prng, median } from "./sequence.mjs";
import { redisProcess } from "../../js/test/redis/redis-process.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const ROUNDS = Number(option("--rounds", 3));
const KEYS = 100;
const BURST = 1000;
const SEQ = 2000;
const PAR = 5000;
const IN_FLIGHT = 50;

const server = await redisProcess();
const cluster = await redisCluster();
process.on("exit", () => {
  server.stop();
  cluster.stop();
});

async function nodeRedis() {
  const client = createClient({ url: server.url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

const region = (id) => ["eu", "us", "ap"][id % 3];
const expected = (id) => ({ id, region: region(id), payload: `row ${id} `.repeat(10) });

/** The workload's function: one invocation per call, 5 ms of "work". */
function source(counter) {
  return async (id, where) => {
    counter.invocations++;
    await sleep(5);
    return { id, region: where, payload: `row ${id} `.repeat(10) };
  };
}

const jsonKey = (args) => JSON.stringify(args);

// make(namespace, fn) → { f(id, region), close() }: one instance, its own client. cashier takes
// the user's client: ioredis (as async-cache-dedupe) in its main rows, node-redis in one.
const contenders = {
  "cashier RedisStorage": async (ns, fn) => {
    const client = new Redis(server.url);
    const f = memoize(fn, { name: "bench.row", storage: new RedisStorage({ client, prefix: ns }) });
    return { f, close: () => client.disconnect() };
  },
  "cashier RedisStorage (node-redis)": async (ns, fn) => {
    const client = await nodeRedis();
    const f = memoize(fn, { name: "bench.row", storage: new RedisStorage({ client, prefix: ns }) });
    return { f, close: () => client.destroy() };
  },
  "cashier RedisStorage lock": async (ns, fn) => {
    const client = new Redis(server.url);
    const f = memoize(fn, { name: "bench.row", storage: new RedisStorage({ client, prefix: ns, lock: { poll: 10 } }) });
    return { f, close: () => client.disconnect() };
  },
  "cashier RedisStorage (Cluster)": async (ns, fn) => {
    const client = await ioRedisCluster(cluster.ports);
    const f = memoize(fn, { name: "bench.row", storage: new RedisStorage({ client, prefix: ns }) });
    return { f, close: () => client.disconnect() };
  },
  "cashier RedisStorage (node-redis cluster)": async (ns, fn) => {
    const client = await nodeRedisCluster(cluster.ports);
    const f = memoize(fn, { name: "bench.row", storage: new RedisStorage({ client, prefix: ns }) });
    return { f, close: () => client.destroy() };
  },
  "cashier TieredStorage": async (ns, fn) => {
    const client = new Redis(server.url);
    const storage = new TieredStorage(new TTLMapAsyncStorage({ ttl: 10_000, maxSize: 10_000 }), new RedisStorage({ client, prefix: ns }));
    return { f: memoize(fn, { name: "bench.row", storage }), close: () => client.disconnect() };
  },
  "async-cache-dedupe": async (ns, fn) => {
    const client = new Redis(server.url);
    const cache = createDedupeCache({ ttl: 3600, storage: { type: "redis", options: { client } } });
    cache.define(ns, ({ id, where }) => fn(id, where));
    return { f: (id, where) => cache[ns]({ id, where }), close: () => client.disconnect() };
  },
  "cache-manager": async (ns, fn) => {
    const cache = createManagerCache({ stores: [createKeyvRedis(server.url, { namespace: ns })] });
    return { f: (...a) => cache.wrap(jsonKey(a), () => fn(...a), 3_600_000), close: () => cache.disconnect() };
  },
  cacheable: async (ns, fn) => {
    const cache = new Cacheable({ secondary: createKeyvRedis(server.url, { namespace: ns }) });
    return { f: (...a) => cache.getOrSet(jsonKey(a), () => fn(...a), { ttl: 3_600_000 }), close: () => cache.disconnect() };
  },
};
const tiers = {
  "cashier RedisStorage": "Redis (ioredis)",
  "cashier RedisStorage (node-redis)": "Redis (node-redis)",
  "cashier RedisStorage lock": "Redis (ioredis), distributed lock",
  "cashier RedisStorage (Cluster)": "3-master Redis Cluster (ioredis Cluster)",
  "cashier RedisStorage (node-redis cluster)": "3-master Redis Cluster (node-redis createCluster)",
  "cashier TieredStorage": "memory + Redis (ioredis)",
  "async-cache-dedupe": "Redis (ioredis)",
  "cache-manager": "Redis (@keyv/redis: node-redis)",
  cacheable: "memory + Redis (@keyv/redis: node-redis)",
};

const sequence = (n, seed) => {
  const next = prng(seed);
  return Array.from({ length: n }, () => Math.floor(next() * KEYS));
};
const SEQ_KEYS = sequence(SEQ, 1);
const PAR_KEYS = sequence(PAR, 2);

function check(value, id, wrong) {
  const want = expected(id);
  if (value?.id !== want.id || value.region !== want.region || value.payload !== want.payload) wrong.count++;
}

async function runOnce(name, round) {
  const ns = `bench-${round}-${name.replace(/\W+/g, "-")}:`;
  const counter = { invocations: 0 };
  const fn = source(counter);
  const one = await contenders[name](ns, fn);
  const two = await contenders[name](ns, fn);
  const wrong = { count: 0 };
  try {
    // Connections warm (a call on a key outside the workload) before timing.
    await one.f(-3, region(-3));
    await two.f(-3, region(-3));
    counter.invocations = 0;

    let start = performance.now();
    await Promise.all(
      Array.from({ length: 2 * BURST }, (_, i) => {
        const id = (i >> 1) % KEYS; // both instances ask for every key
        return (i % 2 ? one : two).f(id, region(id)).then((v) => check(v, id, wrong));
      }),
    );
    const burstMs = performance.now() - start;
    const burstInvocations = counter.invocations;

    start = performance.now();
    for (const id of SEQ_KEYS) check(await one.f(id, region(id)), id, wrong);
    const seqOps = SEQ / ((performance.now() - start) / 1000);

    start = performance.now();
    for (let at = 0; at < PAR; at += IN_FLIGHT) {
      await Promise.all(PAR_KEYS.slice(at, at + IN_FLIGHT).map((id) => two.f(id, region(id)).then((v) => check(v, id, wrong))));
    }
    const parOps = PAR / ((performance.now() - start) / 1000);
    return { burstMs, burstInvocations, seqOps, parOps, hitInvocations: counter.invocations - burstInvocations, wrong: wrong.count };
  } finally {
    await Promise.all([one.close(), two.close()].map((p) => Promise.resolve(p).catch(() => {})));
  }
}


const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
const names = Object.keys(contenders);
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round) % names.length];
    samples[name].push(await runOnce(name, round));
    process.stderr.write(".");
  }
}
process.stderr.write("\n");

/**
 * Invalidation delay: ms from the start of `delete(key)` on one connection to the moment another
 * connection's TieredStorage (its own subscriber connection) has dropped the key from its L1.
 */
async function invalidationDelays(n) {
  const [client, other, subscriber] = [new Redis(server.url), new Redis(server.url), new Redis(server.url)];
  const tiered = new TieredStorage(new TTLMapAsyncStorage({ ttl: 60_000 }), new RedisStorage({ client, prefix: "bench-invalidate:" }), { subscriber });
  await tiered.subscribed;
  const deleter = new RedisStorage({ client: other, prefix: "bench-invalidate:" });
  const delays = [];
  for (let i = 0; i < n; i++) {
    await tiered.getOrCompute(`k${i}`, () => i);
    const seen = tiered.stats().invalidations;
    const start = performance.now();
    await deleter.delete(`k${i}`);
    while (tiered.stats().invalidations === seen) await new Promise((resolve) => setImmediate(resolve));
    delays.push(performance.now() - start);
  }
  await Promise.all([client, other, subscriber].map((c) => c.disconnect()));
  delays.sort((a, b) => a - b);
  return { median: median(delays), p99: delays[Math.floor(0.99 * (delays.length - 1))], max: delays.at(-1) };
}
const invalidation = await invalidationDelays(500);

/**
 * Sequential lookups per second on the cluster (ioredis Cluster), medians of 5 rounds of 5,000:
 * `oneSlot` — one script reading the generation and the value in the storage's hash-tag slot (as
 * RedisStorage's FETCH); `perKey` — GET the generation, then a script on the value's own slot.
 */
async function clusterLayouts() {
  const client = await ioRedisCluster(cluster.ports);
  const fetch = `local g = redis.call('GET', KEYS[1]) or '0'
return {g, redis.call('GET', ARGV[1] .. g .. ':v:' .. ARGV[2])}`;
  const read = "return redis.call('GET', KEYS[1])";
  // Both scripts on every master, so each EVALSHA finds its script wherever it is routed.
  let oneSha;
  let readSha;
  for (const port of cluster.ports) {
    const node = new Redis(`redis://127.0.0.1:${port}`);
    oneSha = String(await node.call("SCRIPT", "LOAD", fetch));
    readSha = String(await node.call("SCRIPT", "LOAD", read));
    node.disconnect();
  }
  const n = 5000;
  const rates = { oneSlot: [], perKey: [] };
  for (let round = 0; round < 5; round++) {
    let start = performance.now();
    for (let i = 0; i < n; i++) await client.call("EVALSHA", oneSha, "1", "{bench-layout:}generation", "{bench-layout:}", `k${i % KEYS}`);
    rates.oneSlot.push(n / ((performance.now() - start) / 1000));
    start = performance.now();
    for (let i = 0; i < n; i++) {
      const generation = (await client.call("GET", "bench-layout:generation")) ?? "0";
      await client.call("EVALSHA", readSha, "1", `bench-layout:${generation}:v:k${i % KEYS}`);
    }
    rates.perKey.push(n / ((performance.now() - start) / 1000));
  }
  client.disconnect();
  return { oneSlot: median(rates.oneSlot), perKey: median(rates.perKey) };
}
const layouts = await clusterLayouts();

const results = {};
for (const [name, runs] of Object.entries(samples)) {
  const wrong = runs.reduce((sum, r) => sum + r.wrong, 0);
  results[name] = {
    tier: tiers[name],
    burstMs: median(runs.map((r) => r.burstMs)),
    burstInvocations: runs.map((r) => r.burstInvocations),
    hitInvocations: runs.map((r) => r.hitInvocations),
    seqOps: median(runs.map((r) => r.seqOps)),
    parOps: median(runs.map((r) => r.parOps)),
    wrong,
  };
}

// Read from node_modules directly: some packages do not export their package.json.
const versionOf = (name) => {
  try {
    return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
  } catch {
    return "?";
  }
};
const redisVersion = (await (async () => {
  const client = await nodeRedis();
  const info = await client.info("server");
  client.destroy();
  return /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
})());
const versions = {
  "redis-server": redisVersion,
  ...Object.fromEntries(
    ["cashier-wasm", "redis", "ioredis", "async-cache-dedupe", "cache-manager", "cacheable", "@keyv/redis", "keyv"].map((n) => [n, versionOf(n)]),
  ),
};

const lines = [];
const say = (text = "") => lines.push(text);
say(`Redis-backed workloads: ${ROUNDS} interleaved rounds, medians; one redis-server (${redisVersion}) on 127.0.0.1, no persistence.`);
say(`Burst: 2 instances × ${BURST.toLocaleString("en")} concurrent calls over the same ${KEYS} missing keys (5 ms function). Hits: ${SEQ.toLocaleString("en")} sequential calls, then ${PAR.toLocaleString("en")} calls ${IN_FLIGHT} in flight, over those keys.`);
say();
say("| contender | storage | burst invocations (ideal 100) | burst ms | hits sequential ops/s | hits 50 in flight ops/s | hit-phase invocations | wrong results |");
say("|---|---|---:|---:|---:|---:|---:|---:|");
const fmt = (n) => Math.round(n).toLocaleString("en");
for (const [name, r] of Object.entries(results)) {
  say(`| ${name} | ${r.tier} | ${r.burstInvocations.join(" / ")} | ${fmt(r.burstMs)} | ${fmt(r.seqOps)} | ${fmt(r.parOps)} | ${r.hitInvocations.join(" / ")} | ${r.wrong} |`);
}
say();
say(`L1 invalidation (TieredStorage subscriber, ioredis): a delete on one connection reaches another connection's L1 in ${invalidation.median.toFixed(2)} ms median, ${invalidation.p99.toFixed(2)} ms p99, ${invalidation.max.toFixed(2)} ms max (500 deletes; from the start of delete() to the key leaving L1).`);
say(`Cluster layout: ${fmt(layouts.oneSlot)} sequential lookups/s as one script in the storage's hash-tag slot (cashier) vs ${fmt(layouts.perKey)}/s per-key (GET the generation, then a script in the key's slot); ioredis Cluster, medians of 5 × 5,000.`);
say();
say(`Versions: ${Object.entries(versions).map(([n, v]) => `${n} ${v}`).join(", ")}.`);
const markdown = lines.join("\n");
console.log(markdown);
const json = option("--json", null);
if (json) writeFileSync(json, JSON.stringify({ results, invalidation, layouts, versions }, null, 2));
const md = option("--md", null);
if (md) writeFileSync(md, `${markdown}\n`);
await server.stop();
await cluster.stop();
process.exit(0);

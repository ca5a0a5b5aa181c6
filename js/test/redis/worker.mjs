// A separate Node process for processes.test.mjs and cluster.test.mjs: memoizes over Redis and
// answers JSON-line commands on stdin, one JSON line each on stdout.
//   node worker.mjs '{"url":…,"prefix":…,"mode":"redis"|"tiered","client":…,"subscribe":bool}'
//     client: "node-redis" (default) | "ioredis" | "node-redis-cluster" | "ioredis-cluster"
//             (a cluster's url is a comma-separated list of 127.0.0.1 ports)
//     subscribe: tiered only: a second connection subscribed to L2's invalidation channel
//   {"op":"call","arg":1}                → {"value":…,"calls":n}   (calls: this process's invocations)
//   {"op":"clear"}                       → {"done":true}            (rotation: one INCR)
//   {"op":"delete","arg":1}              → {"deleted":bool}
//   {"op":"stats"}                       → {"stats":{…}}
//   {"op":"burst","startAt":ms,"n":1000,"keys":50} → {"calls":n,"sum":…} (waits for startAt first)
import { createInterface } from "node:readline";
import { memoize, TTLMapAsyncStorage } from "cashier-wasm";
import { RedisStorage, TieredStorage } from "cashier-wasm/redis";
import { nodeRedis, ioRedis, nodeRedisCluster, ioRedisCluster, sleep } from "./clients.mjs";

const { url, prefix, mode, client: kind = "node-redis", subscribe = false } = JSON.parse(process.argv[2]);
const connect = {
  "node-redis": () => nodeRedis(url),
  ioredis: async () => ioRedis(url),
  "node-redis-cluster": () => nodeRedisCluster(url.split(",").map(Number)),
  "ioredis-cluster": () => ioRedisCluster(url.split(",").map(Number)),
}[kind];
const client = await connect();
const subscriber = subscribe ? await connect() : undefined;
const l2 = new RedisStorage({ client, prefix, lock: { ttl: 10_000, poll: 20 } });
const storage = mode === "tiered" ? new TieredStorage(new TTLMapAsyncStorage({ ttl: 60_000 }), l2, { syncInterval: 0, subscriber }) : l2;
if (storage.subscribed && subscribe && !(await storage.subscribed)) throw new Error("could not subscribe");

let calls = 0;
const square = memoize(
  async (x) => {
    calls++;
    await sleep(25);
    return { x, square: x * x, by: process.pid };
  },
  { name: "processes.square", storage },
);

async function handle(command) {
  switch (command.op) {
    case "call": {
      const value = await square(command.arg);
      return { value, calls };
    }
    case "clear":
      await square.cache.clear();
      return { done: true };
    case "delete":
      return { deleted: await square.cache.delete(command.arg) };
    case "stats":
      return { stats: square.cache.stats() };
    case "burst": {
      await sleep(Math.max(0, command.startAt - Date.now()));
      const before = calls;
      const values = await Promise.all(Array.from({ length: command.n }, (_, i) => square(i % command.keys)));
      const wrong = values.filter((v, i) => v.square !== (i % command.keys) ** 2).length;
      return { calls: calls - before, wrong, stats: square.cache.stats() };
    }
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

const close = (c) => (typeof c.call === "function" ? c.disconnect() : c.destroy());
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const reply = await handle(JSON.parse(line)).catch((error) => ({ error: String(error?.stack ?? error) }));
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
close(client);
if (subscriber) close(subscriber);

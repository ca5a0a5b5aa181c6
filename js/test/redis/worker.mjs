// A separate Node process for processes.test.mjs: memoizes over Redis and answers JSON-line
// commands on stdin, one JSON line each on stdout.
//   node worker.mjs <redis-url> <prefix> <redis|tiered>
//   {"op":"call","arg":1}                → {"value":…,"calls":n}   (calls: this process's invocations)
//   {"op":"clear"}                       → {"done":true}            (rotation: one INCR)
//   {"op":"burst","startAt":ms,"n":1000,"keys":50} → {"calls":n,"sum":…} (waits for startAt first)
import { createInterface } from "node:readline";
import { memoize, TTLMapAsyncStorage } from "cashier-wasm";
import { RedisStorage, TieredStorage } from "cashier-wasm/redis";
import { nodeRedis, sleep } from "./clients.mjs";

const [url, prefix, mode] = process.argv.slice(2);
const client = await nodeRedis(url);
const l2 = new RedisStorage({ client, prefix, lock: { ttl: 10_000, poll: 20 } });
const storage = mode === "tiered" ? new TieredStorage(new TTLMapAsyncStorage({ ttl: 60_000 }), l2, { syncInterval: 0 }) : l2;

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

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const reply = await handle(JSON.parse(line)).catch((error) => ({ error: String(error?.stack ?? error) }));
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
client.destroy();

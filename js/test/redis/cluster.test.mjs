// RedisStorage on a real 3-master Redis Cluster (cluster-process.mjs) through ioredis' Cluster and
// node-redis' createCluster: every key of a storage carries the hash tag {prefix}, so each script
// touches one slot; values, TTLs, delete, clear and the lock work; a rotation is one INCR seen by
// every client; storages with different prefixes spread over the masters; and when the master of
// a storage's slot is killed mid-run, calls still answer (computed, never wrong), the other
// masters' storages keep caching, and caching resumes once the master is back.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { memoize, TTLMapAsyncStorage } from "cashier-wasm";
import { RedisStorage, TieredStorage } from "cashier-wasm/redis";
import { redisCluster } from "./cluster-process.mjs";
import { nodeRedisCluster, ioRedisCluster, sleep } from "./clients.mjs";
import { worker } from "./workers.mjs";

const cluster = await redisCluster();
after(() => cluster.stop());

const clients = {
  "ioredis Cluster": () => ioRedisCluster(cluster.ports),
  "node-redis createCluster": () => nodeRedisCluster(cluster.ports),
};
const close = (client) => (typeof client.call === "function" ? client.disconnect() : client.destroy());
/** One raw command through either cluster client. */
const send = (client, args) =>
  typeof client.call === "function" ? client.call(args[0], ...args.slice(1)) : client.sendCommand(args[1], false, args);

/** A prefix (starting with `stem`) whose hash tag lands on master `node`. */
async function prefixOn(stem, node) {
  for (let i = 0; ; i++) {
    if ((await cluster.nodeOf(`{${stem}${i}:}generation`)) === node) return `${stem}${i}:`;
  }
}

for (const [label, connect] of Object.entries(clients)) {
  test(`${label}: values, TTLs, delete, clear and the lock on a 3-master cluster`, { timeout: 30_000 }, async () => {
    const client = await connect();
    const other = await connect();
    try {
      const prefix = `basic-${label.split(" ")[0]}:`;
      const storage = new RedisStorage({ client, prefix, lock: true });
      assert.equal(storage.cluster, true, "a cluster client is recognised");
      assert.equal(storage.base, `{${prefix}}`);
      let calls = 0;
      const fn = async (x) => {
        calls++;
        return { x, square: x * x };
      };
      const f = memoize(fn, { name: "cluster.f", storage });
      assert.deepEqual(await f(3), { x: 3, square: 9 });
      assert.deepEqual(await f(3), { x: 3, square: 9 });
      assert.equal(calls, 1, "the second call was a hit");
      // The layout: the value under the hash-tagged base, in generation 0.
      assert.equal(typeof (await send(client, ["GET", `{${prefix}}0:v:${f.cache.keyOf(3)}`])), "string");

      await storage.set("k", [1, 2], 60_000);
      assert.deepEqual(await storage.get("k"), [1, 2]);
      const pttl = Number(await send(client, ["PTTL", `{${prefix}}0:v:k`]));
      assert.ok(pttl > 0 && pttl <= 60_000, `PTTL ${pttl}`);
      assert.equal(await storage.delete("k"), true);
      assert.equal(await storage.has("k"), false);

      // Another client (as another process) sees the value, and a rotation by it: one INCR.
      const elsewhere = new RedisStorage({ client: other, prefix, lock: true });
      const g = memoize(fn, { name: "cluster.f", storage: elsewhere });
      assert.deepEqual(await g(3), { x: 3, square: 9 });
      assert.equal(calls, 1, "the other client found the value");
      await elsewhere.clear();
      assert.equal(await storage.generation(), "1");
      assert.deepEqual(await f(3), { x: 3, square: 9 });
      assert.equal(calls, 2, "recomputed after the other client's rotation");
      await storage.bumpVersion();
      assert.equal(await elsewhere.generation(), "2");
      assert.equal(storage.stats().errors + elsewhere.stats().errors, 0);
    } finally {
      await Promise.all([close(client), close(other)]);
    }
  });

  test(`${label}: storages spread over the masters; a killed master's storage computes, the others keep caching, caching resumes`, { timeout: 60_000 }, async () => {
    const client = await connect();
    const tag = label.split(" ")[0];
    try {
      // One storage per master; the one on master `down` loses it for a while.
      const prefixes = [await prefixOn(`m0-${tag}-`, 0), await prefixOn(`m1-${tag}-`, 1), await prefixOn(`m2-${tag}-`, 2)];
      const down = 1;
      const errors = [];
      const calls = [0, 0, 0];
      const fs = prefixes.map((prefix, i) => {
        const storage = new RedisStorage({ client, prefix, lock: true, timeout: 300, retryAfter: 100, onError: (e) => errors.push(e) });
        return memoize(
          async (x) => {
            calls[i]++;
            return { x, node: i, square: x * x };
          },
          { name: `cluster.spread${i}`, storage },
        );
      });
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await fs[i](7), { x: 7, node: i, square: 49 });
        assert.deepEqual(await fs[i](7), { x: 7, node: i, square: 49 });
      }
      assert.deepEqual(calls, [1, 1, 1], "each storage caches on its own master");
      assert.equal(errors.length, 0);

      // Calls in flight while the master is killed: each answers with its own value.
      const inFlight = Promise.all(Array.from({ length: 60 }, (_, n) => fs[down](100 + (n % 12))));
      await cluster.stopNode(down);
      try {
        (await inFlight).forEach((value, n) => assert.deepEqual(value, { x: 100 + (n % 12), node: down, square: (100 + (n % 12)) ** 2 }));
        const before = calls[down];
        // The storage on the killed master: every call answers, computed, with its own value.
        for (const x of [7, 8, 7]) assert.deepEqual(await fs[down](x), { x, node: down, square: x * x });
        assert.equal(calls[down], before + 3, "computed while its master is down");
        assert.ok(errors.length > 0, "the outage was reported");
        assert.ok(errors.every((e) => e.name === "StorageError"));
        // The other masters' storages still answer from Redis.
        for (const i of [0, 1, 2].filter((n) => n !== down)) {
          assert.deepEqual(await fs[i](7), { x: 7, node: i, square: 49 });
          assert.equal(calls[i], 1, `storage on master ${i} still caches`);
        }
      } finally {
        await cluster.startNode(down);
      }

      // Back (empty: no persistence — its generation and values went together): caching resumes.
      let resumed = false;
      for (let attempt = 0; attempt < 200 && !resumed; attempt++) {
        const before = calls[down];
        assert.deepEqual(await fs[down](9), { x: 9, node: down, square: 81 });
        assert.deepEqual(await fs[down](9), { x: 9, node: down, square: 81 });
        resumed = calls[down] === before + 1;
        if (!resumed) await sleep(100);
        else {
          // and the next call is a hit too.
          assert.deepEqual(await fs[down](9), { x: 9, node: down, square: 81 });
          resumed = calls[down] === before + 1;
        }
      }
      assert.ok(resumed, "caching resumed after the master returned");
    } finally {
      await close(client);
    }
  });
}

test("processes on both cluster clients: a rotation is seen by every process; the lock dedups 4 processes × 1,000 calls to 50", { timeout: 60_000 }, async () => {
  const url = cluster.ports.join(",");
  const kinds = ["node-redis-cluster", "ioredis-cluster", "node-redis-cluster", "ioredis-cluster"];
  const workers = kinds.map((client) => worker({ url, prefix: "procs:", mode: "redis", client }));
  try {
    const [a, b, c, d] = workers;
    assert.equal((await a.ask({ op: "call", arg: 3 })).calls, 1);
    for (const w of [b, c, d]) assert.equal((await w.ask({ op: "call", arg: 3 })).calls, 0, "found a's value");
    await b.ask({ op: "clear" });
    assert.equal((await a.ask({ op: "call", arg: 3 })).calls, 2, "a recomputed after b's rotation");
    for (const w of [b, c, d]) assert.equal((await w.ask({ op: "call", arg: 3 })).calls, 0, "found a's new value");
    await a.ask({ op: "clear" });
    const startAt = Date.now() + 300;
    const replies = await Promise.all(workers.map((w) => w.ask({ op: "burst", startAt, n: 1000, keys: 50 })));
    const total = replies.reduce((sum, r) => sum + r.calls, 0);
    assert.equal(total, 50, `invocations per process: ${replies.map((r) => r.calls).join(", ")}`);
    assert.ok(replies.every((r) => r.wrong === 0 && r.stats.errors === 0));
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
});

test("tiered processes on a cluster: a delete in one drops the key from the other's L1", { timeout: 30_000 }, async () => {
  const url = cluster.ports.join(",");
  const a = worker({ url, prefix: "procs-tiered:", mode: "tiered", client: "ioredis-cluster", subscribe: true });
  const b = worker({ url, prefix: "procs-tiered:", mode: "tiered", client: "node-redis-cluster", subscribe: true });
  try {
    assert.equal((await a.ask({ op: "call", arg: 4 })).calls, 1);
    assert.equal((await b.ask({ op: "call", arg: 4 })).calls, 0);
    assert.deepEqual(await a.ask({ op: "delete", arg: 4 }), { deleted: true });
    for (let i = 0; i < 1000 && (await b.ask({ op: "stats" })).stats.invalidations === 0; i++) await sleep(5);
    assert.equal((await b.ask({ op: "call", arg: 4 })).calls, 1, "b recomputed: the key left its L1");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("the cluster option: explicit on a plain function client; bad prefixes and values are clear errors", () => {
  const command = async () => null;
  const tagged = new RedisStorage({ client: command, prefix: "p:", cluster: true });
  assert.equal(tagged.base, "{p:}");
  assert.equal(new RedisStorage({ client: command, prefix: "p:" }).base, "p:", "the single-server layout is unchanged");
  assert.throws(() => new RedisStorage({ client: command, prefix: "", cluster: true }), /prefix is the keys' hash tag/);
  assert.throws(() => new RedisStorage({ client: command, prefix: "}x", cluster: true }), /prefix is the keys' hash tag/);
  assert.throws(() => new RedisStorage({ client: command, cluster: "yes" }), /cluster must be a boolean/);
});

test("a function client receives each command's first key, for routing", async () => {
  const seen = [];
  const storage = new RedisStorage({
    client: async (args, key) => {
      seen.push([args[0], key]);
      if (args[0] === "SCRIPT") return "sha";
      if (args[0] === "EVALSHA") return ["0", null];
      return null;
    },
    prefix: "route:",
    cluster: true,
  });
  await storage.get("k");
  await storage.clear();
  assert.deepEqual(seen, [
    ["SCRIPT", undefined],
    ["EVALSHA", "{route:}generation"],
    ["INCR", "{route:}generation"],
  ]);
});

test("tiered over a cluster: a delete through one client drops the key from another's L1", { timeout: 30_000 }, async () => {
  const [a, b, sub] = await Promise.all([ioRedisCluster(cluster.ports), nodeRedisCluster(cluster.ports), nodeRedisCluster(cluster.ports)]);
  try {
    const prefix = "tiered-cluster:";
    const tiered = new TieredStorage(new TTLMapAsyncStorage({ ttl: 60_000 }), new RedisStorage({ client: a, prefix }), { subscriber: sub });
    assert.equal(await tiered.subscribed, true);
    let calls = 0;
    const f = memoize(async (x) => ({ x, n: ++calls }), { name: "cluster.tiered", storage: tiered });
    assert.deepEqual(await f(1), { x: 1, n: 1 });
    assert.deepEqual(await f(1), { x: 1, n: 1 }, "an L1 hit");
    const other = new RedisStorage({ client: b, prefix });
    await other.delete(f.cache.keyOf(1));
    for (let i = 0; i < 500 && tiered.stats().invalidations === 0; i++) await sleep(10);
    assert.equal(tiered.stats().invalidations, 1, "the invalidation arrived");
    assert.deepEqual(await f(1), { x: 1, n: 2 }, "recomputed: gone from L1 and L2");
  } finally {
    await Promise.all([close(a), close(b), close(sub)]);
  }
});

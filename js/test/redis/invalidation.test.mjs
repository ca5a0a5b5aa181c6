// TieredStorage's L1 invalidation by Redis pub/sub, in one process against a real redis-server:
// a value L2 read before another process deleted it stays out of L1 when the delete's message
// arrives while the read is on its way; a subscriber that reconnects empties L1 (it may have
// missed messages); a subscription that fails is reported; bad subscribers are clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TTLMapAsyncStorage } from "cashier-wasm";
import { RedisStorage, TieredStorage, StorageError } from "cashier-wasm/redis";
import { redisServer } from "./server.mjs";
import { nodeRedis, ioRedis, sleep } from "./clients.mjs";

const server = await redisServer();
const close = (client) => (typeof client.call === "function" ? client.disconnect() : client.destroy());

/** Polls `condition` (every 5 ms, at most 5 s): the wait is not what the test measures. */
async function until(condition) {
  for (let i = 0; i < 1000 && !(await condition()); i++) await sleep(5);
}

for (const label of ["node-redis", "ioredis"]) {
  const connect = () => (label === "ioredis" ? ioRedis(server.url) : nodeRedis(server.url));

  test(`${label}: a value read from L2 before another process's delete does not enter L1 once the delete is heard`, { timeout: 20_000 }, async () => {
    const [client, subscriber, other] = await Promise.all([connect(), connect(), connect()]);
    try {
      const prefix = `race-${label}:`;
      const send = typeof client.call === "function" ? (args) => client.call(args[0], ...args.slice(1)) : (args) => client.sendCommand(args);
      // A lookup's script reply is held (once Redis has answered: `answered`) until `release()`:
      // the delete happens in between.
      let hold;
      let answered;
      const gated = async (args) => {
        const reply = await send(args);
        if (hold && args[0] === "EVALSHA") {
          answered();
          await hold;
        }
        return reply;
      };
      const tiered = new TieredStorage(new TTLMapAsyncStorage({ ttl: 60_000 }), new RedisStorage({ client: gated, prefix }), { subscriber });
      assert.equal(await tiered.subscribed, true);
      const elsewhere = new RedisStorage({ client: other, prefix });
      await elsewhere.set("k", "old");
      let release;
      hold = new Promise((resolve) => (release = resolve));
      const heard = new Promise((resolve) => (answered = resolve));
      const read = tiered.getOrCompute("k", () => "computed");
      await heard;
      await elsewhere.delete("k");
      await until(() => tiered.stats().invalidations === 1);
      assert.equal(tiered.stats().invalidations, 1);
      hold = undefined;
      release();
      assert.equal(await read, "old", "the value as it was when read");
      assert.equal(await tiered.l1.has("k"), false, "but it was not put in L1");
      assert.equal(await tiered.getOrCompute("k", () => "new"), "new", "the next lookup computes");
    } finally {
      await Promise.all([close(client), close(subscriber), close(other)]);
    }
  });

  test(`${label}: a subscriber that reconnects empties L1 (messages may have been missed)`, { timeout: 20_000 }, async () => {
    const [client, subscriber, admin] = await Promise.all([connect(), connect(), nodeRedis(server.url)]);
    try {
      const tiered = new TieredStorage(new TTLMapAsyncStorage({ ttl: 60_000 }), new RedisStorage({ client, prefix: `reconnect-${label}:` }), { subscriber });
      assert.equal(await tiered.subscribed, true);
      assert.equal(await tiered.getOrCompute("k", () => 1), 1);
      assert.equal(await tiered.l1.has("k"), true);
      // Cut the subscription's connection; the client reconnects and resubscribes by itself.
      await admin.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
      await until(async () => !(await tiered.l1.has("k")));
      assert.equal(await tiered.l1.has("k"), false, "L1 was emptied on reconnection");
      // Once resubscribed, invalidations arrive again.
      await until(async () => Number((await admin.sendCommand(["PUBSUB", "NUMSUB", tiered.l2.channel]))[1]) === 1);
      assert.equal(await tiered.getOrCompute("k", () => 2), 1, "L2 still had it");
      await new RedisStorage({ client: admin, prefix: `reconnect-${label}:` }).delete("k");
      await until(() => tiered.stats().invalidations === 1);
      assert.equal(await tiered.l1.has("k"), false);
    } finally {
      await Promise.all([close(client), close(subscriber), close(admin)]);
    }
  });
}

test("a subscription that fails is reported to L2's onError; bad subscribers are clear errors", async () => {
  const client = await nodeRedis(server.url);
  try {
    const errors = [];
    const l2 = new RedisStorage({ client, prefix: "subfail:", onError: (e) => errors.push(e) });
    const failing = { subscribe: async () => Promise.reject(new Error("no pub/sub here")) };
    const tiered = new TieredStorage(new TTLMapAsyncStorage(), l2, { subscriber: failing });
    assert.equal(await tiered.subscribed, false);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof StorageError);
    assert.equal(errors[0].operation, "subscribe");
    assert.equal(errors[0].command, "SUBSCRIBE");
    assert.match(errors[0].message, /^subscribe: no pub\/sub here \(SUBSCRIBE subfail:invalidate\)$/);
    assert.equal(tiered.stats().errors, 1);
    assert.equal(await tiered.getOrCompute("k", () => 5), 5, "still caches");
    assert.throws(() => new TieredStorage(new TTLMapAsyncStorage(), l2, { subscriber: {} }), /subscriber must be a node-redis or ioredis connection/);
    assert.throws(() => new TieredStorage(new TTLMapAsyncStorage(), l2, { subscriber: null }), /subscriber must be/);
    assert.equal(await new TieredStorage(new TTLMapAsyncStorage(), l2).subscribed, false, "no subscriber: not subscribed");
  } finally {
    close(client);
  }
});

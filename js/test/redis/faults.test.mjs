// Faults of one request or one key against a real redis-server started here: a lock request that
// times out while the server hangs (SIGSTOP) must not take a lock when it resumes (SIGCONT); a
// lock's holder renews a short lease, so a holder that stops answering blocks others for at most
// that lease; errors name the storage operation (the Redis command is a detail); and a key of
// the wrong Redis type or holding foreign data is that key's fault: reported, repaired, and every
// other key stays cached.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize } from "cashier-wasm";
import { RedisStorage, StorageError } from "cashier-wasm/redis";
import { redisServer } from "./server.mjs";
import { nodeRedis, ioRedis, sleep } from "./clients.mjs";

/** One raw command through either client (node-redis `sendCommand`, ioredis `call`). */
const send = (client, args) => (typeof client.call === "function" ? client.call(args[0], ...args.slice(1)) : client.sendCommand(args));
const close = (client) => (typeof client.call === "function" ? client.disconnect() : client.destroy());

for (const label of ["node-redis", "ioredis"]) {
  test(`${label}: a lock request that times out while Redis hangs leaves no lock when it resumes`, { timeout: 30_000 }, async () => {
    const server = await redisServer();
    const client = label === "ioredis" ? ioRedis(server.url) : await nodeRedis(server.url);
    const other = await nodeRedis(server.url);
    const errors = [];
    const prefix = `hang-${label}:`;
    // retryAfter 1: the lock request of f(101) is sent even if a slow machine timed out an earlier one.
    const storage = new RedisStorage({ client, prefix, lock: true, timeout: 200, retryAfter: 1, onError: (e) => errors.push(e) });
    // A storage that has sent nothing yet: its first command is the script load.
    const fresh = new RedisStorage({ client, prefix, timeout: 200, onError: (e) => errors.push(e) });
    let calls = 0;
    const fn = async (x) => {
      calls++;
      return x * 2;
    };
    const f = memoize(fn, { name: "hang.f", storage });
    const g = memoize(fn, { name: "hang.g", storage: fresh });
    try {
      assert.equal(await f(1), 2);
      server.pause();
      try {
        assert.equal(await f(101), 202, "computed while Redis hangs");
        assert.equal(await g(5), 10, "computed while Redis hangs");
      } finally {
        server.resume();
      }
      // The timed-out ACQUIRE runs now. A command sent after it on the same connection runs after
      // it (and after whatever the storage queued behind it): it must find no lock.
      const lock = `${prefix}0:l:${f.cache.keyOf(101)}`;
      assert.equal(Number(await send(client, ["EXISTS", lock])), 0, "no lock left behind for f(101)");

      // Another process asks for the key at once: nobody holds it, so it computes without waiting.
      const elsewhere = new RedisStorage({ client: other, prefix, lock: true });
      const h = memoize(fn, { name: "hang.f", storage: elsewhere });
      assert.equal(await h(101), 202);
      assert.equal(elsewhere.stats().waits, 0, "nobody waits for an orphan lock");

      // What onError received: the storage operation, the key, and the Redis command as a detail.
      const lockErrors = errors.filter((e) => e.key === f.cache.keyOf(101));
      assert.equal(lockErrors.length, 1, JSON.stringify(errors.map((e) => e.message)));
      assert.ok(lockErrors[0] instanceof StorageError);
      assert.equal(lockErrors[0].operation, "lock");
      assert.equal(lockErrors[0].command, "EVALSHA");
      assert.match(lockErrors[0].message, /^lock: Redis did not answer within 200 ms \(EVALSHA\)$/);
      const getErrors = errors.filter((e) => e.key === g.cache.keyOf(5));
      assert.equal(getErrors.length, 1);
      assert.equal(getErrors[0].operation, "get");
      assert.equal(getErrors[0].command, "SCRIPT LOAD");
      assert.ok(errors.every((e) => ["get", "set", "lock"].includes(e.operation)), errors.map((e) => e.operation).join());
    } finally {
      close(client);
      other.destroy();
    }
  });
}

test("lock lease: the holder renews a short lease; a holder that stops answering blocks others at most that lease", { timeout: 30_000 }, async () => {
  const server = await redisServer();
  const a = await nodeRedis(server.url);
  const b = await nodeRedis(server.url);
  // timeout < lease / 2: a renewal sent at lease / 2 lands before the lease ends, with room for a slow machine.
  const lease = 2000;
  let cut = false;
  // A's connection as seen from a process that died or hangs: commands are never answered.
  const aClient = (args) => (cut ? new Promise(() => {}) : a.sendCommand(args));
  const errors = [];
  const holder = new RedisStorage({ client: aClient, prefix: "lease:", timeout: 600, lock: { ttl: 60_000, lease, poll: 20 }, onError: (e) => errors.push(e) });
  const waiter = new RedisStorage({ client: b, prefix: "lease:", lock: { ttl: 60_000, lease, poll: 20 } });
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  let calls = 0;
  const fa = memoize(
    async () => {
      calls++;
      await gate;
      return "a";
    },
    { name: "lease.f", storage: holder },
  );
  const fb = memoize(
    async () => {
      calls++;
      return "b";
    },
    { name: "lease.f", storage: waiter },
  );
  const lock = `lease:0:l:${fa.cache.keyOf()}`;
  try {
    const first = fa();
    while (Number(await b.sendCommand(["EXISTS", lock])) === 0) await sleep(5);
    const pttl = Number(await b.sendCommand(["PTTL", lock]));
    assert.ok(pttl > 0 && pttl <= lease, `the lock lives one lease (${lease} ms), not lock.ttl: PTTL ${pttl}`);
    const token = await b.sendCommand(["GET", lock]);
    await sleep(2 * lease + 300);
    assert.equal(await b.sendCommand(["GET", lock]), token, "still A's lock after two leases: A renewed it while computing");

    // A stops answering (a dead or hung process): its renewals fail, its lock expires within one
    // lease, and B computes instead of waiting out lock.ttl (60 s, beyond this test's timeout).
    cut = true;
    assert.equal(await fb(), "b");
    assert.equal(waiter.stats().waits, 1, "B waited for A's lock first");
    assert.equal(calls, 2);
    assert.ok(errors.some((e) => e.operation === "lock" && e.key === fa.cache.keyOf()), "A's failed renewal was reported");
    release();
    assert.equal(await first, "a", "A's call still returns its value");
  } finally {
    release();
    a.destroy();
    b.destroy();
  }
});

for (const lock of [false, true]) {
  test(`one bad key (${lock ? "lock" : "no lock"}): wrong Redis type or foreign data is reported with its key and repaired; other keys stay cached`, async () => {
    const server = await redisServer();
    const client = await nodeRedis(server.url);
    const prefix = `bad-key-${lock}:`;
    const errors = [];
    // retryAfter is long: if a bad key switched Redis off, every later call here would compute
    // (timeout too, so a slow machine's timeout is not mistaken for that).
    const storage = new RedisStorage({ client, prefix, lock, timeout: 5000, retryAfter: 600_000, onError: (e) => errors.push(e) });
    let calls = 0;
    const f = memoize(
      async (x) => {
        calls++;
        return x * 10;
      },
      { name: "bad.f", storage },
    );
    const value = (x) => `${prefix}0:v:${f.cache.keyOf(x)}`;
    try {
      assert.equal(await f(1), 10);
      assert.equal(await f(2), 20);
      assert.equal(calls, 2);

      // A value key holding a hash (WRONGTYPE for GET).
      await client.sendCommand(["DEL", value(1)]);
      await client.sendCommand(["HSET", value(1), "field", "x"]);
      assert.equal(await f(1), 10, "recomputed");
      assert.equal(calls, 3);
      assert.equal(errors.length, 1, JSON.stringify(errors.map((e) => e.message)));
      assert.equal(errors[0].operation, lock ? "lock" : "get");
      assert.equal(errors[0].key, f.cache.keyOf(1));
      assert.match(errors[0].message, /wrong type.*WRONGTYPE/);
      assert.equal(await f(2), 20, "another key is still a hit");
      assert.equal(calls, 3, "Redis stayed on");
      assert.equal(await client.sendCommand(["TYPE", value(1)]), "string", "the bad key was repaired");
      assert.equal(await f(1), 10);
      assert.equal(calls, 3, "and is a hit again");

      // A value the serializer never writes ({"$t":"number","v":"42"} once read as 42).
      await client.sendCommand(["SET", value(1), '{"$t":"number","v":"42"}']);
      assert.equal(await f(1), 10, "foreign data is not a value: recomputed");
      assert.equal(calls, 4);
      assert.equal(errors.length, 2);
      assert.equal(errors[1].operation, "deserialize");
      assert.equal(errors[1].key, f.cache.keyOf(1));
      assert.equal(await f(1), 10);
      assert.equal(await f(2), 20);
      assert.equal(calls, 4, "repaired, and the other key is still cached");

      if (lock) {
        // A lock key of the wrong type: nobody's lock; the call takes it over instead of waiting.
        await client.sendCommand(["DEL", value(3)]);
        await client.sendCommand(["RPUSH", `${prefix}0:l:${f.cache.keyOf(3)}`, "x"]);
        assert.equal(await f(3), 30);
        assert.equal(storage.stats().waits, 0, "did not wait for a bad lock key");
        assert.equal(errors.length, 3);
        assert.equal(errors[2].operation, "lock");
        assert.match(errors[2].message, /lock key held a list/);
        assert.equal(Number(await client.sendCommand(["EXISTS", `${prefix}0:l:${f.cache.keyOf(3)}`])), 0, "released after storing");
      }
      assert.equal(await f(2), 20);
      assert.equal(calls, lock ? 5 : 4);
    } finally {
      client.destroy();
    }
  });
}

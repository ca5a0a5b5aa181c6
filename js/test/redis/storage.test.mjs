// RedisStorage and TieredStorage against a real redis-server (started here on 127.0.0.1):
// CRUD and TTL with both clients, value round-trips, rotation, tiering, in-process locking, and
// faults (down at start, killed mid-run, slow) — calls still return correct results, errors
// reach onError, nothing hangs, caching resumes, and L1 keeps serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize, TTLMapAsyncStorage } from "cashier-wasm";
import { RedisStorage, TieredStorage, StorageError } from "cashier-wasm/redis";
import { redisServer } from "./server.mjs";
import { nodeRedis, ioRedis, sleep } from "./clients.mjs";

const server = await redisServer();
const clients = { "node-redis": await nodeRedis(server.url), ioredis: ioRedis(server.url) };
// Closed at once (not QUIT): the server may already be stopped, and a client left reconnecting
// would keep the test process alive.
test.after(() => {
  clients["node-redis"].destroy();
  clients.ioredis.disconnect();
});

const VALUES = [
  undefined,
  null,
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1.5,
  "",
  "text with \"quotes\" and $t",
  true,
  12345678901234567890n,
  -1n,
  new Date(0),
  new Map([[1, { a: 2 }], ["k", new Set([1n])]]),
  new Set(["a", undefined]),
  new Uint8Array([0, 1, 2, 254, 255]),
  new Uint8Array([]),
  { $t: "looks like a tag", nested: [undefined, { at: new Date(5) }] },
  [1, [2, [3, [undefined]]]],
];

for (const [label, client] of Object.entries(clients)) {
  test(`${label}: get, set, has, delete and TTL`, async () => {
    const storage = new RedisStorage({ client, prefix: `crud-${label}:` });
    assert.equal(await storage.get("k"), undefined);
    assert.equal(await storage.has("k"), false);
    await storage.set("k", { a: 1 });
    assert.deepEqual(await storage.get("k"), { a: 1 });
    assert.equal(await storage.has("k"), true);
    await storage.set("u", undefined);
    assert.equal(await storage.has("u"), true, "a stored undefined is a value");
    assert.equal(await storage.delete("k"), true);
    assert.equal(await storage.delete("k"), false);
    assert.equal(await storage.has("k"), false);

    await storage.set("short", 1, 40);
    const pttl = Number(await (label === "ioredis" ? client.call("PTTL", `crud-${label}:0:v:short`) : client.sendCommand(["PTTL", `crud-${label}:0:v:short`])));
    assert.ok(pttl > 0 && pttl <= 40, `PX set: ${pttl}`);
    await sleep(120);
    assert.equal(await storage.has("short"), false, "expired");

    const defaulted = new RedisStorage({ client, prefix: `crud-${label}-ttl:`, ttl: 40 });
    await defaulted.set("d", 1);
    assert.equal(await defaulted.has("d"), true);
    await sleep(120);
    assert.equal(await defaulted.has("d"), false, "the default ttl applies");
    assert.equal(storage.stats().errors + defaulted.stats().errors, 0);
  });

  test(`${label}: every supported value round-trips through Redis`, async () => {
    const storage = new RedisStorage({ client, prefix: `values-${label}:` });
    for (const [i, value] of VALUES.entries()) {
      await storage.set(`v${i}`, value);
      assert.deepStrictEqual(await storage.get(`v${i}`), value, `value ${i}`);
    }
    // An invalid date (assert's deep equality cannot compare those: NaN time values).
    await storage.set("invalid-date", [new Date(Number.NaN)]);
    const [date] = await storage.get("invalid-date");
    assert.ok(date instanceof Date && Number.isNaN(date.getTime()));
    // A value the serializer cannot carry is reported, not stored, and the call still returns it.
    const errors = [];
    const reporting = new RedisStorage({ client, prefix: `values-${label}-bad:`, onError: (e) => errors.push(e) });
    class Point {}
    const f = memoize(async () => new Point(), { name: "bad.value", storage: reporting });
    assert.ok((await f()) instanceof Point);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof StorageError);
    assert.equal(errors[0].operation, "serialize");
    assert.match(errors[0].message, /Point instance cannot be stored/);
  });
}

test("memoize over Redis: hits across storages, shared rotation, delete by arguments", async () => {
  const client = clients["node-redis"];
  let calls = 0;
  const fn = async (id, filter) => {
    calls++;
    return { id, filter, at: new Date(1000) };
  };
  const a = memoize(fn, { name: "svc.lookup", storage: new RedisStorage({ client, prefix: "memo:" }) });
  const b = memoize(fn, { name: "svc.lookup", storage: new RedisStorage({ client: clients.ioredis, prefix: "memo:" }) });
  const expected = { id: 7, filter: { tags: ["x"] }, at: new Date(1000) };
  assert.deepStrictEqual(await a(7, { tags: ["x"] }), expected);
  assert.deepStrictEqual(await b(7, { tags: ["x"] }), expected, "another client finds it");
  assert.equal(calls, 1);
  const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => a(i % 5, null)));
  assert.equal(calls, 1 + 5, "in-process dedup: one computation per key");
  assert.deepStrictEqual(burst[7], { id: 2, filter: null, at: new Date(1000) });
  assert.equal(await b.cache.delete(7, { tags: ["x"] }), true);
  await a(7, { tags: ["x"] });
  assert.equal(calls, 7, "deleted by arguments");
  await b.cache.clear();
  await a(7, { tags: ["x"] });
  assert.equal(calls, 8, "a clear (INCR) by one storage is seen by the other");
  const gen = await client.get("memo:generation");
  assert.equal(gen, "1");
  assert.throws(() => memoize((x) => x, { name: "sync", storage: new RedisStorage({ client, prefix: "memo:" }) }), /synchronous.*TTLMapStorage/);
  const stats = a.cache.stats();
  assert.ok(stats.hits >= 0 && stats.misses >= 3 && stats.errors === 0, JSON.stringify(stats));
});

/** How many `command` commands (lower case) the server has run (INFO commandstats). */
async function commandCalls(command) {
  const info = await clients["node-redis"].sendCommand(["INFO", "commandstats"]);
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}
const mgetCalls = () => commandCalls("mget");

for (const [label, client] of Object.entries(clients)) {
  test(`${label}: lookups issued together share one MGET (at most 512 keys each); each gets its own key's value; a clear is seen`, async () => {
    const prefix = `batch-${label}:`;
    let calls = 0;
    const f = memoize(
      async (x) => {
        calls++;
        return { x };
      },
      { name: "batch.f", storage: new RedisStorage({ client, prefix }) },
    );
    const N = 600;
    const want = (order) => order.map((x) => ({ x }));
    const ascending = Array.from({ length: N }, (_, i) => i);
    assert.deepEqual(await Promise.all(ascending.map((x) => f(x))), want(ascending), "misses");
    assert.equal(calls, N);
    const descending = ascending.map((i) => N - 1 - i);
    const before = await mgetCalls();
    assert.deepEqual(await Promise.all(descending.map((x) => f(x))), want(descending), "hits");
    assert.equal(calls, N, "all hits");
    assert.equal((await mgetCalls()) - before, 2, "600 lookups of one tick: two MGETs (512 + 88 keys)");
    // A clear by another storage (as another process): the next lookups read the new generation.
    await new RedisStorage({ client, prefix }).clear();
    assert.deepEqual(await Promise.all([f(1), f(2)]), want([1, 2]));
    assert.equal(calls, N + 2, "recomputed after the clear");
    assert.deepEqual(await Promise.all([f(1), f(2)]), want([1, 2]));
    assert.equal(calls, N + 2, "and cached in the new generation");
    // Its own clear: INCR's reply is the new generation, so the next lookup is one MGET (no FETCH
    // script); the miss's one script is its STORE.
    await f.cache.clear();
    const scripts = await commandCalls("evalsha");
    assert.deepEqual(await f(1), { x: 1 });
    assert.equal(calls, N + 3);
    assert.equal((await commandCalls("evalsha")) - scripts, 1, "a lookup by MGET and a STORE");
  });
}

test("a rejection caches nothing and releases the key", async () => {
  const storage = new RedisStorage({ client: clients["node-redis"], prefix: "reject:", lock: true });
  let calls = 0;
  const f = memoize(async (k) => {
    calls++;
    if (calls === 1) throw new Error("first fails");
    return k;
  }, { name: "reject.f", storage });
  await assert.rejects(f(1), /first fails/);
  assert.equal(await f(1), 1, "the next call computes at once (the lock was released)");
  assert.equal(await f(1), 1);
  assert.equal(calls, 2);
});

test("lock: two storages (as two processes) compute each key once", async () => {
  const make = () => new RedisStorage({ client: clients["node-redis"], prefix: "lock-local:", lock: { ttl: 5000, poll: 20 } });
  let calls = 0;
  const fn = async (k) => {
    calls++;
    await sleep(30);
    return k * 10;
  };
  const one = memoize(fn, { name: "lock.f", storage: make() });
  const two = memoize(fn, { name: "lock.f", storage: make() });
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two)(i % 10)));
  assert.deepEqual(results.slice(0, 10), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.equal(calls, 10);
  const keys = await clients["node-redis"].keys("lock-local:0:l:*");
  assert.deepEqual(keys, [], "every lock was released");
});

test("lock timeout: a waiter computes itself once the holder's lock expires", async () => {
  const client = clients["node-redis"];
  const storage = new RedisStorage({ client, prefix: "lock-timeout:", lock: { ttl: 100, poll: 10 } });
  // Another process holds the lock and never finishes.
  const f = memoize(async () => "computed", { name: "stuck", storage });
  const key = f.cache.keyOf();
  await client.set(`lock-timeout:0:l:${key}`, "someone-else", { PX: 100 });
  assert.equal(await f(), "computed");
  assert.equal(storage.stats().waits, 1);
});

test("tiered: L1 answers without Redis, L2 fills other L1s, deletes and clears reach both", async () => {
  const client = clients["node-redis"];
  let commands = 0;
  const counted = (args) => {
    if (args[0] === "EVALSHA") commands++;
    return client.sendCommand(args);
  };
  const tier = (syncInterval, l1Ttl = 60_000) =>
    new TieredStorage(new TTLMapAsyncStorage({ ttl: l1Ttl }), new RedisStorage({ client: counted, prefix: "tier:" }), { syncInterval });
  let calls = 0;
  const fn = async (x) => {
    calls++;
    return { x };
  };
  const aStorage = tier(60_000);
  const a = memoize(fn, { name: "tier.f", storage: aStorage });
  assert.deepEqual(await a(1), { x: 1 });
  const before = commands;
  assert.deepEqual(await a(1), { x: 1 });
  assert.equal(commands, before, "an L1 hit sends no value command");
  const bStorage = tier(0, 50);
  const b = memoize(fn, { name: "tier.f", storage: bStorage });
  assert.deepEqual(await b(1), { x: 1 });
  assert.equal(calls, 1, "b's L1 was filled from L2");
  assert.equal((await bStorage.l1.stats()).size, 1);
  // A delete through a reaches a's L1 and L2 at once; b's L1 keeps its copy until its TTL.
  assert.equal(await a.cache.delete(1), true);
  assert.equal(await aStorage.l1.has(a.cache.keyOf(1)), false, "gone from a's L1");
  assert.equal(await bStorage.l2.has(a.cache.keyOf(1)), false, "gone from L2");
  assert.equal(await bStorage.l1.has(a.cache.keyOf(1)), true, "b's L1 keeps its copy until its TTL");
  await sleep(120);
  await b(1);
  assert.equal(calls, 2, "b's L1 copy expired, L2 was empty: computed");
  await a(1);
  assert.equal(calls, 2, "a's L1 was empty: it read b's new value from L2");
  // A clear through a: b (syncInterval 0) drops its L1 on its next call.
  await b(2);
  const callsBefore = calls;
  await a.cache.clear();
  await b(2);
  assert.equal(calls, callsBefore + 1, "b saw the new generation and recomputed");
});

/**
 * Whether `f` caches again within 5 s: calls f(n) twice for fresh n every 25 ms until the second
 * call is a hit (one invocation, counted by `calls()`), which needs Redis to be answering.
 */
async function cachesAgain(f, first, calls) {
  for (let n = first; n < first + 200; n++) {
    await sleep(25);
    const before = calls();
    await f(n);
    await f(n);
    if (calls() === before + 1) return true;
  }
  return false;
}

test("faults: Redis killed mid-run, slow, and back — results stay correct, nothing hangs, caching resumes", { timeout: 60_000 }, async () => {
  const local = await redisServer();
  const client = await nodeRedis(local.url);
  const errors = [];
  const storage = new RedisStorage({ client, prefix: "fault:", timeout: 150, retryAfter: 50, onError: (e) => errors.push(e) });
  const tiered = new TieredStorage(new TTLMapAsyncStorage({ ttl: 60_000 }), new RedisStorage({ client, prefix: "fault-t:", timeout: 150, retryAfter: 50 }), { syncInterval: 0 });
  let calls = 0;
  const fn = async (x) => {
    calls++;
    return x * 2;
  };
  const f = memoize(fn, { name: "fault.f", storage });
  const t = memoize(fn, { name: "fault.t", storage: tiered });
  assert.equal(await f(1), 2);
  assert.equal(await f(1), 2);
  assert.equal(await t(1), 2);
  assert.equal(calls, 2);

  await local.stop();
  const during = await Promise.all([f(1), f(2), f(3), t(4)]);
  assert.deepEqual(during, [2, 4, 6, 8], "correct results while Redis is down");
  assert.ok(errors.length > 0 && errors.every((e) => e instanceof StorageError), "failures reached onError");
  const beforeL1 = calls;
  assert.equal(await t(1), 2);
  assert.equal(calls, beforeL1, "L1 still serves what it held");

  await local.start();
  assert.ok(await cachesAgain(f, 100, () => calls), "caching resumed after Redis came back");

  // Slow: the server pauses every client for 600 ms; calls answer by computing after 150 ms.
  const admin = await nodeRedis(local.url);
  const errorsBefore = errors.length;
  await admin.sendCommand(["CLIENT", "PAUSE", "600", "ALL"]);
  assert.equal(await f(5000), 10000);
  assert.ok(errors.slice(errorsBefore).some((e) => /did not answer within 150 ms/.test(e.message)), "a timeout was reported");
  await sleep(700);
  await admin.quit();
  await client.quit();
});

test("faults: Redis down at start (ioredis) — computes, then caches once Redis is up", { timeout: 60_000 }, async () => {
  const later = await redisServer({ started: false });
  const client = ioRedis(later.url);
  const errors = [];
  const storage = new RedisStorage({ client, prefix: "late:", timeout: 100, retryAfter: 20, onError: (e) => errors.push(e) });
  let calls = 0;
  const f = memoize(async (x) => ++calls && x, { name: "late.f", storage });
  assert.equal(await f(1), 1);
  assert.equal(await f(1), 1);
  assert.equal(calls, 2, "no Redis: every call computes");
  assert.ok(errors.length >= 1);
  await later.start();
  assert.ok(await cachesAgain(f, 10, () => calls), "caching started once Redis was up");
  client.disconnect();
});

test("bad options are clear errors", () => {
  const client = clients["node-redis"];
  assert.throws(() => new RedisStorage({}), /client must be/);
  assert.throws(() => new RedisStorage({ client, ttl: 0 }), /ttl must be a whole number/);
  assert.throws(() => new RedisStorage({ client, timeout: -1 }), /timeout/);
  assert.throws(() => new RedisStorage({ client, serializer: {} }), /serializer/);
  assert.throws(() => new TieredStorage({}, new RedisStorage({ client })), /l1 must be a TTLMapAsyncStorage/);
});

// Separate Node processes sharing one redis-server: a rotation by one is seen by the other (in
// Redis and in its tiered L1), a delete by one drops the key from the other's L1 (pub/sub), and
// distributed dedup: 4 processes × 1,000 concurrent calls over
// 50 keys with `lock` run the function exactly 50 times in total.
import { test } from "node:test";
import assert from "node:assert/strict";
import { redisServer } from "./server.mjs";
import { worker as spawnWorker } from "./workers.mjs";
import { sleep } from "./clients.mjs";

const server = await redisServer();
const worker = (prefix, mode, options = {}) => spawnWorker({ url: server.url, prefix, mode, ...options });

for (const mode of ["redis", "tiered"]) {
  test(`${mode}: a rotation in one process is seen by another`, async () => {
    const a = worker(`rotation-${mode}:`, mode);
    const b = worker(`rotation-${mode}:`, mode);
    try {
      const first = await a.ask({ op: "call", arg: 3 });
      assert.deepEqual(first, { value: { x: 3, square: 9, by: a.pid }, calls: 1 });
      const shared = await b.ask({ op: "call", arg: 3 });
      assert.deepEqual(shared, { value: { x: 3, square: 9, by: a.pid }, calls: 0 }, "b found a's value");
      assert.deepEqual(await b.ask({ op: "clear" }), { done: true });
      const after = await a.ask({ op: "call", arg: 3 });
      assert.deepEqual(after, { value: { x: 3, square: 9, by: a.pid }, calls: 2 }, "a recomputed after b's rotation");
      const again = await b.ask({ op: "call", arg: 3 });
      assert.equal(again.calls, 0, "b finds a's new value");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

for (const client of ["node-redis", "ioredis"]) {
  test(`tiered (${client} subscriber): a delete in one process drops the key from the other's L1`, { timeout: 30_000 }, async () => {
    const prefix = `invalidate-${client}:`;
    const a = worker(prefix, "tiered", { client, subscribe: true });
    const b = worker(prefix, "tiered", { client, subscribe: true });
    try {
      assert.equal((await a.ask({ op: "call", arg: 5 })).calls, 1);
      assert.equal((await b.ask({ op: "call", arg: 5 })).calls, 0, "b found a's value in Redis");
      assert.equal((await a.ask({ op: "call", arg: 5 })).calls, 1, "a's L1 hit");
      assert.deepEqual(await b.ask({ op: "delete", arg: 5 }), { deleted: true });
      // The message reaches a on its subscriber connection: wait until a has received it (the
      // bound is measured by bench/js/redis.mjs, not asserted here).
      for (let i = 0; i < 1000 && (await a.ask({ op: "stats" })).stats.invalidations === 0; i++) await sleep(5);
      assert.equal((await a.ask({ op: "stats" })).stats.invalidations, 1, "a received one invalidation");
      const after = await a.ask({ op: "call", arg: 5 });
      assert.equal(after.calls, 2, "a recomputed: the key left its L1 (its TTL is 60 s) and Redis");
      // A rotation still reaches L1 through the generation, as before.
      assert.equal((await b.ask({ op: "call", arg: 5 })).calls, 0, "b found a's new value");
      await b.ask({ op: "clear" });
      assert.equal((await a.ask({ op: "call", arg: 5 })).calls, 3, "a recomputed after b's clear");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

test("lock: 4 processes × 1,000 concurrent calls over 50 keys → exactly 50 invocations", { timeout: 60_000 }, async () => {
  const workers = Array.from({ length: 4 }, () => worker("dedup:", "redis"));
  try {
    // Every worker is connected (answers a call) before the burst; then all start together.
    await Promise.all(workers.map((w) => w.ask({ op: "call", arg: -1 })));
    const startAt = Date.now() + 300;
    const replies = await Promise.all(workers.map((w) => w.ask({ op: "burst", startAt, n: 1000, keys: 50 })));
    const total = replies.reduce((sum, r) => sum + r.calls, 0);
    assert.equal(total, 50, `invocations per process: ${replies.map((r) => r.calls).join(", ")}`);
    assert.ok(replies.every((r) => r.wrong === 0), "every call returned its key's value");
    assert.ok(replies.some((r) => r.stats.waits > 0), "some process waited for another's lock");
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
});

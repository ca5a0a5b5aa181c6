// Separate Node processes sharing one redis-server: a rotation by one is seen by the other (in
// Redis and in its tiered L1), and distributed dedup: 4 processes × 1,000 concurrent calls over
// 50 keys with `lock` run the function exactly 50 times in total.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { redisServer } from "./server.mjs";

const server = await redisServer();
const workerPath = fileURLToPath(new URL("./worker.mjs", import.meta.url));

/** A worker process; `ask(command)` sends one command and resolves with its reply. */
function worker(prefix, mode) {
  const child = spawn(process.execPath, [workerPath, server.url, prefix, mode], { stdio: ["pipe", "pipe", "inherit"] });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let queue = Promise.resolve();
  return {
    pid: child.pid,
    ask(command) {
      const answer = queue.then(async () => {
        child.stdin.write(`${JSON.stringify(command)}\n`);
        const { value, done } = await replies.next();
        if (done) throw new Error(`worker ${child.pid} exited`);
        const reply = JSON.parse(value);
        if (reply.error) throw new Error(`worker ${child.pid}: ${reply.error}`);
        return reply;
      });
      queue = answer.catch(() => {});
      return answer;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

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

// The cross-language proof: values memoized by the npm package in Redis are found by a Rust
// program (interop/redis, cashier-core's KeyBuilder + the `redis` crate) that builds its keys
// itself, and a value Rust stores is a hit for JavaScript. Identical keys or the test fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { memoize, buildKey } from "cashier-wasm";
import { RedisStorage, jsonValues } from "cashier-wasm/redis";
import { redisServer } from "./server.mjs";
import { nodeRedis } from "./clients.mjs";

const binary = fileURLToPath(new URL("../../../target/debug/cashier-redis-interop", import.meta.url));
const server = await redisServer();
const client = await nodeRedis(server.url);
test.after(() => client.destroy());

/** Runs the Rust side; its stdout is JSON lines. */
function rust(prefix, command) {
  assert.ok(existsSync(binary), `build it first: cargo build -p cashier-redis-interop (${binary})`);
  const out = execFileSync(binary, [server.url, prefix, command], { encoding: "utf8" });
  return out.trim().split("\n").map((line) => JSON.parse(line));
}

const quoteArgs = () => [42, "EUR", { since: new Date(0), tags: ["a", 'b "quoted"'], region: "eu" }];

test("Rust finds what JavaScript memoized, under the same keys (repr, sha256, md5)", async () => {
  const prefix = "interop-js:";
  const storage = new RedisStorage({ client, prefix });
  const results = {};
  for (const serializer of ["repr", "sha256", "md5"]) {
    const quote = memoize(async (amount, currency, options) => ({ amount: BigInt(amount) * 100n, currency, at: options.since, serializer }), {
      name: "interop.quote",
      serializer,
      storage,
    });
    results[serializer] = { value: await quote(...quoteArgs()), key: quote.cache.keyOf(...quoteArgs()) };
    assert.equal(results[serializer].key, buildKey("interop.quote", quoteArgs(), { serializer }));
  }
  // A rotation first: Rust must follow the generation, not assume 0.
  await storage.clear();
  for (const serializer of ["repr", "sha256", "md5"]) {
    await storage.set(results[serializer].key, results[serializer].value);
  }

  const read = rust(prefix, "read");
  assert.deepEqual(read.map((r) => r.case), ["repr", "sha256", "md5"]);
  for (const { case: serializer, key, value } of read) {
    assert.equal(key, results[serializer].key, `${serializer}: Rust built the JavaScript key`);
    assert.deepEqual(value, JSON.parse(jsonValues.serialize(results[serializer].value)), `${serializer}: Rust read the stored value`);
  }
  assert.match(read[0].key, /^interop\.quote\(/);
  assert.match(read[1].key, /^interop\.quote:[0-9a-f]{64}$/);
  assert.match(read[2].key, /^interop\.quote:[0-9a-f]{32}$/);
});

test("JavaScript finds what Rust stored, without calling the function", async () => {
  const prefix = "interop-rust:";
  const storage = new RedisStorage({ client, prefix });
  await storage.clear();
  const [{ key }] = rust(prefix, "write");
  let calls = 0;
  const fromRust = memoize(async () => ++calls, { name: "interop.fromRust", storage });
  const args = [12345678901234567890n, new Map([[1, "x"]]), new Set([true, null])];
  assert.equal(fromRust.cache.keyOf(...args), key);
  assert.deepStrictEqual(await fromRust(...args), { from: "rust", n: 7n });
  assert.equal(calls, 0, "a hit: the value came from Rust");
});

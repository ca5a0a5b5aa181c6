// The Node half of python/tests/test_redis.py: the npm package (cashier-wasm, built into dist/)
// memoizes over the same redis-server and prefix as Python.
//   node node_side.mjs <redis-url> <prefix> read   # Python cached interop.quote: must be hits
//   node node_side.mjs <redis-url> <prefix> write  # caches interop.fromNode for Python to find
// Prints one JSON line per case; exits non-zero (node:assert) when a check fails.
import assert from "node:assert/strict";
import { createClient } from "redis";
import { memoize } from "cashier-wasm";
import { RedisStorage, jsonValues } from "cashier-wasm/redis";

const [url, prefix, mode] = process.argv.slice(2);
const client = createClient({ url });
client.on("error", () => {});
await client.connect();
const storage = new RedisStorage({ client, prefix });
try {
  if (mode === "read") {
    for (const serializer of ["repr", "sha256", "md5"]) {
      let calls = 0;
      const quote = memoize(async () => ++calls, { name: "interop.quote", serializer, storage });
      const args = [42, "EUR", { since: new Date(0), tags: ["a", 'b "quoted"'], region: "eu" }];
      const value = await quote(...args);
      assert.equal(calls, 0, `${serializer}: a hit, not a computation`);
      // The JavaScript types Python's values map to.
      assert.equal(typeof value.big, "bigint");
      assert.ok(value.at instanceof Date);
      assert.ok(value.bytes instanceof Uint8Array);
      assert.ok(value.tags instanceof Set);
      assert.ok(value.byNumber instanceof Map);
      console.log(JSON.stringify({ serializer, key: quote.cache.keyOf(...args), value: jsonValues.serialize(value) }));
    }
  } else if (mode === "write") {
    const fromNode = memoize(
      async () => ({ from: "node", n: 7n, when: new Date(5), tags: new Set(["a"]), nested: new Map([[1, [1, 2]]]), nothing: null, nan: NaN, raw: new Uint8Array([0, 255]) }),
      { name: "interop.fromNode", storage },
    );
    const args = [12345678901234567890n, new Map([[1, "x"]]), new Set([true, null]), new Date(1000), new Uint8Array([1, 2]), [1.5, -0]];
    await fromNode(...args);
    console.log(JSON.stringify({ key: fromNode.cache.keyOf(...args) }));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await client.quit();
}

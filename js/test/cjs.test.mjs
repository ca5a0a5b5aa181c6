// The CommonJS entry: require("cashier-wasm") works synchronously, and gives the very module
// `import` gives (one instance per process: no second copy of the API or of the WebAssembly).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as esm from "cashier-wasm";
import * as esmRedis from "cashier-wasm/redis";

const require = createRequire(import.meta.url);

test("require() gives the same API", () => {
  const { memoize, buildKey, TTLMapStorage } = require("cashier-wasm");
  let calls = 0;
  const f = memoize((x) => (calls++, x));
  f(1);
  f(1);
  assert.equal(calls, 1);
  assert.equal(buildKey("f", [1n, "1"]), 'f(1n,"1")');
  assert.ok(new TTLMapStorage() instanceof TTLMapStorage);
});

test("import and require share one instance: a storage from either is accepted by memoize from the other", async () => {
  const cjs = require("cashier-wasm");
  assert.equal(cjs.memoize, esm.memoize);
  assert.equal(cjs.TTLMapStorage, esm.TTLMapStorage);
  assert.equal(require("cashier-wasm/redis").TieredStorage, esmRedis.TieredStorage);
  let calls = 0;
  const required = new cjs.TTLMapStorage({ maxSize: 10 });
  const f = esm.memoize((x) => (calls++, x * 2), { name: "one.instance", storage: required });
  assert.equal(f(2), 4);
  assert.equal(f(2), 4);
  assert.equal(calls, 1);
  assert.equal(required.stats().size, 1);
  const imported = new esm.TTLMapAsyncStorage({ maxSize: 10 });
  const g = cjs.memoize(async (x) => (calls++, x + 1), { name: "one.instance.async", storage: imported });
  assert.deepEqual(await Promise.all([g(1), g(1)]), [2, 2]);
  assert.equal(calls, 2);
});

test("on a Node that cannot require ES modules, require() says what is needed", () => {
  // --no-experimental-require-module gives the behaviour of Node before 20.19.
  const child = spawnSync(process.execPath, ["--no-experimental-require-module", "-e", 'require("cashier-wasm")'], { encoding: "utf8", cwd: fileURLToPath(new URL(".", import.meta.url)) });
  assert.notEqual(child.status, 0);
  assert.match(child.stderr, /cashier-wasm: require\(\) needs Node 20\.19\+ or 22\.12\+/);
});

// The CommonJS entry: require("cashier-wasm") works synchronously.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

test("require() gives the same API", () => {
  const require = createRequire(import.meta.url);
  const { memoize, buildKey, TTLMapStorage } = require("cashier-wasm");
  let calls = 0;
  const f = memoize((x) => (calls++, x));
  f(1);
  f(1);
  assert.equal(calls, 1);
  assert.equal(buildKey("f", [1n, "1"]), 'f(1n,"1")');
  assert.ok(new TTLMapStorage() instanceof TTLMapStorage);
});

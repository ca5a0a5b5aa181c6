// The shared key vectors through the built package: buildKey must match the Rust core exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildKey, memoize, TTLMapStorage } from "cashier-wasm";
import { optionsOf, valueOf } from "./vectors.mjs";

const vectors = JSON.parse(readFileSync(new URL("../../core/tests/vectors/keys.json", import.meta.url), "utf8"));

test("every shared vector builds its exact repr, md5 and sha256 keys", () => {
  assert.ok(vectors.vectors.length >= 60);
  for (const vector of vectors.vectors) {
    const args = vector.args.map(valueOf);
    for (const serializer of ["repr", "md5", "sha256"]) {
      assert.equal(buildKey(vector.name, args, optionsOf(vector, serializer)), vector[serializer], `${vector.about} [${serializer}]`);
    }
  }
});

test("every error vector JavaScript can express is a TypeError, not a key", () => {
  for (const vector of vectors.errors.filter((v) => v.only !== "rust")) {
    assert.throws(() => buildKey(vector.name, vector.args.map(valueOf), optionsOf(vector, "repr")), TypeError, vector.about);
  }
});

test("memoized functions store every shared vector under its exact key (JS fast path and wasm path)", () => {
  let fastPathKeys = 0;
  for (const vector of vectors.vectors) {
    const args = vector.args.map(valueOf);
    for (const serializer of ["repr", "sha256"]) {
      const storage = new TTLMapStorage({ maxSize: 10 });
      const f = memoize((...a) => a.length, { ...optionsOf(vector, serializer), name: vector.name, storage });
      assert.equal(f.cache.keyOf(...args), vector[serializer], `${vector.about} [${serializer}] keyOf`);
      f(...args);
      assert.ok(storage.has(vector[serializer]), `${vector.about} [${serializer}] stored under its key`);
      assert.equal(f(...args), args.length);
      assert.equal(f.cache.stats().hits, 1, `${vector.about} [${serializer}] hit`);
    }
    if (vector.args.every((a) => ["number", "bigint", "bool", "null", "undefined"].includes(a.t) || (a.t === "string" && !/["\\\u0000-\u001f\u007f\ud800-\udfff]/.test(a.v)))) fastPathKeys++;
  }
  assert.ok(fastPathKeys >= 30, `${fastPathKeys} vectors take the JS fast path`);
});

test("memoized functions key exactly like buildKey", () => {
  const f = memoize((a, b) => [a, b], { name: "app.users.get", version: 2 });
  assert.equal(f.cache.keyOf(7, { b: [1], a: "x" }), buildKey("app.users.get", [7, { a: "x", b: [1] }], { version: "2" }));
  assert.equal(f.cache.keyOf(7, { b: [1], a: "x" }), 'app.users.get@2(7,{"a":"x","b":[1]})');
});

test("values that cannot be keys are TypeErrors naming the argument", () => {
  const cyclic = {};
  cyclic.self = cyclic;
  class Point { constructor() { this.x = 1; } }
  const cases = [
    [[() => 1], /argument 0: a function/],
    [[1, Symbol("s")], /argument 1: a symbol/],
    [[cyclic], /argument 0: a cyclic structure/],
    [[new Point()], /argument 0: an instance of Point/],
    [[new Float64Array(1)], /argument 0: a typed array/],
    [["\ud800"], /argument 0: a string with a lone surrogate/],
    [[{ get boom() { throw new Error("nope"); } }], /argument 0: reading property "boom" threw: nope/],
  ];
  for (const [args, message] of cases) assert.throws(() => buildKey("f", args), (e) => e instanceof TypeError && message.test(e.message));
  // Deep nesting is an error, not a stack overflow.
  let deep = [];
  for (let i = 0; i < 10_000; i++) deep = [deep];
  assert.throws(() => buildKey("f", [deep]), /deeper than 128/);
  // Nothing above broke the module.
  assert.equal(buildKey("f", [1]), "f(1)");
});

test("invalid names, versions and options are errors", () => {
  assert.throws(() => buildKey("f(x)", []), TypeError);
  assert.throws(() => buildKey("f", [], { version: "1 0" }), TypeError);
  assert.throws(() => buildKey("f", [], { cacheWith: [-1] }), TypeError);
  assert.throws(() => buildKey("f", [], { serializer: "sha1" }), TypeError);
  assert.throws(() => buildKey("f", ["x".repeat(100)], { maxKeyBytes: 50 }), /longer than the maximum/);
});

test("10 MiB keys are refused by the default maximum (1 MiB) and accepted when it is raised", () => {
  const big = "x".repeat(10 << 20);
  let calls = 0;
  const f = memoize((...a) => ++calls, { name: "f" });
  assert.equal(f("small"), 1);
  for (const args of [[big], [{ nested: [big] }], [1, big], [big.slice(1) + "é"]]) {
    assert.throws(() => f(...args), (e) => e instanceof TypeError && /longer than the maximum of 1048576 bytes/.test(e.message));
  }
  assert.equal(calls, 1, "a refused key runs nothing");
  assert.equal(f("small"), 1, "what was cached is still served");
  assert.equal(f.cache.stats().size, 1);
  const roomy = memoize((s) => s.length, { name: "roomy", maxKeyBytes: 16 << 20 });
  assert.equal(roomy(big), 10 << 20);
  assert.equal(roomy(big), 10 << 20);
  assert.equal(roomy.cache.stats().hits, 1, "the 10 MiB key is cached and found");
  assert.equal(buildKey("f", [big], { maxKeyBytes: 16 << 20, serializer: "sha256" }).length, 66);
});

test("proxies and throwing traps are TypeErrors, and 100,000 of them leave the module sound", () => {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const throwing = (what) => ({ [what]() { throw new Error(`trap ${what}`); } });
  const cases = [
    revocable.proxy,
    new Proxy({ a: 1 }, throwing("ownKeys")),
    new Proxy([1, 2], throwing("get")),
    new Proxy(new Map([[1, 2]]), {}),
    new Proxy(new Set([1]), {}),
    new Proxy(new Date(0), {}),
    new Proxy(new Uint8Array([1]), throwing("get")),
    new Proxy({}, throwing("getPrototypeOf")),
  ];
  for (const value of cases) assert.throws(() => buildKey("f", [value]), TypeError);
  // A plain proxy of a plain object keys like the object.
  assert.equal(buildKey("f", [new Proxy({ b: 2, a: 1 }, {})]), 'f({"a":1,"b":2})');
  for (let i = 0; i < 100_000; i++) {
    assert.throws(() => buildKey("f", [{ nested: [cases[i % cases.length]] }]), TypeError);
  }
  // Deep, legitimate work still runs (a leaked shadow stack would overflow here).
  let deep = [];
  for (let i = 0; i < 120; i++) deep = [deep, { i }];
  assert.match(buildKey("f", [deep]), /^f\(\[\[\[/);
  const f = memoize((x) => x);
  assert.equal(f(deep), deep);
});

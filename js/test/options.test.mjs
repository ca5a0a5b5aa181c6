// Options that used to be accepted and then misbehave: clashing function names on one storage,
// a keyBuilder with key options it ignored, generator functions, a prefix that let keys past
// maxKeyBytes, numbers given as strings, and errors that must say what to do. (Issue 12,
// defects 5 to 8.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as api from "cashier-wasm";
import { RedisStorage, TieredStorage } from "cashier-wasm/redis";
import { MapStorage } from "./map-storage.mjs";

const { memoize, buildKey, TTLMapStorage, TTLMapAsyncStorage } = api;


test("two different functions with one name, version and prefix on one storage are refused", async () => {
  const users = { get: (id) => `user ${id}` };
  const orders = { get: (id) => `order ${id}` };
  const storage = new TTLMapStorage();
  const getUser = memoize(users.get, { storage });
  assert.throws(() => memoize(orders.get, { storage }), { name: "TypeError", message: /name "get".*already uses this storage/ });
  assert.equal(getUser(1), "user 1");
  // Told apart by name, version or prefix, they share the storage without clashing.
  const getOrder = memoize(orders.get, { storage, name: "orders.get" });
  assert.equal(getOrder(1), "order 1");
  assert.equal(memoize(orders.get, { storage, version: 2 })(1), "order 1");
  assert.equal(memoize(orders.get, { storage, prefix: "o:" })(1), "order 1");
  assert.equal(getUser(1), "user 1");
  // Keys of different serializers never look alike (repr, md5 and sha256 have disjoint forms).
  assert.equal(memoize(orders.get, { storage, serializer: "sha256" })(1), "order 1");
  // The same function again computes the same values: allowed.
  assert.equal(memoize(users.get, { storage })(1), "user 1");
  for (const Storage of [TTLMapAsyncStorage, MapStorage]) {
    const shared = new Storage();
    const a = memoize(async function load(id) { return `a ${id}`; }, { storage: shared });
    assert.throws(() => memoize(async function load(id) { return `b ${id}`; }, { storage: shared }), /name "load".*already uses this storage/);
    assert.equal(await a(1), "a 1");
  }
});

test("a memoize call refused for its options does not claim its name on the shared storage", async () => {
  // Both storage paths (local and outside the process) check the key options before claiming
  // the name: a refused call leaves no owner behind that would refuse the corrected call.
  for (const Storage of [TTLMapAsyncStorage, MapStorage]) {
    const shared = new Storage();
    assert.throws(() => memoize(async function load(id) { return `a ${id}`; }, { storage: shared, maxKeyBytes: 0 }), { name: "RangeError" });
    const fixed = memoize(async function load(id) { return `b ${id}`; }, { storage: shared });
    assert.equal(await fixed(1), "b 1");
  }
});

test("a keyBuilder with version, prefix or cacheWith is refused (it builds the whole key)", () => {
  const keyBuilder = (name, args) => `${name}:${args[0]}`;
  for (const option of [{ version: 2 }, { prefix: "p:" }, { cacheWith: [0] }]) {
    assert.throws(() => memoize((a) => a, { name: "kb", keyBuilder, ...option }), { name: "TypeError", message: /keyBuilder builds the whole key/ });
  }
  assert.equal(memoize((a) => a, { name: "kb", keyBuilder }).cache.keyOf(1), "kb:1");
});

test("generator functions are refused", () => {
  assert.throws(() => memoize(function* numbers() { yield 1; }), { name: "TypeError", message: /generator function/ });
  assert.throws(() => memoize(async function* lines() { yield "a"; }), { name: "TypeError", message: /generator function/ });
});

const TOO_LONG = /longer than the maximum of 100 bytes/;

test("a long prefix counts against maxKeyBytes on every path", async () => {
  const prefix = "p".repeat(90);
  const options = { name: "long", prefix, maxKeyBytes: 100 };
  // `p…p` + `long("abcdef")` is 104 bytes. One argument and two: the private cache's own paths
  // refuse what keyOf and buildKey refuse.
  for (const args of [["abcdef"], [1, "abcdef"], [1, 2, 3]]) {
    assert.throws(() => buildKey("long", args, { prefix, maxKeyBytes: 100 }), TOO_LONG);
    const f = memoize((...xs) => xs.length, options);
    assert.throws(() => f.cache.keyOf(...args), TOO_LONG);
    assert.throws(() => f(...args), TOO_LONG, `f(${args})`);
    assert.equal(f.cache.stats().size, 0);
    const g = memoize(async (...xs) => xs.length, options);
    await assert.rejects(g(...args), TOO_LONG, `async f(${args})`);
    assert.equal(g.cache.stats().size, 0);
  }
  // Within the limit, the same calls are cached.
  const h = memoize((...xs) => xs.length, { name: "long", prefix: "p".repeat(80), maxKeyBytes: 100 });
  assert.equal(h("abcdef"), 1);
  assert.equal(h.cache.stats().size, 1);
});

test("numeric options must be numbers, and maxSize beyond the supported range says so", () => {
  assert.throws(() => memoize((a) => a, { maxSize: "10" }), { name: "TypeError", message: /maxSize must be a number/ });
  assert.throws(() => new TTLMapStorage({ maxSize: "10" }), { name: "TypeError", message: /maxSize must be a number/ });
  assert.throws(() => memoize((a) => a, { ttl: "100" }), { name: "TypeError", message: /ttl must be a number/ });
  assert.throws(() => memoize((a) => a, { maxKeyBytes: "100" }), { name: "TypeError", message: /maxKeyBytes must be a number/ });
  assert.throws(() => memoize((a) => a, { maxSize: 2 ** 33 }), { name: "RangeError", message: /maxSize 8589934592 is larger than the supported 4294967294/ });
  assert.throws(() => memoize((a) => a, { maxSize: 0 }), RangeError);
  assert.throws(() => memoize((a) => a, { maxSize: 1.5 }), RangeError);
});

test("the core's refusals keep their class and whole message, numbers printed as JavaScript prints them", () => {
  // The core module reports its errors in memory (it imports nothing from JavaScript); the
  // wrapper throws them: class, message, and the number that ends a whole-number message.
  const whole = (name, got) => ({ name: "RangeError", message: `${name} must be a whole number of at least 1, got ${got}` });
  assert.throws(() => memoize((a) => a, { maxSize: 1.5 }), whole("maxSize", "1.5"));
  assert.throws(() => new TTLMapStorage({ ttl: 1e300 }), whole("ttl", "1e+300"));
  assert.throws(() => new TTLMapStorage({ ttl: Number.NaN }), whole("ttl", "NaN"));
  assert.throws(() => memoize(async (a) => a, { timeout: -0.25 }), whole("timeout", "-0.25"));
  assert.throws(() => memoize((a) => a, { maxKeyBytes: -0 }), whole("maxKeyBytes", "0"));
  assert.throws(() => memoize((a) => a, { maxSize: 0 }), whole("maxSize", "0"));
  assert.throws(() => new TTLMapStorage({ maxSize: 2 ** 32 }), { name: "RangeError", message: "maxSize 4294967296 is larger than the supported 4294967294" });
  assert.throws(() => memoize((a) => a, { name: "f(" }), {
    name: "TypeError",
    message: "the name contains '(', which keys reserve (no '(', ')', '@' or control characters)",
  });
  assert.throws(() => memoize((a) => a, { name: "f", version: "1 2" }), { name: "TypeError", message: /the version must be non-empty/ });
  assert.throws(() => memoize((a) => a, { name: "f", cacheWith: [3, 1, 3, 1] }), { name: "TypeError", message: "cacheWith names parameter 1 twice" });
  // After a refusal, the next refusal reports its own error.
  assert.throws(() => memoize((a) => a, { name: "f", serializer: "nope" }), { name: "TypeError", message: /unknown serializer/ });
});

test("a function returning promises without being declared async is pointed to async: true", () => {
  const load = (id) => Promise.resolve(id);
  assert.throws(() => memoize(load, { storage: new TTLMapAsyncStorage() }), /async: true/);
  assert.throws(() => memoize(load, { storage: new MapStorage() }), /async: true/);
  assert.doesNotThrow(() => memoize(load, { storage: new TTLMapAsyncStorage(), async: true }));
});

test("the package exports and declares only its public API", () => {
  const require = createRequire(import.meta.url);
  for (const exported of [api, require("cashier-wasm")]) {
    assert.equal("useAsyncContext" in exported, false);
    assert.equal("provideAsyncContext" in exported, false);
    assert.equal("Engine" in exported, false);
    assert.equal("Level" in exported, false);
    // The helpers memoize is built from (options.ts, key-of.ts, fast-keys.ts, memoize-shared.ts).
    for (const helper of ["claimHead", "resolveName", "makeKeyOf", "primitiveKey", "keyBytes", "memoizeShared", "boundaryError"]) {
      assert.equal(helper in exported, false, `the package exports the internal ${helper}`);
    }
  }
  // Every published declaration file: internals are #private or @internal (stripped).
  const root = new URL("../../dist/types/", import.meta.url);
  const reached = readdirSync(root).filter((file) => file.endsWith(".d.ts") || file.endsWith(".d.cts"));
  assert.ok(reached.includes("index.d.ts") && reached.includes("api.d.cts"));
  for (const file of reached) {
    const text = readFileSync(new URL(file, root), "utf8");
    for (const internal of ["busyDepth", "busyKeys", "busyLeaves", "lastKeys", "soleLeaf", "Level", "useAsyncContext", "provideAsyncContext", "engineOf", "Engine", "pins", "keyModule", "randomWords", "insideFlight", "firsts", "claimHead", "resolveName", "keyOptionArgs", "DEFAULT_MAX_KEY_BYTES", "primitiveKey", "reprKey", "GIVE_UP", "byCodePoint", "keyableByValue", "argumentBudget", "sortedPositions", "makeKeyOf", "reprKeys", "memoizeShared", "boundaryError", "withCache", "runFlight", "lineageOf", "ReentrancyError", "Lookup ", "Lookup<", "Computation", "ComputeSync", "lookupOneOrTwo", "valueAt", "keySlots", "coreDecides", "planMisses", "Deadlines"]) {
      assert.equal(text.includes(internal), false, `${file} declares the internal ${internal}`);
    }
    // TypeScript's `private` members are declared by name (and reachable at run time): internal
    // state is #private (declared as an anonymous `#private;`).
    assert.doesNotMatch(text, /^\s*(private|protected)\b/m, `${file} declares private members by name`);
  }
  // The storage classes declare their methods and nothing else.
  const storages = readFileSync(new URL("storages.d.cts", root), "utf8");
  for (const name of ["TTLMapStorage", "TTLMapAsyncStorage"]) {
    const body = storages.slice(storages.indexOf(`export declare class ${name} {`)).split("\n}")[0];
    const members = [...body.matchAll(/^    ([#\w]+)[(;?:]/gm)].map((match) => match[1]);
    assert.deepEqual(members, ["#private", "constructor", "get", "has", "set", "delete", "clear", "bumpVersion", "stats"], `${name} declares ${members}`);
  }
});

/** Every object user code can reach from `root` through properties (own, string or symbol keys;
 * getters are not run) and prototypes, up to the built-in prototypes: [path, value, own keys]. */
function reachable(root) {
  const builtins = new Set([Object.prototype, Function.prototype, Promise.prototype, Object.getPrototypeOf(async () => {})]);
  const seen = new Set();
  const found = [];
  const visit = (value, path) => {
    if ((typeof value !== "object" && typeof value !== "function") || value === null || builtins.has(value) || seen.has(value)) return;
    seen.add(value);
    // (A promise holds only its outcome; Node's async hooks tag promises with symbols of their own.)
    const keys = value instanceof Promise ? [] : Reflect.ownKeys(value);
    found.push([path, value, keys]);
    for (const key of keys) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if ("value" in descriptor) visit(descriptor.value, `${path}.${String(key)}`);
    }
    visit(Object.getPrototypeOf(value), `${path}.[[Prototype]]`);
  };
  visit(root, "root");
  return found;
}

test("user code reaches no internal state through a storage, a memoized function or its .cache", () => {
  const publicClasses = [TTLMapStorage, TTLMapAsyncStorage, RedisStorage, TieredStorage];
  const plainPrototypes = new Set([Object.prototype, Function.prototype, Promise.prototype, ...publicClasses.map((type) => type.prototype)]);
  const l1 = new TTLMapAsyncStorage({ maxSize: 4, ttl: 1000 });
  const redis = new RedisStorage({ client: async () => null });
  const shared = new TTLMapStorage({ maxSize: 4 });
  const roots = {
    TTLMapStorage: shared,
    TTLMapAsyncStorage: l1,
    RedisStorage: redis,
    TieredStorage: new TieredStorage(l1, redis),
    "a private memoized function": memoize((a, b) => a + b, { maxSize: 4, ttl: 50 }),
    "a memoized function on a shared storage": memoize((a) => a, { storage: shared, name: "reach" }),
    "an async memoized function": memoize(async (a) => a, { staleWhileRevalidate: 10, ttl: 10 }),
  };
  roots["a private memoized function"](1, 2);
  // Names the engine, the argument index, the flights and the Redis internals use.
  const internal = new Set(["engine", "local", "slots", "values", "strings", "ones", "twos", "manys", "firsts", "seconds", "busyDepth", "epoch", "refreshing", "cells", "deadlines", "lookup", "storage", "command", "counters", "serializer", "shas", "tokens", "generationKey"]);
  for (const [what, root] of Object.entries(roots)) {
    for (const [path, value, keys] of reachable(root)) {
      const where = `${what}: ${path}`;
      if (typeof value !== "function") assert.ok(plainPrototypes.has(Object.getPrototypeOf(value)), `${where} is internal state (${value.constructor?.name})`);
      for (const key of keys) {
        assert.equal(typeof key, "string", `${where} has the symbol key ${String(key)}`);
        assert.equal(internal.has(key), false, `${where} has the internal field ${key}`);
      }
    }
    for (const key of internal) assert.equal(key in root, false, `${what} has ${key}`);
  }
  // What a local storage and a memoized function show: their API, no field.
  assert.deepEqual(Reflect.ownKeys(shared), []);
  assert.deepEqual(Reflect.ownKeys(l1), []);
  const f = roots["a private memoized function"];
  assert.deepEqual(Reflect.ownKeys(f).sort(), ["cache", "length", "name", "prototype"]);
  assert.deepEqual(Reflect.ownKeys(f.cache).sort(), ["clear", "delete", "keyOf", "stats"]);
});

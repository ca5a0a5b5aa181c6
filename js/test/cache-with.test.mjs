// cacheWith keeps the arguments it leaves out of the key unread, on every path that builds a
// key: the private cache (by value and by key string), hashed serializers, shared storages,
// `.cache.keyOf`/`.cache.delete` and buildKey. (Issue 12, defect 1.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize, buildKey, TTLMapStorage, TTLMapAsyncStorage } from "cashier-wasm";
import { MapStorage } from "./map-storage.mjs";

class Db {
  constructor() {
    this.users = { find: (id, options) => ({ id, fields: options.fields }) };
  }
}


/** Arguments a key can never take: reading or converting any of them throws. */
function unkeyables() {
  const cycle = { name: "cycle" };
  cycle.self = cycle;
  const hostile = new Proxy(
    {},
    Object.fromEntries(
      ["get", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf", "isExtensible", "preventExtensions", "defineProperty", "deleteProperty", "set", "apply", "construct", "setPrototypeOf"].map(
        (trap) => [
          trap,
          () => {
            throw new Error(`the excluded proxy was read (${trap})`);
          },
        ],
      ),
    ),
  );
  let deep = {};
  for (let i = 0; i < 1000; i++) deep = { deep };
  return { instance: new Db(), cycle, callback: () => 1, hostile, deep, symbol: Symbol("s") };
}

test("the README example: a class instance at a position cacheWith leaves out", async () => {
  let calls = 0;
  const getUser = memoize(
    async (db, id, options) => {
      calls++;
      return db.users.find(id, options);
    },
    { name: "users.getUser", cacheWith: [1, 2], ttl: 60_000, maxSize: 10_000 },
  );
  const db = new Db();
  const first = await getUser(db, 7, { fields: ["name"] });
  const second = await getUser(new Db(), 7, { fields: ["name"] });
  assert.deepEqual(first, { id: 7, fields: ["name"] });
  assert.equal(second, first);
  assert.equal(calls, 1);
  assert.equal(getUser.cache.keyOf(db, 7, { fields: ["name"] }), 'users.getUser(7,{"fields":["name"]})');
  assert.equal(getUser.cache.delete(db, 7, { fields: ["name"] }), true);
  assert.equal(getUser.cache.stats().size, 0);
});

test("excluded cycles, callbacks, deep nesting and a proxy whose every trap throws are never read", async () => {
  for (const [what, excluded] of Object.entries(unkeyables())) {
    // Every path that builds a key: objects and escaped strings go through the converter.
    for (const kept of [7, { id: 7 }, 'needs "escaping"', [1, [2]]]) {
      const options = [{}, { serializer: "sha256" }, { serializer: "md5" }, { serializer: { serialize: (key) => `s:${key}` } }, { prefix: "p:", version: 2 }];
      for (const extra of options) {
        let calls = 0;
        const f = memoize((_excluded, value) => (calls++, JSON.stringify(value)), { name: "sel", cacheWith: [1], ...extra });
        const label = `${what} with ${JSON.stringify(kept)} and ${JSON.stringify(extra)}`;
        assert.equal(f(excluded, kept), JSON.stringify(kept), label);
        assert.equal(f(excluded, kept), JSON.stringify(kept), label);
        assert.equal(calls, 1, label);
        assert.equal(typeof f.cache.keyOf(excluded, kept), "string", label);
        assert.equal(f.cache.delete(excluded, kept), true, label);
      }
      assert.equal(buildKey("sel", [excluded, kept], { cacheWith: [1] }), buildKey("sel", [undefined, kept], { cacheWith: [1] }));
      // Shared local storages build key strings for every call.
      const storage = new TTLMapStorage();
      const g = memoize((_excluded, value) => value, { name: `shared.${what}`, storage, cacheWith: [1] });
      assert.equal(g(excluded, kept), kept);
      assert.equal(storage.has(g.cache.keyOf(excluded, kept)), true);
      // A storage outside the process (the shared path builds every key, then asks it).
      const outside = new MapStorage();
      const o = memoize(async (_excluded, value) => value, { name: `outside.${what}`, storage: outside, cacheWith: [1] });
      assert.equal(await o(excluded, kept), kept);
      assert.equal(await o(excluded, kept), kept);
      assert.equal(outside.values.has(o.cache.keyOf(excluded, kept)), true);
      assert.equal(await o.cache.delete(excluded, kept), true);
      const asyncStorage = new TTLMapAsyncStorage();
      const h = memoize(async (_excluded, value) => value, { name: `async.${what}`, storage: asyncStorage, cacheWith: [1] });
      assert.equal(await h(excluded, kept), kept);
      assert.equal(await asyncStorage.has(h.cache.keyOf(excluded, kept)), true);
    }
  }
});

test("an excluded argument after the kept ones, and a selection beyond the arguments passed", () => {
  const { hostile, instance } = unkeyables();
  let calls = 0;
  const f = memoize((a, b, _c, d) => (calls++, [a, b, d]), { name: "after", cacheWith: [0, 3] });
  f({ a: 1 }, hostile, instance);
  f({ a: 1 }, instance, hostile);
  assert.equal(calls, 1);
  assert.equal(f.cache.keyOf({ a: 1 }, hostile), 'after({"a":1},undefined)');
});

test("a selected argument that cannot be a key still names its own position", () => {
  const f = memoize((_db, value) => value, { name: "named", cacheWith: [1] });
  assert.throws(() => f(new Db(), new Db()), { name: "TypeError", message: /^argument 1: an instance of Db/ });
});

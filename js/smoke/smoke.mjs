// One smoke test every runtime runs against the installed package: hit/miss behaviour, async
// dedup, and a shared key vector. Runtime-agnostic: no Node APIs, no test framework.
import { buildKey, memoize } from "cashier-wasm";

export async function smoke() {
  const check = (ok, what) => {
    if (!ok) throw new Error(`smoke failed: ${what}`);
  };
  let calls = 0;
  const add = memoize((a, b) => (calls++, a + b), { name: "smoke.add", maxSize: 2 });
  check(add(1, 2) === 3 && add(1, 2) === 3 && calls === 1, "a second call is a hit");
  add(3, 4);
  add(5, 6); // evicts (1, 2)
  add(1, 2);
  check(calls === 4, "the least recently used entry was evicted");
  const stats = add.cache.stats();
  check(stats.hits === 1 && stats.misses === 4 && stats.evictions === 2, `stats ${JSON.stringify(stats)}`);

  let invocations = 0;
  const fetchUser = memoize(async (id) => (invocations++, await null, { id }), { name: "smoke.fetchUser" });
  const users = await Promise.all(Array.from({ length: 500 }, (_, i) => fetchUser(i % 5)));
  check(invocations === 5 && users[0] === users[5], "500 concurrent calls over 5 keys ran 5 times and share results");

  // A shared vector ("nested request-like object" in core/tests/vectors/keys.json).
  const key = buildKey("f", [{ id: 7, filter: { tags: ["x", "y"], since: new Date(0) } }], { serializer: "sha256" });
  check(key === "f:4ebe20a28c74e4f3f9659ac5f813cded27e3db0aec36e176727c267213acd045", `sha256 key ${key}`);
  const repr = buildKey("f", [{ id: 7, filter: { tags: ["x", "y"], since: new Date(0) } }]);
  check(repr === 'f({"filter":{"since":Date(0),"tags":["x","y"]},"id":7})', `repr key ${repr}`);
  return { ok: true, calls, invocations, key: repr, sha256: key };
}

// The cashier component transpiled by jco, run in Node: the WIT interface works outside
// wasmtime. `node smoke.mjs` after `npx jco transpile` (see .ci/test.d/30-component.sh).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { advance } from "./clock.js";
import { store, keys } from "./out/cashier.component.js";

const cache = store.Cache.create({ maxSize: 2, defaultTtlMs: 100n, hashSeed: 42n });
const bytes = (text) => new TextEncoder().encode(text);
cache.set("a", bytes("1"), undefined);
assert.deepEqual(cache.get("a"), bytes("1"));
advance(100);
assert.equal(cache.get("a"), undefined, "expired on the host clock");

const first = cache.begin("k");
assert.equal(first.tag, "miss");
const second = cache.begin("k");
assert.deepEqual(second, { tag: "joined", val: first.val });
assert.equal(cache.complete(first.val, bytes("v"), undefined), 1);
assert.deepEqual(cache.begin("k"), { tag: "hit", val: bytes("v") });
assert.throws(() => cache.complete(first.val, bytes("x"), undefined), (e) => e.payload?.tag === "stale-ticket");
assert.throws(() => store.Cache.create({ maxSize: 0, hashSeed: 1n }), (e) => e.payload?.tag === "invalid-config");

// The handle cache: u64 handles in, the same handles back, replaced ones reported freed once.
const handles = store.HandleCache.create({ maxSize: 2, defaultTtlMs: undefined, hashSeed: 7n });
assert.equal(handles.set("a", 1n, undefined), 0);
assert.equal(handles.get("a"), 1n);
assert.equal(handles.set("a", 2n, undefined), 1, "the replaced handle waits to be taken");
assert.deepEqual([...handles.takeFreed()], [1n]);
assert.deepEqual([...handles.takeFreed()], []);
const pending = handles.begin("h");
assert.equal(pending.tag, "miss");
assert.deepEqual(handles.complete(pending.val, 3n, undefined), { waiters: 0, freed: 0 });
assert.deepEqual(handles.begin("h"), { tag: "hit", val: 3n });

// A shared vector: "nested request-like object".
const vectors = JSON.parse(readFileSync(new URL("../../core/tests/vectors/keys.json", import.meta.url), "utf8"));
const vector = vectors.vectors.find((v) => v.about === "nested request-like object");
const nodes = [
  { tag: "text", val: "x" },
  { tag: "text", val: "y" },
  { tag: "list", val: Uint32Array.from([0, 1]) },
  { tag: "date", val: 0 },
  { tag: "object", val: [["tags", 2], ["since", 3]] },
  { tag: "number", val: 7 },
  { tag: "object", val: [["id", 5], ["filter", 4]] },
];
const options = { prefix: "", serializer: "repr" };
assert.equal(keys.buildKey("f", nodes, Uint32Array.from([6]), options), vector.repr);
assert.equal(keys.buildKey("f", nodes, Uint32Array.from([6]), { ...options, serializer: "sha256" }), vector.sha256);
console.log(JSON.stringify({ ok: true, stats: cache.stats(), key: vector.repr }, (_, v) => (typeof v === "bigint" ? Number(v) : v)));

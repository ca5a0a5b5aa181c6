// jsonValues, the default value serializer of RedisStorage: what JSON alone loses round-trips,
// tags cannot be forged by stored data, and what cannot be stored is a clear TypeError.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonValues } from "cashier-wasm/redis";

const roundTrip = (value) => jsonValues.deserialize(jsonValues.serialize(value));

test("values JSON loses round-trip", () => {
  const cases = [
    undefined,
    [undefined, null],
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    2n ** 70n,
    -5n,
    new Date(86_400_000),
    new Map([[{ k: 1 }, new Set([1n])], [undefined, -0]]),
    new Set([new Date(1), "s"]),
    new Uint8Array([]),
    new Uint8Array([255]),
    new Uint8Array([1, 2]),
    new Uint8Array(Array.from({ length: 256 }, (_, i) => i)),
    { nested: { deep: [new Map(), new Set(), { u: undefined }] } },
  ];
  for (const value of cases) assert.deepStrictEqual(roundTrip(value), value);
  assert.ok(Object.is(roundTrip(-0), -0));
  assert.ok(Number.isNaN(roundTrip(new Date(Number.NaN)).getTime()));
  assert.deepStrictEqual(roundTrip([, 1]), [undefined, 1], "a hole comes back as undefined");
});

test("stored data cannot forge a tag or a prototype", () => {
  const lookalike = { $t: "bigint", v: "1" };
  assert.deepStrictEqual(roundTrip(lookalike), lookalike, "an object with $t stays an object");
  assert.deepStrictEqual(roundTrip([{ $t: "undefined" }]), [{ $t: "undefined" }]);
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
  const back = roundTrip(proto);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(Object.keys(back), ["__proto__", "a"]);
  assert.equal(back.polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(back, "__proto__").value, { polluted: true });
  assert.equal({}.polluted, undefined);
});

test("what cannot be stored is a TypeError naming it", () => {
  class Point {}
  const cycle = { a: 1 };
  cycle.self = cycle;
  assert.throws(() => jsonValues.serialize(new Point()), { name: "TypeError", message: /Point instance cannot be stored/ });
  assert.throws(() => jsonValues.serialize(cycle), { name: "TypeError", message: /cycle/ });
  assert.throws(() => jsonValues.serialize({ f() {} }), { name: "TypeError", message: /function cannot be stored/ });
  assert.throws(() => jsonValues.serialize([Symbol("s")]), { name: "TypeError", message: /symbol cannot be stored/ });
  let deep = 1;
  for (let i = 0; i < 600; i++) deep = [deep];
  assert.throws(() => jsonValues.serialize(deep), { name: "TypeError", message: /deeper than 512/ });
  const shared = { x: 1 };
  assert.deepStrictEqual(roundTrip([shared, shared]), [{ x: 1 }, { x: 1 }], "a repeated (acyclic) object is not a cycle");
});

test("text that is not a stored value is a clear error", () => {
  assert.throws(() => jsonValues.deserialize('{"$t":"nonsense"}'), { name: "TypeError", message: /unknown tag "nonsense"/ });
  assert.throws(() => jsonValues.deserialize('{"$t":"bytes","v":"!!"}'), { name: "TypeError", message: /invalid base64/ });
  assert.throws(() => jsonValues.deserialize("{not json"), SyntaxError);
});

test("only the exact forms serialize writes are read back: anything else is a TypeError", () => {
  const foreign = [
    '{"$t":"number","v":"42"}',
    '{"$t":"number","v":"0x10"}',
    '{"$t":"number","v":42}',
    '{"$t":"number","v":"nan"}',
    '{"$t":"date","v":"2020-01-01T00:00:00Z"}',
    '{"$t":"date","v":1.5}',
    '{"$t":"date","v":9e15}',
    '{"$t":"date"}',
    '{"$t":"bigint","v":"0x10"}',
    '{"$t":"bigint","v":"007"}',
    '{"$t":"bigint","v":" 1"}',
    '{"$t":"bigint","v":"-0"}',
    '{"$t":"bigint","v":7}',
    '{"$t":"undefined","v":1}',
    '{"$t":"bigint","v":"1","extra":true}',
    '{"$t":"bytes","v":"AQ"}',
    '{"$t":"bytes","v":"AR=="}',
    '{"$t":"map","v":[[1]]}',
    '{"$t":"map","v":[[1,2],[1,3]]}',
    '{"$t":"map","v":{}}',
    '{"$t":"set","v":[1,1]}',
    '{"$t":"set","v":"ab"}',
    '{"$t":"object","v":{"a":1}}',
    '{"$t":"object","v":[1]}',
    '[1,{"$t":"number","v":"42"}]',
    "-0",
    "[-0.0]",
    '{"a":1e400}',
    '{"a":-1e-400}',
  ];
  for (const text of foreign) {
    assert.throws(() => jsonValues.deserialize(text), { name: "TypeError", message: /jsonValues: .*not a form this serializer writes/ }, text);
  }
  // What serialize does write still reads back, including look-alikes of the checks above.
  const written = [1e300, -1e-300, 1e21, "2020-01-01 -0", { $t: "x", v: "42" }, new Uint8Array([1, 17]), new Date(-8.64e15), -0.5];
  for (const value of written) assert.deepStrictEqual(roundTrip(value), value);
});

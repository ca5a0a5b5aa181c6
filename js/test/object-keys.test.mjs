// The JavaScript encoder of repr keys (js/src/object-keys.ts through fast-keys.ts's reprKey)
// against the WebAssembly converter (buildKey always goes through it): on every shared vector,
// and over thousands of random argument trees, the encoder either gives up (undefined: the
// converter decides) or builds exactly the converter's key; memoized functions key and refuse
// exactly like buildKey.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildKey, memoize } from "cashier-wasm";
import { optionsOf, valueOf } from "./vectors.mjs";
// The compiled internal module (tsc's output, which esbuild bundles into the package).
import { reprKey, sortedPositions } from "../../target/js/esm/fast-keys.js";
import { prng } from "./prng.mjs";

const vectors = JSON.parse(readFileSync(new URL("../../core/tests/vectors/keys.json", import.meta.url), "utf8"));

const headOf = (name, options) => `${options.prefix ?? ""}${name}${options.version === undefined ? "" : "@" + options.version}(`;
const jsKey = (name, args, options = {}) => reprKey(headOf(name, options), sortedPositions(options), options)(args);
/** The converter's key, or its error message. */
const converted = (name, args, options = {}) => {
  try {
    return { key: buildKey(name, args, options) };
  } catch (error) {
    return { error: `${error.constructor.name}: ${error.message}` };
  }
};
const memoized = (name, args, options = {}) => {
  try {
    return { key: memoize((...a) => a, { ...options, name }).cache.keyOf(...args) };
  } catch (error) {
    return { error: `${error.constructor.name}: ${error.message}` };
  }
};

test("the JavaScript encoder builds every shared vector's exact repr key (and gives up on none it can express)", () => {
  const givenUp = [];
  let containers = 0;
  for (const vector of vectors.vectors) {
    const options = optionsOf(vector, "repr");
    const key = jsKey(vector.name, vector.args.map(valueOf), options);
    if (key === undefined) givenUp.push(vector.about);
    else assert.equal(key, vector.repr, vector.about);
    if (key !== undefined && vector.args.some((a) => ["list", "object", "map", "set", "date", "bytes"].includes(a.t))) containers++;
  }
  // Only keys beyond the JavaScript side's cautious length bound go to the converter.
  assert.ok(givenUp.length <= 2, `given up: ${givenUp.join("; ")}`);
  assert.ok(containers >= 25, `${containers} vectors with objects, arrays, Maps, Sets, Dates or bytes keyed in JavaScript`);
  // The value errors are the converter's to raise (name, version and option errors come from the head).
  for (const vector of vectors.errors.filter((v) => v.only !== "rust" && ["TooDeep", "TooLong"].includes(v.error))) {
    assert.equal(jsKey(vector.name, vector.args.map(valueOf), optionsOf(vector, "repr")), undefined, vector.about);
  }
});


const NUMBERS = [0, -0, 1, -1, 1.5, -2.5, 0.1, 1e21, 1e-7, 123456789, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53];
const PIECES = ["a", "b", "B", "_", "", "10", "9", '"', "\\", "\n", "\r", "\t", "\u0000", "\u0001", "\u001f", "\u007f", "é", "漢", "\uff61", "\ufffd", "😀", "𝄞", "=>", ",", "}", "]", ")", "{", "Map{", "\u2028"];
const LONE = ["\ud800", "\udc00", "x\ud83d", "\ude00y"];
class Point {
  constructor() {
    this.x = 1;
  }
}
class MyMap extends Map {}

/** A random argument tree: mostly values the encoder takes, sometimes something it must give up. */
function generator(pick) {
  const text = () => {
    let s = "";
    for (let n = pick(4); n > 0; n--) s += PIECES[pick(PIECES.length)];
    if (pick(60) === 0) s += LONE[pick(LONE.length)];
    return s;
  };
  const leaf = () => {
    switch (pick(9)) {
      case 0: return NUMBERS[pick(NUMBERS.length)];
      case 1: return pick(1000) - 500 + pick(1000) / 64;
      case 2: return BigInt(pick(2000) - 1000) * (pick(2) ? 1n : 12345678901234567890n);
      case 3: return text();
      case 4: return pick(2) === 0;
      case 5: return pick(2) ? null : undefined;
      case 6: return new Date(pick(8) === 0 ? NaN : (pick(4000) - 2000) * 86_400_000 + pick(1000));
      case 7: return Uint8Array.from({ length: pick(5) }, () => pick(256));
      default: return text();
    }
  };
  const odd = () => {
    switch (pick(16)) {
      case 0: return new Point();
      case 1: return () => 1;
      case 2: return Symbol("s");
      case 3: return new Float64Array(2);
      case 4: return new MyMap([[1, 2]]);
      case 5: return new Proxy({ b: 2, a: 1 }, {});
      case 6: return new Proxy({ a: 1 }, { ownKeys() { throw new Error("trap ownKeys"); } });
      case 7: return new Proxy([1, 2], {});
      case 8: return new Proxy(new Map([[1, 2]]), {});
      case 9: return new Proxy(new Date(0), {});
      case 10: return { get boom() { throw new Error("nope"); } };
      case 11: return { get fine() { return 7; } };
      case 12: { const cyclic = { a: 1 }; cyclic.self = [cyclic]; return cyclic; }
      case 13: return Object.setPrototypeOf([1, 2], Object.prototype);
      case 14: return Object.defineProperty(Uint8Array.of(1, 2), "length", { value: 5 });
      default: { const sparse = [1]; sparse[3] = 2; return sparse; }
    }
  };
  const tree = (depth) => {
    const roll = pick(100);
    if (roll < 3) return odd();
    if (depth > 4 || roll < 45) return leaf();
    const size = pick(4);
    switch (roll % 5) {
      case 0: return Array.from({ length: size }, () => tree(depth + 1));
      case 1: {
        const object = pick(8) === 0 ? Object.create(null) : {};
        for (let i = 0; i < size; i++) object[pick(3) ? PIECES[pick(PIECES.length)] : text()] = tree(depth + 1);
        return object;
      }
      case 2: return new Map(Array.from({ length: size }, () => [tree(depth + 1), tree(depth + 1)]));
      case 3: return new Set(Array.from({ length: size }, () => tree(depth + 1)));
      default: return leaf();
    }
  };
  return tree;
}

/** A copy of `value` with every object's properties, Map's entries and Set's elements inserted in another order. */
function reordered(value, pick, depth = 0) {
  try {
    return reorder(value, pick, depth);
  } catch {
    // A proxy whose traps throw: the same value again.
    return value;
  }
}

function reorder(value, pick, depth) {
  const shuffle = (items) => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  // Deep enough for the generator's trees; a cycle stays as it is.
  if (value === null || typeof value !== "object" || depth > 8) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Array.prototype && Array.isArray(value)) return value.map((v) => reordered(v, pick, depth + 1));
  if (prototype === Map.prototype) return new Map(shuffle([...value].map(([k, v]) => [reordered(k, pick, depth + 1), reordered(v, pick, depth + 1)])));
  if (prototype === Set.prototype) return new Set(shuffle([...value].map((v) => reordered(v, pick, depth + 1))));
  if ((prototype === Object.prototype || prototype === null) && !Array.isArray(value)) {
    const names = Object.keys(value);
    if (names.some((n) => Object.getOwnPropertyDescriptor(value, n)?.get)) return value;
    const copy = Object.create(prototype);
    for (const name of shuffle(names)) copy[name] = reordered(value[name], pick, depth + 1);
    return copy;
  }
  return value;
}

test("over random argument trees the JavaScript encoder builds the converter's exact key or gives up, and memoize keys like buildKey", () => {
  let accepted = 0;
  let trees = 0;
  const keys = new Map();
  const jsKeys = new Map();
  for (let seed = 1; seed <= 4000; seed++) {
    const pick = prng(seed);
    const tree = generator(pick);
    const args = Array.from({ length: pick(4) }, () => tree(0));
    const options = pick(6) === 0 ? { cacheWith: [pick(3)] } : {};
    const expected = converted("f", args, options);
    const key = jsKey("f", args, options);
    trees++;
    if (key !== undefined) {
      accepted++;
      assert.equal(key, expected.key, `seed ${seed}: the JavaScript key differs from the converter's (${expected.error ?? ""})`);
    }
    assert.deepEqual(memoized("f", args, options), expected, `seed ${seed}: memoize's key or error differs from buildKey's`);
    // Content-equal trees built in another order: equal keys on both paths.
    const again = args.map((a) => reordered(a, pick));
    const expectedAgain = converted("f", again, options);
    const keyAgain = jsKey("f", again, options);
    if (keyAgain !== undefined) assert.equal(keyAgain, expectedAgain.key, `seed ${seed} reordered`);
    if (expected.key !== undefined && key !== undefined) assert.equal(keyAgain ?? expectedAgain.key, key, `seed ${seed}: order changed the key`);
    // Equal keys exactly when the converter's keys are equal (among the keys both paths build).
    if (key !== undefined) {
      if (keys.has(expected.key)) assert.equal(keys.get(expected.key), key, `seed ${seed}: equal converter keys`);
      else keys.set(expected.key, key);
      if (jsKeys.has(key)) assert.equal(jsKeys.get(key), expected.key, `seed ${seed}: equal JavaScript keys`);
      else jsKeys.set(key, expected.key);
    }
  }
  assert.ok(accepted > trees / 2, `${accepted} of ${trees} trees keyed in JavaScript`);
  assert.ok(keys.size > 1000, `${keys.size} distinct keys`);
});

test("Sets, Maps and objects order by code point in JavaScript too, not by UTF-16 code unit", () => {
  // "\uff61" < "😀" by code point; by code unit "😀" (0xd83d…) comes first.
  const cases = [
    [[new Set(["😀", "\uff61"])], 'f(Set{"｡","😀"})'],
    [[new Set(["\uff61", "😀", "a"])], 'f(Set{"a","｡","😀"})'],
    [[new Map([["😀", 1], ["\uff61", 2]])], 'f(Map{"｡"=>2,"😀"=>1})'],
    [[new Map([[{}, "😀"], [{}, "\uff61"]])], 'f(Map{{}=>"｡",{}=>"😀"})'],
    [[{ "😀": new Set(["𝄞", "\ue000"]), "\uff61": 0 }], 'f({"｡":0,"😀":Set{"\ue000","𝄞"}})'],
  ];
  for (const [args, expected] of cases) {
    assert.equal(buildKey("f", args), expected);
    assert.equal(jsKey("f", args), expected, "keyed in JavaScript");
  }
});

test("a property name with a lone surrogate is left to the converter, which refuses it (no U+FFFD collision)", () => {
  assert.equal(jsKey("f", [{ "\ud800": 1 }]), undefined);
  assert.equal(jsKey("f", [{ a: { "x\udc00": 1 } }]), undefined);
  for (const args of [[{ "\ud800": 1 }], [1, new Map([["k", { a: { "x\udc00": 1 } }]])]]) {
    const position = args.length - 1;
    assert.deepEqual(memoized("f", args), converted("f", args));
    assert.throws(() => buildKey("f", args), (e) => e instanceof TypeError && e.message.startsWith(`argument ${position}: a property name with a lone surrogate`));
  }
  assert.equal(buildKey("f", [{ "\ufffd": 1 }]), 'f({"\ufffd":1})');
});

test("what the encoder gives up goes to the converter: its keys and its errors, naming the argument", () => {
  const cases = [
    [[new Proxy({ b: 2, a: 1 }, {})], 'f({"a":1,"b":2})'],
    [[{ a: new Proxy([1, 2], {}) }], 'f({"a":[1,2]})'],
    [[{ get fine() { return 7; } }], 'f({"fine":7})'],
    [[new (class extends Map {})([[1, 2]])], "f(Map{1=>2})"],
    [[Buffer.from([1, 255])], 'f(b"01ff")'],
    [[1, { k: "\ud800" }], /argument 1: a string with a lone surrogate/],
    [[{ a: [new Point()] }], /argument 0: an instance of Point/],
    [[new Proxy(new Map(), {})], /argument 0: reading the collection threw/],
    [[{ get boom() { throw new Error("nope"); } }], /argument 0: reading property "boom" threw: nope/],
  ];
  for (const [args, expected] of cases) {
    for (const keyOf of [(a) => buildKey("f", a), (a) => memoize((...x) => x, { name: "f" }).cache.keyOf(...a)]) {
      if (typeof expected === "string") assert.equal(keyOf(args), expected);
      else assert.throws(() => keyOf(args), (e) => e instanceof TypeError && expected.test(e.message), String(expected));
    }
  }
  // Keys near maxKeyBytes are measured by the converter: the same limit on both paths.
  const f = memoize((x) => x, { name: "f", maxKeyBytes: 40 });
  // f({"a":"…"}) is 11 bytes with its text.
  assert.equal(f.cache.keyOf({ a: "x".repeat(29) }), buildKey("f", [{ a: "x".repeat(29) }]));
  assert.throws(() => f.cache.keyOf({ a: "x".repeat(40) }), /longer than the maximum of 40 bytes/);
  assert.throws(() => f.cache.keyOf(new Map([["k", "é".repeat(17)]])), /longer than the maximum of 40 bytes/);
});

// The canonical forms (core/KEYS.md) of strings, objects, arrays, Dates, Maps, Sets and
// Uint8Arrays, built in JavaScript. Internal: used by fast-keys.ts for repr keys.
//
// This encoder only speeds up what the WebAssembly converter (wasm/js-keys/src/convert.rs)
// would key anyway: for every value it is not sure of — a class instance, a subclassed or
// re-prototyped built-in, a proxy whose traps throw or misbehave, a cycle, nesting deeper than
// the converter allows, a lone surrogate, another typed array — it gives up (GIVE_UP, caught by
// the caller) and the call goes to the converter unchanged, so that the converter's key or its
// exact error (naming the argument) is what the caller sees. What it accepts, it reads through
// the same operations as the converter (`Object.keys` then `[[Get]]` per key, `length` then each
// index, `[Symbol.iterator]()` then `entry[0]`, `entry[1]`), so a plain proxy keys alike either way.
// A property test (js/test/object-keys.test.mjs) pins both together over random trees.

/** The converter's nesting limit (cashier_core::key::MAX_DEPTH): a container at this depth is its error. */
const MAX_DEPTH = 128;

/** Thrown to abandon the JavaScript encoding: the converter then keys the call (or refuses it). */
export const GIVE_UP: unique symbol = Symbol("cashier: give up the JavaScript key");

/** Characters a string's canonical form escapes, and the surrogates whose pairing must be checked. */
const SPECIAL = /["\\\u0000-\u001f\u007f\ud800-\udfff]/;
/** A UTF-16 string that is not well formed (a lone surrogate): not text, refused by the converter. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Every character KEYS.md escapes. */
const ESCAPED = /["\\\u0000-\u001f\u007f]/g;
const SURROGATE = /[\ud800-\udfff]/;

const escapeOne = (c: string): string => {
  switch (c) {
    case '"':
      return '\\"';
    case "\\":
      return "\\\\";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    default:
      return "\\u{" + c.charCodeAt(0).toString(16) + "}";
  }
};

/** Strings up to this long are scanned a code unit at a time; longer ones by regular expression. */
const SHORT = 32;
/** What {@link scan} found: nothing to escape, something to escape, or a surrogate (maybe lone). */
const PLAIN = 0;
const ESCAPES = 1;
const SURROGATES = 2;

/** Whether `text` holds characters KEYS.md escapes, or surrogates (a loop: faster than a
 * regular expression on the short strings objects mostly hold). */
function scan(text: string): number {
  if (text.length > SHORT) return SURROGATE.test(text) ? SURROGATES : SPECIAL.test(text) ? ESCAPES : PLAIN;
  let found = PLAIN;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return SURROGATES;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f) found = ESCAPES;
  }
  return found;
}

/** `"` + the escaped text + `"`; gives up on a lone surrogate. */
export function quoted(text: string): string {
  const found = scan(text);
  if (found === PLAIN) return '"' + text + '"';
  if (found === SURROGATES && LONE_SURROGATE.test(text)) throw GIVE_UP;
  return '"' + text.replace(ESCAPED, escapeOne) + '"';
}

/**
 * Orders strings by Unicode code point (KEYS.md, Ordering) rather than by UTF-16 code unit: the
 * two differ only where a surrogate (U+D800–U+DFFF, part of a character beyond the BMP) meets a
 * code unit from U+E000 up, which the fix-up below moves past it. Well-formed strings only.
 */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts a few strings by code unit in place (quicker than Array.prototype.sort for a handful). */
function insertionSort(items: string[]): void {
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i - 1;
    while (j >= 0 && items[j]! > item) {
      items[j + 1] = items[j]!;
      j--;
    }
    items[j + 1] = item;
  }
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts encodings by code point: the engine's sort when no surrogate can make it differ. */
function sortEncodings(items: string[]): string[] {
  for (const item of items) if (SURROGATE.test(item)) return items.sort(byCodePoint);
  return items.sort();
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));
/** The intrinsic length of a typed array (not an own `length` property someone defined). */
const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "length")!.get!;
const getTime = Date.prototype.getTime;

/** Whether `length` is what the converter accepts as an array's length (a whole u32). */
const wholeLength = (length: unknown): length is number => typeof length === "number" && length >= 0 && length <= 0xffffffff && Math.floor(length) === length;

/**
 * The canonical form of one argument value, or throws: {@link GIVE_UP} for anything the
 * converter should decide, or whatever a proxy trap or getter threw (the caller hands those to
 * the converter too). `limit` bounds the characters of any one container's form: a longer key is
 * the converter's to measure and refuse, and a huge value stops early here.
 */
export function encode(value: unknown, depth: number, limit: number): string {
  switch (typeof value) {
    case "number":
      return "" + value;
    case "string":
      return quoted(value);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "undefined";
    case "bigint":
      return value + "n";
    case "object":
      return value === null ? "null" : container(value, depth, limit);
    default:
      throw GIVE_UP;
  }
}

function container(value: object, depth: number, limit: number): string {
  // The converter refuses any object at this depth; cycles end here too.
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const prototype = Object.getPrototypeOf(value);
  const inner = depth + 1;
  if (prototype === Object.prototype || prototype === null) {
    // A typed array or an array re-prototyped to look plain is the converter's to judge.
    if (Array.isArray(value) || ArrayBuffer.isView(value)) throw GIVE_UP;
    const names = Object.keys(value);
    // Names are scanned once: plain ones (most) are quoted as they are, below; a name with a
    // lone surrogate gives up in quoted().
    let plain = true;
    let surrogates = false;
    for (let i = 0; i < names.length; i++) {
      const found = scan(names[i]!);
      if (found !== PLAIN) {
        plain = false;
        if (found === SURROGATES) surrogates = true;
      }
    }
    // Sort the raw names (KEYS.md): JavaScript names are distinct, so their values never decide.
    if (surrogates) names.sort(byCodePoint);
    else if (names.length <= 8) insertionSort(names);
    else names.sort();
    let out = "{";
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (i > 0) out += ",";
      out += (plain ? '"' + name + '":' : quoted(name) + ":") + encode((value as Record<string, unknown>)[name], inner, limit);
      if (out.length > limit) throw GIVE_UP;
    }
    return out + "}";
  }
  if (prototype === Array.prototype && Array.isArray(value)) {
    const list = value as unknown[];
    const length: unknown = list.length;
    if (!wholeLength(length)) throw GIVE_UP;
    let out = "[";
    for (let i = 0; i < length; i++) {
      if (i > 0) out += ",";
      out += encode(list[i], inner, limit);
      if (out.length > limit) throw GIVE_UP;
    }
    return out + "]";
  }
  if (prototype === Date.prototype) {
    // Throws for anything but a real Date (a proxy of one, say): the converter then says why.
    return "Date(" + getTime.call(value) + ")";
  }
  if (prototype === Map.prototype && !Array.isArray(value)) {
    const keys: string[] = [];
    const values: string[] = [];
    let size = 0;
    let surrogates = false;
    for (const entry of value as Iterable<unknown>) {
      const pair = entry as Record<number, unknown>;
      const key = encode(pair[0], inner, limit);
      const item = encode(pair[1], inner, limit);
      size += key.length + item.length + 3;
      if (size > limit) throw GIVE_UP;
      surrogates ||= SURROGATE.test(key) || SURROGATE.test(item);
      keys.push(key);
      values.push(item);
    }
    // Ordered by encoded key, then by encoded value.
    const compare = surrogates ? byCodePoint : byCodeUnit;
    const order = keys.map((_, i) => i).sort((a, b) => compare(keys[a]!, keys[b]!) || compare(values[a]!, values[b]!));
    let out = "Map{";
    for (let i = 0; i < order.length; i++) out += (i > 0 ? "," : "") + keys[order[i]!] + "=>" + values[order[i]!];
    return out + "}";
  }
  if (prototype === Set.prototype && !Array.isArray(value)) {
    const items: string[] = [];
    let size = 0;
    for (const item of value as Iterable<unknown>) {
      const form = encode(item, inner, limit);
      size += form.length + 1;
      if (size > limit) throw GIVE_UP;
      items.push(form);
    }
    return "Set{" + sortEncodings(items).join(",") + "}";
  }
  if (prototype === Uint8Array.prototype && ArrayBuffer.isView(value)) {
    const bytes = value as Uint8Array;
    const length = typedArrayLength.call(bytes) as number;
    // An own `length` property would change what the converter reads: its call.
    if (bytes.length !== length || 2 * length > limit) throw GIVE_UP;
    let out = 'b"';
    for (let i = 0; i < length; i++) out += HEX[bytes[i]!];
    return out + '"';
  }
  throw GIVE_UP;
}


// Value serializers for storages outside the process (Redis): values become strings there.

/** Turns cached values into strings and back, for storages that keep strings (Redis). */
export interface ValueSerializer {
  serialize(value: unknown): string;
  deserialize(text: string): unknown;
}

// Tags of the values JSON cannot carry. A plain object that itself has a "$t" property is
// wrapped too, so no stored object is ever mistaken for a tag.
type Tagged =
  | { $t: "undefined" }
  | { $t: "number"; v: "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { $t: "bigint"; v: string }
  | { $t: "date"; v: number | null }
  | { $t: "map"; v: unknown[] }
  | { $t: "set"; v: unknown[] }
  | { $t: "bytes"; v: string }
  | { $t: "object"; v: Record<string, unknown> };

/** Sets an own enumerable property, even one named "__proto__" (an assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function encode(value: unknown, depth: number, seen: Set<object>): unknown {
  if (depth > 512) throw new TypeError("jsonValues: values nest deeper than 512 levels");
  switch (typeof value) {
    case "undefined":
      return { $t: "undefined" } satisfies Tagged;
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $t: "number", v: Object.is(value, -0) ? "-0" : (String(value) as "NaN") } satisfies Tagged;
    case "bigint":
      return { $t: "bigint", v: value.toString() } satisfies Tagged;
    case "object": {
      if (value === null) return null;
      if (seen.has(value)) throw new TypeError("jsonValues: a cycle cannot be stored");
      seen.add(value);
      try {
        // Array.from visits holes too: a hole comes back as undefined, not null.
        if (Array.isArray(value)) return Array.from(value, (item) => encode(item, depth + 1, seen));
        if (value instanceof Date) {
          const time = value.getTime();
          return { $t: "date", v: Number.isNaN(time) ? null : time } satisfies Tagged;
        }
        if (value instanceof Map) {
          return { $t: "map", v: [...value].map(([k, v]) => [encode(k, depth + 1, seen), encode(v, depth + 1, seen)]) };
        }
        if (value instanceof Set) return { $t: "set", v: [...value].map((item) => encode(item, depth + 1, seen)) };
        if (value instanceof Uint8Array) return { $t: "bytes", v: toBase64(value) } satisfies Tagged;
        const prototype = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) {
          throw new TypeError(`jsonValues: a ${prototype?.constructor?.name ?? "class"} instance cannot be stored; give RedisStorage a serializer for it`);
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) setOwn(out, key, encode((value as Record<string, unknown>)[key], depth + 1, seen));
        return "$t" in out ? ({ $t: "object", v: out } satisfies Tagged) : out;
      } finally {
        seen.delete(value);
      }
    }
    default:
      throw new TypeError(`jsonValues: a ${typeof value} cannot be stored`);
  }
}

/** A stored text that is not in a form {@link jsonValues} writes. */
function foreign(what: string): TypeError {
  return new TypeError(`jsonValues: ${what} is not a form this serializer writes`);
}

/** The own keys of a tag object are exactly `names` (the serializer writes no others). */
function tagKeys(record: Record<string, unknown>, tag: string, names: readonly string[]): void {
  const keys = Object.keys(record);
  if (keys.length !== names.length || !names.every((name) => keys.includes(name))) {
    throw foreign(`a "${tag}" tag with the fields ${JSON.stringify(keys)}`);
  }
}

// The only texts encode() writes for the values JSON cannot carry, and for BigInts
// (BigInt.prototype.toString: no sign on zero, no leading zeros, no radix prefix).
const NUMBER_TAGS = new Set(["NaN", "Infinity", "-Infinity", "-0"]);
const BIGINT = /^(?:0|-?[1-9][0-9]*)$/;
// Date.prototype.getTime() is an integer within ±8.64e15 ms, or NaN (written as null).
const MAX_TIME = 8.64e15;

function decodeList(list: unknown, tag: string): unknown[] {
  if (!Array.isArray(list)) throw foreign(`a "${tag}" tag whose v is not a list`);
  return list.map(decode);
}

/**
 * The value `value` (parsed JSON) stands for, accepting only what encode() writes: a tagged value
 * in any other form (extra fields, `{"$t":"number","v":"42"}`, a date as a string, …) is a
 * TypeError, so foreign data is never taken for a value.
 */
function decode(value: unknown): unknown {
  if (value === null || typeof value !== "object") {
    // encode() writes -0 and the non-finite numbers as tags, never as JSON numbers (a JSON text
    // like 1e400 parses to Infinity).
    if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) throw foreign(`the JSON number ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(record, "$t")) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) setOwn(out, key, decode(record[key]));
    return out;
  }
  const tag = record.$t;
  switch (tag) {
    case "undefined":
      tagKeys(record, tag, ["$t"]);
      return undefined;
    case "number": {
      tagKeys(record, tag, ["$t", "v"]);
      const v = record.v;
      if (typeof v !== "string" || !NUMBER_TAGS.has(v)) throw foreign(`the number tag ${JSON.stringify(v)}`);
      return v === "-0" ? -0 : Number(v);
    }
    case "bigint": {
      tagKeys(record, tag, ["$t", "v"]);
      const v = record.v;
      if (typeof v !== "string" || !BIGINT.test(v)) throw foreign(`the bigint tag ${JSON.stringify(v)}`);
      return BigInt(v);
    }
    case "date": {
      tagKeys(record, tag, ["$t", "v"]);
      const v = record.v;
      if (v === null) return new Date(Number.NaN);
      if (typeof v !== "number" || !Number.isInteger(v) || Math.abs(v) > MAX_TIME || Object.is(v, -0)) {
        throw foreign(`the date tag ${JSON.stringify(v)}`);
      }
      return new Date(v);
    }
    case "map": {
      tagKeys(record, tag, ["$t", "v"]);
      const entries = decodeList(record.v, tag);
      const map = new Map();
      for (const entry of entries) {
        if (!Array.isArray(entry) || entry.length !== 2) throw foreign("a map entry that is not a [key, value] pair");
        map.set(entry[0], entry[1]);
      }
      // encode() writes each key of a Map once; a repeated key would silently drop an entry.
      if (map.size !== entries.length) throw foreign("a map with a repeated key");
      return map;
    }
    case "set": {
      tagKeys(record, tag, ["$t", "v"]);
      const items = decodeList(record.v, tag);
      const set = new Set(items);
      if (set.size !== items.length) throw foreign("a set with a repeated member");
      return set;
    }
    case "bytes": {
      tagKeys(record, tag, ["$t", "v"]);
      const v = record.v;
      if (typeof v !== "string") throw foreign(`the bytes tag ${JSON.stringify(v)}`);
      const bytes = fromBase64(v);
      // Canonical base64 only (padded, zero unused bits): what toBase64 writes for these bytes.
      if (toBase64(bytes) !== v) throw foreign(`the base64 text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`);
      return bytes;
    }
    case "object": {
      tagKeys(record, tag, ["$t", "v"]);
      const v = record.v;
      // encode() wraps a plain object only when it has its own "$t" property.
      if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, "$t")) {
        throw foreign("an object tag whose v is not an object with a $t property");
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) setOwn(out, key, decode((v as Record<string, unknown>)[key]));
      return out;
    }
    default:
      throw new TypeError(`jsonValues: unknown tag ${JSON.stringify(tag)}`);
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : "=";
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : "=";
  }
  return out;
}

function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let at = 0;
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new TypeError("jsonValues: invalid base64 in a bytes value");
    buffer = (buffer << 6) | index;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >> bits) & 255;
    }
  }
  return out;
}

/** A tag, a possible -0 (`-0`, `-0.0`, `-0e1`), or an exponent of 3+ digits (possibly ±Infinity, or -0 by underflow). */
const MAY_NEED_CHECKS = /"\$t"|-0(?![0-9])|[0-9][eE][+-]?[0-9]{3}/;

/**
 * The default value serializer: JSON that round-trips what JSON alone loses — `undefined`,
 * `NaN`/`±Infinity`/`-0`, BigInt, Date (including invalid dates), Map, Set and Uint8Array, at any
 * depth. Class instances, functions, symbols and cycles are a `TypeError` (the value is then not
 * stored; the memoized call still returns it). `deserialize` accepts only what `serialize` writes:
 * a tag in any other form (extra fields, `{"$t":"number","v":"42"}`, a date given as a string, a
 * BigInt as `"0x10"`, non-canonical base64) or a JSON number that is -0 or overflows to ±Infinity
 * is a `TypeError`.
 */
export const jsonValues: ValueSerializer = {
  serialize: (value) => JSON.stringify(encode(value, 0, new Set())),
  // Text with no tag and no number that could parse to -0 or ±Infinity is plain JSON, which
  // JSON.parse already reads exactly (own properties, "__proto__" included): skip the walk. The
  // test may also match inside strings (a date "2020-01-01" does not: a digit follows "-0"); that
  // only costs the walk, which accepts the value.
  deserialize: (text) => (MAY_NEED_CHECKS.test(text) ? decode(JSON.parse(text)) : JSON.parse(text)),
};

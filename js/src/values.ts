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

function decode(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if (!("$t" in record)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) setOwn(out, key, decode(record[key]));
    return out;
  }
  const tagged = record as Tagged;
  switch (tagged.$t) {
    case "undefined":
      return undefined;
    case "number":
      return tagged.v === "-0" ? -0 : Number(tagged.v);
    case "bigint":
      return BigInt(tagged.v);
    case "date":
      return new Date(tagged.v ?? Number.NaN);
    case "map":
      return new Map((tagged.v as [unknown, unknown][]).map(([k, v]) => [decode(k), decode(v)]));
    case "set":
      return new Set(tagged.v.map(decode));
    case "bytes":
      return fromBase64(tagged.v);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(tagged.v)) setOwn(out, key, decode(tagged.v[key]));
      return out;
    }
    default:
      throw new TypeError(`jsonValues: unknown tag ${JSON.stringify((tagged as { $t: unknown }).$t)}`);
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

/**
 * The default value serializer: JSON that round-trips what JSON alone loses — `undefined`,
 * `NaN`/`±Infinity`/`-0`, BigInt, Date (including invalid dates), Map, Set and Uint8Array, at any
 * depth. Class instances, functions, symbols and cycles are a `TypeError` (the value is then not
 * stored; the memoized call still returns it).
 */
export const jsonValues: ValueSerializer = {
  serialize: (value) => JSON.stringify(encode(value, 0, new Set())),
  // Text without a tag is plain JSON, which JSON.parse already reads exactly (own properties,
  // "__proto__" included): skip the walk.
  deserialize: (text) => (text.includes('"$t"') ? decode(JSON.parse(text)) : JSON.parse(text)),
};

// Reads the shared key vectors (core/tests/vectors/keys.json) and turns tagged arguments into
// JavaScript values. Used by the unit tests and the per-runtime smoke tests.
export function valueOf(tagged) {
  const number = (v) => (typeof v === "string" ? { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 }[v] : v);
  const v = tagged.v;
  switch (tagged.t) {
    case "null": return null;
    case "undefined": return undefined;
    case "bool": return v;
    case "number": return number(v);
    case "bigint": return BigInt(v);
    case "string": return v;
    case "bytes": return Uint8Array.from(v.match(/../g) ?? [], (h) => parseInt(h, 16));
    case "date": return new Date(number(v));
    case "list": return v.map(valueOf);
    case "set": return new Set(v.map(valueOf));
    case "map": return new Map(v.map(([k, x]) => [valueOf(k), valueOf(x)]));
    case "object": {
      const object = {};
      for (const [k, x] of v) object[k] = valueOf(x);
      return object;
    }
    default: throw new Error(`unknown tag ${tagged.t}`);
  }
}

export function optionsOf(vector, serializer) {
  const o = vector.options ?? {};
  return { prefix: o.prefix, version: o.version, cacheWith: o.cacheWith, maxKeyBytes: o.maxKeyBytes, serializer };
}

// Keys without leaving JavaScript: the repr key of a call (object-keys.ts encodes its values), and the byte estimates that decide whether a call
// may be indexed by its arguments (engine.ts) without building its key at all. The key grammar
// is core/KEYS.md's; the shared vectors check that these paths and the core's agree. Internal:
// nothing here is exported from the package.

import { DEFAULT_MAX_KEY_BYTES } from "./options.js";
import type { KeyOptions } from "./api.js";
import { encode } from "./object-keys.js";

/** UTF-8 takes at most three bytes per UTF-16 code unit (a surrogate pair: four bytes for two). */
const MOST_BYTES_PER_UNIT = 3;
/**
 * Bytes kept free below `maxKeyBytes` when a call is indexed by value without its key being
 * built. The estimates below are already upper bounds (the head by {@link headBytes}, each
 * argument with its separator by {@link keyBytes}); the margin keeps a call near the limit on
 * the key-string path, whose converter measures the key exactly and refuses a long one.
 */
const ESTIMATE_MARGIN_BYTES = 64;
/** The most bytes a number, boolean or undefined takes in a key, with its separator: the
 * longest `Number::toString` ("-1.7976931348623157e+308", 24 bytes) and a comma. */
const SCALAR_BYTES = 25;
/** The most bytes a character escaped as `\uXXXX` takes in a key. */
const ESCAPED_BYTES = 6;

/** A UTF-16 string that is not well formed (a lone surrogate): not a key, so the converter says why. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Characters a key escapes as `\uXXXX`: up to {@link ESCAPED_BYTES} bytes each. */
const ESCAPED = /[\u0000-\u001f\u007f]/;

/** @internal The participating positions (`cacheWith`) in ascending order, or undefined for all. */
export function sortedPositions(options: KeyOptions): number[] | undefined {
  return options.cacheWith ? [...options.cacheWith].sort((a, b) => a - b) : undefined;
}

/** The most bytes the head of a key (`{prefix}{name}[@{version}](`…`)`) can take in UTF-8: every
 * code unit at its widest, plus the three ASCII delimiters `@`, `(` and `)`. */
function headBytes(name: string, options: KeyOptions): number {
  const version = options.version === undefined ? "" : String(options.version);
  return MOST_BYTES_PER_UNIT * (String(options.prefix ?? "").length + name.length + version.length) + 3;
}

/**
 * @internal
 * The most bytes the participating arguments of a call indexed by value may take (as estimated
 * by {@link keyBytes}): `maxKeyBytes` less the head of `name`'s keys and a safety margin, so that
 * every call indexed by value has a key within `maxKeyBytes`.
 */
export function argumentBudget(name: string, options: KeyOptions): number {
  return (options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES) - headBytes(name, options) - ESTIMATE_MARGIN_BYTES;
}

/**
 * @internal
 * Whether a call's participating arguments can be indexed by value: all primitives the key
 * grammar accepts (no symbols, no lone surrogates) and, by a cautious estimate, a key within
 * `maxKeyBytes` (`budget` is {@link argumentBudget}). Anything else takes the key-string path,
 * where the converter keys it or says exactly why it cannot. Asked only on a miss.
 */
export function keyableByValue(positions: number[] | undefined, budget: number): (args: unknown[]) => boolean {
  return (args) => {
    const count = positions ? positions.length : args.length;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const size = keyBytes(positions ? args[positions[i]!] : args[i]);
      if (size < 0) return false;
      bytes += size;
    }
    return bytes <= budget;
  };
}

/** @internal At least the bytes `value` takes in a key, with its separator, or -1 if the
 * argument index cannot take it. */
export function keyBytes(value: unknown): number {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
      return SCALAR_BYTES;
    case "string":
      if (LONE_SURROGATE.test(value)) return -1;
      // Two quotes and a comma.
      return value.length * (ESCAPED.test(value) ? ESCAPED_BYTES : MOST_BYTES_PER_UNIT) + 3;
    case "bigint":
      // The digits (and sign), "n" and a comma.
      return value.toString().length + 2;
    case "object":
      // "null" and a comma.
      return value === null ? 5 : -1;
    default:
      return -1;
  }
}

/**
 * @internal
 * The repr key of a call, built without leaving JS (object-keys.ts), or undefined when the
 * WebAssembly converter must decide: a value the JavaScript encoder is not sure of, anything a
 * proxy trap or getter threw while it read, or a key that may exceed maxKeyBytes (the converter
 * measures it exactly and refuses it). The canonical forms involved are JavaScript's own —
 * numbers are ECMAScript Number::toString, BigInts their decimal digits + "n" — so this is the
 * core's encoding, not a second one; every shared vector and a property test against the
 * converter check that both paths agree. `head` is the key's start, `{prefix}{label}(`;
 * `positions` is {@link sortedPositions}: only those arguments are read.
 */
export function reprKey(head: string, positions: number[] | undefined, options: KeyOptions): (args: unknown[]) => string | undefined {
  // A key of at most this many code units is within maxKeyBytes whatever they are.
  const maxKeyChars = Math.floor((options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES) / MOST_BYTES_PER_UNIT);
  return (args) => {
    let key = head;
    const count = positions ? positions.length : args.length;
    try {
      for (let i = 0; i < count; i++) {
        if (i > 0) key += ",";
        key += encode(positions ? args[positions[i]!] : args[i], 0, maxKeyChars);
      }
    } catch {
      // GIVE_UP, or what a trap or getter threw: the converter reads the call again and keys it
      // or raises its own error, naming the argument.
      return undefined;
    }
    key += ")";
    return key.length <= maxKeyChars ? key : undefined;
  };
}

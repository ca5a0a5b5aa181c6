// What a memoized function looks like from outside: the original's name and length, plus `.cache`.

/** @internal `memoized` dressed as `fn` (its name and length), with `cache` as `.cache`. */
export function withCache(memoized: Function, fn: Function, cache: object): unknown {
  Object.defineProperty(memoized, "cache", { value: cache, enumerable: true });
  Object.defineProperty(memoized, "name", { value: fn.name, configurable: true });
  Object.defineProperty(memoized, "length", { value: fn.length, configurable: true });
  return memoized;
}

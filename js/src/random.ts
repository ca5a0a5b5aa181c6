// Random words for hasher seeds and lock tokens.

/**
 * `count` random 32-bit words from `crypto.getRandomValues`, or from `Math.random` mixed with
 * the time where crypto may not be used yet — workerd forbids it at global scope, where caches
 * are usually created.
 * @internal
 */
export function randomWords(count: number): Uint32Array {
  const words = new Uint32Array(count);
  try {
    globalThis.crypto.getRandomValues(words);
  } catch {
    for (let i = 0; i < count; i++) words[i] = Math.floor(Math.random() * 2 ** 32) ^ (i === count - 1 ? Date.now() : 0);
  }
  return words;
}

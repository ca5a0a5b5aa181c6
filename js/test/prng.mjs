// A small seeded PRNG (xorshift32) for the randomized tests, so a failing seed reproduces:
// `prng(seed)(n)` is a whole number in [0, n).
export function prng(seed) {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

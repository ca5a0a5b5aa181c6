// The component's `clock` import for the jco smoke: a clock the test moves by hand.
let now = 1_000n;
export function nowMs() {
  return now;
}
export function advance(ms) {
  now += BigInt(ms);
}

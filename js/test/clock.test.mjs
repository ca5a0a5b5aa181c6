// The default clock (js/src/clock.ts): Date.now, except that a burst (16 reads) keeps its reading
// for the rest of its synchronous run of JavaScript, like lru-cache's ttlResolution; code that
// awaited sees a fresh reading; a storage given its own clock reads it on every call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoize } from "cashier-wasm";

/** Spins until Date.now() has moved `ms` past where it was (a synchronous wait). */
const spin = (ms) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};
const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("a burst keeps one time for the rest of its run: an entry whose TTL passes mid-run stays a hit until the run ends", async () => {
  let runs = 0;
  const f = memoize((k) => (runs++, k), { name: "clock.run", ttl: 5 });
  await later(0); // start a fresh run
  for (let i = 0; i < 16; i++) f(1);
  spin(10);
  f(1);
  assert.equal(runs, 1, "the call after the burst is served: the run kept its reading");
  await later(0);
  f(1);
  assert.equal(runs, 2, "after an await the clock is read again and the entry has expired");
});

test("a storage given its own clock reads it on every call", async () => {
  let now = 1_000;
  let runs = 0;
  const f = memoize((k) => (runs++, k), { name: "clock.own", ttl: 2, clock: () => now });
  f(1);
  now += 10;
  f(1);
  assert.equal(runs, 2, "the injected clock moved within the run, so the entry expired");
});

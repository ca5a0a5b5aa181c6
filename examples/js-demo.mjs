// The JavaScript demo: memoize a slow async function with cashier-wasm and watch hits, misses,
// shared pending calls, expiry and the stats. Run: `node examples/js-demo.mjs` after the build.
import { memoize } from "cashier-wasm";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let invocations = 0;
const fetchUser = memoize(
  async function fetchUser(id, options) {
    invocations++;
    await sleep(80); // a slow lookup
    return { id, name: `user-${id}`, fields: options.fields };
  },
  { name: "demo.fetchUser", ttl: 300, maxSize: 100 },
);

async function timed(label, call) {
  const started = performance.now();
  const value = await call();
  console.log(`${label.padEnd(52)} ${JSON.stringify(value).padEnd(50)} ${(performance.now() - started).toFixed(2).padStart(7)} ms`);
}

await timed("miss: fetchUser(1, {fields:[name], lang:en})", () => fetchUser(1, { fields: ["name"], lang: "en" }));
await timed("hit: equal arguments, properties reordered", () => fetchUser(1, { lang: "en", fields: ["name"] }));
await timed("10 concurrent calls for user 2: one invocation", async () => {
  const before = invocations;
  await Promise.all(Array.from({ length: 10 }, () => fetchUser(2, { fields: [] })));
  return { invocations: invocations - before };
});
console.log(`key: ${fetchUser.cache.keyOf(1, { fields: ["name"], lang: "en" })}`);
await sleep(320);
await timed("after the 300 ms TTL: computed again", () => fetchUser(1, { fields: ["name"], lang: "en" }));
console.log("stats:", fetchUser.cache.stats());

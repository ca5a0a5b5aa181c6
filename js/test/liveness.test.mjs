// The npm hit path decides liveness in JavaScript, without calling into WebAssembly: from the
// deadline the core wrote for the slot and the core's store time (a shared cell that never runs
// backwards). This pins that decision to the core's own rule (`SlotLru::is_live`) over random
// sequences of writes, reads, deletes and clock jumps in both directions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TTLMapAsyncStorage, TTLMapStorage, engineOf } from "./internals.mjs";
import { prng } from "./prng.mjs";


test("the hit path's liveness decision is the core's, whatever the clock does", () => {
  let compared = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const pick = prng(seed);
    let now = 1_000;
    const storage = new TTLMapStorage({ maxSize: 6, ttl: pick(2) ? 20 : undefined, clock: () => now });
    const engine = engineOf(storage);
    const steps = [];
    for (let step = 0; step < 150; step++) {
      const key = `k${pick(10)}`;
      const op = pick(10);
      if (op < 4) {
        const ttl = [undefined, 1, 5, 40][pick(4)];
        steps.push(`set ${key} ttl=${ttl}`);
        storage.set(key, step, ttl);
      } else if (op < 6) {
        steps.push(`get ${key}`);
        storage.get(key);
      } else if (op < 7) {
        steps.push(`delete ${key}`);
        storage.delete(key);
      } else {
        const jump = [1, 3, 7, 19, 41, -2, -9, -30][pick(8)];
        now = Math.max(0, now + jump);
        steps.push(`clock ${jump >= 0 ? "+" : ""}${jump} = ${now}`);
      }
      for (const [key, slot] of engine.keySlots()) {
        const decidedInJs = storage.has(key);
        const decidedByCore = engine.coreDecides(slot, now, false);
        assert.equal(decidedInJs, decidedByCore, `seed ${seed}, ${key} at clock ${now} after:\n  ${steps.join("\n  ")}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 10_000, `only ${compared} decisions compared`);
});

test("with a stale window, the decision to serve a stale value is the core's too", async () => {
  let compared = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const pick = prng(seed);
    let now = 1_000;
    const storage = new TTLMapAsyncStorage({ maxSize: 6, ttl: 10, staleWhileRevalidate: 1 + pick(20), clock: () => now });
    const engine = engineOf(storage);
    const steps = [];
    for (let step = 0; step < 120; step++) {
      const key = `k${pick(8)}`;
      const op = pick(10);
      if (op < 4) {
        steps.push(`set ${key}`);
        await storage.set(key, step + 1, [undefined, 3, 25][pick(3)]);
      } else if (op < 6) {
        steps.push(`get ${key}`);
        await storage.get(key);
      } else {
        const jump = [1, 4, 9, 17, -3, -12][pick(6)];
        now = Math.max(0, now + jump);
        steps.push(`clock ${jump} = ${now}`);
      }
      for (const [key, slot] of engine.keySlots()) {
        const servedInJs = (await storage.get(key)) !== undefined;
        const servableInCore = engine.coreDecides(slot, now, true);
        assert.equal(servedInJs, servableInCore, `seed ${seed}, ${key} at clock ${now} after:\n  ${steps.join("\n  ")}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 5_000, `only ${compared} decisions compared`);
});

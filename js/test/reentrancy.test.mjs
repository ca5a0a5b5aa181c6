// Async re-entrancy: a computation that awaits its own pending call is rejected, under import and
// under require(); a same-key call from a callback the computation only scheduled (a timer, an
// event) is not re-entrant and joins the pending call. (Issue 12, defects 3 and 4.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import * as esm from "cashier-wasm";
import { MapStorage } from "./map-storage.mjs";

const cjs = createRequire(import.meta.url)("cashier-wasm");
const tick = () => new Promise((resolve) => setImmediate(resolve));


for (const [entry, { memoize }] of [["import", esm], ["require", cjs]]) {
  for (const shared of [false, true]) {
    const where = `${entry}${shared ? ", shared storage" : ""}`;
    const options = (name) => (shared ? { name, storage: new MapStorage() } : { name });

    test(`${where}: awaiting its own pending call after an await rejects instead of hanging`, { timeout: 10_000 }, async () => {
      const f = memoize(async (k) => {
        await tick();
        return f(k);
      }, options("self"));
      await assert.rejects(f(1), /async re-entrancy/);
      // In a helper the computation awaits, too.
      const helper = async (k) => {
        await tick();
        return g(k);
      };
      const g = memoize(async (k) => {
        await tick();
        return helper(k);
      }, options("helper"));
      await assert.rejects(g(1), /async re-entrancy/);
    });

    test(`${where}: a same-key call from a timer the computation started joins the pending call`, { timeout: 10_000 }, async () => {
      let runs = 0;
      let fromTimer;
      let release;
      const released = new Promise((resolve) => (release = resolve));
      const f = memoize(async (k) => {
        runs++;
        // Started, never awaited by this computation.
        setTimeout(() => {
          fromTimer = f(k);
          release();
        }, 0);
        await released;
        await tick();
        return `value ${k}`;
      }, options("timer"));
      assert.equal(await f(1), "value 1");
      assert.equal(await fromTimer, "value 1");
      assert.equal(runs, 1);
    });

    test(`${where}: a same-key call from an event listener the computation registered joins it`, { timeout: 10_000 }, async () => {
      let runs = 0;
      const events = new EventEmitter();
      const heard = [];
      const f = memoize(async (k) => {
        runs++;
        events.once("ready", () => heard.push(f(k)));
        await tick();
        setImmediate(() => events.emit("ready"));
        await tick();
        await tick();
        return `value ${k}`;
      }, options("event"));
      assert.equal(await f(2), "value 2");
      assert.equal(heard.length, 1);
      assert.equal(await heard[0], "value 2");
      assert.equal(runs, 1);
    });
  }
}

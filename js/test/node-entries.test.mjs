// Node's two entries: plain Node takes dist/esm/cashier.js, the main module (the "module-sync" + "node-addons"
// conditions: it reads the package's .wasm files), and Node run with --no-addons takes dist/esm/node.js, the
// entry Deno, Bun and servers bundled for Node take (embedded bytes). Each serves `import` and
// `require` from one instance, with the redis entry over it, and loads the key module on first need.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const check = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const esm = await import("cashier-wasm");
const redis = await import("cashier-wasm/redis");
const cjs = require("cashier-wasm");
if (cjs.memoize !== esm.memoize || require("cashier-wasm/redis").TieredStorage !== redis.TieredStorage) throw new Error("two instances");
let calls = 0;
const f = esm.memoize((x) => (calls++, x.id), { name: "entries", storage: new cjs.TTLMapStorage() });
f({ id: 1 }); f({ id: 1 });
if (calls !== 1) throw new Error("calls " + calls);
console.log(import.meta.resolve("cashier-wasm").split("/").pop(), esm.buildKey("f", [{ b: 1, a: 2 }]));
`;

function run(flags) {
  const child = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", check], { encoding: "utf8", cwd: fileURLToPath(new URL(".", import.meta.url)) });
  assert.equal(child.status, 0, child.stderr);
  return child.stdout.trim();
}

test("plain Node takes the main module itself (it reads the .wasm files): one instance for import, require and the redis entry", () => {
  assert.equal(run([]), 'cashier.js f({"a":2,"b":1})');
});

test("Node with --no-addons takes the embedded-bytes entry Deno, Bun and bundled servers take: one instance likewise", () => {
  assert.equal(run(["--no-addons"]), 'node.js f({"a":2,"b":1})');
});

function runScript(source, flags = []) {
  return spawnSync(process.execPath, [...flags, "--input-type=module", "-e", source], { encoding: "utf8", cwd: fileURLToPath(new URL(".", import.meta.url)) });
}

test("plain Node reads no .wasm file at import: the core's at the first storage, the key module's at its first need", () => {
  const child = runScript(`
import fs from "node:fs";
const read = [];
for (const name of ["openSync", "readFileSync"]) {
  const original = fs[name];
  fs[name] = function (file, ...rest) { if (String(file).endsWith(".wasm")) read.push(String(file).split("/").pop()); return original.call(this, file, ...rest); };
}
const { memoize, TTLMapStorage } = await import("cashier-wasm");
const seen = () => read.join(" ") || "none";
const steps = ["import: " + seen()];
const f = memoize((x) => x, { name: "f" });
steps.push("memoize: " + seen());
f(1);
new TTLMapStorage();
steps.push("primitive call: " + seen());
f({ id: 1 });
steps.push("object call: " + seen());
console.log(steps.join("; "));
`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), "import: none; memoize: cashier_js_bg.wasm; primitive call: cashier_js_bg.wasm; object call: cashier_js_bg.wasm cashier_keys_bg.wasm");
});

test("the main module imported where it can find no WebAssembly says so at first use (no crash at import)", () => {
  const child = runScript(`
delete process.getBuiltinModule;
const { memoize } = await import("cashier-wasm");
try { memoize((x) => x, { name: "f" }); console.log("no error"); } catch (error) { console.log(error.message); }
`);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /WebAssembly was not provided; import the package through its entry point/);
});

// Applies the names wasm-opt's --minify-imports-and-exports-and-modules gave a module's imports
// and exports (its JSON map on stdin) to the wasm-bindgen glue beside it:
//   node .ci/wasm-names.mjs js/src/wasm/cashier_js.js < map.json
// The glue names the imports once, as the keys of the object it instantiates the module with, and
// the exports as `wasm.name`. wasm-bindgen's names carry a 16-hex-digit hash each; shipped in the
// .wasm file, its embedded copy and the glue, they were ~3 KB of the packed package.
import { readFileSync, writeFileSync } from "node:fs";

const [glue] = process.argv.slice(2);
const map = JSON.parse(readFileSync(0, "utf8"));
let text = readFileSync(glue, "utf8");
const escape = (s) => s.replace(/[$.*+?^(){}|[\]\\/]/g, "\\$&");
const replaceAll = (pattern, replacement, what) => {
  const before = text;
  text = text.replace(pattern, replacement);
  if (text === before) throw new Error(`wasm-names: ${what} not found in ${glue}`);
};
const modules = new Map();
for (const [module, name, renamed] of map.imports) {
  // The import's key in the imports object: `name: function` (or `name:` before a value).
  replaceAll(new RegExp(`(?<=[{,\\s])${escape(name)}(?=:)`, "g"), renamed, `the import ${name}`);
  modules.set(module, modules.get(module) ?? null);
}
// wasm-opt puts every import in one module and reports its new name nowhere: it is "a".
for (const module of modules.keys()) replaceAll(new RegExp(`"${escape(module)}"(?=:)`, "g"), '"a"', `the import module ${module}`);
for (const [name, renamed] of map.exports) {
  const pattern = new RegExp(`\\bwasm\\.${escape(name)}\\b`, "g");
  if (pattern.test(text)) text = text.replace(pattern, `wasm.${renamed}`);
}
if (/\bwasm\.__wbg|\bwasm\.__wbindgen|__wbg_[A-Za-z0-9_]+_[0-9a-f]{16}/.test(text)) throw new Error(`wasm-names: a name left unrenamed in ${glue}`);
writeFileSync(glue, text);

// Joins the compiled TypeScript (target/js/esm) into the package's ES modules (dist/esm): one file
// per entry plus ONE shared module, dist/esm/core.js, holding every module two entries reach.
// Node loads each file of an import separately (~0.45 ms each at a cold start), and esbuild's own
// code splitting makes a chunk per set of entries sharing code (three chunks for five entries);
// here the entries' shared set is bundled once, and each entry imports it.
//
// How: (1) a splitting build finds the shared modules (those esbuild puts in chunks); (2) core.js
// bundles them and exports each binding an entry-side module imports under a short alias; (3) each
// entry is bundled alone, its imports of a shared module replaced by a facade re-exporting that
// module's names from ./core.js, so every entry and core.js itself keep one instance of each module.
//
// Usage: node .ci/bundle-js.mjs SRC_DIR OUT_DIR ENTRY...   (entry names without .js)
import * as esbuild from "esbuild";
import path from "node:path";

const [srcDir, outDir, ...entryNames] = process.argv.slice(2);
const entries = entryNames.map((name) => path.join(srcDir, `${name}.js`));
const common = { bundle: true, format: "esm", platform: "neutral", target: "es2022", external: ["*.wasm", "*_bytes.js"], logLevel: "warning" };
const rel = (file) => path.relative(process.cwd(), file).split(path.sep).join("/");

// (1) The shared modules: the inputs of esbuild's chunks.
const split = await esbuild.build({ ...common, entryPoints: entries, splitting: true, outdir: "target/js/split", write: false, metafile: true });
const shared = new Set();
for (const output of Object.values(split.metafile.outputs)) {
  if (output.entryPoint === undefined) for (const input of Object.keys(output.inputs)) shared.add(input);
}
// Shared modules that entry-side (unshared) modules import: the ones core.js exposes.
const exposed = new Set();
for (const [file, input] of Object.entries(split.metafile.inputs)) {
  if (shared.has(file)) continue;
  for (const imported of input.imports) if (shared.has(imported.path)) exposed.add(imported.path);
}

// Each exposed module's export names.
const names = new Map();
const probe = await esbuild.build({ ...common, entryPoints: [...exposed], outdir: "target/js/probe", outbase: srcDir, write: false, metafile: true });
for (const output of Object.values(probe.metafile.outputs)) {
  if (output.entryPoint !== undefined) names.set(output.entryPoint, output.exports.filter((name) => name !== "default"));
}
// Short aliases (a, b, …, A, …, aa, …) for core.js's exports: each (module, name) gets one.
const alias = new Map();
const shortName = (i) => {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  do { s = letters[i % letters.length] + s; i = Math.floor(i / letters.length) - 1; } while (i >= 0);
  return s;
};
let next = 0;
for (const [file, list] of names) for (const name of list) alias.set(`${file}\0${name}`, shortName(next++));

// (2) core.js: the shared modules, each exposed binding exported under its alias.
const coreSource = [...names].map(([file, list]) =>
  `export { ${list.map((name) => `${name} as ${alias.get(`${file}\0${name}`)}`).join(", ")} } from ${JSON.stringify("./" + path.relative(srcDir, file).split(path.sep).join("/"))};`).join("\n");
await esbuild.build({ ...common, stdin: { contents: coreSource, resolveDir: srcDir, sourcefile: "core.js" }, outfile: path.join(outDir, "core.js"), minify: true });

// (3) The entries, each alone; a shared module becomes a facade over ./core.js.
const facade = {
  name: "core-facade",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.namespace === "facade") return { path: args.path, external: true };
      const file = rel(path.resolve(args.resolveDir, args.path));
      if (!shared.has(file)) return undefined;
      if (!names.has(file)) throw new Error(`bundle-js: ${file} is shared but was not exposed`);
      return { path: file, namespace: "facade" };
    });
    build.onLoad({ filter: /.*/, namespace: "facade" }, (args) => {
      const list = names.get(args.path);
      // The facade sits beside the entry in dist/esm, as core.js does.
      return { contents: `export { ${list.map((name) => `${alias.get(`${args.path}\0${name}`)} as ${name}`).join(", ")} } from "./core.js";`, loader: "js" };
    });
  },
};
await esbuild.build({ ...common, entryPoints: entries, outdir: outDir, minify: true, plugins: [facade] });

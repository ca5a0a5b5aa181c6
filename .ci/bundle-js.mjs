// Joins the compiled TypeScript (target/js/esm) into the package's ES modules (dist/esm): the main
// module, dist/esm/cashier.js, holds the whole API in one file (plain Node imports it directly:
// each file Node loads costs a cold start ~0.6 ms), and every other entry is one small file over it.
//
// How: (1) the first entry named (cashier) is bundled alone; its inputs are the main module's
// graph, its exports the public API. (2) Each other entry is bundled with its imports of that graph
// rewritten, so that a process keeps one instance of every stateful module:
//   - the main module itself stays an import of "./cashier.js";
//   - a module whose exports are all public becomes a facade re-exporting them from "./cashier.js";
//   - tiered.js becomes the TieredStorage class the main module hands over (js/src/handoff.ts);
//   - a stateless module listed in DUPLICABLE is bundled again (a few lines each);
//   - any other module of the graph stops the build: it would be a second instance of state.
//
// Usage: node .ci/bundle-js.mjs SRC_DIR OUT_DIR MAIN ENTRY...   (names without .js)
import * as esbuild from "esbuild";
import path from "node:path";

const [srcDir, outDir, mainName, ...entryNames] = process.argv.slice(2);
const common = { bundle: true, format: "esm", platform: "neutral", target: "es2022", external: ["*.wasm", "*_bytes.js"], logLevel: "warning", minify: true };
const rel = (file) => path.relative(process.cwd(), file).split(path.sep).join("/");
const inSrc = (name) => rel(path.join(srcDir, name));
const mainFile = `./${mainName}.js`;

/** Modules without state, bundled into each file that imports them. */
const DUPLICABLE = new Set(["handoff.js", "random.js", "wasm/build-id.js"].map(inSrc));

// (1) The main module.
const main = await esbuild.build({ ...common, entryPoints: [inSrc(`${mainName}.js`)], outfile: path.join(outDir, `${mainName}.js`), metafile: true });
const mainOutput = Object.values(main.metafile.outputs).find((output) => output.entryPoint !== undefined);
const graph = new Set(Object.keys(main.metafile.inputs));
const publicNames = new Set(mainOutput.exports);

// Each module's export names, to tell the public ones.
const exportsOf = new Map();
const probe = await esbuild.build({ ...common, minify: false, entryPoints: [...graph].filter((file) => file.endsWith(".js")), outdir: "target/js/probe", outbase: srcDir, write: false, metafile: true });
for (const output of Object.values(probe.metafile.outputs)) {
  if (output.entryPoint !== undefined) exportsOf.set(output.entryPoint, output.exports.filter((name) => name !== "default"));
}

// (2) The other entries.
const overMain = {
  name: "over-main-module",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.path === mainFile && args.namespace === "over-main") return { path: mainFile, external: true };
      const file = rel(path.resolve(args.resolveDir, args.path));
      if (file === inSrc(`${mainName}.js`)) return { path: mainFile, external: true };
      if (!graph.has(file) || DUPLICABLE.has(file)) return undefined;
      if (file === inSrc("tiered.js")) return { path: file, namespace: "over-main" };
      const names = exportsOf.get(file) ?? [];
      const internal = names.filter((name) => !publicNames.has(name));
      if (internal.length > 0) {
        throw new Error(`bundle-js: ${args.importer} imports ${file}, part of ${mainName}.js with internal exports (${internal.join(", ")}); it would be a second instance`);
      }
      return { path: file, namespace: "over-main" };
    });
    build.onLoad({ filter: /.*/, namespace: "over-main" }, (args) => {
      if (args.path === inSrc("tiered.js")) {
        const contents = `import ${JSON.stringify(mainFile)};\nimport { handoff } from ${JSON.stringify("./" + path.relative(srcDir, inSrc("handoff.js")).split(path.sep).join("/"))};\nexport const TieredStorage = handoff().TieredStorage;\nif (TieredStorage === undefined) throw new Error("cashier-wasm/redis: the main module did not hand over TieredStorage");\n`;
        return { contents, loader: "js", resolveDir: srcDir };
      }
      return { contents: `export { ${exportsOf.get(args.path).join(", ")} } from ${JSON.stringify(mainFile)};`, loader: "js" };
    });
  },
};
await esbuild.build({ ...common, entryPoints: entryNames.map((name) => inSrc(`${name}.js`)), outdir: outDir, plugins: [overMain] });

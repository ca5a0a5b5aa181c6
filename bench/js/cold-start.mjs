// Cold start of the installed cashier-wasm beside lru-cache's: in fresh Node processes, the time
// to import the package and the time of the first call, each the median of N runs. The same
// figures bench/js/run.mjs reports in its package section, runnable alone:
//   node bench/js/cold-start.mjs [--cwd folder-with-node_modules] [--runs 15]
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1];
};
const cwd = path.resolve(option("--cwd", path.dirname(fileURLToPath(import.meta.url))));
const runs = Number(option("--runs", 15));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Median import and first-call times (ms) of `specifier` in fresh processes. */
export function coldStart(specifier, firstCall, { cwd: folder = cwd, format = "esm" } = {}) {
  const load = format === "esm" ? `await import(${JSON.stringify(specifier)})` : `require(${JSON.stringify(specifier)})`;
  // Wall time, and CPU time (all threads of the process: compile and GC threads included), which
  // a busy machine disturbs less.
  const source = `const c0 = process.cpuUsage(); const t0 = performance.now(); const m = ${load}; const t1 = performance.now(); const c1 = process.cpuUsage(c0); ${firstCall}; const t2 = performance.now(); const c2 = process.cpuUsage(c0); const ms = (c) => (c.user + c.system) / 1000; console.log(JSON.stringify([t1 - t0, t2 - t1, ms(c1), ms(c2) - ms(c1)]));`;
  const imports = [];
  const calls = [];
  const cpuImports = [];
  const cpuCalls = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, format === "esm" ? ["--input-type=module", "-e", source] : ["-e", source], { encoding: "utf8", cwd: folder });
    if (child.status !== 0) return { failing: child.stderr.trim().split("\n").pop() };
    const [imported, called, cpuImported, cpuCalled] = JSON.parse(child.stdout.trim().split("\n").pop());
    imports.push(imported);
    calls.push(called);
    cpuImports.push(cpuImported);
    cpuCalls.push(cpuCalled);
  }
  const round = (x) => Math.round(x * 100) / 100;
  return {
    importMs: round(median(imports)),
    firstCallMs: round(median(calls)),
    totalMs: round(median(imports.map((x, i) => x + calls[i]))),
    cpuImportMs: round(median(cpuImports)),
    cpuFirstCallMs: round(median(cpuCalls)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const empty = path.join(mkdtempSync(path.join(tmpdir(), "cold-")), "empty.mjs");
  writeFileSync(empty, "export const x = 1;\n");
  const figures = {
    emptyModule: coldStart(pathToFileURL(empty).href, "m.x"),
    lruCache: coldStart("lru-cache", "const c = new m.LRUCache({ max: 10 }); c.set(1, 1); c.get(1)"),
    cashier: coldStart("cashier-wasm", `m.memoize((x) => x, { name: "cold" })(1)`),
    cashierObject: coldStart("cashier-wasm", `m.memoize((x) => x.id, { name: "cold" })({ id: 1 })`),
    lruCacheRequire: coldStart("lru-cache", "const c = new m.LRUCache({ max: 10 }); c.set(1, 1); c.get(1)", { format: "cjs" }),
    cashierRequire: coldStart("cashier-wasm", `m.memoize((x) => x, { name: "cold" })(1)`, { format: "cjs" }),
  };
  figures.ratio = Math.round((figures.cashier.totalMs / figures.lruCache.totalMs) * 100) / 100;
  figures.ratioRequire = Math.round((figures.cashierRequire.totalMs / figures.lruCacheRequire.totalMs) * 100) / 100;
  console.log(JSON.stringify(figures, null, 1));
}

// The package test: installs the packed cashier-wasm tarball into a fresh folder, as users get
// it, and runs smoke.mjs in Node (ESM and CommonJS), Deno, Bun, headless Chromium and workerd.
//   node js/smoke/run.mjs path/to/cashier-wasm-x.y.z.tgz
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { workerdOptions } from "./workerd-options.mjs";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = (name) => path.join(here, "node_modules", ".bin", name);
const tarball = path.resolve(process.argv[2]);
const project = mkdtempSync(path.join(tmpdir(), "cashier-smoke-"));

writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "smoke-project", private: true, type: "module" }));
execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: project, stdio: "inherit" });
cpSync(path.join(here, "smoke.mjs"), path.join(project, "smoke.mjs"));
writeFileSync(path.join(project, "main.mjs"), 'import { smoke } from "./smoke.mjs";\nconsole.log(JSON.stringify(await smoke()));\n');
writeFileSync(
  path.join(project, "main.cjs"),
  `const { memoize, buildKey } = require("cashier-wasm");
let calls = 0;
const f = memoize((x) => (calls++, x * 2), { name: "smoke.cjs" });
if (f(2) !== 4 || f(2) !== 4 || calls !== 1) throw new Error("CommonJS: a second call is a hit");
const key = buildKey("f", [{ id: 7, filter: { tags: ["x", "y"], since: new Date(0) } }]);
if (key !== 'f({"filter":{"since":Date(0),"tags":["x","y"]},"id":7})') throw new Error("CommonJS key " + key);
console.log(JSON.stringify({ ok: true, calls, key }));
`,
);

const run = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: project, ...options });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out.trim().split("\n").pop()) : reject(new Error(`${command} exited ${code}: ${err || out}`))));
  });

/** Serves the project folder on 127.0.0.1 (wasm with application/wasm) for the browser. */
function serve() {
  const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
  const server = createServer((request, response) => {
    const file = path.join(project, decodeURIComponent(new URL(request.url, "http://x").pathname));
    if (!file.startsWith(project)) return response.writeHead(403).end();
    try {
      const body = readFileSync(file);
      response.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function chromium() {
  const { chromium } = await import("playwright-core");
  writeFileSync(
    path.join(project, "index.html"),
    `<!doctype html><script type="importmap">{ "imports": { "cashier-wasm": "/node_modules/cashier-wasm/dist/esm/browser.js" } }</script>
<script type="module">
import { smoke } from "/smoke.mjs";
smoke().then((r) => { window.result = r; }, (e) => { window.result = { ok: false, error: String(e) }; });
</script>`,
  );
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 30_000 });
    const result = await page.evaluate(() => window.result);
    if (!result.ok) throw new Error(result.error);
    return JSON.stringify(result);
  } finally {
    await browser.close();
    server.close();
  }
}

async function workerd() {
  const { build } = await import("esbuild");
  const { Miniflare } = await import("miniflare");
  writeFileSync(
    path.join(project, "worker.mjs"),
    `import { smoke } from "./smoke.mjs";
import { memoize } from "cashier-wasm";
let invocations = 0;
const square = memoize(async (n) => (invocations++, n * n), { name: "worker.square" });
export default {
  async fetch(request) {
    const n = Number(new URL(request.url).searchParams.get("n") ?? 0);
    if (n < 0) return Response.json(await smoke());
    return Response.json({ value: await square(n), invocations, stats: square.cache.stats() });
  },
};`,
  );
  // Bundle as wrangler does: workerd/worker conditions, the .wasm kept as its own module.
  await build({
    entryPoints: [path.join(project, "worker.mjs")],
    bundle: true,
    format: "esm",
    conditions: ["workerd", "worker", "browser"],
    outdir: path.join(project, "worker-dist"),
    loader: { ".wasm": "copy" },
    logLevel: "error",
  });
  const mf = new Miniflare(workerdOptions(path.join(project, "worker-dist")));
  try {
    const url = await mf.ready;
    const get = async (query) => (await fetch(new URL(`/?${query}`, url))).json();
    const first = await get("n=12");
    const second = await get("n=12");
    if (first.value !== 144 || second.value !== 144 || second.invocations !== 1 || second.stats.hits !== 1) {
      throw new Error(`workerd memo: ${JSON.stringify([first, second])}`);
    }
    const result = await get("n=-1");
    if (!result.ok) throw new Error(JSON.stringify(result));
    return JSON.stringify({ ...result, worker: second });
  } finally {
    await mf.dispose();
  }
}

const runtimes = [
  ["node (ESM)", () => run(process.execPath, ["main.mjs"])],
  ["node (CommonJS)", () => run(process.execPath, ["main.cjs"])],
  ["deno (no permission flags)", () => run(bin("deno"), ["run", "main.mjs"])],
  ["bun", () => run(bin("bun"), ["main.mjs"])],
  ["chromium", chromium],
  ["workerd", workerd],
];

let passed = 0;
let failed = 0;
for (const [name, runtime] of runtimes) {
  try {
    const output = await runtime();
    console.log(`ok   ${name}: ${output}`);
    passed++;
  } catch (error) {
    console.log(`FAIL ${name}: ${error.stack ?? error}`);
    failed++;
  }
}
console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

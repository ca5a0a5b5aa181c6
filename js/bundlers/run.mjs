// The bundler matrix (esbuild, Rollup, Vite 5/6/7/8, webpack 5, Parcel, bun build: browser, Node and Bun targets): installs the packed cashier-wasm tarball into a fresh folder, as users get it,
// builds one small app with each bundler's default configuration, runs each build where it is meant
// to run (headless Chromium; Node for the server bundle; workerd for the Worker), runs the app in
// Deno with no permission flags, type-checks a TypeScript user under each module resolution, checks
// that `import` and `require` share one instance, and runs @arethetypeswrong/cli on the tarball.
//   node js/bundlers/run.mjs path/to/cashier-wasm-x.y.z.tgz
// Tools: this folder's node_modules (bundlers, tsc, attw); Chromium, Deno, Bun and workerd come
// from ../smoke/node_modules. Every version is pinned in the two package.json files.
import { execFile as execFileCallback } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { workerdOptions } from "../smoke/workerd-options.mjs";
import { fileURLToPath, pathToFileURL } from "node:url";

const execFile = promisify(execFileCallback);
const here = path.dirname(fileURLToPath(import.meta.url));
const tools = path.join(here, "node_modules");
const runtimes = path.join(here, "..", "smoke", "node_modules");
const bin = (folder, name) => path.join(folder, ".bin", name);
/** Imports a package installed in `folder` (its ES module entry when it has one). */
async function load(folder, name) {
  const root = path.join(folder, name);
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  let entry = pkg.exports?.["."] ?? pkg.exports;
  for (const condition of ["import", "default"]) while (entry !== null && typeof entry === "object" && !Array.isArray(entry)) entry = entry[condition] ?? entry.node ?? entry.default;
  const module = await import(pathToFileURL(path.join(root, typeof entry === "string" ? entry : pkg.module ?? pkg.main ?? "index.js")).href);
  // CommonJS packages: their exports are the default export.
  return new Proxy(module, { get: (target, key) => target[key] ?? target.default?.[key] });
}
const tarball = path.resolve(process.argv[2]);
const project = mkdtempSync(path.join(tmpdir(), "cashier-bundlers-"));
const at = (...parts) => path.join(project, ...parts);
const write = (file, text) => {
  mkdirSync(path.dirname(at(file)), { recursive: true });
  writeFileSync(at(file), text);
};

writeFileSync(at("package.json"), JSON.stringify({ name: "bundlers-project", private: true, type: "module" }));
await execFile("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: project });

// The app: an async function memoized with ttl and maxSize; an object argument twice (keys
// ignore property order) is one invocation; 100 concurrent calls are one invocation; a key.
const appBody = `
async function app(cashier) {
  const { memoize, buildKey } = cashier;
  if (typeof memoize !== "function") throw new Error("memoize is " + typeof memoize);
  let invocations = 0;
  const search = memoize(async (query) => (invocations++, await null, { ids: [query.id] }), { name: "app.search", ttl: 60000, maxSize: 100 });
  const first = await search({ id: 1, tags: ["x"] });
  const second = await search({ tags: ["x"], id: 1 });
  if (invocations !== 1 || first !== second) throw new Error("an object argument twice ran " + invocations + " times");
  let loads = 0;
  const user = memoize(async (id) => (loads++, await new Promise((resolve) => setTimeout(resolve, 5)), { id }), { name: "app.user", ttl: 1000, maxSize: 10 });
  const users = await Promise.all(Array.from({ length: 100 }, () => user(7)));
  if (loads !== 1 || users.some((u) => u !== users[0])) throw new Error("100 concurrent calls ran " + loads + " times");
  const key = buildKey("f", [1, "a"]);
  if (key !== 'f(1,"a")') throw new Error("buildKey gave " + key);
  return { ok: true, invocations, loads, key };
}
function report(promise) {
  promise.then(
    (result) => done(result),
    (error) => done({ ok: false, error: String((error && error.stack) || error) }),
  );
}
function done(result) {
  globalThis.result = result;
  if (typeof document === "undefined") {
    console.log(JSON.stringify(result));
    if (!result.ok) globalThis.process.exitCode = 1;
  }
}
`;
write("main.js", `import * as cashier from "cashier-wasm";\n${appBody}\nreport(app(cashier));\n`);
write("main.cjs", `const cashier = require("cashier-wasm");\n${appBody}\nreport(app(cashier));\n`);
/** A browser build carries the WebAssembly inside its JavaScript: a .wasm file beside it would be dead weight. */
const noWasmEmitted = (folder) => {
  const emitted = readdirSync(at(folder), { recursive: true }).filter((file) => String(file).endsWith(".wasm"));
  if (emitted.length > 0) throw new Error(`${folder}: .wasm files emitted: ${emitted.join(", ")}`);
};
const page = (script, module = true) => `<!doctype html><meta charset="utf-8"><title>app</title><script ${module ? 'type="module" ' : ""}src="${script}"></script>\n`;

/** Serves the project folder on 127.0.0.1 (wasm as application/wasm), logging 404s. */
const missing = [];
const server = createServer((request, response) => {
  const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
  const file = path.join(project, decodeURIComponent(new URL(request.url, "http://x").pathname));
  if (!file.startsWith(project)) return response.writeHead(403).end();
  try {
    const body = readFileSync(file);
    response.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(body);
  } catch {
    missing.push(request.url);
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const { chromium } = await load(runtimes, "playwright-core");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

/** Opens `url` in Chromium and returns the app's result (failing on page errors and 404s). */
async function inChromium(url) {
  const tab = await browser.newPage();
  const errors = [];
  tab.on("pageerror", (error) => errors.push(String(error)));
  tab.on("response", (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.url()}`));
  try {
    await tab.goto(url);
    await tab.waitForFunction(() => globalThis.result !== undefined || document.documentElement.dataset.failed, null, { timeout: 30_000 }).catch(() => {
      throw new Error(`no result: ${errors.join("; ") || "timeout"}`);
    });
    const result = await tab.evaluate(() => globalThis.result);
    if (!result.ok) throw new Error(result.error);
    if (errors.length > 0) throw new Error(errors.join("; "));
    return JSON.stringify(result);
  } finally {
    await tab.close();
  }
}

const run = async (command, args, options = {}) => {
  try {
    const { stdout } = await execFile(command, args, { cwd: project, ...options });
    return stdout.trim();
  } catch (error) {
    throw new Error(`${path.basename(command)} ${args.join(" ")}: ${(error.stderr || error.stdout || error.message).trim()}`);
  }
};
/** Runs a Node/Deno/Bun program and checks the app's printed result. */
const runApp = async (command, args) => {
  const out = (await run(command, args)).split("\n").pop();
  if (!JSON.parse(out).ok) throw new Error(out);
  return out;
};
/** Runs a server bundle (one file) from a folder of its own, as it runs where it is deployed:
 * nothing of the package beside it; `as` names the copy (.mjs for an ES module bundle). */
const runElsewhere = (command, file, as = path.basename(file)) => {
  const elsewhere = mkdtempSync(path.join(tmpdir(), "cashier-server-"));
  writeFileSync(path.join(elsewhere, as), readFileSync(at(file)));
  return runApp(command, [path.join(elsewhere, as)]);
};
const esbuild = bin(tools, "esbuild");

/** Builds `main.js` with a Vite version (default config), then runs it from the build (preview) and from the dev server. */
async function vite(name, version) {
  const { build, preview, createServer: dev } = await load(tools, name);
  const root = at(name);
  write(`${name}/index.html`, page("/main.js"));
  write(`${name}/main.js`, readFileSync(at("main.js"), "utf8"));
  const config = { root, configFile: false, logLevel: "error" };
  await build({ ...config });
  noWasmEmitted(`${name}/dist`);
  const previewServer = await preview({ ...config, preview: { host: "127.0.0.1", port: 0 } });
  let built;
  try {
    built = await inChromium(previewServer.resolvedUrls.local[0]);
  } finally {
    await new Promise((resolve) => previewServer.httpServer.close(resolve));
  }
  const devServer = await dev({ ...config, server: { host: "127.0.0.1", port: 0 } });
  await devServer.listen();
  try {
    await inChromium(devServer.resolvedUrls.local[0]);
  } finally {
    await devServer.close();
  }
  return `${version}: build + preview and dev: ${built}`;
}

async function webpack(entry, out) {
  const webpack = (await load(tools, "webpack")).default;
  const stats = await new Promise((resolve, reject) =>
    webpack({ mode: "production", context: project, entry: `./${entry}`, output: { path: at(out), filename: "main.js" } }, (error, result) => (error ? reject(error) : resolve(result))),
  );
  if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
  noWasmEmitted(out);
  write(`${out}/index.html`, page("main.js", false));
  return inChromium(`${origin}/${out}/index.html`);
}

async function workerd() {
  const { Miniflare } = await load(runtimes, "miniflare");
  write(
    "worker.js",
    `import * as cashier from "cashier-wasm";\n${appBody}\nexport default { async fetch() { try { return Response.json(await app(cashier)); } catch (error) { return Response.json({ ok: false, error: String(error.stack) }); } } };\n`,
  );
  // Workers compile WebAssembly only at deploy: the workerd condition imports the .wasm files,
  // which the bundler keeps as files (wrangler does this by itself).
  await run(esbuild, ["worker.js", "--bundle", "--format=esm", "--conditions=workerd,worker", "--loader:.wasm=copy", "--outdir=worker-dist", "--log-level=error"]);
  const mf = new Miniflare(workerdOptions(at("worker-dist")));
  try {
    const result = await (await fetch(await mf.ready)).json();
    if (!result.ok) throw new Error(result.error);
    return JSON.stringify(result);
  } finally {
    await mf.dispose();
  }
}

/** tsc under one module resolution: a typed use of both entries, and a use the types must refuse. */
async function tsc(file, flags) {
  const imports = file.endsWith(".cts")
    ? `import cashier = require("cashier-wasm");\nimport redis = require("cashier-wasm/redis");\nconst { memoize, buildKey, TTLMapStorage } = cashier;\nconst { RedisStorage } = redis;\n`
    : `import { memoize, buildKey, TTLMapStorage } from "cashier-wasm";\nimport { RedisStorage } from "cashier-wasm/redis";\n`;
  write(
    `types/${file}`,
    `${imports}const search = memoize(async (query: { id: number }) => [query.id], { ttl: 60000, maxSize: 100 });
const ids: Promise<number[]> = search({ id: 1 });
const key: string = buildKey("f", [1, "a"]);
const storage = new TTLMapStorage({ maxSize: 10 });
// @ts-expect-error: ttl is a number of milliseconds
memoize(async () => 1, { ttl: "1m" });
export const used = [ids, key, storage, RedisStorage, search.cache.stats().hits];
`,
  );
  await run(bin(tools, "tsc"), ["--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom", ...flags, `types/${file}`]);
  return `${file}: ${flags.join(" ")}`;
}

const matrix = [
  ["esbuild --bundle (browser, iife)", async () => {
    await run(esbuild, ["main.js", "--bundle", "--outfile=esbuild-iife/main.js", "--log-level=error"]);
    write("esbuild-iife/index.html", page("main.js", false));
    return inChromium(`${origin}/esbuild-iife/index.html`);
  }],
  ["esbuild --bundle --format=esm (browser)", async () => {
    await run(esbuild, ["main.js", "--bundle", "--format=esm", "--outfile=esbuild-esm/main.js", "--log-level=error"]);
    write("esbuild-esm/index.html", page("main.js"));
    return inChromium(`${origin}/esbuild-esm/index.html`);
  }],
  ["esbuild --bundle --platform=node (a server bundle, run by Node from another folder)", async () => {
    await run(esbuild, ["main.js", "--bundle", "--platform=node", "--outfile=server/main.cjs", "--log-level=error"]);
    return runElsewhere(process.execPath, "server/main.cjs");
  }],
  ["rollup + @rollup/plugin-node-resolve", async () => {
    const { rollup } = await load(tools, "rollup");
    const { nodeResolve } = await load(tools, "@rollup/plugin-node-resolve");
    const bundle = await rollup({ input: at("main.js"), plugins: [nodeResolve()], onwarn: () => {} });
    await bundle.write({ dir: at("rollup"), format: "es" });
    noWasmEmitted("rollup");
    write("rollup/index.html", page("main.js"));
    return inChromium(`${origin}/rollup/index.html`);
  }],
  ["vite 8", () => vite("vite", "8.3.8")],
  ["vite 7", () => vite("vite7", "7.3.8")],
  ["vite 6", () => vite("vite6", "6.4.6")],
  ["vite 5", () => vite("vite5", "5.4.21")],
  ["webpack 5 (import)", () => webpack("main.js", "webpack-import")],
  ["webpack 5 (require)", () => webpack("main.cjs", "webpack-require")],
  ["parcel build", async () => {
    write("parcel/index.html", page("./main.js"));
    write("parcel/main.js", readFileSync(at("main.js"), "utf8"));
    // --public-url ./ only because the page is served from a subfolder here.
    await run(bin(tools, "parcel"), ["build", "parcel/index.html", "--dist-dir", "parcel/dist", "--public-url", "./", "--log-level", "error"]);
    noWasmEmitted("parcel/dist");
    return inChromium(`${origin}/parcel/dist/index.html`);
  }],
  ["bun build --target=browser", async () => {
    await run(bin(runtimes, "bun"), ["build", "main.js", "--target=browser", "--outdir=bun-build"]);
    noWasmEmitted("bun-build");
    write("bun-build/index.html", page("main.js"));
    return inChromium(`${origin}/bun-build/index.html`);
  }],
  // Bun's bundler takes the "node-addons" condition (Node's own, for plain Node), which the
  // package keeps behind "module-sync" so that these bundles get the embedded bytes.
  ["bun build --target=node (a server bundle, run by Node from another folder)", async () => {
    await run(bin(runtimes, "bun"), ["build", "main.js", "--target=node", "--outdir=bun-node"]);
    return runElsewhere(process.execPath, "bun-node/main.js", "main.mjs");
  }],
  ["bun build --target=bun (a server bundle, run by Bun from another folder)", async () => {
    await run(bin(runtimes, "bun"), ["build", "main.js", "--target=bun", "--outdir=bun-bun"]);
    return runElsewhere(bin(runtimes, "bun"), "bun-bun/main.js", "main.mjs");
  }],
  ["workerd (a Worker bundled by esbuild --conditions=workerd --loader:.wasm=copy)", workerd],
  ["deno run (no permission flags)", () => runApp(bin(runtimes, "deno"), ["run", "main.js"])],
  ["bun run", () => runApp(bin(runtimes, "bun"), ["main.js"])],
  ["node: import and require in one process share one instance", async () => {
    write(
      "both.mjs",
      `import * as esm from "cashier-wasm";
import { createRequire } from "node:module";
const cjs = createRequire(import.meta.url)("cashier-wasm");
if (cjs.memoize !== esm.memoize) throw new Error("two copies of memoize");
let calls = 0;
const f = esm.memoize((x) => (calls++, x), { name: "both", storage: new cjs.TTLMapStorage({ maxSize: 2 }) });
f(1); f(1);
if (calls !== 1) throw new Error("calls " + calls);
console.log(JSON.stringify({ ok: true, calls }));
`,
    );
    return runApp(process.execPath, ["both.mjs"]);
  }],
  ["node (CommonJS)", () => runApp(process.execPath, ["main.cjs"])],
  ["tsc moduleResolution bundler", () => tsc("bundler.ts", ["--module", "esnext", "--moduleResolution", "bundler"])],
  ["tsc node16 (ESM)", () => tsc("esm.mts", ["--module", "node16", "--moduleResolution", "node16"])],
  ["tsc node16 (CommonJS)", () => tsc("cjs.cts", ["--module", "node16", "--moduleResolution", "node16"])],
  ["tsc moduleResolution node", () => tsc("node10.ts", ["--module", "commonjs", "--moduleResolution", "node", "--esModuleInterop"])],
  ["@arethetypeswrong/cli", async () => {
    const out = await run(bin(tools, "attw"), [tarball, "--format", "ascii"]);
    const verdict = out.split("\n").find((line) => line.includes("No problems found"));
    if (verdict === undefined) throw new Error(out);
    return verdict.trim();
  }],
];

let passed = 0;
let failed = 0;
try {
  for (const [name, check] of matrix) {
    missing.length = 0;
    const started = performance.now();
    try {
      const output = await check();
      console.log(`ok   ${name} (${Math.round(performance.now() - started)} ms): ${output}`);
      passed++;
    } catch (error) {
      console.log(`FAIL ${name}: ${error.stack ?? error}${missing.length ? `\n     404: ${missing.join(", ")}` : ""}`);
      failed++;
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`bundlers: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

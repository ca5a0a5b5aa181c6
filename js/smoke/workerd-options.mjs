// The Miniflare options both package tests use to run a bundled Worker in workerd (the smoke test
// and the bundler matrix): ES modules and the .wasm files as compiled modules, on 127.0.0.1.

/** Miniflare's options for the Worker bundled into `dist` (its entry `worker.js`). */
export function workerdOptions(dist) {
  return {
    modules: true,
    modulesRoot: dist,
    scriptPath: `${dist}/worker.js`,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    host: "127.0.0.1",
    port: 0,
    compatibilityDate: "2025-01-01",
  };
}

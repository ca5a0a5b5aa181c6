// Plain Node, for `import` and (dist/cjs/node-addons.cjs) `require`: the export conditions
// "module-sync" (Node 20.19+ and 22.12+, which require ES modules) and "node-addons" (Node's own,
// unless run with --no-addons). Deno and Bun's runtime take node.ts; so do bundlers (Bun's sets
// "node-addons" but not "module-sync"; a bundle must not read files beside the package). As node.ts, but the WebAssembly is read from the package's .wasm files (the ones
// workerd imports): the core module's at import, the key module's at its first need, so a cold
// start scans no embedded hex text (~0.2 ms for the core's, ~0.3 ms for the key module's).
import { initSync } from "./wasm/cashier_js.js";
import { provideKeyModule } from "./keys.js";
import { nodeBuiltins, provideNodeAsyncContext } from "./node-context.js";

const fs = nodeBuiltins()!("node:fs") as { readFileSync(file: URL): Uint8Array };

initSync({ module: new WebAssembly.Module(fs.readFileSync(new URL("./wasm/cashier_js_bg.wasm", import.meta.url)) as BufferSource) });
provideKeyModule(() => new WebAssembly.Module(fs.readFileSync(new URL("./wasm/cashier_keys_bg.wasm", import.meta.url)) as BufferSource));
provideNodeAsyncContext();

export * from "./index.js";

// Node (with --no-addons), Deno and Bun, and servers bundled for Node, for `import` and (through
// dist/cjs/index.cjs, Node's require(esm)) for `require`: one module instance per process. The
// WebAssembly loads as in browser.ts (embedded bytes, compiled synchronously: no file read, so no
// permission in Deno and nothing to copy when a server is bundled); in addition, async
// re-entrancy detection follows calls across awaits (see node-context.ts). Plain Node takes
// node-addons.ts instead.
import { initSync } from "./wasm/cashier_js.js";
import { hex as coreBytes } from "./wasm/cashier_js_bytes.js";
import { hex as keyBytes } from "./wasm/cashier_keys_bytes.js";
import { compileHex } from "./bytes.js";
import { provideKeyModule } from "./keys.js";
import { provideNodeAsyncContext } from "./node-context.js";

initSync({ module: compileHex(coreBytes()) });
provideKeyModule(() => compileHex(keyBytes()));
provideNodeAsyncContext();

export * from "./index.js";

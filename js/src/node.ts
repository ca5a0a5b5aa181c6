// Node, Deno and Bun, for `import` and (through dist/cjs/index.cjs, Node's require(esm)) for
// `require`: one module instance per process. The WebAssembly loads as in browser.ts (embedded
// bytes, compiled synchronously: no file read, so no permission in Deno and nothing to copy when
// a server is bundled); in addition, async re-entrancy detection follows calls across awaits
// through V8's promise hooks (`node:v8`; `node:async_hooks` on Deno and Bun), fetched at the first
// async computation (`process.getBuiltinModule`) so that importing the package stays cheap.
import { initSync } from "./wasm/cashier_js.js";
import { hex as coreBytes } from "./wasm/cashier_js_bytes.js";
import { hex as keyBytes } from "./wasm/cashier_keys_bytes.js";
import { compileHex } from "./bytes.js";
import { provideKeyModule } from "./keys.js";
import { provideAsyncContext } from "./context.js";
import { nodeAsyncContext } from "./node-context.js";

const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;

initSync({ module: compileHex(coreBytes()) });
provideKeyModule(() => compileHex(keyBytes()));
// Without getBuiltinModule (Node before 20.16) only the synchronous part of a computation is tracked.
if (builtin !== undefined) provideAsyncContext(nodeAsyncContext(builtin));

export * from "./index.js";

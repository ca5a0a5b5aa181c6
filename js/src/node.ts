// Node, Deno and Bun: the core module is read from disk and compiled at import; the key module
// when first needed (a cache of primitive arguments never needs it), through its CommonJS glue,
// which loads synchronously. Node built-ins other than `fs` are fetched when first needed too
// (`process.getBuiltinModule`), so that importing the package stays cheap.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/cashier_js.js";
import { provideAsyncContext } from "./context.js";
import { nodeAsyncContext } from "./node-context.js";
import { provideKeyModule, type KeyModule } from "./keys.js";

type AsyncHooks = typeof import("node:async_hooks");
type NodeModule = typeof import("node:module");
const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
// Node before 20.16 has no getBuiltinModule: load what is needed now instead.
const preloaded = builtin ? undefined : { hooks: await import("node:async_hooks"), module: await import("node:module") };
let asyncHooks: AsyncHooks | undefined;
const hooks = (): AsyncHooks => (asyncHooks ??= preloaded?.hooks ?? (builtin!("node:async_hooks") as AsyncHooks));
const nodeModule = (): NodeModule => preloaded?.module ?? (builtin!("node:module") as NodeModule);

initSync({ module: readFileSync(new URL("./wasm/cashier_js_bg.wasm", import.meta.url)) });
provideKeyModule(() => nodeModule().createRequire(import.meta.url)("../cjs/wasm/cashier_keys.js") as typeof KeyModule);
// Async re-entrancy detection follows calls across awaits (made at the first async computation).
provideAsyncContext(nodeAsyncContext(hooks));

export * from "./index.js";

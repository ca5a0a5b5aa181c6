// Node with --no-addons, Deno and Bun, and servers bundled for Node, for `import` and (through
// dist/cjs/index.cjs, Node's require(esm)) for `require`: the main module, given the WebAssembly
// as embedded bytes (compiled synchronously when first needed: no file read, so no permission in
// Deno and nothing to copy when a server is bundled), with Node's async context (node-context.ts).
// Plain Node imports cashier.ts itself, which reads the .wasm files instead.
import { hex as coreBytes } from "./wasm/cashier_js_bytes.js";
import { hex as keyBytes } from "./wasm/cashier_keys_bytes.js";
import { compileHex } from "./bytes.js";
import { handoff } from "./handoff.js";

handoff().sources = { core: () => compileHex(coreBytes()), keys: () => compileHex(keyBytes()), nodeContext: true };

export * from "./cashier.js";

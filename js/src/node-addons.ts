// Plain Node, for `import` and (dist/cjs/node-addons.cjs) `require`: the export conditions
// "module-sync" (Node 20.19+ and 22.12+, which require ES modules) and "node-addons" (Node's own,
// unless run with --no-addons). Deno and Bun's runtime take node.ts; so do bundlers (Bun's sets
// "node-addons" but not "module-sync"; a bundle must not read files beside the package). As node.ts, but the WebAssembly is read from the package's .wasm files (the ones
// workerd imports): the core module's at import, the key module's at its first need, so a cold
// start scans no embedded hex text (~0.2 ms for the core's, ~0.3 ms for the key module's).
import { initSync } from "./wasm/cashier_js.js";
import { provideKeyModule } from "./keys.js";
import { nodeBuiltins, provideNodeAsyncContext } from "./node-context.js";

const fs = nodeBuiltins()!("node:fs") as {
  openSync(file: URL, flags: "r"): number;
  readSync(fd: number, into: Uint8Array, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
};

/** The bytes of a file of the package. Not readFileSync: its first call in a process costs
 * ~0.5 ms (an fstat for the size, its options), open + read into a buffer that doubles as
 * needed ~0.3 ms (Node 20). */
function readBytes(file: URL): Uint8Array {
  const fd = fs.openSync(file, "r");
  try {
    let bytes = new Uint8Array(1 << 16);
    let length = 0;
    for (let read; (read = fs.readSync(fd, bytes, length, bytes.length - length, null)) > 0; ) {
      length += read;
      if (length === bytes.length) {
        const larger = new Uint8Array(length * 2);
        larger.set(bytes);
        bytes = larger;
      }
    }
    return bytes.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

initSync({ module: new WebAssembly.Module(readBytes(new URL("./wasm/cashier_js_bg.wasm", import.meta.url)) as BufferSource) });
provideKeyModule(() => new WebAssembly.Module(readBytes(new URL("./wasm/cashier_keys_bg.wasm", import.meta.url)) as BufferSource));
provideNodeAsyncContext();

export * from "./index.js";

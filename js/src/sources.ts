// Where the WebAssembly comes from. Each entry but plain Node's hands its compiled modules to the
// main module (handoff.ts): embedded bytes (browser.ts, node.ts: bundlers and runtimes need no file
// and no permission) or the modules workerd compiled at deploy (workerd.ts). Plain Node imports the
// main module itself (the "module-sync" + "node-addons" conditions), so nothing is handed and the
// package's .wasm files are read from beside it: one file to load at import, no embedded text to
// scan. Nothing is compiled until the first storage, memoized function or key needs it.

import { handoff, type WasmSources } from "./handoff.js";
import { nodeBuiltins } from "./node-context.js";

let taken: WasmSources | undefined;

/** @internal The modules' sources: the ones an entry handed over, else the files beside this module. */
export function wasmSources(): WasmSources {
  return (taken ??= handoff().sources ?? filesBesideThisModule());
}

/** Plain Node: the package's .wasm files, in dist/esm/wasm beside the main module. */
function filesBesideThisModule(): WasmSources {
  const builtin = nodeBuiltins();
  const file = builtin === undefined ? undefined : ownFileUrl();
  if (builtin === undefined || file === undefined || !file.startsWith("file:")) {
    throw new Error("cashier-wasm: the WebAssembly was not provided; import the package through its entry point (\"cashier-wasm\")");
  }
  const fs = builtin("node:fs") as NodeFs;
  const compile = (name: string) => () => new WebAssembly.Module(readBytes(fs, new URL(`./wasm/${name}`, file)) as BufferSource);
  return { core: compile("cashier_js_bg.wasm"), keys: compile("cashier_keys_bg.wasm"), nodeContext: true };
}

/** The part of `node:fs` used here. */
interface NodeFs {
  openSync(file: URL, flags: "r"): number;
  readSync(fd: number, into: Uint8Array, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
}

/** The bytes of a file of the package. Not readFileSync: its first call in a process costs
 * ~0.5 ms (an fstat for the size, its options), open + read into a buffer that doubles as
 * needed ~0.3 ms (Node 20). */
function readBytes(fs: NodeFs, file: URL): Uint8Array {
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

type CallSite = { getFileName(): string | undefined | null };

/**
 * The URL of the file this function is in, from V8's structured stack trace (Node): the main
 * module locates its .wasm files without `import.meta`, which bundlers targeting scripts (esbuild's
 * iife) would warn about in every build that includes the package.
 */
function ownFileUrl(): string | undefined {
  const errors = Error as unknown as { prepareStackTrace?: unknown; stackTraceLimit: number };
  const { prepareStackTrace, stackTraceLimit } = errors;
  try {
    errors.prepareStackTrace = (_: unknown, frames: CallSite[]) => frames;
    errors.stackTraceLimit = 1;
    const frames = new Error().stack as unknown as CallSite[] | undefined;
    return frames?.[0]?.getFileName() ?? undefined;
  } finally {
    errors.prepareStackTrace = prepareStackTrace;
    errors.stackTraceLimit = stackTraceLimit;
  }
}

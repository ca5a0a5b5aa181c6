// Async re-entrancy detection on runtimes with `node:async_hooks` (Node, Deno, Bun), shared by
// the ESM and CommonJS entries. Internal: not exported from the package.

import type { AsyncContextProvider, FlightContext } from "./context.js";

type AsyncHooks = typeof import("node:async_hooks");

/** The context provider over `hooks` (loaded when first asked: the first async computation). */
export function nodeAsyncContext(hooks: () => AsyncHooks): AsyncContextProvider {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
  // Node tells a callback the event loop started (a timer, an immediate, I/O, an event) from a
  // promise continuation by its async resource; other runtimes do not reliably, and there every
  // call inside a computation's context counts as inside it.
  const tellsTasks = runtime.Deno === undefined && runtime.Bun === undefined;
  return {
    make: () => new (hooks().AsyncLocalStorage)() as unknown as FlightContext,
    inNewTask: tellsTasks ? () => !(hooks().executionAsyncResource() instanceof Promise) : undefined,
  };
}

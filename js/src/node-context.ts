// Async re-entrancy detection on runtimes with `node:async_hooks` (Node, Deno, Bun), shared by
// the ESM and CommonJS entries. Internal: not exported from the package.

import type { AsyncContextProvider, FlightContext } from "./context.js";

type AsyncHooks = typeof import("node:async_hooks");

/** @internal The context provider over `hooks` (loaded when first asked: the first async computation). */
export function nodeAsyncContext(hooks: () => AsyncHooks): AsyncContextProvider {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: string }; execArgv?: string[]; env?: Record<string, string | undefined> } };
  // Node tells a callback the event loop started (a timer, an immediate, I/O, an event) from a
  // promise continuation by its async resource while AsyncLocalStorage rides on async_hooks
  // (promise hooks on: a continuation's resource is its promise) — Node 20 and 22 by default.
  // Where it does not (Deno, Bun, Node's AsyncContextFrame, the default from 24), telling them
  // apart could miss a real self-await, which would hang: there every call inside a
  // computation's context counts as inside it.
  const tellsTasks = runtime.Deno === undefined && runtime.Bun === undefined && promiseHooksCarryContext(runtime.process);
  return {
    make: () => new (hooks().AsyncLocalStorage)() as unknown as FlightContext,
    inNewTask: tellsTasks ? () => !(hooks().executionAsyncResource() instanceof Promise) : undefined,
  };
}

/** Whether this Node's AsyncLocalStorage rides on async_hooks (not AsyncContextFrame). */
function promiseHooksCarryContext(process: { versions?: { node?: string }; execArgv?: string[]; env?: Record<string, string | undefined> } | undefined): boolean {
  const major = Number(process?.versions?.node?.split(".")[0] ?? Number.NaN);
  if (!(major < 24)) return false;
  const flags = [...(process?.execArgv ?? []), process?.env?.NODE_OPTIONS ?? ""].join(" ");
  return !flags.includes("async-context-frame");
}

// Async re-entrancy detection on runtimes with Node's built-ins (Node, Deno, Bun), shared by
// the ESM and CommonJS entries. Internal: not exported from the package.

import { provideAsyncContext, type AsyncContextProvider, type Flight, type FlightContext } from "./context.js";

type AsyncHooks = typeof import("node:async_hooks");
/** The part of `node:v8` used here: V8's promise hooks (Node ≥ 16.14). */
interface PromiseHooks {
  createHook(hooks: { init?(promise: Promise<unknown>): void; before?(promise: Promise<unknown>): void; after?(promise: Promise<unknown>): void }): () => void;
}
type Runtime = { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: string }; execArgv?: string[]; env?: Record<string, string | undefined> } };

/**
 * @internal The context provider of this runtime. On Node: {@link promiseHookContext} over
 * `v8.promiseHooks` (loaded when first asked: the first async computation). On Deno and Bun:
 * `AsyncLocalStorage`, where a scheduled callback inherits the context of its scheduler, so every
 * call inside a computation's context counts as inside it (a refusal rather than a hang).
 */
export function nodeAsyncContext(builtin: (id: string) => unknown): AsyncContextProvider {
  const runtime = globalThis as Runtime;
  if (runtime.Deno === undefined && runtime.Bun === undefined && runtime.process?.versions?.node !== undefined) {
    return { make: () => promiseHookContext((builtin("node:v8") as { promiseHooks: PromiseHooks }).promiseHooks) };
  }
  return { make: () => new (builtin("node:async_hooks") as AsyncHooks).AsyncLocalStorage() as unknown as FlightContext };
}

/** Where a promise keeps the flights of the code that created it. */
const FLIGHTS = Symbol("cashier flights");

/**
 * @internal
 * The flight context on V8's promise hooks, with the least work per promise: a promise created
 * inside a computation's context records it (nothing is written for any other promise), and a
 * promise reaction runs in the context its promise recorded — the continuation after an `await`
 * in the computation's context, or a `then` callback registered there. Anything the event loop
 * starts (a timer, an immediate, I/O, an event) runs outside every context: the computation that
 * scheduled it is not awaiting it, so its same-key calls join like any other caller's. The hooks
 * are installed only while a computation is pending (`disable` removes them), as the hooks cost
 * every promise in the process something. Node's AsyncLocalStorage (Node 20 and 22) would do the
 * same through async_hooks, at several times the cost per promise.
 */
export function promiseHookContext(hooks: PromiseHooks): FlightContext {
  /** The flights the running code is inside (outside reactions: set by `run` only). */
  let current: readonly Flight[] | undefined;
  let remove: (() => void) | undefined;
  const install = () =>
    hooks.createHook({
      init(promise) {
        if (current !== undefined) (promise as unknown as Record<symbol, unknown>)[FLIGHTS] = current;
      },
      before(promise) {
        current = (promise as unknown as Record<symbol, readonly Flight[] | undefined>)[FLIGHTS];
      },
      // Reactions never nest (they run one at a time on an empty stack), and code between them
      // is the event loop's: outside every context.
      after() {
        current = undefined;
      },
    });
  return {
    getStore: () => current,
    run<R>(store: readonly Flight[], callback: () => R): R {
      remove ??= install();
      const outer = current;
      current = store;
      try {
        return callback();
      } finally {
        current = outer;
      }
    },
    disable() {
      remove?.();
      remove = undefined;
      current = undefined;
    },
  };
}

/**
 * @internal What the core's instantiation does for the Node entries (plain Node's cashier.ts,
 * node.ts; see WasmSources.nodeContext): async re-entrancy detection through the runtime's
 * built-ins, fetched at the first async computation (`process.getBuiltinModule`).
 * Without getBuiltinModule (Node before 20.16) only the synchronous part of a computation is tracked.
 */
export function provideNodeAsyncContext(): void {
  const builtin = nodeBuiltins();
  if (builtin !== undefined) provideAsyncContext(nodeAsyncContext(builtin));
}

/** @internal The runtime's `process.getBuiltinModule`, if it has one. */
export function nodeBuiltins(): ((id: string) => unknown) | undefined {
  return (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
}

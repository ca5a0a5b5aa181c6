// The Node API the Node/Deno/Bun entry uses (kept local: no @types/node dependency).
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
    disable(): void;
  }
  export function executionAsyncResource(): object;
}

// The few Node APIs the Node/Deno/Bun entry uses (kept local: no @types/node dependency).
declare module "node:fs" {
  export function readFileSync(path: URL): Uint8Array;
}

declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
    disable(): void;
  }
  export function executionAsyncResource(): object;
}

declare module "node:module" {
  export function createRequire(url: string | URL): (id: string) => unknown;
}

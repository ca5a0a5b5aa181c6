// The one Node API the Node/Deno/Bun entry uses (kept local: no @types/node dependency).
declare module "node:fs" {
  export function readFileSync(path: URL): Uint8Array;
}

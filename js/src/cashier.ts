// The main module: the whole API, one file. Plain Node imports it directly (the "module-sync" +
// "node-addons" conditions; dist/cjs/node-addons.cjs for `require`): a cold start loads this file
// and reads the core's .wasm file beside it, nothing else (sources.ts). Every other entry
// (node.ts, browser.ts, workerd.ts) hands it the WebAssembly it compiles and re-exports it, so a
// process has one instance of the API whichever entries it imports.
//
// The redis entry is bundled apart from it; its TieredStorage is defined here (it drives a local
// storage's engine, which never leaves this module) and handed over as a public class.
import { TieredStorage } from "./tiered.js";
import { handoff } from "./handoff.js";

handoff().TieredStorage = TieredStorage;

export * from "./index.js";

// require("cashier-wasm") in Node (20.19 and later: require of an ES module) and Bun: the ES module
// entry itself, so `import` and `require` in one process share one module instance (one
// WebAssembly instance, and storages from either are accepted by memoize from the other).
// The require() call lives here, inside node_modules, where Node prints no experimental warning.
"use strict";
module.exports = require("./load.cjs")(() => require("../esm/node.js"));

// require("cashier-wasm/redis"): the ES module entry itself (see index.cjs).
"use strict";
module.exports = require("./load.cjs")(() => require("../esm/redis-entry.js"));

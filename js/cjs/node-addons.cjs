// require("cashier-wasm") in plain Node (the "node-addons" condition): the ES module entry that
// import takes in the same process (see index.cjs).
"use strict";
module.exports = require("./load.cjs")(() => require("../esm/cashier.js"));

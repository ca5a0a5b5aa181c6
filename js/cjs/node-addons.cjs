// require("cashier-wasm") in plain Node (the "node-addons" condition, under "module-sync", which
// only Nodes that require ES modules set): the main module that import takes in the same process
// (see index.cjs), required directly.
"use strict";
module.exports = require("../esm/cashier.js");

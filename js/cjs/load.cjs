// Runs a require() of one of the package's ES modules; on a Node that cannot require ES modules
// (before 20.19 and 22.12), says so instead of Node's generic ERR_REQUIRE_ESM.
"use strict";
module.exports = function load(requireEsm) {
  try {
    return requireEsm();
  } catch (error) {
    if (error && error.code === "ERR_REQUIRE_ESM") {
      throw new Error(`cashier-wasm: require() needs Node 20.19+ or 22.12+ (require of ES modules); this is Node ${process.versions.node}. Use import, or a newer Node.`, { cause: error });
    }
    throw error;
  }
};

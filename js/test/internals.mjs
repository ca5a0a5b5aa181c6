// The engine behind a local storage, for the tests that pin the hit path to the core. The package
// keeps it out of reach (#private); these tests load the same modules unbundled, as tsc compiled
// them into target/js/esm (.ci/build-js.sh), where storages.js exports its @internal accessor.
const root = new URL("../../target/js/esm/", import.meta.url);

/** The storages and memoize of the unbundled build (one module instance, with its own core). */
export const { TTLMapStorage, TTLMapAsyncStorage, memoize } = await import(new URL("node.js", root).href);
/** The engine of a storage made by this module's TTLMapStorage or TTLMapAsyncStorage. */
export const { engineOf } = await import(new URL("storages.js", root).href);

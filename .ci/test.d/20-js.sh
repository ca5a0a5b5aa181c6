# The npm package cashier-wasm: build it (adapter, glue, TypeScript type check and compile),
# lint the adapter, run the node:test suite against the built package, then the package test:
# `npm pack`, install into a fresh folder, smoke in Node ESM + CJS, Deno, Bun, Chromium, workerd.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
ensure_apt chromium
bash .ci/build-js.sh

log "cargo fmt --check / clippy (the wasm-bindgen adapters)"
cargo fmt -p cashier-js -p cashier-js-keys -p cashier-js-support -p cashier-alloc-reserve --check
cargo clippy -p cashier-js -p cashier-js-keys -p cashier-js-support --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p cashier-alloc-reserve --all-targets -- -D warnings

log "the shared-memory layout: js/src/layout.ts is generated from wasm/js/src/layout.rs"
cargo test -p cashier-js -p cashier-alloc-reserve

log "node --test (the built package)"
node --test js/test/*.test.mjs

log "type test: the published declarations (tsc --noEmit)"
tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck js/test/types/usage.mts

log "package test: npm pack, fresh install, six runtimes"
if [ ! -f js/smoke/node_modules/.package-lock.json ] || [ js/smoke/package-lock.json -nt js/smoke/node_modules/.package-lock.json ]; then
  (cd js/smoke && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p target/pack
rm -f target/pack/cashier-wasm-*.tgz
tarball="target/pack/$(npm pack --silent --pack-destination target/pack | tail -n 1)"
check_tarball_size "$tarball"
node js/smoke/run.mjs "$tarball"

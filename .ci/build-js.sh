# Builds the npm package cashier-wasm into dist/: the adapter for wasm32-unknown-unknown,
# wasm-bindgen glue (web target for ESM entries, nodejs target for CommonJS), wasm-opt, and the
# TypeScript wrapper (ESM + CJS + .d.ts).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_rust_targets wasm32-unknown-unknown
ensure_cargo_tool wasm-bindgen 0.2.130 wasm-bindgen-cli
ensure_npm_deps

log "building the cashier-wasm package"
cargo build -p cashier-js --target wasm32-unknown-unknown --profile wasm
raw=target/wasm32-unknown-unknown/wasm/cashier_js.wasm
rm -rf dist js/src/wasm
wasm-bindgen "$raw" --target web --weak-refs --out-dir js/src/wasm --out-name cashier_js
wasm-opt -O3 --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types \
  js/src/wasm/cashier_js_bg.wasm -o js/src/wasm/cashier_js_bg.wasm
mkdir -p dist/esm/wasm dist/cjs/wasm
cp js/src/wasm/cashier_js.js js/src/wasm/cashier_js_bg.wasm dist/esm/wasm/
wasm-bindgen "$raw" --target nodejs --weak-refs --out-dir dist/cjs/wasm --out-name cashier_js
cp js/src/wasm/cashier_js_bg.wasm dist/cjs/wasm/cashier_js_bg.wasm
rm -f dist/cjs/wasm/*.d.ts
tsc -p js/tsconfig.esm.json
tsc -p js/tsconfig.cjs.json
echo '{ "type": "commonjs" }' > dist/cjs/package.json
ls -l dist/esm/wasm/cashier_js_bg.wasm | awk '{ print "wasm: " $5 " bytes" }'

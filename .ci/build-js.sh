# Builds the npm package cashier-wasm into dist/: the two adapter modules for
# wasm32-unknown-unknown (cashier-js, loaded at import; cashier-js-keys, loaded on first need),
# their wasm-bindgen glue (web target for ESM entries, nodejs target for CommonJS), wasm-opt, and
# the TypeScript wrapper (ESM + CJS + .d.ts).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_rust_targets wasm32-unknown-unknown
ensure_cargo_tool wasm-bindgen 0.2.130 wasm-bindgen-cli
ensure_npm_deps

log "building the cashier-wasm package"
cargo build -p cashier-js -p cashier-js-keys --target wasm32-unknown-unknown --profile wasm
rm -rf dist js/src/wasm
mkdir -p dist/esm/wasm dist/cjs/wasm
# module name in the package <- crate's file name
for pair in cashier_js:cashier_js cashier_keys:cashier_js_keys; do
  name="${pair%%:*}"
  raw="target/wasm32-unknown-unknown/wasm/${pair##*:}.wasm"
  wasm-bindgen "$raw" --target web --weak-refs --out-dir js/src/wasm --out-name "$name"
  wasm-opt -O3 --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    "js/src/wasm/${name}_bg.wasm" -o "js/src/wasm/${name}_bg.wasm"
  cp "js/src/wasm/$name.js" "js/src/wasm/${name}_bg.wasm" dist/esm/wasm/
  wasm-bindgen "$raw" --target nodejs --weak-refs --out-dir dist/cjs/wasm --out-name "$name"
  cp "js/src/wasm/${name}_bg.wasm" "dist/cjs/wasm/${name}_bg.wasm"
done
rm -f dist/cjs/wasm/*.d.ts
tsc -p js/tsconfig.esm.json
tsc -p js/tsconfig.cjs.json
echo '{ "type": "commonjs" }' > dist/cjs/package.json
for name in cashier_js cashier_keys; do
  ls -l "dist/esm/wasm/${name}_bg.wasm" | awk -v n="$name" '{ print n ".wasm: " $5 " bytes" }'
done

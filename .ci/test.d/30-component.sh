# The WebAssembly component: build it, check it imports nothing but the clock (no WASI), lint the
# adapter and the host, and run the wasmtime host tests (behaviour, limits, shared key vectors).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
bash .ci/build-component.sh

log "the component's imports: only cashier:cache/clock"
imports="$(wasm-tools component wit target/cashier.component.wasm | grep -E '^\s*import ' || true)"
echo "$imports"
if [ "$imports" != "  import cashier:cache/clock@0.1.0;" ]; then
  echo "unexpected imports (WASI or other) in the component"
  exit 1
fi

log "cargo fmt --check / clippy (component adapter, host)"
cargo fmt -p cashier-component -p cashier-host --check
cargo clippy -p cashier-component --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p cashier-host --all-targets -- -D warnings

log "wasmtime host tests"
cargo test -p cashier-host

log "the component outside wasmtime: jco transpile + a Node smoke test"
if [ ! -f host-tests/jco/node_modules/.package-lock.json ] || [ host-tests/jco/package.json -nt host-tests/jco/node_modules/.package-lock.json ]; then
  (cd host-tests/jco && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd host-tests/jco && rm -rf out && npx jco transpile ../../target/cashier.component.wasm -o out --map 'cashier:cache/clock@0.1.0=../clock.js' > /dev/null && node smoke.mjs)

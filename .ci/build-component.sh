# Builds the cashier component: the adapter for wasm32-unknown-unknown (no WASI), then
# `wasm-tools component new`. Writes target/cashier.component.wasm.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_rust_targets wasm32-unknown-unknown
ensure_cargo_tool wasm-tools 1.263.0 wasm-tools --locked
log "building the cashier component"
cargo build -p cashier-component --target wasm32-unknown-unknown --profile wasm
wasm-tools component new target/wasm32-unknown-unknown/wasm/cashier_component.wasm -o target/cashier.component.wasm
wasm-tools validate --features component-model target/cashier.component.wasm

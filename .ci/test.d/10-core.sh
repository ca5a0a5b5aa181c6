# cashier-core: format, lints, unit + property + vector tests, and the no_std builds.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
ensure_rust_targets wasm32-unknown-unknown thumbv7em-none-eabihf
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt clippy

log "cargo fmt --check (cashier-core)"
cargo fmt -p cashier-core --check
log "cargo clippy (cashier-core, all targets)"
cargo clippy -p cashier-core --all-targets -- -D warnings
log "cargo test (cashier-core)"
cargo test -p cashier-core
for target in wasm32-unknown-unknown thumbv7em-none-eabihf; do
  log "no_std build for $target"
  cargo build -p cashier-core --no-default-features --target "$target"
done

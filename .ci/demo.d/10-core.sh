# The Rust demo: a slow function memoized with cashier-core, with hits, misses and stats.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
cargo run --quiet -p cashier-core --example memoize_slow

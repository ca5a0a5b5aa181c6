# The component demo: a wasmtime host loads the component and memoizes a slow function.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
bash .ci/build-component.sh >/dev/null
cargo run --quiet -p cashier-host --example demo

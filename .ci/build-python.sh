# Builds the Python package cashier (python/: the PyO3 crate cashier-python + the pure-Python
# layer) into one abi3 wheel for CPython 3.9+ in target/wheels/, with a pinned maturin kept in
# its own venv (target/py-tools, made once per machine).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
MATURIN_VERSION=1.16.0
ensure_apt python3-venv
tools="$ROOT/target/py-tools"
if ! "$tools/bin/maturin" --version 2>/dev/null | grep -qF "$MATURIN_VERSION"; then
  log "installing maturin $MATURIN_VERSION into target/py-tools"
  rm -rf "$tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi

log "building the cashier wheel"
rm -f target/wheels/cashier-*.whl
"$tools/bin/maturin" build --release -m python/Cargo.toml --out target/wheels --interpreter python3
# One abi3 wheel for every CPython from 3.9 (DESIGN.md); fails if maturin made anything else.
ls target/wheels/cashier-*-cp39-abi3-*.whl

# The Python package cashier: lint the PyO3 crate, build the wheel, install it into a fresh venv
# (target/py-venv, remade every run) and run pytest on python/tests: the contract, the shared
# and Python key vectors, threads, asyncio, errors, and the Redis interop with Node (a real
# redis-server started by the tests; the npm package's dist/ from the JS step).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
ensure_apt python3-venv redis-server
ensure_npm_deps
[ -f dist/esm/node.js ] || bash .ci/build-js.sh

log "cargo fmt --check / clippy (cashier-python)"
cargo fmt -p cashier-python --check
cargo clippy -p cashier-python -- -D warnings

bash .ci/build-python.sh

log "a fresh venv with the wheel, pytest and redis-py"
venv="$ROOT/target/py-venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/tests/requirements.txt
"$venv/bin/pip" install --quiet --disable-pip-version-check target/wheels/cashier-*.whl

log "pytest python/tests"
# Run from outside python/ so `import cashier` is the installed wheel, never the source folder.
# pytest exits 5 when it collects no tests: under `set -e` that fails the step, as it should.
(cd "$ROOT/target" && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/python/tests")

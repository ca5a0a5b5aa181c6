# The Python demo: build the wheel, install it into a venv (target/py-demo), run python/examples/demo.py.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
mkdir -p target
if ! bash .ci/build-python.sh > target/py-build.log 2>&1; then
  cat target/py-build.log
  exit 1
fi
venv="$ROOT/target/py-demo"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/cashier-*.whl
(cd target && "$venv/bin/python" "$ROOT/python/examples/demo.py")

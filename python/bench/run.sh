# The Python benchmark: a venv (target/py-bench) with the pinned peers and the built wheel, then
# python/bench/bench.py. Not part of the test command (times vary with the machine's load).
source "$(dirname "${BASH_SOURCE[0]}")/../../.ci/lib.sh"
cd "$ROOT"
bash .ci/build-python.sh
venv="$ROOT/target/py-bench"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/bench/requirements.txt
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/cashier-*.whl
(cd target && "$venv/bin/python" "$ROOT/python/bench/bench.py")

# The JavaScript demo: build the package and memoize a slow async function in Node.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
bash .ci/build-js.sh >/dev/null
node examples/js-demo.mjs

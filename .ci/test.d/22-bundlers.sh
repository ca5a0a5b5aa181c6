# The bundler matrix: the packed cashier-wasm, installed into a fresh folder, built into one small
# app by esbuild (browser iife and ESM, a Node server bundle), Rollup, Vite 5/6/7/8 (build, preview,
# dev), webpack 5 (import and require), Parcel and bun build (browser; Node and Bun server bundles)
# with their default configuration, each run in
# headless Chromium (Node for the server bundle, workerd for a Worker); Deno with no permission
# flags; tsc under moduleResolution bundler, node16 (ESM and CommonJS) and node; import + require in
# one Node process; @arethetypeswrong/cli. Tools pinned in js/bundlers/package.json and
# js/smoke/package.json, installed (npm ci) only when their lockfile changed.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
ensure_apt chromium
bash .ci/build-js.sh
for folder in js/smoke js/bundlers; do
  if [ ! -f "$folder/node_modules/.package-lock.json" ] || [ "$folder/package-lock.json" -nt "$folder/node_modules/.package-lock.json" ]; then
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

log "bundler matrix: npm pack, fresh install, every bundler's default configuration"
mkdir -p target/pack
rm -f target/pack/cashier-wasm-*.tgz
tarball="target/pack/$(npm pack --silent --pack-destination target/pack | tail -n 1)"
check_tarball_size "$tarball"
node js/bundlers/run.mjs "$tarball"

#!/usr/bin/env bash
# The benchmark (not part of the test command): builds and packs the npm package, installs it
# with the peers into bench/js, races everything in one Node process, runs the native criterion
# benches, and regenerates bench/RESULTS.md from that one run.
#   bash bench/run.sh [--rounds N]
source "$(dirname "${BASH_SOURCE[0]}")/../.ci/lib.sh"
cd "$ROOT"
mkdir -p bench/out

log "building and packing cashier-wasm"
bash .ci/build-js.sh
tarball="$(npm pack --silent --pack-destination bench/out | tail -n 1)"
(cd bench/js && npm install --no-audit --no-fund --loglevel=error && npm install --no-save --no-audit --no-fund --loglevel=error "../out/$tarball")

log "JavaScript workloads (one process, interleaved rounds)"
node --expose-gc bench/js/run.mjs "$@" --json bench/out/js.json

log "W2 against peers given sorted-JSON normalizers (two object shapes)"
node bench/js/w2.mjs --cashier bench/js/node_modules/cashier-wasm/dist/esm/node.js --md bench/out/w2.md

log "memory per entry, f(number, string) with distinct first arguments (fresh processes)"
node bench/js/memory-shapes.mjs compare > bench/out/memory-shapes.txt

log "Redis: shared storages against async-cache-dedupe, cache-manager and cacheable (redis-server on 127.0.0.1)"
ensure_apt redis-server
node bench/js/redis.mjs --md bench/out/redis.md

log "native: cashier-core vs lru and quick_cache"
cargo bench -p cashier-core --bench store
python3 bench/criterion_table.py hit_get insert_evict mixed_80_20 > bench/out/native.md

host_args=()
if [ -d host-tests/benches ]; then
  log "wasmtime host calls vs native core calls"
  bash .ci/build-component.sh
  cargo bench -p cashier-host
  host_groups=$(ls target/criterion | grep -E '^host_' || true)
  if [ -n "$host_groups" ]; then
    python3 bench/criterion_table.py $host_groups --per 1 --baseline native > bench/out/host.md
    host_args=(--host bench/out/host.md)
  fi
fi

node bench/js/report.mjs bench/out/js.json bench/RESULTS.md --native bench/out/native.md --redis bench/out/redis.md --w2 bench/out/w2.md --memory-shapes bench/out/memory-shapes.txt "${host_args[@]}"

# Shared caches through a real redis-server (Debian package; each test file starts its own on
# 127.0.0.1 at a free port and stops it by PID): RedisStorage CRUD/TTL/values with node-redis and
# ioredis, rotation and tiering across processes, L1 invalidation by pub/sub across processes,
# distributed dedup over 4 processes, fault injection, a 3-master Redis Cluster (cluster.test.mjs
# starts it: 3 × redis-server --cluster-enabled yes + redis-cli --cluster create) with both
# clients' cluster modes and a master killed mid-run, and the cross-language test against the
# Rust program in interop/redis.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
ensure_apt redis-server redis-tools  # redis-tools: redis-cli, which creates the test cluster
ensure_npm_deps
[ -f dist/esm/node.js ] || bash .ci/build-js.sh

log "the Redis scripts: js/src/redis-scripts.ts and python/cashier/_redis_scripts.py are generated from interop/redis/scripts/*.lua"
node .ci/redis-scripts.mjs --check

log "cargo fmt --check / clippy / build (interop/redis)"
cargo fmt -p cashier-redis-interop --check
cargo clippy -p cashier-redis-interop -- -D warnings
cargo build -p cashier-redis-interop

log "type test: the real clients' types as client/subscriber (tsc --noEmit)"
tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck js/test/redis/types.mts

log "node --test (Redis)"
node --test js/test/redis/*.test.mjs

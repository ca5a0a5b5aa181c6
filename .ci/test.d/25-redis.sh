# Shared caches through a real redis-server (Debian package; each test file starts its own on
# 127.0.0.1 at a free port and stops it by PID): RedisStorage CRUD/TTL/values with node-redis and
# ioredis, rotation and tiering across processes, distributed dedup over 4 processes, fault
# injection, and the cross-language test against the Rust program in interop/redis.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
ensure_apt redis-server
ensure_npm_deps
[ -f dist/esm/node.js ] || bash .ci/build-js.sh

log "cargo fmt --check / clippy / build (interop/redis)"
cargo fmt -p cashier-redis-interop --check
cargo clippy -p cashier-redis-interop -- -D warnings
cargo build -p cashier-redis-interop

log "node --test (Redis)"
node --test js/test/redis/*.test.mjs

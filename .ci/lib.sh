# Shared by .ci/test, .ci/demo and their steps: strict mode, the repo root, and installers that
# skip what is already present. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_NET_RETRY=5
# Keep cargo-installed tools on PATH even in a shell that never sourced ~/.cargo/env.
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

log() { printf '\n==> %s\n' "$*"; }

# ensure_rust_targets TARGET...: rustup-add the targets that are missing.
ensure_rust_targets() {
  local installed
  installed="$(rustup target list --installed)"
  for target in "$@"; do
    grep -qx "$target" <<<"$installed" || rustup target add "$target"
  done
}

# ensure_cargo_tool BINARY VERSION CRATE [cargo install flags...]: install a pinned CLI once.
ensure_cargo_tool() {
  local binary=$1 version=$2 crate=$3
  shift 3
  if command -v "$binary" >/dev/null 2>&1 && "$binary" --version 2>/dev/null | grep -qF "$version"; then
    return 0
  fi
  log "installing $crate $version (once per machine)"
  cargo install "$crate" --version "$version" "$@"
}

# ensure_apt PACKAGE...: apt-get install the Debian packages that are missing.
ensure_apt() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ ! -f /tmp/.cashier-apt-updated ]; then
    apt-get update -qq && touch /tmp/.cashier-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ensure_npm_deps: install the root package's npm dependencies from package-lock.json.
ensure_npm_deps() {
  [ -f "$ROOT/package.json" ] || return 0
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "installing npm dependencies"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Fails when the packed npm package is over the size limit of issue 13 (150 KiB).
check_tarball_size() {
  local bytes
  bytes=$(wc -c < "$1")
  echo "tarball: $bytes bytes (limit 153600)"
  if [ "$bytes" -gt 153600 ]; then
    echo "FAIL: the packed package $1 is $bytes bytes, over the 150 KiB (153,600 B) limit" >&2
    return 1
  fi
}

# run_steps DIR: run each DIR/*.sh in name order; keep going after a failure; print a summary
# line "steps: N passed, N failed" and fail if any step failed.
run_steps() {
  local dir=$1 passed=0 failed=0 failures=()
  for step in "$dir"/*.sh; do
    log "$(basename "$step")"
    if bash "$step"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      failures+=("$(basename "$step")")
    fi
  done
  echo
  [ $failed -eq 0 ] || echo "failed steps: ${failures[*]}"
  echo "steps: $passed passed, $failed failed"
  [ $failed -eq 0 ]
}

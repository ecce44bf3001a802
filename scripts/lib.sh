# Shared helpers for the project's scripts (sourced).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BOSAI_CACHE="${BOSAI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bosai}"
# Builds live outside the clone so a fresh CI clone on the same machine reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$BOSAI_CACHE/target}"
mkdir -p "$BOSAI_CACHE"
# Tools the scripts install for themselves (cargo-deny, see setup.sh).
export PATH="$BOSAI_CACHE/tools/bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# How the Lambda functions are built where it counts (scripts/deploy.sh: cargo lambda and sam build;
# the bench's cold-start row): one codegen unit with fat LTO. A smaller binary whose cold start
# faults in fewer pages (measured: api 27 → 23 MB, time to its first poll 3.9 → 3.3 ms; the
# hello-world floor 1.5 → 1.5). Env, not a named profile: SAM's Rust builder always passes --release.
functions_build_env() {
  export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
}

# `npm ci` in DIR (relative to the repo) when its lock file changed since the last install.
npm_ci_once() {
  local dir="$ROOT/$1" stamp="$ROOT/$1/node_modules/.bosai-lock"
  [ -f "$dir/package-lock.json" ] || return 0
  cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null && return 0
  log "npm ci ($1)"
  (cd "$dir" && npm ci --no-audit --no-fund --silent)
  cp "$dir/package-lock.json" "$stamp"
}

# A free TCP port on 127.0.0.1 (the OS picks it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Wait until something listens on 127.0.0.1:$1 (max $2 seconds).
wait_port() {
  local port=$1 secs=${2:-30} i
  for ((i = 0; i < secs * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

#!/usr/bin/env bash
# Runs every cargo-fuzz target for FUZZ_SECONDS (default 15) each. Needs a nightly
# toolchain; machines here cannot download one, so without it this says so and skips.
source "$(dirname "$0")/lib.sh"
cd "$ROOT/fuzz"
secs="${FUZZ_SECONDS:-15}"
if ! cargo +nightly --version >/dev/null 2>&1; then
  log "fuzz: SKIPPED — no nightly toolchain on this machine (cargo fuzz needs one; it cannot be downloaded here)"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz"
  cargo install cargo-fuzz --version 0.13.2 --locked --quiet
fi
# Its own target dir: sanitizer flags would otherwise invalidate the shared cache.
export CARGO_TARGET_DIR="$BOSAI_CACHE/fuzz-target"
for t in $(cargo fuzz list); do
  log "fuzz $t for ${secs}s"
  mkdir -p "corpus/$t"
  cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 2>&1 | tail -n 3
  [ "${PIPESTATUS[0]}" -eq 0 ] || die "fuzz target $t found a crash (see fuzz/artifacts/$t)"
done

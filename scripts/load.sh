#!/usr/bin/env bash
# `make load`: the check-in API at 2x the 3,000 req/s target (open loop) for 60 s
# against the release local stack; fails on any error or growing server memory.
#   scripts/load.sh [--rate N] [--secs N] [--max-in-flight N] [--persons N]
# Report: a Markdown table on stdout and target/bench/load.json.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
cargo build --release -p bosai-bench -p bosai-local --quiet
# The API needs no built app; BOSAI_DIST only silences the stack's warning when dist/ exists.
BOSAI_ROOT="$ROOT" BOSAI_LOCAL_BIN="$CARGO_TARGET_DIR/release/bosai-local" \
  "$CARGO_TARGET_DIR/release/bosai-bench" load "$@"

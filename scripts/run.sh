#!/usr/bin/env bash
# `make run`: builds everything and starts the local stack on 127.0.0.1
# (PORT, default 8080) with the embedded store in .bosai/data and demo data.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build-app.sh"
cargo build --release --bin bosai-local --bin companion --quiet
export BOSAI_COMPANION_BIN="$CARGO_TARGET_DIR/release/companion"
export BOSAI_DATA_DIR="${BOSAI_DATA_DIR:-$ROOT/.bosai/data}" BOSAI_DIST="${BOSAI_DIST:-$ROOT/dist}"
export BOSAI_PORT="${BOSAI_PORT:-${PORT:-8080}}"
exec "$CARGO_TARGET_DIR/release/bosai-local"

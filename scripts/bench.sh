#!/usr/bin/env bash
# `make bench`: release build, one run, one Markdown table; also target/bench/results.json.
#   scripts/bench.sh --smoke   short version (CI)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" --test
# With the hello-world Leptos app: the floor of the app-size rows.
BOSAI_BUILD_HELLO=1 "$ROOT/scripts/build-app.sh" >&2
export BOSAI_HELLO_DIR="$CARGO_TARGET_DIR/bosai-app-web/hello/out" BOSAI_APP_STAGE="$CARGO_TARGET_DIR/bosai-app-web"
# The per-crate size breakdown of the size section (not in the CI smoke run).
if [[ " $* " != *" --smoke "* ]] && ! command -v twiggy >/dev/null; then
  env -u CARGO_TARGET_DIR cargo install --locked --quiet twiggy >&2
fi
# The browser rows start the stack with its companion CLI (staff tokens) beside bosai-local.
cargo build --release -p bosai-bench -p bosai-local -p bosai-companion -p bosai-api -p hello-lambda --quiet
# The cold-start row starts the API function and its hello-world floor built as deployed (lib.sh), in a
# target dir of their own so the release builds above keep their cache. The CI smoke run (which only
# checks that the rows run) takes the release build instead of building every crate once more;
# `--only` another section needs neither.
if [[ " $* " != *" --smoke "* && ( " $* " != *" --only "* || " $* " == *" --only init "* ) ]]; then
  (functions_build_env && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/functions" cargo build --release -p bosai-api -p hello-lambda --quiet)
  export BOSAI_FUNCTIONS_DIR="$CARGO_TARGET_DIR/functions/release"
fi
# DynamoDB Local is started too, for the row measured against it.
BOSAI_ROOT="$ROOT" BOSAI_LOCAL_BIN="$CARGO_TARGET_DIR/release/bosai-local" \
  "$ROOT/scripts/with-dynamodb-local.sh" "$CARGO_TARGET_DIR/release/bosai-bench" "$@"

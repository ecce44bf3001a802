#!/usr/bin/env bash
# `make test`: every suite — bench and fuzz smoke runs, unit, storage contract
# (embedded + DynamoDB Local), API (both stores), the AWS template and the Lambda
# binaries in a Runtime API emulator, API fuzzing (schemathesis), the
# 60 s load test, and browser tests against the local stack in Chromium (last, so
# its summary closes the run).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" --test
log "formatting (cargo fmt --check, rustfmt.toml)"
cargo fmt --all --check
(cd fuzz && cargo fmt --check)
log "building the app (wasm) and the functions"
"$ROOT/scripts/build-app.sh"
cargo build --bins --quiet
# The browser tests' stand-in for a real push service (FCM); feature-gated, so not among --bins.
cargo build -p bosai-push --features test-receiver --bin test-push-service --quiet

log "clippy (warnings are errors)"
cargo clippy --all-targets --quiet -- -D warnings

log "the app: clippy on wasm (when rustup has the target), unit tests (native)"
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    cargo clippy -p bosai-app -p bosai-app-resident -p bosai-app-staff --target wasm32-unknown-unknown --quiet -- -D warnings
fi
cargo test -p bosai-app --lib --quiet

log "cargo deny: licenses, bans, sources (deny.toml; advisories need the network)"
# deny reads every package in Cargo.lock, also ones no build here needs (other platforms,
# optional features): fetch them all first (crates.io is reachable; a no-op when cached).
cargo fetch --quiet
cargo deny --offline --log-level error check --hide-inclusion-graph licenses bans sources

log "bench smoke run (the full table: make bench)"
"$ROOT/scripts/bench.sh" --smoke >/dev/null

log "fuzzing (short, bounded)"
FUZZ_SECONDS="${FUZZ_SECONDS:-15}" "$ROOT/scripts/fuzz.sh"

log "wasm-side token verification (p256, as on staff devices)"
cargo test -p bosai-types --features jws --quiet

log "Rust tests (DynamoDB Local for the DynamoDB backend; moto's KMS and Secrets Manager for the AWS keys)"
"$ROOT/scripts/with-dynamodb-local.sh" "$ROOT/scripts/with-moto.sh" env BOSAI_REQUIRE_DYNAMODB=1 BOSAI_REQUIRE_MOTO=1 cargo test --quiet

log "infrastructure: cfn-lint, sam validate --lint, checkov, the template test against the code (infra/)"
"$ROOT/scripts/infra-check.sh"

log "the Lambda binaries through cargo lambda's Runtime API emulator (DynamoDB Local, moto's KMS)"
"$ROOT/scripts/lambda-emulator-test.sh"

log "API fuzzing from the OpenAPI document (schemathesis; ~2.5 min)"
"$ROOT/scripts/schemathesis.sh"

log "load: check-in API at 2x the target rate for 60 s (make load)"
"$ROOT/scripts/load.sh"

log "local OpenID provider: code + PKCE flow with RS256 and ES256 (tools/oidc-provider)"
node "$ROOT/tools/oidc-provider/flow-check.mjs"

log "browser tests (headless Chromium)"
export BOSAI_LOCAL_BIN="$CARGO_TARGET_DIR/debug/bosai-local" BOSAI_DIST="$ROOT/dist"
status=0
(cd "$ROOT/tests/browser" && node --test --test-concurrency=1) || status=$?
# layout.test.mjs saves every page at 360, 390, 820, 1024 and 1366 px (and at 200 % text on phones).
log "screenshots of every page at every width: $ROOT/target/screenshots/"
exit "$status"

#!/usr/bin/env bash
# The real Lambda binaries through cargo-lambda's Runtime API emulator (`cargo lambda watch`,
# no Docker) against DynamoDB Local and moto's KMS and Secrets Manager:
# functions/core/tests/lambda_emulator.rs starts the emulator and drives it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/infra-tools.sh" >&2
command -v cargo-lambda >/dev/null || die "cargo-lambda not found on PATH (scripts/infra-tools.sh installs it)"
export BOSAI_LAMBDA_EMULATOR=1 BOSAI_REQUIRE_LAMBDA_EMULATOR=1
exec "$ROOT/scripts/with-dynamodb-local.sh" "$ROOT/scripts/with-moto.sh" \
  cargo test --quiet -p bosai-core --test lambda_emulator -- --nocapture

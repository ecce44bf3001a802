#!/usr/bin/env bash
# Runs a command with moto's server (KMS and Secrets Manager as AWS answers them; a mock of
# AWS, the one boundary we cannot reach from here) on a free 127.0.0.1 port, and the SDK
# pointed at it (AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_SECRETS_MANAGER, dummy credentials);
# stops it afterwards whatever happens. BOSAI_MOTO_ENDPOINT names it for the tests.
#   scripts/with-moto.sh cargo test -p bosai-core --test kms
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/infra-tools.sh" >&2
port=$(free_port)
logf="$BOSAI_CACHE/moto.$port.log"
"$BOSAI_CACHE/lambda/bin/moto_server" -H 127.0.0.1 -p "$port" >"$logf" 2>&1 &
pid=$!
trap 'rc=$?; kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -f "$logf"; exit $rc' EXIT
wait_port "$port" 60 || { cat "$logf" >&2; die "moto did not start"; }
export BOSAI_MOTO_ENDPOINT="http://127.0.0.1:$port"
export AWS_ENDPOINT_URL_KMS="$BOSAI_MOTO_ENDPOINT" AWS_ENDPOINT_URL_SECRETS_MANAGER="$BOSAI_MOTO_ENDPOINT"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION="${AWS_REGION:-ap-northeast-1}"
unset AWS_PROFILE AWS_SESSION_TOKEN
log "moto (KMS, Secrets Manager) on $BOSAI_MOTO_ENDPOINT"
"$@"

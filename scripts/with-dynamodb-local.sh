#!/usr/bin/env bash
# Runs a command with the real DynamoDB Local (AWS's jar, shipped in the npm
# package amplify-dynamodb-simulator) on a free 127.0.0.1 port, exported as
# BOSAI_DYNAMODB_ENDPOINT; stops it afterwards whatever happens.
#   scripts/with-dynamodb-local.sh cargo test -p bosai-store
source "$(dirname "$0")/lib.sh"

VERSION=2.9.30
DIR="$BOSAI_CACHE/dynamodb-local/$VERSION"
if [ ! -f "$DIR/DynamoDBLocal.jar" ]; then
  log "fetching DynamoDB Local (npm pack amplify-dynamodb-simulator@$VERSION)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "amplify-dynamodb-simulator@$VERSION" >/dev/null && tar xzf ./*.tgz)
  jar=$(find "$tmp/package" -name DynamoDBLocal.jar | head -n1)
  [ -n "$jar" ] || die "DynamoDBLocal.jar not found in the npm package"
  mkdir -p "$(dirname "$DIR")" && rm -rf "$DIR.tmp" && cp -r "$(dirname "$jar")" "$DIR.tmp" && mv "$DIR.tmp" "$DIR"
  rm -rf "$tmp"
fi
command -v java >/dev/null || die "java not found: run scripts/setup.sh --test"

port=$(free_port)
logf="$BOSAI_CACHE/dynamodb-local.$port.log"
java -Djava.library.path="$DIR/DynamoDBLocal_lib" -jar "$DIR/DynamoDBLocal.jar" \
  -inMemory -port "$port" -disableTelemetry >"$logf" 2>&1 &
pid=$!
# Keep the command's exit status: `wait` on the killed server would report 143.
trap 'rc=$?; kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -f "$logf"; exit $rc' EXIT
wait_port "$port" 60 || { cat "$logf" >&2; die "DynamoDB Local did not start"; }
export BOSAI_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
export BOSAI_DYNAMODB_PID=$pid
# Fault tests start their own, persistent instance from the same jar.
export BOSAI_DYNAMODB_LOCAL_DIR="$DIR"
log "DynamoDB Local on $BOSAI_DYNAMODB_ENDPOINT"
"$@"

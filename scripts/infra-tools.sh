#!/usr/bin/env bash
# Installs the deployment toolchain, idempotently, pinned, under $BOSAI_CACHE (see docs/deploy.md):
#   $BOSAI_CACHE/infra    aws-sam-cli (brings aws-sam-translator), cfn-lint, pytest, PyYAML
#   $BOSAI_CACHE/checkov  checkov, in a venv of its own: installed next to aws-sam-cli it
#                         downgrades SAM and the Lambda builders.
#   $BOSAI_CACHE/lambda   cargo-lambda + ziglang 0.17 (zig 0.16's `ar` breaks aws-lc-sys/ring for
#                         aarch64) and moto[server]; a `zig` shim in $BOSAI_CACHE/tools/bin (on PATH
#                         through lib.sh) so cargo-lambda finds zig.
#   scripts/infra-tools.sh            all three
#   scripts/infra-tools.sh --check    only what scripts/infra-check.sh needs (infra + checkov)
# Every venv is built on Debian's python3 (/usr/bin/python3), not whatever python3 comes first on PATH.
source "$(dirname "$0")/lib.sh"

AWS_SAM_CLI_VERSION=1.170.0
CFN_LINT_VERSION=1.58.0
PYTEST_VERSION=9.2.0
PYYAML_VERSION=6.0.4
CHECKOV_VERSION=3.3.30
CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_SPEC='ziglang==0.17.*'
MOTO_VERSION=5.2.5

ONLY_CHECK=0
[ "${1:-}" = "--check" ] && ONLY_CHECK=1

PY=/usr/bin/python3
[ -x "$PY" ] || die "/usr/bin/python3 not found (apt-get install python3 python3-venv)"
"$PY" -c 'import venv, ensurepip' 2>/dev/null || die "python3-venv missing (apt-get install python3-venv)"

# venv_install NAME STAMP PACKAGES...: (re)creates $BOSAI_CACHE/NAME when its stamp (the pinned
# package list) differs from what was installed last.
venv_install() {
  local name=$1; shift
  local dir="$BOSAI_CACHE/$name" want="$*"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.bosai-pins" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  log "installing $want (venv: $dir; once, takes a minute or two)"
  rm -rf "$dir"
  "$PY" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >/dev/null
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  printf '%s' "$want" >"$dir/.bosai-pins"
}

venv_install infra "aws-sam-cli==$AWS_SAM_CLI_VERSION" "cfn-lint==$CFN_LINT_VERSION" \
  "pytest==$PYTEST_VERSION" "PyYAML==$PYYAML_VERSION"
venv_install checkov "checkov==$CHECKOV_VERSION"

[ "$ONLY_CHECK" = 1 ] && exit 0

venv_install lambda "cargo-lambda==$CARGO_LAMBDA_VERSION" "$ZIGLANG_SPEC" "moto[server]==$MOTO_VERSION"

# Shims on PATH (lib.sh adds $BOSAI_CACHE/tools/bin): zig for cargo-lambda, cargo-lambda itself
# (cargo finds `cargo-lambda` on PATH for `cargo lambda ...`), sam, moto_server.
mkdir -p "$BOSAI_CACHE/tools/bin"
shim() { # shim NAME COMMAND...
  local f="$BOSAI_CACHE/tools/bin/$1" body
  shift
  body="#!/bin/sh
exec $* \"\$@\""
  [ "$(cat "$f" 2>/dev/null)" = "$body" ] && return 0
  printf '%s\n' "$body" >"$f"
  chmod +x "$f"
}
shim zig "$BOSAI_CACHE/lambda/bin/python" -m ziglang
shim cargo-lambda "$BOSAI_CACHE/lambda/bin/cargo-lambda"
shim moto_server "$BOSAI_CACHE/lambda/bin/moto_server"
shim sam "$BOSAI_CACHE/infra/bin/sam"

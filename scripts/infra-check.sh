#!/usr/bin/env bash
# Checks infra/ offline, no AWS credentials needed (docs/deploy.md):
#   1. cfn-lint infra/template.yaml infra/waf.yaml          zero findings (warnings included)
#   2. sam validate --lint, both templates                  valid SAM
#   3. checkov (cloudformation, infra/)                     zero FAILED checks; each skip is a
#                                                           Metadata.checkov.skip entry with its reason
#   4. pytest tests/infra                                   the template against the code's manifest
#                                                           (`bosai-local manifest`: build it first)
# One line per step; exits non-zero on any finding. Installs its tools once (scripts/infra-tools.sh).
# Env: BOSAI_LOCAL_BIN (default $CARGO_TARGET_DIR/debug/bosai-local) or BOSAI_MANIFEST_FILE for step 4.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/infra-tools.sh" --check
INFRA="$BOSAI_CACHE/infra/bin"
CHECKOV="$BOSAI_CACHE/checkov/bin/checkov"
export SAM_CLI_TELEMETRY=0
# sam validate builds a boto3 session: a region is enough, no credentials are used.
export AWS_REGION="${AWS_REGION:-ap-northeast-1}" AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-ap-northeast-1}"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
ok() { printf '  \033[32mok\033[0m    %s\n' "$*"; }
bad() { printf '  \033[31mFAIL\033[0m  %s\n' "$*"; failed=1; }

# 1. cfn-lint
if "$INFRA/cfn-lint" infra/template.yaml infra/waf.yaml >"$out/cfn-lint" 2>&1; then
  ok "cfn-lint: 0 findings (template.yaml, waf.yaml)"
else
  bad "cfn-lint: $(grep -cE '^[EWI][0-9]+' "$out/cfn-lint") findings"
  sed 's/^/        /' "$out/cfn-lint"
fi

# 2. sam validate --lint
sam_ok=1
for t in template.yaml waf.yaml; do
  if ! (cd infra && "$INFRA/sam" validate --lint -t "$t") >"$out/sam-$t" 2>&1; then
    sam_ok=0
    bad "sam validate --lint $t"
    sed 's/^/        /' "$out/sam-$t"
  fi
done
[ "$sam_ok" = 1 ] && ok "sam validate --lint: template.yaml and waf.yaml are valid SAM templates"

# 3. checkov
"$CHECKOV" --framework cloudformation --skip-download --quiet --compact -o json -d infra/ >"$out/checkov.json" 2>"$out/checkov.err" || true
if summary="$("$BOSAI_CACHE/infra/bin/python" - "$out/checkov.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
reports = data if isinstance(data, list) else [data]
passed = failed = skipped = 0
lines = []
for r in reports:
    s = r.get("summary", {})
    passed += s.get("passed", 0); failed += s.get("failed", 0); skipped += s.get("skipped", 0)
    for c in r.get("results", {}).get("failed_checks", []):
        lines.append(f"        {c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}")
print(f"{passed} passed, {failed} failed, {skipped} skipped (each with its reason in the template)")
print("\n".join(lines))
sys.exit(1 if failed or not reports else 0)
PY
)"; then
  ok "checkov: $(head -1 <<<"$summary")"
else
  bad "checkov: $(head -1 <<<"${summary:-no report}")"
  tail -n +2 <<<"$summary"
  [ -s "$out/checkov.err" ] && sed 's/^/        /' "$out/checkov.err" | tail -20
fi

# 4. the template against the code
if "$INFRA/pytest" -q -p no:cacheprovider tests/infra >"$out/pytest" 2>&1; then
  ok "tests/infra: $(tail -1 "$out/pytest" | tr -d '=' | sed 's/^ *//')"
else
  bad "tests/infra: $(tail -1 "$out/pytest" | tr -d '=' | sed 's/^ *//')"
  sed 's/^/        /' "$out/pytest" | tail -60
fi

[ "$failed" = 0 ] || die "infra checks failed"
log "infra checks passed"

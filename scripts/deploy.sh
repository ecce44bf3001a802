#!/usr/bin/env bash
# Deploys to AWS (docs/deploy.md):
#   scripts/deploy.sh           `make deploy`: checks the AWS credentials and the CRLs, creates the VAPID key
#                               secret when absent, builds the app (dist/) and the functions (sam build,
#                               cargo-lambda, arm64), `sam deploy` (--guided the first time, then
#                               infra/samconfig.toml), uploads dist/ with its Cache-Control, invalidates the
#                               app shell on CloudFront.
#   scripts/deploy.sh --check   `make deploy-check`: scripts/infra-check.sh, then `cargo lambda build --release
#                               --arm64` of the four functions and a check that each is an ELF aarch64 binary
#                               needing at most GLIBC 2.34 (Amazon Linux 2023). No AWS account needed.
# Env: BOSAI_STACK (default bosai), AWS_REGION / AWS_PROFILE as the AWS CLI reads them.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

BINARIES=(api token fanout purge)
MAX_GLIBC=2.34
STACK="${BOSAI_STACK:-bosai}"
export SAM_CLI_TELEMETRY=0

lambda_build() {
  "$ROOT/scripts/infra-tools.sh"
  command -v rustup >/dev/null && rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
  local bins=() b
  for b in "${BINARIES[@]}"; do bins+=(--bin "$b"); done
  log "cargo lambda build --release --arm64 ${bins[*]} (fat LTO, lib.sh)"
  functions_build_env
  cargo lambda build --release --arm64 "${bins[@]}"
}

check_binaries() {
  command -v readelf >/dev/null || die "readelf not found (apt-get install binutils)"
  local b f machine glibc bad=0
  for b in "${BINARIES[@]}"; do
    f="$CARGO_TARGET_DIR/lambda/$b/bootstrap"
    [ -f "$f" ] || die "$f not found (cargo lambda build)"
    machine="$(readelf -h "$f" | awk -F: '/Machine/ { gsub(/^ +/, "", $2); print $2 }')"
    glibc="$(readelf -V "$f" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
    if [ "$machine" != "AArch64" ]; then
      printf '  FAIL  %-7s %s (want AArch64)\n' "$b" "$machine"; bad=1
    elif [ -n "$glibc" ] && [ "$(printf '%s\n%s\n' "$glibc" "$MAX_GLIBC" | sort -V | tail -1)" != "$MAX_GLIBC" ]; then
      printf '  FAIL  %-7s ELF %s, needs GLIBC %s (Amazon Linux 2023 has %s)\n' "$b" "$machine" "$glibc" "$MAX_GLIBC"; bad=1
    else
      printf '  ok    %-7s ELF %s, needs at most GLIBC %s (limit %s), %s\n' "$b" "$machine" "${glibc:-none}" "$MAX_GLIBC" "$(du -h "$f" | cut -f1)"
    fi
  done
  [ "$bad" = 0 ] || die "a Lambda binary does not fit provided.al2023 arm64"
}

if [ "${1:-}" = "--check" ]; then
  "$ROOT/scripts/infra-check.sh"
  lambda_build
  check_binaries
  exit 0
fi

# ------------------------------------------------------------------ make deploy
command -v aws >/dev/null || die "the AWS CLI (v2) is needed: https://docs.aws.amazon.com/cli/"
command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
account="$(aws sts get-caller-identity --query Account --output text 2>/dev/null)" \
  || die "no AWS credentials (aws configure / AWS_PROFILE / aws sso login)"
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}"
[ -n "$region" ] || die "no AWS region: set AWS_REGION (e.g. ap-northeast-1)"
export AWS_REGION="$region"
log "account $account, region $region, stack $STACK"

# Without a current CRL for every current J-LIS root the token function refuses card sign-in (fail closed).
shopt -s nullglob
crls=(infra/jpki-crls/jpki-crls/*.crl infra/jpki-crls/jpki-crls/*.der infra/jpki-crls/jpki-crls/*.pem)
shopt -u nullglob
[ ${#crls[@]} -gt 0 ] || die "no CRLs in infra/jpki-crls/jpki-crls/: place J-LIS's current CRLs there first (infra/jpki-crls/README.md)"
log "${#crls[@]} CRL file(s) for the JPKI layer"

# VAPID key: a PKCS#8 PEM P-256 key in Secrets Manager, made once. Replacing it invalidates every
# push subscription, so an existing secret is never touched.
vapid_name="$STACK/vapid-key"
if ! vapid_arn="$(aws secretsmanager describe-secret --secret-id "$vapid_name" --query ARN --output text 2>/dev/null)"; then
  log "creating the VAPID key secret $vapid_name"
  key="$(mktemp)"
  trap 'rm -f "$key"' EXIT
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key" 2>/dev/null
  grep -q 'BEGIN PRIVATE KEY' "$key" || die "openssl did not write a PKCS#8 key"
  vapid_arn="$(aws secretsmanager create-secret --name "$vapid_name" \
    --description "Bōsai Web Push (VAPID) key, PKCS#8 PEM P-256; never replace (push subscriptions are bound to it)" \
    --secret-string "file://$key" --query ARN --output text)"
  rm -f "$key"
fi
log "VAPID key secret: $vapid_arn"

"$ROOT/scripts/infra-tools.sh"
SAM="$BOSAI_CACHE/infra/bin/sam"
command -v rustup >/dev/null && rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true

log "building the app (dist/)"
"$ROOT/scripts/build-app.sh"

BUILD_DIR="$BOSAI_CACHE/sam-build"
log "sam build (cargo-lambda, arm64, fat LTO: lib.sh)"
(functions_build_env && cd infra && "$SAM" build -t template.yaml --build-dir "$BUILD_DIR")

# sam deploy: guided the first time (writes infra/samconfig.toml), from samconfig afterwards.
deploy_args=(--template-file "$BUILD_DIR/template.yaml" --config-file samconfig.toml --stack-name "$STACK"
  --region "$region" --capabilities CAPABILITY_IAM --resolve-s3 --no-fail-on-empty-changeset)
if [ -f infra/samconfig.toml ]; then
  log "sam deploy (infra/samconfig.toml)"
  (cd infra && "$SAM" deploy "${deploy_args[@]}" --parameter-overrides "VapidKeySecretArn=$vapid_arn")
else
  log "sam deploy --guided (first deployment: answers are saved to infra/samconfig.toml)"
  (cd infra && "$SAM" deploy --guided "${deploy_args[@]}" --parameter-overrides "VapidKeySecretArn=$vapid_arn")
fi

output() {
  aws cloudformation describe-stacks --stack-name "$STACK" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket="$(output AppBucketName)"
distribution="$(output DistributionId)"
[ -n "$bucket" ] && [ -n "$distribution" ] || die "stack outputs AppBucketName/DistributionId not found"

# dist/: hashed bundles first (immutable, a year), then the shell (no-cache) that names them, so no page
# ever points at a file not yet uploaded. The .br/.gz siblings are not uploaded: CloudFront compresses.
# Old hashed files stay (clients still running the previous version load them); bucket versioning keeps
# replaced shells for 30 days.
log "uploading dist/ to s3://$bucket"
content_type() {
  case "$1" in
    *.html) echo "text/html; charset=utf-8" ;;
    *.js) echo "text/javascript; charset=utf-8" ;;
    *.wasm) echo "application/wasm" ;;
    *.css) echo "text/css; charset=utf-8" ;;
    *.webmanifest) echo "application/manifest+json" ;;
    *.svg) echo "image/svg+xml" ;;
    *.png) echo "image/png" ;;
    *.ico) echo "image/x-icon" ;;
    *.json) echo "application/json" ;;
    *.txt) echo "text/plain; charset=utf-8" ;;
    *) echo "application/octet-stream" ;;
  esac
}
upload() { # <file relative to dist> <cache-control>
  aws s3 cp --only-show-errors "dist/$1" "s3://$bucket/$1" --content-type "$(content_type "$1")" --cache-control "$2"
}
hashed=() shell=()
while IFS= read -r f; do
  f="${f#dist/}"
  case "$f" in *.br | *.gz) continue ;; esac
  # app-<16 hex>.css, and everything in a bundle folder resident-<16 hex>/ (build-app.sh).
  if [[ "$f" =~ ^[a-z_]+-[0-9a-f]{16}(/|\.[a-z]+$) ]]; then hashed+=("$f"); else shell+=("$f"); fi
done < <(find dist -type f | sort)
[ ${#shell[@]} -gt 0 ] || die "dist/ is empty"
for f in "${hashed[@]}"; do upload "$f" "public, max-age=31536000, immutable"; done
for f in "${shell[@]}"; do upload "$f" "no-cache"; done
log "uploaded ${#hashed[@]} hashed file(s) (immutable) and ${#shell[@]} other(s) (no-cache)"

# /shelter… and /hq… are cached as /staff.html (the viewer-request rewrite), every other page as /index.html.
aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths / /index.html /staff.html /sw.js /manifest.webmanifest --query Invalidation.Id --output text >/dev/null
log "CloudFront invalidation requested"
log "app: $(output AppUrl)  staff: $(output StaffSignInUrl)"

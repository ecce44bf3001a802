#!/usr/bin/env bash
# Installs everything the project needs, idempotently: Debian packages,
# the wasm toolchain (scripts/wasm-toolchain.sh), npm packages for the browser
# tests. DynamoDB Local is fetched on first use by with-dynamodb-local.sh.
source "$(dirname "$0")/lib.sh"

APT_PACKAGES=(chromium chromium-driver brotli openjdk-17-jre-headless nodejs npm curl ca-certificates)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Java and Node may come from elsewhere on a developer machine; only install when absent.
command -v java >/dev/null && missing=("${missing[@]/openjdk-17-jre-headless}")
command -v node >/dev/null && missing=("${missing[@]/nodejs}")
command -v npm >/dev/null && missing=("${missing[@]/npm}")
read -r -a missing <<<"${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first"

"$ROOT/scripts/wasm-toolchain.sh"

# Browser test dependencies: playwright-core (drives Debian's chromium) and axe-core.
if [ -f "$ROOT/tests/browser/package-lock.json" ]; then
  stamp="$ROOT/tests/browser/node_modules/.bosai-lock"
  if ! cmp -s "$ROOT/tests/browser/package-lock.json" "$stamp" 2>/dev/null; then
    log "npm ci (tests/browser)"
    (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --silent)
    cp "$ROOT/tests/browser/package-lock.json" "$stamp"
  fi
fi

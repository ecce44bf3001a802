#!/usr/bin/env bash
# Installs what the project needs, idempotently.
#   scripts/setup.sh          what `make run` needs: brotli, the wasm toolchain (scripts/wasm-toolchain.sh),
#                             Node and the local OpenID provider's npm packages (tools/oidc-provider).
#   scripts/setup.sh --test   also the test tools (`make test`, `make bench`): Chromium and its driver,
#                             Java, cargo-deny, the browser tests' npm packages, schemathesis.
# DynamoDB Local is fetched on first use by with-dynamodb-local.sh.
source "$(dirname "$0")/lib.sh"

TEST=0
[ "${1:-}" = "--test" ] && TEST=1

# nodejs, npm: the local OpenID provider (tools/oidc-provider) that staff sign in through.
# python3: build-app.sh writes the served language catalogs.
APT_PACKAGES=(brotli curl ca-certificates nodejs npm python3)
# fonts-noto-cjk: Japanese, Chinese and Korean in the browser tests' screenshots (without it every kanji is a
# box); fonts-lohit-deva: Nepali (Devanagari), so its pages are laid out with real glyph widths.
[ "$TEST" = 1 ] && APT_PACKAGES+=(chromium chromium-driver fonts-noto-cjk fonts-lohit-deva openjdk-17-jre-headless python3-venv)

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
# make test checks formatting and lints; a minimal rustup profile lacks both.
if [ "$TEST" = 1 ] && command -v rustup >/dev/null; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c" >&2
  done
fi

"$ROOT/scripts/wasm-toolchain.sh"

# The local OpenID provider's packages (oidc-provider), for `make run` and `make test` alike,
# and the build's JavaScript minifier (terser; build-app.sh also installs it when run alone).
npm_ci_once tools/oidc-provider
npm_ci_once tools/minify

[ "$TEST" = 1 ] || exit 0

# cargo-deny (licenses, bans and sources of the dependency tree: deny.toml), pinned, under
# the cache dir (lib.sh puts $BOSAI_CACHE/tools/bin on PATH). Built once, ~3 minutes.
CARGO_DENY_VERSION=0.20.2
if [ "$(cargo-deny --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  log "installing cargo-deny $CARGO_DENY_VERSION (takes a few minutes, once)"
  deny_install=(env -u CARGO_TARGET_DIR cargo install --quiet cargo-deny --version "=$CARGO_DENY_VERSION" --root "$BOSAI_CACHE/tools")
  # --locked fails when a crate in its lock file was yanked since: retry without.
  "${deny_install[@]}" --locked || { log "retrying without --locked"; "${deny_install[@]}"; }
fi

# Browser test dependencies: playwright-core (drives Debian's chromium) and axe-core.
npm_ci_once tests/browser

# API fuzzing (scripts/schemathesis.sh): schemathesis from PyPI, pinned, in a venv under the
# cache dir, on Debian's python3 (not whatever python3 comes first on PATH).
SCHEMATHESIS_VERSION=4.32.5
st_venv="$BOSAI_CACHE/schemathesis"
if [ "$("$st_venv/bin/st" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION (venv: $st_venv)"
  rm -rf "$st_venv"
  /usr/bin/python3 -m venv "$st_venv"
  "$st_venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

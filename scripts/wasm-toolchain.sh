#!/usr/bin/env bash
# Makes sure the wasm toolchain is there. Idempotent; safe to run or source.
#
# Sourced (by build-app.sh) it leaves behind, for the wasm build only:
#   WASM_CARGO        cargo to run
#   WASM_CARGO_FLAGS  array of extra flags (build-std in the fallback route)
#   plus exported env (RUSTC, RUSTC_BOOTSTRAP, linker, CARGO_TARGET_DIR) in the fallback route.
# Nothing is written to a cargo config file, so native builds never see build-std.
#
# Route 1: rustup's wasm32-unknown-unknown target.
# Route 2 (no rustup target, or BOSAI_WASM_FALLBACK=1): Debian's rustc-web + std sources,
#          building std for wasm with -Z build-std on the stable compiler (RUSTC_BOOTSTRAP=1).

_bosai_toolchain() {
    set -euo pipefail
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    _tc_log() { echo "wasm-toolchain: $*" >&2; }

    export PATH="$HOME/.cargo/bin:$PATH"
    WASM_CARGO=cargo
    WASM_CARGO_FLAGS=()

    if [[ "${BOSAI_WASM_FALLBACK:-0}" != 1 ]] && command -v rustup >/dev/null \
        && { rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
             || rustup target add wasm32-unknown-unknown >&2; }; then
        _tc_log "using rustup target wasm32-unknown-unknown"
    else
        _tc_log "using the Debian rustc-web + build-std route"
        if ! [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]] || ! command -v wasm-ld-22 >/dev/null \
            || ! compgen -G '/usr/src/rustc-*/library' >/dev/null; then
            local sudo=""
            [[ $(id -u) == 0 ]] || sudo=sudo
            $sudo apt-get install -y rustc-web cargo-web rust-web-src lld-22 >&2 \
                || { $sudo apt-get update >&2 && $sudo apt-get install -y rustc-web cargo-web rust-web-src lld-22 >&2; }
        fi
        WASM_CARGO=/usr/bin/cargo
        WASM_CARGO_FLAGS=(-Z build-std=std,panic_abort)
        # /usr/bin/cargo would otherwise find rustup's rustc proxy first on PATH.
        export RUSTC=/usr/bin/rustc
        # Needed on every build: toggling it invalidates cargo's cache.
        export RUSTC_BOOTSTRAP=1
        export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22
        # Own target dir: a different compiler for the same crates would churn the shared one.
        export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/debian-wasm"
    fi

    # The CLI must match the wasm-bindgen crate exactly (the schema is versioned).
    local want have
    want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$root/Cargo.lock")"
    [[ -n "$want" ]] || { _tc_log "no wasm-bindgen in Cargo.lock"; return 1; }
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [[ "$have" != "$want" ]]; then
        _tc_log "installing wasm-bindgen-cli $want (had: ${have:-none}); takes ~2 min"
        local installer=cargo
        command -v cargo >/dev/null || installer=/usr/bin/cargo
        # A throwaway target dir: the CLI's release build does not belong next to the app's.
        local install=(env -u RUSTC_BOOTSTRAP -u CARGO_TARGET_DIR -u CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER
            "$installer" install wasm-bindgen-cli --version "=$want")
        # --locked fails when a crate in its lock file was yanked since (seen: webpki-roots 1.0.11).
        "${install[@]}" --locked >&2 || { _tc_log "retrying without --locked"; "${install[@]}" >&2; }
        hash -r
    fi
    export WASM_BINDGEN_VERSION="$want"

    # The splitter that cuts the app's `#[lazy_route]` pages into chunks (Leptos' wasm_split
    # helpers): its format is versioned with the helpers crate, so the CLI follows Cargo.lock.
    want="$(awk '/^name = "wasm_split_helpers"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$root/Cargo.lock")"
    [[ -n "$want" ]] || { _tc_log "no wasm_split_helpers in Cargo.lock"; return 1; }
    if ! command -v wasm-split-cli >/dev/null \
        || ! cargo install --list 2>/dev/null | grep -qx "wasm_split_cli_support v$want:"; then
        _tc_log "installing wasm_split_cli_support $want (wasm-split-cli); takes ~2 min"
        local installer=cargo
        command -v cargo >/dev/null || installer=/usr/bin/cargo
        env -u RUSTC_BOOTSTRAP -u CARGO_TARGET_DIR -u CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER \
            "$installer" install --locked wasm_split_cli_support --version "=$want" --features build-binary >&2
        hash -r
    fi
    export WASM_SPLIT_VERSION="$want"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    _bosai_toolchain
    echo "wasm-toolchain: ok (cargo: $WASM_CARGO ${WASM_CARGO_FLAGS[*]:-}; wasm-bindgen $WASM_BINDGEN_VERSION, wasm-split $WASM_SPLIT_VERSION)"
else
    # Sourced: a failure exits the caller (it is a build script); otherwise restore its options.
    # Read from $- in this shell: `$(set +o)` would report errexit as off (a command
    # substitution does not inherit it) and restoring that silently disabled it.
    _bosai_restore=()
    if [[ $- == *e* ]]; then _bosai_restore+=(-e); else _bosai_restore+=(+e); fi
    if [[ $- == *u* ]]; then _bosai_restore+=(-u); else _bosai_restore+=(+u); fi
    if [[ -o pipefail ]]; then _bosai_restore+=(-o pipefail); else _bosai_restore+=(+o pipefail); fi
    _bosai_toolchain
    set "${_bosai_restore[@]}"
    unset _bosai_restore
fi

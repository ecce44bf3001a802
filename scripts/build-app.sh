#!/usr/bin/env bash
# Builds the PWA into dist/: hashed js/wasm/css, index.html and sw.js filled in,
# manifest and icons, and .gz/.br siblings. Rerunning with no changes takes about a second.
#
# Env: CARGO_TARGET_DIR (default from lib.sh: ~/.cache/bosai/target),
#      BOSAI_WASM_FALLBACK=1 to force the Debian build-std route (see wasm-toolchain.sh).
# No wasm-opt: binaryen 132 -Oz cut the raw wasm 15% but made the brotli/gzip transfer
# slightly larger (measured), and Debian's binaryen 108 produces a broken module.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
command -v brotli >/dev/null || die "brotli not found: apt-get install brotli (scripts/setup.sh does)"

# shellcheck source=wasm-toolchain.sh
source "$ROOT/scripts/wasm-toolchain.sh"

# strip=true (inherited from release) also drops the target_features section, and then
# wasm-bindgen cannot use reference types: the output grows. It removes names itself.
export CARGO_PROFILE_WASM_RELEASE_STRIP=false
"$WASM_CARGO" build -p bosai-app --target wasm32-unknown-unknown --profile wasm-release \
    ${WASM_CARGO_FLAGS[@]+"${WASM_CARGO_FLAGS[@]}"}
WASM_IN="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/bosai_app.wasm"

hash16() { sha256sum "$@" | cut -c1-16; }

# wasm-bindgen only when the compiled wasm or the tool changed.
STAGE="$CARGO_TARGET_DIR/bosai-app-web"
key="$(hash16 "$WASM_IN") $WASM_BINDGEN_VERSION"
if [[ "$(cat "$STAGE/key" 2>/dev/null)" != "$key" ]]; then
    rm -rf "$STAGE" && mkdir -p "$STAGE"
    wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
        --out-dir "$STAGE" --out-name bosai_app "$WASM_IN"
    echo "$key" > "$STAGE/key"
fi

# Assemble next to dist/ and swap at the end, so a failed build leaves the old dist intact.
NEW="$ROOT/dist.new"
trap 'rm -rf "$NEW" "$ROOT/dist.old"' EXIT
rm -rf "$NEW" && mkdir -p "$NEW/icons"

wasm="bosai-app-$(hash16 "$STAGE/bosai_app_bg.wasm").wasm"
cp "$STAGE/bosai_app_bg.wasm" "$NEW/$wasm"
# The glue names its wasm relative to itself; point it at the hashed file and start the
# app from the module, so index.html needs no inline script (CSP-friendly).
sed "s/bosai_app_bg\.wasm/$wasm/g" "$STAGE/bosai_app.js" > "$NEW/glue.js"
grep -q "$wasm" "$NEW/glue.js" || die "wasm file name not found in the wasm-bindgen glue"
cat >> "$NEW/glue.js" <<'EOF'
__wbg_init().catch((e) => {
    const b = document.getElementById('boot');
    if (b) b.textContent = '読み込みに失敗しました。再読み込みしてください。 / Failed to load. Please reload.';
    throw e;
});
EOF
js="bosai-app-$(hash16 "$NEW/glue.js").js"
mv "$NEW/glue.js" "$NEW/$js"
css="app-$(hash16 public/app.css).css"
cp public/app.css "$NEW/$css"

sed -e "s|{{CSS}}|$css|g" -e "s|{{JS}}|$js|g" -e "s|{{WASM}}|$wasm|g" public/index.html > "$NEW/index.html"
cp public/manifest.webmanifest "$NEW/"
cp public/icons/icon.svg public/icons/icon-192.png public/icons/icon-512.png "$NEW/icons/"

precache=(/index.html "/$js" "/$wasm" "/$css" /manifest.webmanifest
          /icons/icon.svg /icons/icon-192.png /icons/icon-512.png)
# One version for the whole shell: any change to a precached file or to sw.js renews the cache.
version="$(cd "$NEW" && cat index.html manifest.webmanifest icons/* "$ROOT/public/sw.js" | hash16 -)"
list="$(printf '"%s",' "${precache[@]}")"
sed -e "s|__BOSAI_VERSION__|$version|" -e "s|__BOSAI_PRECACHE__|[${list%,}]|" public/sw.js > "$NEW/sw.js"

# Precompress; reuse siblings from the previous dist when the file is byte-identical.
compress_count=0
while IFS= read -r -d '' f; do
    rel="${f#"$NEW"/}"
    old="$ROOT/dist/$rel"
    if [[ -f "$old.gz" && -f "$old.br" ]] && cmp -s "$f" "$old"; then
        cp -p "$old.gz" "$old.br" "$(dirname "$f")/"
    else
        gzip -9 -k -n "$f"
        brotli -q 11 -k "$f"
        compress_count=$((compress_count + 1))
    fi
done < <(find "$NEW" -type f \( -name '*.html' -o -name '*.js' -o -name '*.wasm' -o -name '*.css' \
                               -o -name '*.webmanifest' -o -name '*.svg' \) -print0)

rm -rf "$ROOT/dist.old"
if [[ -d "$ROOT/dist" ]]; then mv "$ROOT/dist" "$ROOT/dist.old"; fi
mv "$NEW" "$ROOT/dist"

# Sizes: what a phone downloads on first visit (brotli when the server has it).
size() { stat -c %s "$1"; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
D="$ROOT/dist"
first_raw=0 first_br=0
for f in index.html "$js" "$wasm" "$css"; do
    first_raw=$((first_raw + $(size "$D/$f")))
    first_br=$((first_br + $(size "$D/$f.br")))
done
log "dist/ ready ($compress_count files compressed)"
printf '  wasm   %-34s raw %10s  gzip %10s  brotli %10s\n' "$wasm" "$(kb "$(size "$D/$wasm")")" \
    "$(kb "$(size "$D/$wasm.gz")")" "$(kb "$(size "$D/$wasm.br")")"
printf '  js     %-34s raw %10s  gzip %10s  brotli %10s\n' "$js" "$(kb "$(size "$D/$js")")" \
    "$(kb "$(size "$D/$js.gz")")" "$(kb "$(size "$D/$js.br")")"
printf '  first load (index.html + js + wasm + css): raw %s, brotli %s\n' "$(kb $first_raw)" "$(kb $first_br)"

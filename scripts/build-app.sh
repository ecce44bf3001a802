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
# One build at a time: the staging dir under the (shared) target dir and dist.new are
# not safe to write from two runs at once.
mkdir -p "$CARGO_TARGET_DIR"
exec 9>"$CARGO_TARGET_DIR/bosai-build-app.lock"
flock 9
command -v brotli >/dev/null || die "brotli not found: apt-get install brotli (scripts/setup.sh does)"
# terser and Lightning CSS minify the JavaScript and CSS of every first load (tools/minify).
command -v node >/dev/null || die "node not found: apt-get install nodejs npm (scripts/setup.sh does)"
npm_ci_once tools/minify
minify() { node "$ROOT/tools/minify/minify.mjs" "$@"; }

# shellcheck source=wasm-toolchain.sh
source "$ROOT/scripts/wasm-toolchain.sh"

# strip=true (inherited from release) also drops the target_features section, and then
# wasm-bindgen cannot use reference types: the output grows. It removes names itself.
export CARGO_PROFILE_WASM_RELEASE_STRIP=false
# wasm-split-cli needs the linker's relocations to move functions into chunks.
export RUSTFLAGS="${RUSTFLAGS:-} -Clink-args=--emit-relocs"
# Panic locations name source files: not the build machine's paths in what every phone downloads.
RUSTFLAGS+=" --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src/= --remap-path-prefix=$ROOT/="
# Two bundles from one code base: residents' phones never download the staff/HQ views
# (nor the QR decoder they need). One cargo run each: features unify within a run, and each
# entry crate enables only its own bundle's routes (app/Cargo.toml). BOSAI_BUILD_HELLO=1 (the
# bench) adds the hello-world Leptos app, the floor its size is compared with.
crates=(bosai-app-resident bosai-app-staff)
[[ "${BOSAI_BUILD_HELLO:-}" == 1 ]] && crates+=(hello-leptos)
for crate in "${crates[@]}"; do
    "$WASM_CARGO" build -p "$crate" --target wasm32-unknown-unknown --profile wasm-release \
        ${WASM_CARGO_FLAGS[@]+"${WASM_CARGO_FLAGS[@]}"}
done
WASM_OUT="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release"

hash16() { sha256sum "$@" | cut -c1-16; }

# Split and bind into $STAGE/<name>/out/, only when the compiled wasm or a tool changed:
# wasm-split-cli cuts each `#[lazy_route]` page (and what only such pages share) into chunks
# loaded on first use by its `__wasm_split.js`; wasm-bindgen then binds the main module.
STAGE="$CARGO_TARGET_DIR/bosai-app-web"
bindgen() { # <crate file name> <out name>
    local in="$WASM_OUT/$1.wasm" dir="$STAGE/$2"
    local key; key="$(hash16 "$in") $WASM_BINDGEN_VERSION $WASM_SPLIT_VERSION $(hash16 "$ROOT/scripts/wasm-split-retry.py")"
    key+=" $(cat "$ROOT"/tools/minify/wasm-{chunks,merge-chunks}.mjs "$ROOT/tools/minify/package-lock.json" | hash16)"
    if [[ "$(cat "$dir/key" 2>/dev/null)" != "$key" ]]; then
        rm -rf "$dir" && mkdir -p "$dir/split" "$dir/out" "$dir/named"
        wasm-split-cli --target web --out-name "$2" "$in" "$dir/split" >/dev/null
        wasm-bindgen --target web --no-typescript --keep-lld-exports --remove-name-section \
            --remove-producers-section --out-dir "$dir/out" --out-name "$2" "$dir/split/$2.wasm"
        # The same with function names, for the bench's per-crate breakdown (not served).
        wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$dir/named" --out-name "$2" \
            "$dir/split/$2.wasm"
        find "$dir/split" -maxdepth 1 -name '*.wasm' ! -name "$2.wasm" -exec cp {} "$dir/out/" \;
        # The chunks re-encoded and shrunk (binaryen -Oz; see the script): ~11 % of their transfer.
        find "$dir/out" -name '*.wasm' ! -name "$2_bg.wasm" -exec node "$ROOT/tools/minify/wasm-chunks.mjs" {} +
        find "$dir/out" -name '*.wasm' ! -name "$2_bg.wasm" -exec python3 "$ROOT/scripts/wasm-strip-custom.py" {} +
        cp "$dir/split/__wasm_split.js" "$dir/out/"
        # Chunks that pages share merged where that shrinks what each page downloads (see the
        # script): a page opened later fetches 13–26 files instead of 24–57, ~2 KB less.
        node "$ROOT/tools/minify/wasm-merge-chunks.mjs" "$dir/out"
        python3 "$ROOT/scripts/wasm-split-retry.py" "$dir/out/__wasm_split.js"
        echo "$key" > "$dir/key"
    fi
}

# Assemble next to dist/ and swap at the end, so a failed build leaves the old dist intact.
NEW="$ROOT/dist.new"
trap 'rm -rf "$NEW" "$ROOT/dist.old"' EXIT
rm -rf "$NEW" && mkdir -p "$NEW/icons"
# The style sheet minified (its comments are a third of it), named by what is served.
cp public/app.css "$NEW/app.css" && minify "$NEW/app.css"
css="app-$(hash16 "$NEW/app.css").css"
mv "$NEW/app.css" "$NEW/$css"
# Language catalogs (app/i18n/resident, checked by app/build.rs), one per language; the app
# fetches only the chosen one (Japanese is compiled in). Served by position, no key names
# (app/src/i18n/load.rs): the first line names the key order (FNV-1a 64 of the reference's keys,
# texts then plurals, each by name: app/build.rs computes the same), then one text per line, then each
# plural as `category<TAB>text` pairs.
mkdir -p "$NEW/i18n/resident"
python3 - "$NEW/i18n/resident" app/i18n/resident/ja.json app/i18n/resident/*.json <<'PY'
import json, os, sys
reference = json.load(open(sys.argv[2], encoding="utf-8"))
keys = [k for k in reference if not k.startswith("_")]
keys.sort(key=lambda k: (isinstance(reference[k], dict), k))
h = 0xCBF29CE484222325
for b in "\n".join(keys).encode():
    h = ((h ^ b) * 0x100000001B3) % (1 << 64)
for path in sys.argv[3:]:
    catalog = json.load(open(path, encoding="utf-8"))
    lines = [f"{h:016x}"]
    for key in keys:
        value = catalog[key]
        lines.append("\t".join(f"{c}\t{v}" for c, v in value.items()) if isinstance(value, dict) else value)
    name = os.path.basename(path).removesuffix(".json") + ".txt"
    with open(os.path.join(sys.argv[1], name), "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
PY

# One bundle in a content-hashed folder of its own, $NEW/<name>-<hash16>/: the glue, the main
# wasm, the split loader and the chunks keep their names, because they name each other by
# relative URL (a hashed folder, not hashed names, avoids rewriting those references).
# Sets BUNDLE_DIR, BUNDLE_JS, BUNDLE_WASM and BUNDLE_FILES (every file, for the precache).
bundle() { # <name> <page>
    local name="$1" page="$2" out="$STAGE/$1/out" f
    # The glue starts the app from the module, so the page needs no inline script (CSP-friendly).
    # The main wasm cut off on the way (a congested cell) is fetched again, 1 s later doubling to
    # 30 s, and at once when the device is back online; the loading line says so. Only an app that
    # failed while starting (a RuntimeError) asks for a reload.
    cat "$out/$name.js" - > "$STAGE/$name/glue.js" <<'JS'
(function start(wait) {
    __wbg_init().catch((e) => {
        const b = document.querySelector('#boot [role=status]');
        if (e instanceof WebAssembly.RuntimeError) {
            if (b) b.textContent = '読み込みに失敗しました。再読み込みしてください。 / Failed to load. Please reload.';
            throw e;
        }
        console.warn(e);
        if (b) b.textContent = '通信が途切れました。もう一度読み込んでいます… / The connection dropped. Trying again…';
        let timer;
        const again = () => {
            clearTimeout(timer);
            removeEventListener('online', again);
            start(Math.min(wait * 2, 30000));
        };
        timer = setTimeout(again, wait);
        addEventListener('online', again);
    });
})(1000);
JS
    # The split loader minified too (the preload map below and the bench read the one in $out).
    cp "$out/__wasm_split.js" "$STAGE/$name/loader.js"
    minify "$STAGE/$name/glue.js" "$STAGE/$name/loader.js"
    BUNDLE_DIR="$name-$( (cd "$out" && find . -type f ! -name "$name.js" ! -name __wasm_split.js | sort | xargs cat
                          cat ../glue.js ../loader.js) | hash16 -)"
    mkdir -p "$NEW/$BUNDLE_DIR"
    cp "$out"/* "$NEW/$BUNDLE_DIR/"
    mv "$STAGE/$name/glue.js" "$NEW/$BUNDLE_DIR/$name.js"
    mv "$STAGE/$name/loader.js" "$NEW/$BUNDLE_DIR/__wasm_split.js"
    BUNDLE_JS="$BUNDLE_DIR/$name.js" BUNDLE_WASM="$BUNDLE_DIR/${name}_bg.wasm"
    BUNDLE_FILES=()
    for f in "$NEW/$BUNDLE_DIR"/*; do BUNDLE_FILES+=("/$BUNDLE_DIR/$(basename "$f")"); done
    # {{BOOT}} once the loading page's script is made (it names the bundles' chunks).
    sed -e "s|{{CSS}}|$css|g" -e "s|{{JS}}|$BUNDLE_JS|g" -e "s|{{WASM}}|$BUNDLE_WASM|g" \
        public/index.html > "$NEW/$page"
}

bindgen bosai_app_resident resident
bindgen bosai_app_staff staff
bundle resident index.html
js="$BUNDLE_JS" wasm="$BUNDLE_WASM" resident_files=("${BUNDLE_FILES[@]}")
bundle staff staff.html
staff_js="$BUNDLE_JS" staff_wasm="$BUNDLE_WASM" staff_files=("${BUNDLE_FILES[@]}")
resident_dir="$(dirname "$js")" staff_dir="$(dirname "$staff_js")"
# The loading page's script (shelters and emergency numbers before the wasm arrives), with the
# Japanese catalog's labels for what it shows, and for each page loaded on demand (a `Lazy` route
# of app/src/lib.rs) its split module and chunks, as the bundle's __wasm_split.js names them: a
# deep link into such a page preloads them beside the main wasm.
python3 - app/i18n/resident/ja.json public/boot.js "$NEW/boot.js" app/src/lib.rs \
    "$resident_dir" "$STAGE/resident/out" "$staff_dir" "$STAGE/staff/out" <<'PY'
import json, os, re, sys
ja = json.load(open(sys.argv[1], encoding="utf-8"))
keys = ["status", "congestion", "address", "facilities", "no_facilities", "map", "people", "people_few"]
keys += [k for k in ja if k.startswith(("status_", "congestion_", "facility_"))]
labels = json.dumps({k: ja[k] for k in keys}, ensure_ascii=False)
lazy = re.findall(r'path!\("([^"]+)"\)\s+view=\{Lazy::<later::(\w+)>::new\(\)\}', open(sys.argv[4]).read())
assert lazy, "no Lazy routes found in app/src/lib.rs"
# Short, as it is part of every first load: per bundle [folder, the split modules' common suffix,
# [[path, module, runs of n in its chunk_<n>.wasm ("12-21,36")], …], [[file, runs], …] fetched
# at start when signed in].
routes, found = [], set()

def runs(deps):
    """chunk_12.wasm … chunk_21.wasm, chunk_36.wasm as "12-21,36"."""
    assert all(re.fullmatch(r"chunk_\d+\.wasm", d) for d in deps), deps
    ranges = []
    for n in sorted(int(d[6:-5]) for d in deps):
        if ranges and ranges[-1][1] == n - 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)

for folder, out in zip(sys.argv[5::2], sys.argv[6::2]):
    loader = open(os.path.join(out, "__wasm_split.js"), encoding="utf-8").read()
    chunks = dict(re.findall(r'const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+)"', loader))
    pages, suffixes = [], set()
    for path, route in lazy:
        module = re.sub(r"(?<!^)([A-Z])", r"_\1", route).lower()
        m = re.search(r'export const __wasm_split_load___%s(_view_\d+) = wrapAsyncCb\(makeLoad\(\(\) => \{\s*'
                      r'const src = fetch\(new URL\("\./split___%s\1\.wasm".*?, \[([^\]]*)\]\)\);' % (module, module), loader, re.S)
        if not m:
            continue
        deps = [chunks[d.strip()] for d in m.group(2).split(",") if d.strip()]
        pages.append([path, module, runs(deps)])
        suffixes.add(m.group(1))
        found.add(path)
    # What the app fetches at start for a signed-in resident (app/src/later.rs: the household's sync).
    signed_in = []
    for name in ["sync_household"]:
        m = re.search(r'export const __wasm_split_load_%s_\d+ = wrapAsyncCb\(makeLoad\(\(\) => \{\s*'
                      r'const src = fetch\(new URL\("\./(split_%s_\d+)\.wasm".*?, \[([^\]]*)\]\)\);' % (name, name), loader, re.S)
        if m:
            signed_in.append([m.group(1), runs([chunks[d.strip()] for d in m.group(2).split(",") if d.strip()])])
            found.add(name)
    if pages:
        assert len(suffixes) == 1, suffixes
        routes.append([folder, suffixes.pop(), pages, signed_in])
missing = [path for path, _ in lazy if path not in found] + ["sync_household"] * ("sync_household" not in found)
assert not missing, f"no split module for {missing} in __wasm_split.js"
text = open(sys.argv[2], encoding="utf-8").read()
assert "__BOSAI_BOOT_LABELS__" in text and "__BOSAI_BOOT_ROUTES__" in text
text = text.replace("__BOSAI_BOOT_LABELS__", labels).replace("__BOSAI_BOOT_ROUTES__", json.dumps(routes, separators=(",", ":")))
open(sys.argv[3], "w", encoding="utf-8").write(text)
# The loading page in the resident's language (public/boot-lang.js: the shelter list's labels, and
# on /safety the safety form before the app): one file per catalog, with its labels, its `lang=` tag
# and whether it is Japanese (shelters named in Japanese). boot.js imports the resident's.
safety_keys = ["family_safety_title", "report_for_legend", "status_legend", "shelter_label", "choose_placeholder",
               "place_label", "what_label", "where_label", "phone_label", "phone_hint", "help_next_heading", "send_report", "outbox_saved_here",
               "invalid_no_member", "invalid_no_status", "invalid_no_shelter", "error_bad_place", "error_bad_help", "error_bad_phone",
               "err_unsupported", "status_closed"]
safety_keys += [k for k in ja if k.startswith(("safety_kind_", "help_next_"))]
text = open(os.path.join(os.path.dirname(sys.argv[2]), "boot-lang.js"), encoding="utf-8").read()
assert "__BOSAI_LANG_LABELS__" in text
catalogs = os.path.dirname(sys.argv[1])
os.makedirs(os.path.join(os.path.dirname(sys.argv[3]), "boot-lang"))
for lang in json.load(open(os.path.join(os.path.dirname(catalogs), "languages.json"), encoding="utf-8")):
    catalog = json.load(open(os.path.join(catalogs, lang["code"] + ".json"), encoding="utf-8"))
    labels = {k: catalog[k] for k in keys + safety_keys}
    labels.update(_lang=lang["html"], _ja=lang["html"] == "ja")
    out = os.path.join(os.path.dirname(sys.argv[3]), "boot-lang", lang["code"] + ".js")
    open(out, "w", encoding="utf-8").write(text.replace("__BOSAI_LANG_LABELS__", json.dumps(labels, ensure_ascii=False)))
PY
minify "$NEW"/boot-lang/*.js
# boot-lang-<language code>-<one hash of them all>.js: boot.js fills in the resident's language.
lang_hash="$(cat "$NEW"/boot-lang/*.js | hash16 -)" lang_files=()
for f in "$NEW"/boot-lang/*.js; do
    name="boot-lang-$(basename "$f" .js)-$lang_hash.js"
    mv "$f" "$NEW/$name"
    lang_files+=("/$name")
done
rmdir "$NEW/boot-lang"
grep -q __BOSAI_LANG_JS__ "$NEW/boot.js"
sed -i "s|__BOSAI_LANG_JS__|boot-lang-{lang}-$lang_hash.js|" "$NEW/boot.js"
minify "$NEW/boot.js"
boot_js="boot-$(hash16 "$NEW/boot.js").js"
mv "$NEW/boot.js" "$NEW/$boot_js"
sed -i "s|{{BOOT}}|$boot_js|g" "$NEW/index.html" "$NEW/staff.html"
cp public/manifest.webmanifest public/favicon.ico "$NEW/"
cp public/icons/icon.svg public/icons/icon-192.png public/icons/icon-512.png "$NEW/icons/"

# Everything a resident needs offline after the first visit, the later pages' chunks included.
precache=(/index.html "${resident_files[@]}" "/$css" "/$boot_js" "${lang_files[@]}" /manifest.webmanifest
          /icons/icon.svg /icons/icon-192.png /icons/icon-512.png)
staff_precache=(/staff.html "${staff_files[@]}")
# One version for the whole shell: any change to a precached file or to sw.js renews the cache.
version="$(cd "$NEW" && cat index.html staff.html manifest.webmanifest icons/* i18n/resident/* "$ROOT/public/sw.js" | hash16 -)"
list() { local l; l="$(printf '"%s",' "$@")"; echo "[${l%,}]"; }
sed -e "s|__BOSAI_VERSION__|$version|" -e "s|__BOSAI_PRECACHE__|$(list "${precache[@]}")|" \
    -e "s|__BOSAI_STAFF_PRECACHE__|$(list "${staff_precache[@]}")|" public/sw.js > "$NEW/sw.js"

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
                               -o -name '*.webmanifest' -o -name '*.svg' -o -name '*.txt' \) -print0)

rm -rf "$ROOT/dist.old"
if [[ -d "$ROOT/dist" ]]; then mv "$ROOT/dist" "$ROOT/dist.old"; fi
mv "$NEW" "$ROOT/dist"

# Sizes: what a phone downloads on first visit (brotli when the server has it).
size() { stat -c %s "$1"; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
D="$ROOT/dist"
log "dist/ ready ($compress_count files compressed)"
report() { # <label> <page> <js> <wasm>
    local raw=0 br=0 f
    local files=("$2" "$3" "$4" "$css")
    [[ -f "$D/$(dirname "$3")/__wasm_split.js" ]] && files+=("$(dirname "$3")/__wasm_split.js")
    for f in "${files[@]}"; do
        raw=$((raw + $(size "$D/$f")))
        br=$((br + $(size "$D/$f.br")))
    done
    printf '  %-8s wasm %-30s raw %10s  brotli %10s;  first load (page + js + wasm + css + split loader): raw %s, brotli %s\n' \
        "$1" "$4" "$(kb "$(size "$D/$4")")" "$(kb "$(size "$D/$4.br")")" "$(kb $raw)" "$(kb $br)"
}
report resident index.html "$js" "$wasm"
report staff staff.html "$staff_js" "$staff_wasm"

if [[ "${BOSAI_BUILD_HELLO:-}" == 1 ]]; then
    # The bench's floor: bindgen + brotli, kept beside the target (not served).
    bindgen hello_leptos hello
    brotli -q 11 -f -k "$STAGE/hello/out/hello_bg.wasm"
    # Its glue minified as the app's is (a copy: the bindgen output is kept as the cache).
    cp "$STAGE/hello/out/hello.js" "$STAGE/hello/hello.min.js" && minify "$STAGE/hello/hello.min.js"
    brotli -q 11 -c "$STAGE/hello/hello.min.js" > "$STAGE/hello/out/hello.js.br"
fi

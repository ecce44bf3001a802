"""Makes the chunk loader that wasm-split-cli writes (`__wasm_split.js`) fetch a chunk again
when it fails to arrive, instead of reporting the failure.

A page loaded on demand (`#[lazy_route]`) or a `#[leptos::lazy]` function waits for its chunks;
if one load fails, the Rust side panics and the whole app stops (leptos' wrappers cannot ask
for wasm-split's `fallible` option). On a congested cell before the service worker has cached
the chunks, a lost request is ordinary, so each load is tried again 0.5 s later, doubling to
10 s, until it arrives. Usage: wasm-split-retry.py <__wasm_split.js>…
"""

import re
import sys

RETRY = """\
async function retrying(attempt) {
    for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
        try {
            return await attempt();
        } catch (e) {
            console.warn("a chunk of the app did not arrive; trying again", e);
            await new Promise((r) => setTimeout(r, wait));
        }
    }
}
"""

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    edits = [
        ("function makeLoad(fetcher, deps) {\n    const loader = async () => {",
         RETRY + "function makeLoad(fetcher, deps) {\n    const attempt = async () => {"),
        ("    let loadingModule = undefined;",
         "    const loader = () => retrying(attempt);\n    let loadingModule = undefined;"),
    ]
    for old, new in edits:
        if text.count(old) != 1:
            sys.exit(f"{path}: the loader changed shape (wasm-split-cli upgraded?); expected once: {old!r}")
        text = text.replace(old, new)
    # A chunk's fetch starts before the chunks it needs have arrived; a failure meanwhile would be
    # an unhandled rejection (the retry above handles it once instantiateStreaming takes it up).
    text, n = re.subn(r'(const src = fetch\(new URL\("[^"]+", import\.meta\.url\)\);)', r"\1 src.catch(() => {});", text)
    if n != text.count("fetch("):
        sys.exit(f"{path}: the loader changed shape (wasm-split-cli upgraded?); {n} chunk fetches found")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

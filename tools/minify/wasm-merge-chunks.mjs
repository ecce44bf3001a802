// `node wasm-merge-chunks.mjs DIR`: the chunks wasm-split-cli cut (DIR/chunk_N.wasm, named by
// DIR/__wasm_split.js) merged into fewer, larger ones where that makes what the pages download
// smaller, and the loader rewritten to match.
//
// Why: the cutter makes one chunk per set of pages that share code, ~100 of them, most of a few
// hundred bytes, and a page opened later fetched 30–50. Each file has its own wasm header,
// imports and types, and brotli starts each from nothing: for a 60-byte chunk that is all it is.
// On HTTP/1.1 (six connections) fifty requests are also eight round trips.
//
// How: chunks link to nothing but the main module's memory, table and stack pointer (everything
// else goes through the table), so two chunks are one module with both their functions and
// segments. Loading a merged chunk only puts more functions into their own table slots, earlier.
// Greedily, the pair whose merging most lowers Σ (what each load downloads) is merged while that
// sum falls, its merged size estimated by brotli over the two files, unless it takes a page over
// the later pages' budget (PAGE_BUDGET). Chunks of the household sync
// (every signed-in start) are merged only with each other, so that first download does not grow.
// The merged modules are made by binaryen's wasm-merge, their imports folded into one of each.
import { readFile, writeFile, rm, mkdtemp } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import binaryen from 'binaryen';

const dir = process.argv[2];
const loaderPath = join(dir, '__wasm_split.js');
let loader = await readFile(loaderPath, 'utf8');

// const __chunk_N = makeLoad(() => { … fetch(new URL("./chunk_N.wasm" … }, []);
const chunkDef = /^const (__chunk_\d+) = makeLoad\(\(\) => \{\n.*?"\.\/(chunk_\d+\.wasm)".*?\n\}\n, \[\]\);\n/gms;
const files = new Map([...loader.matchAll(chunkDef)].map((m) => [m[1], m[2]]));
// export const __wasm_split_load_NAME = wrapAsyncCb(makeLoad(() => { … }, [__chunk_a, …]));
const loadDef = /^export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(.*?\n, \[([^\]]*)\]\)\);$/gms;
const loads = [...loader.matchAll(loadDef)].map((m) => ({
  name: m[1],
  deps: m[2].split(',').map((s) => s.trim()).filter(Boolean),
  // The load's own module (`./split_NAME.wasm`), fetched beside its chunks.
  module: m[0].match(/"\.\/(split_\w+\.wasm)"/)?.[1],
}));
if (files.size === 0) {
  console.log('wasm chunks merged: none to merge'); // a bundle without pages loaded on demand
  process.exit(0);
}
if (loads.length === 0) throw new Error(`${loaderPath}: chunks but no loads found (the loader's format changed?)`);
for (const l of loads) for (const d of l.deps) if (!files.has(d)) throw new Error(`${l.name}: unknown chunk ${d}`);

const raw = new Map();
for (const [c, f] of files) raw.set(c, await readFile(join(dir, f)));
const br = (bufs) =>
  brotliCompressSync(Buffer.concat(bufs), { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).length;

// Groups of chunks, each becoming one file; a load downloads every group one of its chunks is in.
const sync = new Set(loads.filter((l) => l.name.startsWith('sync_household')).flatMap((l) => l.deps));
const SYNC_WEIGHT = 2; // every signed-in start, beside the page it opens
const weight = (l) => (l.name.startsWith('sync_household') ? SYNC_WEIGHT : 1);
let groups = [...files.keys()].map((c) => ({ members: [c], size: br([raw.get(c)]) }));
const users = (g) => new Set(loads.filter((l) => g.members.some((c) => l.deps.includes(c))));
const SMALL = 4000; // pairs of two larger chunks are not worth estimating: each is mostly code
// The most a page opened later may fetch (issue 18: one round trip of ≤ 60 KB brotli, signed in,
// so without the sync's chunks), a little under it: estimated at quality 9 here, served at 11.
// A merge that lowers Σ may still add to one page what only another needs; not past this.
const PAGE_BUDGET = 59_500;
const moduleSize = new Map();
for (const l of loads) if (l.module) moduleSize.set(l, br([await readFile(join(dir, l.module))]));
const pageBytes = (l) =>
  (moduleSize.get(l) ?? 0) +
  groups.filter((g) => !sync.has(g.members[0]) && g.members.some((c) => l.deps.includes(c))).reduce((n, g) => n + g.size, 0);
const estimate = new Map();
const key = (a, b) => [a.members.join(), b.members.join()].sort().join('+');
for (;;) {
  let best = null;
  const before = new Map(loads.map((l) => [l, pageBytes(l)]));
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const [a, b] = [groups[i], groups[j]];
      if (Math.min(a.size, b.size) > SMALL) continue;
      if (sync.has(a.members[0]) !== sync.has(b.members[0])) continue;
      const [ua, ub] = [users(a), users(b)];
      if (![...ua].some((l) => ub.has(l))) continue; // nothing in common: only costs
      const k = key(a, b);
      if (!estimate.has(k)) estimate.set(k, br([...a.members, ...b.members].map((c) => raw.get(c))));
      const merged = estimate.get(k);
      let change = 0;
      let overBudget = false;
      for (const l of new Set([...ua, ...ub])) {
        const delta = merged - (ua.has(l) ? a.size : 0) - (ub.has(l) ? b.size : 0);
        change += weight(l) * delta;
        const page = before.get(l) + (sync.has(a.members[0]) ? 0 : delta);
        if (delta > 0 && page > PAGE_BUDGET) overBudget = true;
      }
      if (overBudget) continue;
      if (change < 0 && (!best || change < best.change)) best = { i, j, merged, change };
    }
  }
  if (!best) break;
  const [a, b] = [groups[best.i], groups[best.j]];
  groups = groups.filter((_, n) => n !== best.i && n !== best.j);
  groups.push({ members: [...a.members, ...b.members].sort(byNumber), size: best.merged });
}

/**
 * What a module puts where: each table slot with the function it holds (its signature and body,
 * names of functions, types and globals left out: merging renames them) and each memory segment
 * (offset, bytes), as lines to compare.
 */
function segments(text) {
  const elems = [...text.matchAll(/^ \(elem \S+ (?:\(table \S+\) )?\(i32\.const (\d+)\)(?: func)?((?: \S+)*)\)$/gm)];
  const datas = [...text.matchAll(/^ \(data \S+ (?:\(memory \S+\) )?\(i32\.const (\d+)\) (".*")\)$/gm)];
  const lines = text.split('\n');
  const found = lines.filter((l) => /^ \((elem|data) /.test(l)).length;
  if (found !== elems.length + datas.length) throw new Error(`segments not understood (${found} lines)`);
  const bodies = new Map();
  let name = null;
  let body = [];
  for (const line of lines) {
    if (/^ \(|^\)$/.test(line) && name) bodies.set(name, body.join('\n'));
    if (/^ \(/.test(line)) name = null;
    const func = line.match(/^ \(func (\S+)/);
    if (func) [name, body] = [func[1], []];
    // (A module with named tables names the one call_indirect uses; there is only one.)
    if (name && !/^\s*;;/.test(line)) body.push(line.replace(/\$[^\s()]+/g, '$').replace('(call_indirect $ (', '(call_indirect ('));
  }
  const slots = elems.flatMap((e) =>
    e[2].trim().split(' ').map((f, i) => {
      if (!bodies.has(f)) throw new Error(`table slot ${Number(e[1]) + i}: no function ${f}`);
      return `slot ${Number(e[1]) + i}\n${bodies.get(f)}`;
    }),
  );
  return [...slots, ...datas.map((d) => `data ${d[1]} ${d[2]}`)];
}

function byNumber(a, b) {
  return Number(a.split('_').pop()) - Number(b.split('_').pop());
}

// What rustc's wasm32-unknown-unknown target emits (as wasm-chunks.mjs).
const F = binaryen.Features;
const FEATURES =
  F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.ReferenceTypes |
  F.Multivalue | F.CallIndirectOverlong;
const FLAGS = ['sign-ext', 'mutable-globals', 'nontrapping-float-to-int', 'bulk-memory', 'bulk-memory-opt', 'reference-types', 'multivalue', 'call-indirect-overlong'].map((f) => `--enable-${f}`);
const SHARED = '__wasm_split';
const wasmMerge = fileURLToPath(new URL('./node_modules/binaryen/bin/wasm-merge', import.meta.url));
const tmp = await mkdtemp(join(tmpdir(), 'wasm-merge-chunks-'));
const before = { files: files.size, brotli: [...files.keys()].reduce((s, c) => s + br([raw.get(c)]), 0) };
try {
  for (const g of groups.filter((g) => g.members.length > 1)) {
    // Each chunk imports from "P" instead, and "P" (a module of imports re-exported) from the
    // main module: wasm-merge links the chunks to P, so the result imports each thing once.
    const imports = new Map();
    const args = [];
    for (const c of g.members) {
      const m = binaryen.readBinary(raw.get(c));
      m.setFeatures(FEATURES);
      const text = m.emitText().replace(/^ \(import "__wasm_split" "([^"]+)" \((memory|table|global) (\S+) (.*)\)\)$/gm, (_, base, kind, name, rest) => {
        imports.set(base, { kind, line: `(import "${SHARED}" "${base}" (${kind} $${base} ${rest}))` });
        return ` (import "P" "${base}" (${kind} ${name} ${rest}))`;
      });
      m.dispose();
      const p = binaryen.parseText(text);
      p.setFeatures(FEATURES);
      await writeFile(join(tmp, `${c}.wasm`), p.emitBinary());
      p.dispose();
      args.push(join(tmp, `${c}.wasm`), c);
    }
    const provider = binaryen.parseText(
      `(module ${[...imports.values()].map((i) => i.line).join(' ')} ${[...imports.entries()]
        .map(([base, i]) => `(export "${base}" (${i.kind} $${base}))`)
        .join(' ')})`,
    );
    provider.setFeatures(FEATURES);
    await writeFile(join(tmp, 'P.wasm'), provider.emitBinary());
    provider.dispose();
    const out = join(tmp, 'merged.wasm');
    const run = spawnSync(process.execPath, [wasmMerge, '--mvp-features', ...FLAGS, join(tmp, 'P.wasm'), 'P', ...args, '-o', out]);
    if (run.status !== 0) throw new Error(`wasm-merge ${g.members}: ${run.stderr}`);
    const m = binaryen.readBinary(await readFile(out));
    try {
      m.setFeatures(FEATURES);
      for (const base of imports.keys()) m.removeExport(base);
      if (m.getNumExports() !== 0) throw new Error(`${g.members}: the merged chunk exports something`);
      // Not optimised again (that saved ~40 bytes a page): the functions stay as wasm-merge copied them.
      if (!m.validate()) throw new Error(`${g.members}: not valid after merging`);
      const bin = m.emitBinary();
      // Both sides as read from their files, so they print alike.
      const filled = (bytes) => {
        const i = binaryen.readBinary(bytes);
        try {
          return segments(i.emitText());
        } finally {
          i.dispose();
        }
      };
      const want = g.members.flatMap((c) => filled(raw.get(c)));
      if (filled(bin).sort().join('\n') !== want.sort().join('\n')) {
        throw new Error(`${g.members}: the merged chunk does not put the same functions in the same table slots and the same bytes in memory`);
      }
      await writeFile(join(dir, files.get(g.members[0])), bin);
    } finally {
      m.dispose();
    }
    for (const c of g.members.slice(1)) await rm(join(dir, files.get(c)));
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

// The loader: a merged-away chunk's definition removed, every dependency on it now on its group's.
const into = new Map(groups.flatMap((g) => g.members.map((c) => [c, g.members[0]])));
loader = loader.replace(chunkDef, (def, c) => (into.get(c) === c ? def : ''));
loader = loader.replace(/(wrapAsyncCb\(makeLoad\(.*?\n, \[)([^\]]*)(\]\)\);)$/gms, (_, head, deps, tail) => {
  const merged = [...new Set(deps.split(',').map((s) => into.get(s.trim())).filter(Boolean))];
  return head + merged.join(', ') + tail;
});
await writeFile(loaderPath, loader);
const after = groups.reduce((s, g) => s + g.size, 0);
console.log(`wasm chunks merged: ${before.files} → ${groups.length} files, ${before.brotli} → ${after} bytes brotli (q9, each file alone)`);

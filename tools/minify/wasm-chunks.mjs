// `node wasm-chunks.mjs FILE…`: each wasm chunk cut by wasm-split-cli rewritten in place, smaller
// (binaryen, as `wasm-opt -Oz`). The cutter copies function bodies as the linker wrote them, with
// every relocatable index padded to five bytes (`--emit-relocs`), and gives every chunk the whole
// program's type section (424 bytes, in files of which some hold 30 bytes of data): across a page's
// 30–50 chunks that was a tenth of what it downloads. Imports and exports keep their names (the
// split loader and the main module link by them); a module that does not validate, or whose
// exports changed, stops the build. The main module is not passed here: wasm-bindgen has already
// re-encoded it, and -Oz took only 0.3 % off its brotli transfer (measured, docs/benchmarks.md).
import { readFile, writeFile } from 'node:fs/promises';
import binaryen from 'binaryen';

// What rustc's wasm32-unknown-unknown target emits (and nothing else is enabled, so the
// optimiser cannot introduce a feature an older browser lacks).
const F = binaryen.Features;
const FEATURES =
  F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.ReferenceTypes |
  F.Multivalue | F.CallIndirectOverlong;

const exportNames = (m) =>
  Array.from({ length: m.getNumExports() }, (_, i) => binaryen.getExportInfo(m.getExportByIndex(i)).name).sort();

binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
let before = 0;
let after = 0;
for (const file of process.argv.slice(2)) {
  const bytes = await readFile(file);
  const m = binaryen.readBinary(bytes);
  m.setFeatures(FEATURES);
  try {
    const exports = exportNames(m).join();
    m.optimize();
    if (!m.validate()) throw new Error(`${file}: not valid after optimising`);
    if (exportNames(m).join() !== exports) throw new Error(`${file}: exports changed by optimising`);
    const out = m.emitBinary();
    before += bytes.length;
    after += out.length;
    await writeFile(file, out);
  } finally {
    m.dispose();
  }
}
console.log(`wasm chunks: ${process.argv.length - 2} files, ${before} → ${after} bytes (raw)`);

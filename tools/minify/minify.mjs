// `node minify.mjs FILE…`: each ES module rewritten in place, minified by terser (names mangled,
// dead code dropped, whitespace and comments gone). Exported names, property names and string
// literals stay as they are: the wasm imports its functions by property name, and the split
// loader and the bench read file names out of the text. Run by scripts/build-app.sh on the
// JavaScript every first visit downloads (issue 18: about 2 KB brotli per bundle).
import { readFile, writeFile } from 'node:fs/promises';
import { minify } from 'terser';

for (const file of process.argv.slice(2)) {
  const code = await readFile(file, 'utf8');
  const out = await minify(code, { module: true, ecma: 2020, compress: { passes: 2 }, format: { comments: false } });
  if (!out.code) throw new Error(`${file}: terser gave no output`);
  await writeFile(file, out.code);
}

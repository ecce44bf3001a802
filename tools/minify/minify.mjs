// `node minify.mjs FILE…`: each file rewritten in place, minified. JavaScript (ES modules) by
// terser: names mangled, dead code dropped, whitespace and comments gone; exported names,
// property names and string literals stay as they are (the wasm imports its functions by
// property name, the split loader names files). CSS by Lightning CSS: comments and whitespace
// gone, nothing added for older browsers. Run by scripts/build-app.sh on what every first visit
// downloads (issue 18: the glue, the split loader, the loading page's script, the style sheet).
import { readFile, writeFile } from 'node:fs/promises';
import { transform } from 'lightningcss';
import { minify } from 'terser';

for (const file of process.argv.slice(2)) {
  const code = await readFile(file);
  if (file.endsWith('.css')) {
    const out = transform({ filename: file, code, minify: true, errorRecovery: false });
    for (const w of out.warnings) console.warn(`${file}: ${w.message}`);
    await writeFile(file, out.code);
    continue;
  }
  const out = await minify(code.toString('utf8'), { module: true, ecma: 2020, compress: { passes: 2 }, format: { comments: false } });
  if (!out.code) throw new Error(`${file}: terser gave no output`);
  await writeFile(file, out.code);
}

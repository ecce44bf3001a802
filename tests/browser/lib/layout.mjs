// Layout checks for the browser tests (tests/browser/layout.test.mjs): what a page looks like at a
// given width, measured in the page — sideways overflow, table cells narrower than their words,
// short labels broken over lines — plus screenshots into <repo>/target/screenshots and a PDF page
// counter for the print views.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './stack.mjs';

/** Where the layout test leaves a screenshot of every page at every width (git-ignored: /target). */
export const SCREENSHOTS = join(REPO, 'target', 'screenshots');

/** Saves a PNG as `<repo>/target/screenshots/<name>.png`; `target` is a page or a locator. */
export async function shot(target, name, { fullPage = true } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // A locator's screenshot has no fullPage option (it is the element, whatever its size).
  await (typeof target.goto === 'function' ? target.screenshot({ path, fullPage }) : target.screenshot({ path }));
  return path;
}

/**
 * "Large text" as a user's browser setting gives it: the root font size doubled (Chromium's
 * "font size" setting changes the default 16 px that `:root { font-size: 100% }` resolves to), so
 * everything sized in rem/em scales and px stays px. Page zoom would scale px too (and change the
 * CSS width), which is not what the setting does. `scale` 1 puts it back.
 */
export async function setTextScale(page, scale) {
  await page.evaluate((s) => {
    document.documentElement.style.fontSize = s === 1 ? '' : `${s * 100}%`;
  }, scale);
  await settle(page);
}

/**
 * Two animation frames and the fonts: layout is done. With JavaScript off the page runs no
 * callbacks (the evaluation itself still works): then a short pause instead.
 */
export async function settle(page) {
  const frames = page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  await Promise.race([frames, new Promise((r) => setTimeout(r, 1000))]);
}

/**
 * Measures the page as it is now and returns a list of problems (strings; empty when fine).
 * `text`: 'normal' checks everything; 'large' (200 % text) checks only that everything still fits
 * (long labels may then wrap, but nothing may stick out sideways).
 * `tablet`: at tablet and wider widths no table may need sideways scrolling.
 */
export async function layoutProblems(page, { text = 'normal', tablet = false } = {}) {
  return page.evaluate(measure, { full: text === 'normal', tablet });
}

/** Runs in the page. Everything it needs is inside (it is serialized by playwright). */
function measure({ full, tablet }) {
  const problems = [];
  const de = document.documentElement;
  const vw = de.clientWidth;
  const px = (v) => Math.round(v * 10) / 10;
  const describe = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const id = el.id ? `#${el.id}` : '';
    const txt = (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
    return `${el.tagName.toLowerCase()}${id}${cls} "${txt.length > 40 ? `${txt.slice(0, 40)}…` : txt}"`;
  };
  const shown = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.visibility === 'collapse') return false;
      if (e.tagName === 'DETAILS' && !e.open && e !== el) {
        // Only the summary of a closed details element is rendered.
        if (!(el === e.querySelector(':scope > summary') || e.querySelector(':scope > summary')?.contains(el))) return false;
      }
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  };
  const srOnly = (el) => !!el.closest('.sr-only');
  const visuallyHidden = (cs) => cs.position === 'absolute' && parseFloat(cs.width) <= 1 && parseFloat(cs.height) <= 1
    && cs.overflow === 'hidden' && cs.clip === 'rect(0px, 0px, 0px, 0px)';

  // 1. The page itself: no sideways scrolling.
  if (de.scrollWidth > de.clientWidth) problems.push(`page scrolls sideways: document scrollWidth ${de.scrollWidth} > clientWidth ${de.clientWidth}`);
  if (document.body && document.body.scrollWidth > vw) problems.push(`page scrolls sideways: body scrollWidth ${document.body.scrollWidth} > viewport ${vw}`);

  // 1b. Controls a thumb must hit: at least 44 × 44 px (buttons, button-like links, the
  // emergency numbers, menus, disclosures, selects; links inside running text are exempt).
  if (full) {
    for (const el of document.querySelectorAll('button, a.btn, a.tel, nav a, summary, select')) {
      if (!shown(el) || srOnly(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.height < 43.5 || r.width < 43.5) problems.push(`tap target under 44 px: ${describe(el)} is ${px(r.width)} × ${px(r.height)} px`);
    }
    // Fields typed into: as tall, and their text as large as the page's (it grows at 200 %
    // text; the browser's own input is 13.3 px whatever the setting).
    const rem = parseFloat(getComputedStyle(de).fontSize);
    for (const el of document.querySelectorAll('input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file]), textarea')) {
      if (!shown(el) || srOnly(el)) continue;
      const r = el.getBoundingClientRect();
      const f = parseFloat(getComputedStyle(el).fontSize);
      if (r.height < 43.5) problems.push(`text field under 44 px: ${describe(el)} is ${px(r.height)} px tall`);
      if (f < rem - 0.5) problems.push(`text field's text smaller than the page's: ${describe(el)} ${f}px < ${rem}px`);
    }
  }

  // 2. No rendered element sticks out of the viewport, or out of its own box, unless it is inside
  //    a container made to scroll sideways (overflow-x auto/scroll), which must then itself fit.
  //    One overflow shows on every ancestor: only the outermost element sticking out and the
  //    innermost element too narrow for its content are reported.
  const scrollers = [];
  const out = new Map(); // element -> problem (sticks out)
  const wide = new Map(); // element -> problem (content wider than its box)
  const walk = (el) => {
    for (const child of el.children) {
      if (child.tagName === 'SCRIPT' || child.tagName === 'STYLE') continue;
      const cs = getComputedStyle(child);
      if (cs.display === 'none') continue;
      // For screen readers only: `.sr-only`, or hidden from view the same way by a rule that
      // applies at some sizes only (a table's headers when its rows are cards).
      if (child.classList.contains('sr-only') || visuallyHidden(cs)) continue;
      if (child.tagName === 'DETAILS' && !child.open) {
        const summary = child.querySelector(':scope > summary');
        check(child, cs);
        if (summary) { check(summary, getComputedStyle(summary)); walk(summary); }
        continue;
      }
      check(child, cs);
      const ox = cs.overflowX;
      if (ox === 'auto' || ox === 'scroll') {
        if (child.scrollWidth > child.clientWidth + 1) scrollers.push(child);
        continue; // what is inside scrolls, by design
      }
      if (ox === 'hidden' || ox === 'clip') {
        if (child.scrollWidth > child.clientWidth + 1 && !['IMG', 'INPUT', 'SELECT', 'TEXTAREA'].includes(child.tagName)) {
          problems.push(`content cut off: ${describe(child)} has overflow-x ${ox} and scrollWidth ${child.scrollWidth} > clientWidth ${child.clientWidth}`);
        }
        continue;
      }
      walk(child);
    }
  };
  const check = (el, cs) => {
    if (cs.visibility === 'hidden') return;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (r.right > vw + 0.5) out.set(el, `sticks out on the right: ${describe(el)} right edge ${px(r.right)} > viewport ${vw} (width ${px(r.width)})`);
    else if (r.left < -0.5) out.set(el, `sticks out on the left: ${describe(el)} left edge ${px(r.left)} < 0`);
    // Its content wider than its box (a long word, a too-wide table, a fixed width inside).
    const display = cs.display;
    if (!display.startsWith('inline') && display !== 'contents' && el.clientWidth > 0
        && !['IMG', 'SVG', 'VIDEO', 'CANVAS', 'INPUT', 'SELECT', 'TEXTAREA', 'HTML', 'BODY'].includes(el.tagName.toUpperCase())
        && cs.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1) {
      wide.set(el, `content wider than its box: ${describe(el)} scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
    }
  };
  walk(document.body);
  for (const [el, p] of out) if (!out.has(el.parentElement)) problems.push(p);
  for (const [el, p] of wide) {
    const inner = [...wide.keys()].some((o) => o !== el && el.contains(o));
    if (!inner) problems.push(p);
  }
  for (const s of scrollers) {
    const cs = getComputedStyle(s);
    const table = s.querySelector('table');
    const what = `${describe(s)} (overflow-x ${cs.overflowX}, scrollWidth ${s.scrollWidth} > clientWidth ${s.clientWidth})`;
    if (tablet && table) problems.push(`table scrolls sideways at a tablet width: ${what}`);
    // A region that scrolls must be reachable by keyboard (axe: scrollable-region-focusable).
    if (!s.matches('[tabindex]') && !s.querySelector('a[href], button, input, select, textarea, summary, [tabindex]')) {
      problems.push(`scrolls sideways but cannot get keyboard focus: ${what}`);
    }
  }

  // Text measurement helpers.
  const textNodes = (root) => {
    const out = [];
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      // Furigana (<rt>) sit above their word: annotation, not a line of the label.
      acceptNode: (n) => (n.data.trim() && n.parentElement && shown(n.parentElement) && !srOnly(n.parentElement) && !n.parentElement.closest('rt') ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
    });
    for (let n = w.nextNode(); n; n = w.nextNode()) out.push(n);
    return out;
  };
  const range = document.createRange();
  const rectsOf = (node, start, end) => {
    range.setStart(node, start);
    range.setEnd(node, end);
    return [...range.getClientRects()].filter((r) => r.width > 0.1 && r.height > 0.1);
  };
  /** Groups rectangles into lines by their vertical centre. */
  const lines = (rects, fontPx) => {
    const cs = rects.map((r) => (r.top + r.bottom) / 2).sort((a, b) => a - b);
    const out = [];
    for (const c of cs) {
      if (!out.length || c - out[out.length - 1] > fontPx * 0.5) out.push(c);
    }
    return out;
  };
  const fontPx = (el) => parseFloat(getComputedStyle(el).fontSize) || 16;
  const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });
  const graphemes = new Intl.Segmenter('ja', { granularity: 'grapheme' });
  /** Words of the element's text broken over two lines ("配慮が必/要なこと", "Allergi/es"). */
  const splitWords = (el) => {
    const out = [];
    for (const n of textNodes(el)) {
      const f = fontPx(n.parentElement);
      for (const s of segmenter.segment(n.data)) {
        if (!s.isWordLike || [...graphemes.segment(s.segment)].length < 2) continue;
        const ls = lines(rectsOf(n, s.index, s.index + s.segment.length), f);
        if (ls.length > 1) out.push(`"${s.segment}" over ${ls.length} lines`);
      }
    }
    return out;
  };
  /** The element's text as lines of characters: [[chars of line 1], …]. */
  const charLines = (el) => {
    const items = [];
    for (const n of textNodes(el)) {
      for (const g of graphemes.segment(n.data)) {
        if (!g.segment.trim()) continue;
        const [r] = rectsOf(n, g.index, g.index + g.segment.length);
        if (r) items.push({ c: g.segment, y: (r.top + r.bottom) / 2, f: fontPx(n.parentElement) });
      }
    }
    items.sort((a, b) => a.y - b.y);
    const out = [];
    let lastY = -Infinity;
    for (const it of items) {
      if (it.y - lastY > it.f * 0.5) { out.push([]); lastY = it.y; }
      out[out.length - 1].push(it.c);
    }
    return out;
  };

  // 3. Table cells: nothing spills out, no column narrower than two characters (whose text then
  //    wraps), no word broken (words as Intl.Segmenter finds them, Japanese included), no line
  //    holding a single character (unless it is a word of its own, like the M of 「おむつ M」).
  for (const cell of document.querySelectorAll('td, th')) {
    if (!shown(cell) || srOnly(cell)) continue;
    const cs = getComputedStyle(cell);
    const f = parseFloat(cs.fontSize);
    const inner = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const id = `${describe(cell)} in ${describe(cell.closest('table'))}`.replace(/ in table(\S*) "[^"]*"$/, ' in table$1');
    if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`table cell overflows: ${id} scrollWidth ${cell.scrollWidth} > clientWidth ${cell.clientWidth}`);
    // Also content spilling out of an element inside the cell (e.g. a button wider than the cell).
    for (const child of cell.querySelectorAll('*')) {
      if (!shown(child) || srOnly(child)) continue;
      const ccs = getComputedStyle(child);
      if (ccs.display.startsWith('inline') || ccs.position === 'absolute') continue;
      if (child.scrollWidth > child.clientWidth + 1 && ccs.overflowX === 'visible') {
        problems.push(`table cell content overflows: ${describe(child)} in ${id} scrollWidth ${child.scrollWidth} > clientWidth ${child.clientWidth}`);
      }
    }
    if (!full) continue;
    const text = (cell.innerText || '').trim();
    if (!text) continue;
    const chars = [...graphemes.segment(text.replace(/\s+/g, ''))].length;
    // A cell holding blocks (a form, details, paragraphs) is a layout box, not a column of data:
    // its labels and headings are checked as labels below.
    if (cell.querySelector('form, details, p, ul, ol, dl, fieldset')) continue;
    const ls = charLines(cell);
    if (chars >= 2 && inner < 2 * f - 0.5 && ls.length > 1) problems.push(`column narrower than two characters: ${id} content width ${px(inner)}px < 2 × font-size ${f}px, text on ${ls.length} lines`);
    for (const w of splitWords(cell)) problems.push(`word broken over lines in a table cell: ${w} in ${id} (cell width ${cell.clientWidth}px)`);
    if (chars >= 2) {
      if (ls.length > 1) {
        // A lone letter or digit that is a word of its own (「乳児用おむつ / M」) is not a broken word.
        const alone = new Set(text.split(/\s+/).filter((w) => /^[\p{Script=Latin}\p{Nd}]$/u.test(w)));
        const single = ls.filter((l) => l.length === 1 && !alone.has(l[0])).map((l) => l[0]);
        if (single.length) problems.push(`a line of a table cell holds one character: ${single.map((c) => `"${c}"`).join(', ')} in ${id} (${ls.length} lines: ${ls.map((l) => l.join('')).join(' / ')}; cell width ${cell.clientWidth}px)`);
      }
    }
  }

  // 4. Short labels (buttons, menu items, form labels, legends, terms, headings, badges) without
  //    spaces and of at most 8 characters are on one line; longer ones may wrap, but never in the
  //    middle of a word. (Table headings follow the table rules above: they may wrap between words.)
  if (full) {
    const SHORT = 8; // the longest label issue 13 names: 「配慮が必要なこと」
    const LABELS = 'nav a, button, .btn, label, legend, summary, dt, .badge, .st, .chips li, h1, h2, h3, h4, .label, .lang-select';
    const seen = new Set();
    for (const el of document.querySelectorAll(LABELS)) {
      if (seen.has(el) || !shown(el) || srOnly(el)) continue;
      seen.add(el);
      const text = [...textNodes(el)].map((n) => n.data).join('').trim();
      if (!text) continue;
      const f = fontPx(el);
      if (!/\s/.test(text) && [...graphemes.segment(text)].length <= SHORT) {
        const ls = charLines(el);
        if (ls.length > 1) problems.push(`short label on ${ls.length} lines: ${describe(el)} (${ls.map((l) => l.join('')).join(' / ')}; box ${el.clientWidth || px(el.getBoundingClientRect().width)}px, font ${f}px)`);
      } else {
        for (const w of splitWords(el)) problems.push(`word broken over lines in a label: ${w} in ${describe(el)}`);
      }
    }
  }
  return [...new Set(problems)];
}

/**
 * Pages in a PDF (as Chromium's page.pdf() writes it): counts the page objects
 * (`/Type /Page`, not `/Pages`) and checks it against the page tree's `/Count`.
 */
export function pdfPageCount(buffer) {
  const text = buffer.toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]));
  const count = counts.length ? Math.max(...counts) : pages;
  if (count !== pages) throw new Error(`PDF: ${pages} page objects but /Count ${count}`);
  return pages;
}

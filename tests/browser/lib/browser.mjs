// The system Chromium driven by playwright-core (no browser download on these machines).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO } from './stack.mjs';

export const ARTIFACTS = join(REPO, 'tests/browser/test-results');

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * A persistent context (service workers need one) in a fresh profile. Returns { context, page, close() }.
 * `args`: extra Chromium flags (e.g. a fake camera); `permissions`: granted to every origin (e.g. ['camera']).
 * `locale`: Japanese by default (another language makes the app offer it on a first visit).
 * `deviceScaleFactor`, `isMobile`, `hasTouch`: a phone by default; `contextOptions`: any other
 * playwright context option (e.g. `{ javaScriptEnabled: false }`).
 */
export async function launchBrowser({
  viewport = { width: 360, height: 740 }, locale = 'ja-JP', args = [], permissions,
  deviceScaleFactor = 2, isMobile = true, hasTouch = true, contextOptions = {},
} = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'bosai-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...ARGS, ...args],
    ...(permissions ? { permissions } : {}),
    viewport,
    locale,
    deviceScaleFactor,
    isMobile,
    hasTouch,
    ...contextOptions,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Whole page by default; `{ fullPage: false }` for the first screen only. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core on the current page; fails on serious or critical violations, and on two landmarks
 * a screen reader lists under one name (moderate, but a walkthrough found the roster's and the audit
 * log's scroll boxes named like their sections).
 */
export async function assertAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // Evaluated through the driver, not as a <script> tag: the app's CSP (rightly) blocks inline scripts.
    await page.evaluate(readFileSync(AXE, 'utf8'));
  }
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'landmark-unique')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, [], `axe on ${label}`);
}

/**
 * Picks a language from the header's list (each name in its own language) and waits until the
 * app has it: the catalog fetched, the page re-rendered and the choice remembered.
 */
export async function chooseLanguage(page, code) {
  await page.locator('#lang-select').selectOption(code);
  await page.waitForFunction((c) => localStorage.getItem('bosai.lang') === c && document.querySelector('#lang-select')?.value === c, code);
}

/**
 * Waits until the app's service worker controls the page (installed: the resident app is
 * precached). On a loaded machine the install can take a while; if it does not come, the
 * failure says where the worker stopped (installing, redundant after a failed precache, none).
 */
export async function waitForServiceWorker(page, { timeout = 60_000 } = {}) {
  try {
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout });
  } catch (e) {
    const state = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      if (!r) return 'no registration';
      return `installing: ${r.installing?.state ?? '-'}, waiting: ${r.waiting?.state ?? '-'}, active: ${r.active?.state ?? '-'}`;
    });
    throw new Error(`the service worker never took control (${state}): ${e.message}`);
  }
}

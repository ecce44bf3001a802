// A first visit over a congested cell (issue 18), through Chromium's network emulation
// (lib/throttle.mjs: 400 kbit/s, 400 ms): the loading page shows the emergency numbers and the
// shelters before the app arrives, then the app's own list; the first download holds no page
// opened later and no staff code; a later page fetches its chunk when first opened, and a deep
// link into one fetches it beside the main wasm (public/boot.js preloads it); a chunk cut off on
// the way is fetched again, the main area marked busy meanwhile (scripts/wasm-split-retry.py). The times
// are reported here and measured by `make bench` (section firstload), not asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, screenshot } from './lib/browser.mjs';
import { startStack } from './lib/stack.mjs';
import { residents, staffSignIn } from './lib/shelter.mjs';
import { accessToken, signIn } from './lib/signin.mjs';
import { homeReadable, homeReady, loadThrottled, scanReady } from './lib/throttle.mjs';

let stack;
let shelters;
before(async () => {
  stack = await startStack();
  shelters = await (await fetch(`${stack.url}/api/shelters`)).json();
});
after(async () => { await stack?.stop(); });

/** Cuts off the first two requests matching `pattern`, as on a congested cell; `.n` counts them all. */
async function cutOffTwice(page, pattern) {
  const asked = { n: 0 };
  await page.route(pattern, (route) => (++asked.n <= 2 ? route.abort('connectionreset') : route.continue()));
  return asked;
}

test('over a congested cell: numbers and shelters first, then the app; nothing loaded early', async (t) => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    let seen;
    const readable = await loadThrottled(page, `${stack.url}/`, async (p, timeout) => {
      await homeReadable(p, timeout);
      // Still the loading page (the app has not started): it already offers the numbers.
      seen = await p.evaluate(() => ({
        loading: !!document.getElementById('boot'),
        tel: [...document.querySelectorAll('#boot a[href^="tel:"]')].map((a) => a.getAttribute('href')),
        shelters: [...document.querySelectorAll('#boot-shelters li h3')].map((h) => h.textContent),
      }));
      await screenshot(p, 'firstload-loading-page-360', { fullPage: false });
    });
    assert.equal(seen.loading, true, 'the shelters showed before the app started');
    assert.deepEqual(seen.tel, ['tel:119', 'tel:110']);
    assert.deepEqual(seen.shelters, shelters.map((s) => s.name_ja));
    const usable = await loadThrottled(page, `${stack.url}/`, homeReady);
    // The app replaced the loading page and lists the same shelters.
    assert.equal(await page.locator('#boot').count(), 0);
    await page.getByText(shelters[0].name_ja).first().waitFor();
    t.diagnostic(`shelters readable after ${readable.seconds.toFixed(1)} s, app usable after ${usable.seconds.toFixed(1)} s`);
    const early = usable.fetched.filter((p) => /split___|chunk_\d+\.wasm|staff/.test(p));
    assert.deepEqual(early, [], 'no later page and no staff code in the first download');
    assert.ok(usable.fetched.some((p) => /^\/resident-[0-9a-f]{16}\/resident_bg\.wasm$/.test(p)), usable.fetched.join());
  } finally {
    await b.close();
  }
});

test('a page opened later fetches its own module and chunks, once, and renders', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await page.locator('main li.card').first().waitFor();
    const fetched = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${stack.url}/mydata`);
    await page.locator('main h1').first().waitFor();
    const own = fetched.filter((p) => /split___my_data_route_view_\d+\.wasm$/.test(p));
    assert.equal(own.length, 1, fetched.join());
    assert.equal(fetched.filter((p) => /split___household/.test(p)).length, 0, 'only the page opened');
    assert.deepEqual(b.errors.map(String), []);
  } finally {
    await b.close();
  }
});

test('a chunk lost on the way is fetched again: the page opens and the app keeps running', async () => {
  // A first visit with no service worker: one installing would cache the module meanwhile and
  // answer the third request itself, unseen by page.route.
  const b = await launchBrowser({ contextOptions: { serviceWorkers: 'block' } });
  try {
    const { page } = b;
    // The first two requests for the page's own module are cut off, as on a congested cell
    // before the service worker has cached it (wasm-split's loader alone would stop the app).
    const asked = await cutOffTwice(page, /\/split___my_data_route_view_\d+\.wasm$/);
    await page.goto(`${stack.url}/mydata`);
    await page.locator('main h1').first().waitFor({ timeout: 20_000 });
    assert.ok(asked.n >= 3, `fetched again after two failures: ${asked.n} requests`);
    assert.deepEqual(b.errors.map(String), [], 'no panic');
    // Still running: the app's own links work.
    await page.locator('header a[href="/"]').first().click();
    await page.locator('main li.card').first().waitFor();
  } finally {
    await b.close();
  }
});

test('a page on its way says so: the main area is busy until its chunk arrives', async () => {
  // A first visit: no service worker has cached the chunks yet.
  const b = await launchBrowser({ contextOptions: { serviceWorkers: 'block' } });
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await page.locator('main li.card').first().waitFor();
    assert.equal(await page.locator('main[aria-busy]').count(), 0, 'not busy once shown');
    const asked = await cutOffTwice(page, /\/split___my_data_route_view_\d+\.wasm$/);
    // An in-app link to a page not loaded yet (the router takes every same-origin link).
    await page.evaluate(() => {
      const a = Object.assign(document.createElement('a'), { href: '/mydata', id: 'to-mydata', textContent: 'my data' });
      document.body.append(a);
    });
    await page.locator('#to-mydata').click();
    await page.locator('main[aria-busy="true"]').waitFor({ timeout: 5_000 });
    await page.waitForFunction(
      () => location.pathname === '/mydata' && !document.querySelector('main[aria-busy]') && !document.querySelector('main li.card'),
      null,
      { timeout: 20_000 },
    );
    assert.ok(asked.n >= 3, `fetched again after two failures: ${asked.n} requests`);
    assert.deepEqual(b.errors.map(String), [], 'no panic');
  } finally {
    await b.close();
  }
});

test('the app itself cut off on the way is fetched again: it starts without a reload', async () => {
  const b = await launchBrowser({ contextOptions: { serviceWorkers: 'block' } });
  try {
    const { page } = b;
    const asked = await cutOffTwice(page, /\/resident-[0-9a-f]{16}\/resident_bg\.wasm$/);
    await page.goto(`${stack.url}/`);
    // The loading page says what is happening, and keeps the numbers and shelters meanwhile.
    await page.locator('#boot [role=status]').filter({ hasText: 'もう一度読み込んでいます' }).waitFor();
    await page.locator('#boot a[href="tel:119"]').waitFor();
    await page.locator('main li.card').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#boot').count(), 0, 'the app started');
    assert.ok(asked.n >= 3, `fetched again after two failures: ${asked.n} requests`);
    assert.deepEqual(b.errors.map(String), []);
  } finally {
    await b.close();
  }
});

test('a deep link into a page loaded on demand fetches its chunks beside the main wasm, not after it', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    // A shelter's poster, scanned by a phone that never opened the app: its page is a chunk.
    const poster = async (p, timeout) => p.locator('main h1').first().waitFor({ timeout });
    await loadThrottled(page, `${stack.url}/c/poster-code`, poster);
    const timing = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd })));
    const main = timing.find((e) => /\/resident_bg\.wasm$/.test(e.path));
    const own = timing.filter((e) => /\/split___poster_check_in_route_view_\d+\.wasm$/.test(e.path));
    assert.ok(main, timing.map((e) => e.path).join());
    assert.equal(own.length, 1, timing.map((e) => e.path).join());
    assert.ok(own[0].start < main.end, `the page's module was asked for at ${own[0].start} ms, the main wasm ended at ${main.end} ms`);
    assert.equal(timing.filter((e) => /split___household/.test(e.path)).length, 0, 'only the page opened');
    assert.deepEqual(b.errors.map(String), []);
  } finally {
    await b.close();
  }
});

test('a shelter device downloads only the staff app in its language, though a resident is signed in too', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await signIn(page, stack.url);
    await staffSignIn(page, stack.url, await residents(stack).staffToken());
    const { fetched } = await loadThrottled(page, `${stack.url}/shelter`, scanReady);
    assert.ok(fetched.some((p) => /^\/staff-[0-9a-f]{16}\/staff_bg\.wasm$/.test(p)), fetched.join());
    // The resident's household chunks (preloaded for a signed-in resident's home page) would
    // share the congested link with the staff wasm.
    assert.deepEqual(fetched.filter((p) => p.startsWith('/resident-')), []);
    // The staff screens' other languages are a chunk only a device set to one of them fetches.
    const foreign = (paths) => paths.filter((p) => /\/split_foreign_areas_\d+\.wasm$/.test(p));
    assert.deepEqual(foreign(fetched), []);
    const scanLabel = () => page.locator('label[for="scan-input"]').textContent();
    assert.match(await scanLabel(), /QRコード/);
    await page.evaluate(() => localStorage.setItem('bosai.lang', 'en'));
    const english = await loadThrottled(page, `${stack.url}/shelter`, scanReady);
    assert.equal(foreign(english.fetched).length, 1, english.fetched.join());
    assert.equal(await scanLabel(), 'QR code (scan with the scanner, or paste and press Enter)');
    assert.deepEqual(b.errors.map(String), []);
  } finally {
    await b.close();
  }
});

test('the household page shows its members before its forms, which follow in a chunk of their own', async () => {
  const b = await launchBrowser({ contextOptions: { serviceWorkers: 'block' } });
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await signIn(page, stack.url);
    // The forms' module held back, as on a congested cell where it is still on its way.
    let release;
    const released = new Promise((r) => { release = r; });
    let held = 0;
    await page.route(/\/split_household_forms_\d+\.wasm$/, async (route) => {
      held += 1;
      await released;
      await route.continue().catch(() => {});
    });
    await page.goto(`${stack.url}/household`);
    await page.locator('li.member[data-member="self"]').waitFor({ timeout: 15_000 });
    await page.locator('#family-safety').waitFor();
    for (let i = 0; i < 50 && held === 0; i += 1) await page.waitForTimeout(100);
    assert.equal(held, 1, 'the forms asked for once the members show');
    assert.equal(await page.locator('section[aria-labelledby="add-h"]').count(), 0, 'no form before its code');
    assert.ok(await page.locator('main p.muted', { hasText: '読み込み中' }).isVisible(), 'the forms said to be on their way');
    release();
    const form = page.locator('section[aria-labelledby="add-h"]');
    await form.getByRole('button', { name: '追加する' }).waitFor({ timeout: 15_000 });
    await page.locator('section[aria-labelledby="area-h"]').waitFor();
    assert.deepEqual(b.errors.map(String), [], 'no panic');
  } finally {
    await b.close();
  }
});

test('a signed-in resident opening a page asks for the household once, and a report sent at once still goes', async () => {
  const b = await launchBrowser({ contextOptions: { serviceWorkers: 'block' } });
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await signIn(page, stack.url);
    await page.waitForLoadState('networkidle');
    // Living alone and last asking for help: the family form still reports for the resident.
    const help = { report_id: `r-help-${Date.now()}`, member_id: 'self', status: { status: 'needs_help', what: '足のけが', location: '自宅' } };
    const res = await fetch(`${stack.url}/api/safety`, {
      method: 'POST', headers: { Authorization: `Bearer ${await accessToken(page)}`, 'Content-Type': 'application/json' }, body: JSON.stringify(help),
    });
    assert.ok(res.ok, await res.text());
    const asked = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/household') || path === '/api/safety') asked.push(`${r.method()} ${path}`);
    });
    // The app starting syncs, and so does the page it opens: one round, not two or three (each
    // is a round trip on a congested cell).
    await page.goto(`${stack.url}/safety`);
    await page.getByRole('button', { name: '報告する' }).waitFor({ timeout: 15_000 });
    await page.waitForLoadState('networkidle');
    assert.deepEqual(asked, ['GET /api/household']);
    // A report sent while that sync may still run is sent, and the household fetched after it.
    asked.length = 0;
    await page.getByLabel('無事（自宅にいる）').check();
    await page.getByRole('button', { name: '報告する' }).click();
    await page.getByRole('status').filter({ hasText: '報告を受け付けました。' }).waitFor();
    await page.locator('.pending-bar').waitFor({ state: 'detached', timeout: 15_000 });
    await page.waitForLoadState('networkidle');
    assert.deepEqual(asked, ['POST /api/safety', 'GET /api/household']);
    assert.deepEqual(b.errors.map(String), [], 'no panic');
  } finally {
    await b.close();
  }
});

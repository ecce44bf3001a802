// Smoke test: the PWA served by bosai-local, in Japanese and English, and offline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, screenshot, chooseLanguage, waitForServiceWorker } from './lib/browser.mjs';
import { startStack } from './lib/stack.mjs';

let stack;
let browser;
let shelters;

before(async () => {
  stack = await startStack();
  const res = await fetch(`${stack.url}/api/shelters`);
  assert.equal(res.status, 200);
  shelters = await res.json();
  assert.ok(shelters.length > 0, 'the local stack seeds demo shelters');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a resident never downloads the staff bundle', async () => {
  const b = await launchBrowser();
  try {
    // Everything the resident's browser fetches (page and service worker alike).
    const fetched = [];
    b.context.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await b.page.goto(`${stack.url}/`);
    // (A predicate returning a Promise is truthy at once: waitForFunction would not wait.)
    await b.page.evaluate(() => navigator.serviceWorker.ready);
    await b.page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', null, { timeout: 15_000 });
    await b.page.goto(`${stack.url}/household`);
    await b.page.locator('main h1').first().waitFor();
    // The tab's title names the page (history, window lists), not only the app.
    const h1 = (await b.page.locator('main h1').first().textContent()).trim();
    assert.ok(h1.length > 0);
    await b.page.waitForFunction((h) => document.title === `${h} | 避難所・安否アプリ`, h1, { timeout: 5_000 });
    const cached = await b.page.evaluate(async () => {
      const names = [];
      for (const key of await caches.keys()) {
        for (const req of await (await caches.open(key)).keys()) names.push(new URL(req.url).pathname);
      }
      return names;
    });
    assert.ok(cached.some((p) => /^\/resident-[0-9a-f]{16}\/resident_bg\.wasm$/.test(p)), `resident wasm precached: ${cached}`);
    // The later pages' chunks too, so they open offline without ever having been visited.
    assert.ok(cached.some((p) => /^\/resident-[0-9a-f]{16}\/split___my_data_route_view_\d+\.wasm$/.test(p)), `chunks precached: ${cached}`);
    assert.deepEqual(cached.filter((p) => /staff/.test(p)), [], 'no staff file in the cache');
    assert.deepEqual(fetched.filter((p) => /staff/.test(p)), [], 'no staff file fetched');
  } finally {
    await b.close();
  }
});

test('the site icon is where browsers and tools look for it (/favicon.ico), and decodes', async () => {
  const res = await fetch(`${stack.url}/favicon.ico`);
  assert.equal(res.status, 200, 'no 404 in every tab and log');
  assert.equal(res.headers.get('content-type'), 'image/x-icon');
  // Chromium's own decoder reads it as an image.
  const size = await browser.page.evaluate(
    (url) =>
      new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
        img.onerror = () => resolve(null);
        img.src = url;
      }),
    `${stack.url}/favicon.ico`,
  );
  assert.deepEqual(size, [48, 48]);
});

test("times are Japan's on a phone set to another time zone", async () => {
  // A visitor's phone still on Los Angeles time: 「最終更新」 must match the notices' 「14時から」.
  const b = await launchBrowser({ contextOptions: { timezoneId: 'America/Los_Angeles' } });
  try {
    const jst = (d) => new Intl.DateTimeFormat('ja-JP', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Tokyo' }).format(d);
    const from = jst(new Date());
    await b.page.goto(`${stack.url}/`);
    const line = b.page.locator('main p.updated').filter({ hasText: '最終更新' });
    await line.waitFor();
    const text = await line.textContent();
    const to = jst(new Date());
    assert.ok(text.includes(from) || text.includes(to), `${text} shows Japan's time (${from}–${to})`);
    assert.equal(await b.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), 'America/Los_Angeles');
  } finally {
    await b.close();
  }
});

test('a request lost while the app installs is tried again: the phone still gets the offline app', async () => {
  const b = await launchBrowser();
  try {
    // The service worker's own fetch of the stylesheet: the first one is lost (a reset
    // connection, as on one bar of signal), the next ones go through.
    let swFetches = 0;
    await b.context.route(/\/app-[0-9a-f]{16}\.css$/, (route, request) => {
      if (!request.serviceWorker()) return route.continue();
      swFetches += 1;
      return swFetches === 1 ? route.abort('connectionreset') : route.continue();
    });
    await b.page.goto(`${stack.url}/`);
    await waitForServiceWorker(b.page);
    assert.ok(swFetches >= 2, `the lost fetch was tried again (${swFetches} fetches)`);
    const cached = await b.page.evaluate(async () => {
      const c = await caches.open((await caches.keys()).find((k) => k.startsWith('bosai-shell-')));
      return (await c.keys()).map((r) => new URL(r.url).pathname);
    });
    assert.ok(cached.some((p) => /^\/app-[0-9a-f]{16}\.css$/.test(p)), `the stylesheet is precached: ${cached}`);
    // Offline, the app still opens (from the precache).
    await b.context.setOffline(true);
    await b.page.reload();
    await b.page.locator('main h1').first().waitFor();
  } finally {
    await b.close();
  }
});

test('without JavaScript: an explanation and one-tap emergency numbers, no endless loading line', async () => {
  // Blink's own setting, as a browser with JavaScript switched off has it: the parser then
  // builds <noscript> content (CDP's script-execution switch would leave it as text).
  const b = await launchBrowser({ args: ['--blink-settings=scriptEnabled=false'] });
  try {
    await b.page.goto(`${stack.url}/`);
    // Read with plain DOM calls: Playwright's own locator scripts do not run in such a page.
    const seen = await b.page.evaluate(() => ({
      text: document.body.innerText,
      boot: getComputedStyle(document.getElementById('boot')).display,
      // Visible ones: the loading page's own numbers are hidden with the loading line.
      tel119: [...document.querySelectorAll('a[href="tel:119"]')].filter((a) => a.offsetParent).length,
      tel110: [...document.querySelectorAll('a[href="tel:110"]')].filter((a) => a.offsetParent).length,
    }));
    assert.match(seen.text, /JavaScriptを有効にしてください/);
    assert.match(seen.text, /Please enable JavaScript/);
    assert.doesNotMatch(seen.text, /読み込み中/, 'no 読み込み中… forever');
    assert.equal(seen.boot, 'none');
    assert.equal(seen.tel119, 2);
    assert.equal(seen.tel110, 2);
    await screenshot(b.page, 'resident-nojs-360');
  } finally {
    await b.close();
  }
});

test('resident home, language switch, deep links, then offline', async (t) => {
  const { page } = browser;
  const h1 = page.locator('h1');

  await t.test('Japanese by default with shelters from the API', async () => {
    await page.goto(`${stack.url}/`);
    await h1.filter({ hasText: '避難所' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await page.getByText(shelters[0].name_ja).first().waitFor();
    await page.getByText(/最終更新/).waitFor();
    // A shelter that has not opened says so once (未開設), not also 閉鎖中 (issue 13).
    const closed = shelters.find((s) => s.status === 'closed');
    assert.ok(closed, 'the demo data has a shelter not yet open');
    const card = page.locator('li.card').filter({ hasText: closed.name_ja });
    await card.getByText('未開設').waitFor();
    assert.equal(await card.getByText('閉鎖中').count(), 0);
    // The emergency numbers dial with one tap.
    assert.equal(await page.locator('footer a[href="tel:119"]').count(), 1);
    assert.equal(await page.locator('footer a[href="tel:110"]').count(), 1);
    // Congestion is written out, not only coloured.
    assert.ok(await page.locator('.badge').count() >= shelters.filter((s) => s.status !== 'closed').length);
    await screenshot(page, 'resident-ja-360');
  });

  await t.test('English switch, remembered across reloads', async () => {
    await chooseLanguage(page, 'en');
    await h1.filter({ hasText: 'Shelter' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.getByText(shelters[0].name_en || shelters[0].name_ja).first().waitFor();
    await page.reload();
    await h1.filter({ hasText: 'Shelter' }).waitFor();
    await screenshot(page, 'resident-en-360');
    await chooseLanguage(page, 'ja');
    await h1.filter({ hasText: '避難所' }).waitFor();
  });

  await t.test('deep links and the not-found page', async () => {
    // Installed first, so it sees the staff page opened below and keeps its bundle for offline.
    await waitForServiceWorker(page);
    await page.goto(`${stack.url}/hq`);
    await h1.filter({ hasText: '災害対策本部' }).waitFor();
    await page.goto(`${stack.url}/shelter`);
    await h1.filter({ hasText: '避難所スタッフ' }).waitFor();
    // A notice's landing page is the server's own small page (no app); an unknown one says so.
    const notice = await page.goto(`${stack.url}/n/demo-1`);
    assert.equal(notice.status(), 404);
    await h1.filter({ hasText: 'お知らせが見つかりません' }).waitFor();
    await page.goto(`${stack.url}/no/such/page`);
    await h1.filter({ hasText: 'ページが見つかりません' }).waitFor();
  });

  await t.test('service worker controls the page', async () => {
    await page.goto(`${stack.url}/`);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', null, { timeout: 15_000 });
    await page.getByText(shelters[0].name_ja).first().waitFor();
  });

  await t.test('offline: the shell and the saved list still show', async () => {
    await stack.stop();
    await page.reload();
    await h1.filter({ hasText: '避難所' }).waitFor();
    await page.getByText(shelters[0].name_ja).first().waitFor();
    await page.getByRole('alert').filter({ hasText: '通信できません' }).waitFor();
    await page.getByText(/最終更新/).waitFor();
    await screenshot(page, 'resident-offline-360');
    // Pages loaded on demand (wasm chunks of their own), never opened online, open offline:
    // the service worker precached their chunks.
    for (const path of ['/household', '/mydata', '/notices', '/surveys']) {
      await page.goto(`${stack.url}${path}`);
      await page.locator('main h1').first().waitFor();
    }
    // A deep link the browser never loaded before still gets the shell.
    await page.goto(`${stack.url}/hq`);
    await h1.filter({ hasText: '災害対策本部' }).waitFor();
  });

  assert.deepEqual(browser.errors.map(String), [], 'no uncaught page errors');
});

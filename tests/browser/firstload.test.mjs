// A first visit over a congested cell (issue 18), through Chromium's network emulation
// (lib/throttle.mjs: 400 kbit/s, 400 ms): the loading page shows the emergency numbers and the
// shelters before the app arrives, then the app's own list; the first download holds no page
// opened later and no staff code; a later page fetches its chunk when first opened, and a deep
// link into one fetches it beside the main wasm (public/boot.js preloads it); a chunk cut off on
// the way is fetched again, the main area marked busy meanwhile (scripts/wasm-split-retry.py). The times
// are reported here and measured by `make bench` (section firstload), not asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertAccessible, launchBrowser, screenshot } from './lib/browser.mjs';
import { startStack } from './lib/stack.mjs';
import { residents, staffSignIn } from './lib/shelter.mjs';
import { accessToken, signIn } from './lib/signin.mjs';
import { homeAppReady, homeReadable, loadThrottled, scanReady } from './lib/throttle.mjs';

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
        maps: [...document.querySelectorAll('#boot-shelters li a.btn')].map((a) => a.href),
        counts: [...document.querySelectorAll('#boot-shelters li .count')].map((c) => c.textContent),
      }));
      await screenshot(p, 'firstload-loading-page-360', { fullPage: false });
    });
    assert.equal(seen.loading, true, 'the shelters showed before the app started');
    assert.deepEqual(seen.tel, ['tel:119', 'tel:110']);
    assert.deepEqual(seen.shelters, shelters.map((s) => s.name_ja));
    // Each with what a resident acts on, as in the app's list: how full it is, the way there.
    assert.deepEqual(seen.maps, shelters.map((s) => `https://www.google.com/maps/search/?api=1&query=${s.location.lat},${s.location.lon}`));
    const open = shelters.filter((s) => s.congestion !== 'closed');
    assert.deepEqual(seen.counts, open.map((s) => (s.few ? `少数 / 定員${s.capacity.toLocaleString('ja-JP')}人` : `${s.occupancy}人 / 定員${s.capacity.toLocaleString('ja-JP')}人`)));
    const usable = await loadThrottled(page, `${stack.url}/`, homeAppReady);
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

/** A resident catalog (app/i18n/resident/<code>.json), and a text of it without furigana markup. */
const catalogOf = (code) => JSON.parse(readFileSync(new URL(`../../app/i18n/resident/${code}.json`, import.meta.url), 'utf8'));
const plain = (text) => text.replace(/\[([^\]|]+)\|[^\]]+\]/g, '$1');

/** Holds the resident app's main wasm until the returned function is called: the app cannot start meanwhile (a congested cell, made exact). */
async function holdApp(page) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const pattern = /\/resident-[0-9a-f]{16}\/resident_bg\.wasm$/;
  let passed = Promise.resolve();
  await page.route(pattern, (route) => { passed = gate.then(() => route.continue()); return passed; });
  return async () => { release(); await passed; await page.unroute(pattern); };
}

/** What the app's outbox holds (IndexedDB `bosai`, app/src/outbox.rs). */
const outbox = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('bosai');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const req = open.result.transaction('outbox').objectStore('outbox').getAll();
    req.onsuccess = () => { open.result.close(); resolve(req.result); };
  };
}));

test('before the app arrives, the shelters are listed in the language the resident chose', async () => {
  const b = await launchBrowser({ contextOptions: { serviceWorkers: 'block' } });
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await page.locator('main li.card').first().waitFor();
    for (const [code, tag] of [['en', 'en'], ['ja-easy', 'ja'], ['ja', 'ja']]) {
      const catalog = catalogOf(code);
      await page.evaluate((c) => localStorage.setItem('bosai.lang', c), code);
      const release = await holdApp(page);
      await page.goto(`${stack.url}/`);
      await page.locator('#boot-shelters li').first().waitFor();
      const seen = await page.evaluate(() => ({
        lang: document.getElementById('boot-shelters').lang,
        names: [...document.querySelectorAll('#boot-shelters li h3')].map((h) => h.textContent),
        maps: [...document.querySelectorAll('#boot-shelters li a.btn')].map((a) => a.textContent),
        counts: [...document.querySelectorAll('#boot-shelters li .count')].map((c) => c.textContent),
      }));
      await screenshot(page, `firstload-loading-page-${code}-360`, { fullPage: false });
      await release();
      assert.equal(seen.lang, tag);
      // Named as the app names them: in English where the resident reads English and there is one.
      assert.deepEqual(seen.names, shelters.map((s) => (code === 'en' && s.name_en ? s.name_en : s.name_ja)));
      assert.deepEqual(seen.maps, shelters.map(() => plain(catalog.map)));
      const open = shelters.filter((s) => s.congestion !== 'closed');
      const n = (x) => x.toLocaleString(tag);
      assert.deepEqual(seen.counts, open.map((s) => (s.few ? plain(catalog.people_few) : plain(catalog.people).replace('{n}', n(s.occupancy))).replace('{cap}', n(s.capacity))));
      await page.locator('main li.card').first().waitFor();
    }
    assert.deepEqual(b.errors.map(String), []);
  } finally {
    await b.close();
  }
});

test('before the app arrives, a signed-in resident can report safety; the app takes the form over and sends it', async (t) => {
  const b = await launchBrowser({ contextOptions: { serviceWorkers: 'block' } });
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await signIn(page, stack.url);
    const token = await accessToken(page);
    const r = residents(stack);
    await r.api(token, 'PUT', '/api/household/members/m-hana', { display_name: '防災 花子', birth: '2015', sex: 'female', relationship: 'child' });
    // The app saves the household on this device: what the form before the app reads.
    await page.goto(`${stack.url}/safety`);
    await page.locator('main label', { hasText: '防災 花子' }).waitFor();

    // 1. The form is there before the app; the same rules; what was chosen and typed, and the
    // focus, carry over into the app's form.
    let release = await holdApp(page);
    await page.goto(`${stack.url}/safety`);
    const early = page.locator('#boot #boot-safety');
    await early.waitFor();
    await screenshot(page, 'firstload-safety-before-app-360', { fullPage: false });
    await assertAccessible(page, 'the safety form before the app');
    assert.deepEqual(await early.locator('input[name=who]:checked').evaluateAll((e) => e.map((x) => x.value)), ['self', 'm-hana']);
    await early.getByRole('button', { name: '報告する' }).click();
    await early.getByRole('alert').filter({ hasText: 'いまの状況を選んでください。' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'status-safe_at_home');
    await early.getByLabel('防災 花子').uncheck();
    await early.getByLabel('助けが必要').check();
    await early.getByText('市の災害対策本部の担当者が見ます。').waitFor();
    await early.getByLabel('必要な支援').fill('足をけがした');
    // Not a number: the same refusal as the app's, on the same field.
    await early.getByLabel('電話番号（任意）').fill('119');
    await early.getByLabel('いる場所（目印など）').fill('自宅');
    await early.getByRole('button', { name: '報告する' }).click();
    await early.getByRole('alert').filter({ hasText: '電話番号は数字10〜15けたで入力してください' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'help-phone');
    await early.getByLabel('電話番号（任意）').fill('022-214-8111');
    await early.getByLabel('必要な支援').focus();
    assert.equal(await page.locator('#boot').count(), 1, 'the app has not started');
    await release();
    await page.locator('main #help-what').waitFor();
    assert.equal(await page.locator('#boot').count(), 0);
    assert.equal(await page.locator('main #help-what').inputValue(), '足をけがした');
    assert.equal(await page.locator('main #help-where').inputValue(), '自宅');
    assert.equal(await page.locator('main #help-phone').inputValue(), '022-214-8111');
    assert.ok(await page.locator('main #status-needs_help').isChecked());
    assert.ok(await page.locator('main #who-self').isChecked());
    assert.ok(!(await page.locator('main #who-m-hana').isChecked()));
    await page.waitForFunction(() => document.activeElement?.id === 'help-what');
    assert.deepEqual(await outbox(page), [], 'nothing was queued');

    // 2. Sent from the form before the app: kept on this phone (not "received") until the app
    // starts and sends it; then the app says so.
    release = await holdApp(page);
    await page.goto(`${stack.url}/safety`);
    await early.waitFor();
    await early.getByLabel('無事（自宅にいる）').check();
    // A double tap is one report per person, not two.
    await early.getByRole('button', { name: '報告する' }).dblclick();
    await early.getByRole('status').filter({ hasText: 'この端末に保存しました。通信できたら自動で送信します。' }).waitFor();
    const queued = (await outbox(page)).map((q) => q.op.safety.input);
    assert.deepEqual(queued.map((q) => [q.member_id, q.status.status]), [['self', 'safe_at_home'], ['m-hana', 'safe_at_home']]);
    const reportIds = (body) => body.members.map((m) => m.safety?.report_id);
    const ids = queued.map((q) => q.report_id);
    assert.ok(!reportIds(await r.api(token, 'GET', '/api/household')).some((id) => ids.includes(id)), 'not sent yet');
    await release();
    await page.locator('main').getByRole('status').filter({ hasText: '報告を受け付けました。' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(reportIds(await r.api(token, 'GET', '/api/household')).sort(), [...ids].sort());
    assert.deepEqual(await outbox(page), []);
    t.diagnostic('reported from the form before the app, sent by the app once it started');
    // A request for help with a number typed on a Japanese keyboard: queued as the app sends it.
    release = await holdApp(page);
    await page.goto(`${stack.url}/safety`);
    await early.waitFor();
    await early.getByLabel('防災 花子').uncheck();
    await early.getByLabel('助けが必要').check();
    await early.getByLabel('必要な支援').fill('薬がない');
    await early.getByLabel('いる場所（目印など）').fill('自宅');
    await early.getByLabel('電話番号（任意）').fill('０２２－２１４－８１１１');
    await early.getByRole('button', { name: '報告する' }).click();
    await early.getByRole('status').filter({ hasText: 'この端末に保存しました。' }).waitFor();
    const [help] = (await outbox(page)).map((q) => q.op.safety.input.status);
    assert.deepEqual(help, { status: 'needs_help', what: '薬がない', location: '自宅', phone: '0222148111' });
    await release();
    await page.locator('main').getByRole('status').filter({ hasText: '報告を受け付けました。' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await outbox(page), []);

    // 3. In the resident's language, as the app would be: English; やさしい日本語 with furigana.
    for (const [code, tag] of [['en', 'en'], ['ja-easy', 'ja']]) {
      const catalog = catalogOf(code);
      await page.evaluate((c) => localStorage.setItem('bosai.lang', c), code);
      release = await holdApp(page);
      await page.goto(`${stack.url}/safety`);
      await early.waitFor();
      const form = page.locator('#boot .boot-form');
      assert.equal(await form.getAttribute('lang'), tag);
      // What is written, furigana left out.
      const text = (locator) => locator.evaluate((e) => {
        const c = e.cloneNode(true);
        c.querySelectorAll('rt').forEach((r) => r.remove());
        return c.textContent;
      });
      assert.equal(await text(form.locator('h1')), plain(catalog.family_safety_title));
      const send = early.locator('button[type=submit]');
      assert.equal(await text(send), plain(catalog.send_report));
      await send.click();
      await early.locator('[role=alert]:not([hidden])').waitFor();
      assert.equal(await text(early.locator('[role=alert]')), plain(catalog.invalid_no_status));
      const rubies = await early.locator('ruby').count();
      if (code === 'ja-easy') assert.ok(rubies > 0, 'furigana shown');
      else assert.equal(rubies, 0);
      await screenshot(page, `firstload-safety-before-app-${code}-360`, { fullPage: false });
      await release();
      await page.locator('main form button[type=submit]').waitFor({ timeout: 15_000 });
    }
    assert.deepEqual(b.errors.map(String), []);
  } finally {
    await b.close();
  }
});

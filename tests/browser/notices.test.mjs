// The disaster HQ screen (/hq) and notices (お知らせ) end to end, against the real local stack:
// the HQ summary against GET /api/hq/summary, the notice form's shared validation (keyboard
// only), a resident choosing their area and turning notifications on, HQ sending a notice to
// that area, the local stack pushing it (RFC 8291, VAPID) to the test push service — a stand-in
// for FCM, `lib/push.mjs` — and the service worker showing it; the landing page /n/{id}.
//
// Headless Chromium has no push service, so the page's PushManager.subscribe is replaced (init
// script) by one handing out the test push service's device 0; the decrypted payload that
// device received is then given to the service worker with CDP's ServiceWorker.deliverPushMessage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, launchBrowser, screenshot, chooseLanguage } from './lib/browser.mjs';
import { shot } from './lib/layout.mjs';
import { startTestPush, until } from './lib/push.mjs';
import { openTokenForm, residents } from './lib/shelter.mjs';
import { accessToken, signIn } from './lib/signin.mjs';
import { startStack } from './lib/stack.mjs';

let stack;
let push;
let r;
before(async () => {
  // Both kept even when one fails to start, so `after` stops the other (else it keeps the run alive).
  const started = await Promise.allSettled([startStack(), startTestPush({ devices: 2 })]);
  [stack, push] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  r = residents(stack);
});
after(async () => {
  await Promise.all([stack?.stop(), push?.stop()]);
});

/** Pastes the HQ token on /hq and waits for the summary. */
async function hqSignIn(page, token) {
  await page.goto(`${stack.url}/hq`);
  await page.locator('h1').filter({ hasText: '災害対策本部 サインイン' }).waitFor();
  await openTokenForm(page);
  await page.getByLabel('本部トークン').fill(token);
  await page.getByRole('button', { name: 'トークンでサインイン' }).click();
  await page.locator('#hq-total-people').waitFor();
}

const noHorizontalScroll = (page) =>
  page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));

test('HQ summary: the numbers of GET /api/hq/summary, captioned tables, no sideways scroll at 360 px', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const hq = await r.hqToken();

  await t.test('a shelter staff token is not an HQ token', async () => {
    await page.goto(`${stack.url}/hq`);
    await openTokenForm(page);
    await page.getByLabel('本部トークン').fill(await r.staffToken());
    await page.getByRole('button', { name: 'トークンでサインイン' }).click();
    await page.getByRole('alert').filter({ hasText: 'このトークンは本部用ではありません' }).waitFor();
  });

  // Something in every table: a resident of 青葉区 上杉・北山 who needs help, and a supply request.
  const resident = await r.residentToken('hanako');
  await r.api(resident, 'PUT', '/api/me/area', { area: 'aoba-2' });
  await r.api(resident, 'POST', '/api/safety', {
    report_id: 'r-hq-summary-1', member_id: 'self',
    status: { status: 'needs_help', what: '足をけがして歩けません', location: '上杉1丁目 公園の北側', phone: '08012345678' },
  });
  await r.api(await r.staffToken(), 'PUT', '/api/shelters/041009-aoba-katahira-es/supplies/infant_diaper-m', { on_hand: 10, requested: 200 });

  await hqSignIn(page, hq);
  const summary = await r.api(hq, 'GET', '/api/hq/summary');

  await t.test('municipality totals and every shelter row match the API', async () => {
    const total = page.locator('#hq-total-people');
    await total.filter({ hasText: `${summary.occupancy}人` }).waitFor();
    await total.filter({ hasText: `定員 ${summary.capacity}人` }).waitFor();
    assert.ok(summary.occupancy > 0, 'the demo data has people in shelters');
    for (const s of summary.shelters) {
      const row = page.locator(`tr[data-shelter="${s.shelter_id}"]`);
      assert.equal((await row.locator('th').textContent()).trim(), s.name_ja);
      assert.equal((await row.locator('.occupancy').textContent()).trim(), `${s.occupancy} / ${s.capacity}`);
    }
    // A shelter that is not open has the name residents and staff see for it (未開設), no other.
    const closed = summary.shelters.find((s) => s.congestion === 'closed');
    assert.ok(closed, 'the demo data has a shelter not open');
    const closedRow = page.locator(`tr[data-shelter="${closed.shelter_id}"]`);
    await closedRow.getByText('未開設', { exact: true }).waitFor();
    assert.equal(await closedRow.getByText('閉鎖中').count(), 0);
    const katahira = summary.shelters.find((s) => s.shelter_id === '041009-aoba-katahira-es');
    // Its details: women and men, and the under-6 band.
    const details = page.locator('tr[data-details="041009-aoba-katahira-es"] details');
    await details.locator('summary').click();
    await details.getByText(`女性 ${katahira.headcount.by_sex.female}人・男性 ${katahira.headcount.by_sex.male}人`).waitFor();
    await details.getByText(`0〜5歳 ${katahira.headcount.by_age.under6}`).waitFor();
    // Allergy totals for food orders, by the allergen labels residents pick from.
    const egg = page.locator('#hq-allergens tr').filter({ has: page.getByRole('rowheader', { name: '卵', exact: true }) });
    assert.equal((await egg.locator('td').textContent()).trim(), String(summary.totals.allergens.egg));
    const wheelchair = page.locator('#hq-needs tr').filter({ has: page.getByRole('rowheader', { name: '車いす', exact: true }) });
    assert.equal((await wheelchair.locator('td').textContent()).trim(), String(summary.totals.care.wheelchair));
    await page.locator('#hq-generated').filter({ hasText: '集計時刻' }).waitFor();
  });

  await t.test('safety by area (area names), supply requests against stock, open help requests', async () => {
    const area = summary.safety.find((a) => a.area === 'aoba-2');
    assert.equal(area.counts.needs_help, 1);
    const row = page.locator('#hq-safety tr').filter({ has: page.getByRole('rowheader', { name: '青葉区 上杉・北山' }) });
    assert.deepEqual((await row.locator('td').allTextContents()).map((x) => x.trim()),
      [area.counts.safe_at_home, area.counts.at_shelter, area.counts.elsewhere, area.counts.needs_help].map(String));
    const diapers = page.locator('#hq-supplies tr[data-item="infant_diaper-m"]');
    assert.ok((await diapers.locator('th').textContent()).trim().startsWith('乳児用おむつ M'));
    const line = summary.supplies.find((s) => s.code === 'infant_diaper-m');
    assert.deepEqual((await diapers.locator('td').allTextContents()).map((x) => x.trim()), [line.requested, line.on_hand, line.shelters].map(String));
    // Which shelter asks, by name, with its numbers: where the next truck goes.
    const asking = (await r.api(hq, 'GET', '/api/hq/supply-requests')).filter((l) => l.code === 'infant_diaper-m' && l.requested > 0);
    assert.equal(asking.length, line.shelters);
    for (const a of asking) {
      const name = summary.shelters.find((s) => s.shelter_id === a.shelter_id).name_ja;
      await diapers.locator(`.supply-who li[data-shelter="${a.shelter_id}"]`).filter({ hasText: `${name}：要請 ${a.requested}・在庫 ${a.on_hand}` }).waitFor();
    }
    await shot(page.locator('#hq-supplies').first(), 'hq-supplies-who-asks');
    const help = page.locator('li.help-request').filter({ hasText: '足をけがして歩けません' });
    await help.getByText('上杉1丁目 公園の北側').waitFor();
    // The area she registered, by its name: where her home is.
    await help.locator('.help-area dd').filter({ hasText: '青葉区 上杉・北山' }).waitFor();
    // The number she gave, one tap to call from an HQ phone.
    assert.equal(await help.locator('.help-phone').getByRole('link', { name: '08012345678' }).getAttribute('href'), 'tel:08012345678');
    await page.locator('.hq-totals a[href="#help-h"]').filter({ hasText: '1件' }).waitFor();
    assert.equal(await help.locator('.checked-in').count(), 0, 'not at a shelter yet');
    // Scanned in at a shelter since: the request stays open (her next report closes it), and
    // says where she is now, so no one is sent to the park.
    const { credential } = await r.api(resident, 'POST', '/api/me/checkin-credential', { members: ['self'] });
    const at = Date.now();
    const scanned = await r.api(await r.staffToken(), 'POST', '/api/shelters/041009-aoba-katahira-es/scans',
      { device_id: 'tab-hq-help', records: [{ event_id: `ev-help-${at}`, kind: 'check_in', at, credential }] });
    assert.equal(scanned.results[0].outcome, 'stored');
    await page.locator('#hq-refresh').click();
    const hhmm = new Date(at).toLocaleTimeString('ja-JP', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Tokyo' });
    await help.locator('.checked-in').filter({ hasText: 'その後の受付' }).filter({ hasText: `片平丁小学校（` }).waitFor();
    const since = await help.locator('.checked-in dd').textContent();
    assert.ok(since.includes(hhmm), `${since} has ${hhmm}`);
    await page.locator('.hq-totals a[href="#help-h"]').filter({ hasText: '1件' }).waitFor();
  });

  await t.test('HQ takes up a request for help and deals with it; the person sees each step in their app', async () => {
    const rb = await launchBrowser();
    try {
      const home = rb.page;
      await home.goto(`${stack.url}/`);
      await signIn(home, stack.url);
      const taro = await accessToken(home);
      await r.api(taro, 'POST', '/api/safety', { report_id: `rep-step-${Date.now()}`, member_id: 'self',
        status: { status: 'needs_help', what: '水と薬が必要です', location: '自宅 1階' } });
      await page.locator('#hq-refresh').click();
      const card = page.locator('li.help-request').filter({ hasText: '水と薬が必要です' });
      await card.locator('.help-state dd').filter({ hasText: '未対応' }).waitFor();
      await page.locator('.hq-totals a[href="#help-h"]').filter({ hasText: '2件' }).waitFor();
      // Taken up: said on HQ's card and under her report on the household page.
      await card.getByRole('button', { name: /^対応中にする/ }).click();
      await card.locator('.help-state dd').filter({ hasText: '対応中（' }).waitFor();
      const mine = home.locator('li.member[data-member="self"] .help-progress');
      await home.goto(`${stack.url}/household`);
      await mine.filter({ hasText: '本部が対応しています' }).waitFor();
      await shot(home.locator('li.member[data-member="self"]'), 'help-taken-up-household');
      // Dealt with: kept apart below the others, out of the count to act on; she sees it too.
      await card.getByRole('button', { name: /^対応済みにする/ }).click();
      const done = page.locator('details.help-done');
      await done.locator('summary').filter({ hasText: '対応済みの要請（1件）' }).waitFor();
      await page.locator('.hq-totals a[href="#help-h"]').filter({ hasText: '1件' }).waitFor();
      await home.reload();
      await mine.filter({ hasText: '本部が対応を終えました' }).waitFor();
      await assertAccessible(page, '/hq help requests, one dealt with');
      await done.locator('summary').click();
      await shot(page.locator('section[aria-labelledby="help-h"]'), 'hq-help-requests-steps');
      await done.locator('summary').click();
      // Undone (pressed by mistake): back among the others, and off her card.
      await done.locator('summary').click();
      await done.getByRole('button', { name: /^未対応に戻す/ }).click();
      await page.locator('ul.help-list > li.help-request[data-state="open"]').filter({ hasText: '水と薬が必要です' }).waitFor();
      assert.equal(await done.count(), 0);
      // (The page starts from the device's copy, then the server's: wait for it to go.)
      await home.reload();
      await mine.waitFor({ state: 'detached' });
      // She reports again (safe at home) while HQ still has the card on screen: HQ's step is
      // refused as gone, the card leaves, nothing comes back.
      await r.api(taro, 'POST', '/api/safety', { report_id: `rep-safe-${Date.now()}`, member_id: 'self', status: { status: 'safe_at_home' } });
      await card.getByRole('button', { name: /^対応中にする/ }).click();
      await page.getByRole('status').filter({ hasText: 'この要請はもうありません' }).waitFor();
      assert.equal(await card.count(), 0);
      await page.locator('#hq-refresh').click();
      await page.locator('.hq-totals a[href="#help-h"]').filter({ hasText: '1件' }).waitFor();
      assert.equal(await card.count(), 0);
    } finally {
      await rb.close();
    }
  });

  await t.test('survey results: the counts of the API, 「すぐに助けが必要」 seen; closing a survey ends its answers', async () => {
    await r.api(resident, 'PUT', '/api/surveys/demo-health-check/answer', { answers: { condition: { type: 'single_choice', option: 'need_help' } } });
    await page.reload();
    await page.locator('#hq-total-people').waitFor();
    const totals = await r.api(hq, 'GET', '/api/hq/surveys/demo-health-check/totals');
    assert.ok(totals.respondents >= 1, JSON.stringify(totals));
    const need = totals.questions.find((q) => q.question === 'condition').options.find((o) => o.option === 'need_help').count;
    assert.ok(need >= 1);
    const card = page.locator('article.survey-result[data-survey="demo-health-check"]');
    await card.getByRole('heading', { name: '毎日の健康チェック' }).waitFor();
    await card.getByText(`${totals.respondents}人が回答`).waitFor();
    const pct = Math.round((need * 100) / totals.respondents);
    const row = card.locator('[data-question="condition"] [data-option="need_help"]');
    assert.equal((await row.locator('dt').textContent()).trim(), 'すぐに助けが必要');
    assert.equal((await row.locator('dd').textContent()).trim(), `${need}人（${pct}%）`);
    await shot(card, 'hq-survey-result-360');
    // Closing asks first; then residents can no longer answer it.
    const asked = [];
    page.once('dialog', (d) => { asked.push(d.message()); d.accept(); });
    await card.getByRole('button', { name: '「毎日の健康チェック」を締め切る' }).click();
    await card.getByText('締め切り済み').waitFor();
    assert.match(asked[0], /住民はこれ以上回答できなくなります/);
    assert.equal(await card.getByRole('button').count(), 0);
    const open = await r.api(resident, 'GET', '/api/surveys');
    assert.ok(!open.some((o) => o.survey.id === 'demo-health-check'), 'no longer open for residents');
  });

  await t.test('starting a survey from a template: for the areas chosen, asked first, started once', async () => {
    const form = page.locator('form.survey-start');
    await form.getByRole('radio', { name: '毎日の健康チェック（毎日答える）' }).check();
    await form.getByRole('radio', { name: '地区を選ぶ' }).check();
    // No area chosen: refused on the form, nothing asked or sent.
    await form.getByRole('button', { name: '始める' }).click();
    await form.getByRole('alert').filter({ hasText: '地区を1つ以上選んでください。' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 's-target-areas');
    await form.getByRole('checkbox', { name: '青葉区 上杉・北山', exact: true }).check();
    const asked = [];
    page.once('dialog', (d) => { asked.push(d.message()); d.accept(); });
    await form.getByRole('button', { name: '始める' }).click();
    await form.locator('#survey-started').filter({ hasText: '「毎日の健康チェック」を始めました。' }).waitFor();
    assert.match(asked[0], /「毎日の健康チェック」を始めますか？（対象：青葉区 上杉・北山）/);
    await shot(form, 'hq-survey-start-360');
    const started = (await r.api(hq, 'GET', '/api/hq/surveys')).filter((s) => s.id.startsWith('health-'));
    assert.equal(started.length, 1, 'one survey');
    assert.deepEqual(started[0].scope, { type: 'areas', areas: ['aoba-2'] });
    assert.equal(started[0].recurrence, 'daily');
    // In the results, open; hanako (青葉区 上杉・北山) is asked, taro (another area) is not.
    await page.locator(`article.survey-result[data-survey="${started[0].id}"]`).getByText('受付中').waitFor();
    const hers = await r.api(resident, 'GET', '/api/surveys');
    assert.ok(hers.some((o) => o.survey.id === started[0].id), 'asked in her area');
    const taro = await r.residentToken('taro');
    await r.api(taro, 'PUT', '/api/me/area', { area: 'aoba-1' });
    const his = await r.api(taro, 'GET', '/api/surveys');
    assert.ok(!his.some((o) => o.survey.id === started[0].id), 'not asked in another area');
  });

  await t.test('tables have captions and scoped headers', async () => {
    const tables = await page.locator('main table').evaluateAll((ts) => ts.map((tb) => ({
      caption: tb.caption?.textContent.trim() ?? '',
      unscoped: [...tb.querySelectorAll('th')].filter((th) => !['col', 'row'].includes(th.getAttribute('scope'))).length,
    })));
    assert.ok(tables.length >= 4, `tables: ${tables.length}`);
    for (const tb of tables) {
      assert.ok(tb.caption.length > 0, 'a caption');
      assert.equal(tb.unscoped, 0, `every th has a scope (${tb.caption})`);
    }
  });

  await t.test('no horizontal scroll at 360 px, in Japanese and English, details open', async () => {
    let w = await noHorizontalScroll(page);
    assert.ok(w.scroll <= w.width, `scrollWidth ${w.scroll} > ${w.width}`);
    await assertAccessible(page, '/hq');
    await screenshot(page, 'hq-ja-360');
    await chooseLanguage(page, 'en');
    await page.locator('caption').filter({ hasText: 'Each shelter' }).waitFor();
    await page.locator('#hq-total-people').filter({ hasText: `of ${summary.capacity} places` }).waitFor();
    for (const d of await page.locator('details').all()) await d.locator('summary').click();
    w = await noHorizontalScroll(page);
    assert.ok(w.scroll <= w.width, `English: scrollWidth ${w.scroll} > ${w.width}`);
    await assertAccessible(page, '/hq (English)');
    await screenshot(page, 'hq-en-360');
    await chooseLanguage(page, 'ja');
    await page.locator('caption').filter({ hasText: '避難所ごとの状況' }).waitFor();
  });

  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('the notice form refuses an empty Japanese title (keyboard only), nothing is sent', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const posts = [];
  page.on('request', (q) => { if (q.method() === 'POST' && q.url().includes('/api/hq/notices')) posts.push(q.url()); });
  await hqSignIn(page, await r.hqToken());

  // Tab from the top of the page to the English title field.
  await page.locator('body').focus();
  await until(async () => {
    await page.keyboard.press('Tab');
    return page.evaluate(() => document.activeElement?.id === 'n-title-en');
  }, { what: 'keyboard focus on the English title', timeoutMs: 20_000 });
  await page.keyboard.type('Water');
  await page.keyboard.press('Tab');
  await page.keyboard.type('本文だけがあります。');
  // Enter in a text field submits the form (to the confirmation step, were it valid).
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: '件名（日本語）を入力してください。' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'n-title-ja', null, { timeout: 5000 });
  assert.equal(await page.locator('#n-title-ja').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#n-title-ja').getAttribute('aria-describedby'), /notice-error/);
  assert.equal(await page.locator('.notice-confirm').count(), 0, 'no confirmation step');

  // 61 characters: the counter says so, and the message says to shorten it.
  await page.keyboard.type('あ'.repeat(61));
  await page.locator('#n-title-ja-count').filter({ hasText: '61 / 60文字（1文字多すぎます）' }).waitFor();
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: '件名は60文字以内にしてください。' }).waitFor();
  await assertAccessible(page, '/hq (notice form error)');
  await screenshot(page, 'hq-notice-invalid-ja-360', { fullPage: false });
  assert.deepEqual(posts, [], 'nothing was sent');
  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

/**
 * Headless Chromium has no push service: PushManager hands out the test push service's device
 * (`sub`, as `toJSON()` gives it); getSubscription() returns it until unsubscribe().
 */
function fakePushManager(sub) {
  if (!self.PushManager) return;
  const KEY = 'test.fake-push-subscribed';
  const make = () => ({
    endpoint: sub.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true },
    getKey: () => null,
    toJSON: () => sub,
    unsubscribe: () => { localStorage.removeItem(KEY); return Promise.resolve(true); },
  });
  PushManager.prototype.subscribe = function subscribe(options) {
    const key = options?.applicationServerKey;
    localStorage.setItem('test.fake-push-options', JSON.stringify({
      userVisibleOnly: options?.userVisibleOnly,
      key: key ? btoa(String.fromCharCode(...new Uint8Array(key))) : null,
    }));
    localStorage.setItem(KEY, '1');
    return Promise.resolve(make());
  };
  PushManager.prototype.getSubscription = function getSubscription() {
    return Promise.resolve(localStorage.getItem(KEY) ? make() : null);
  };
}

/** The service worker's registration id (CDP), for ServiceWorker.deliverPushMessage. */
async function swRegistration(context, page) {
  const cdp = await context.newCDPSession(page);
  const regs = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => regs.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  const scope = `${stack.url}/`;
  const reg = await until(() => regs.find((g) => g.scopeURL === scope && !g.isDeleted), { what: 'the service worker registration' });
  return {
    deliver: (data) => cdp.send('ServiceWorker.deliverPushMessage', { origin: stack.url, registrationId: reg.registrationId, data }),
  };
}

const notifications = (page, tag) => page.evaluate(async (tag) => {
  const reg = await navigator.serviceWorker.ready;
  return (await reg.getNotifications(tag ? { tag } : {})).map((n) => ({ title: n.title, body: n.body, tag: n.tag, lang: n.lang, data: n.data, requireInteraction: n.requireInteraction }));
}, tag);

/** HQ's notice form (the survey form below it offers the same choices of who). */
const composer = (page) => page.locator('section[aria-labelledby="compose-h"]');

/** HQ: fill the form, confirm, send; returns the notice id the page chose (from its request). */
async function sendNotice(page, { title, titleEn = '', body, bodyEn = '', level = '注意', areas = [] }) {
  await page.getByLabel('件名（日本語・必須）').fill(title);
  await page.getByLabel('件名（英語）').fill(titleEn);
  await page.getByLabel('本文（日本語・必須）').fill(body);
  await page.getByLabel('本文（英語）').fill(bodyEn);
  await page.getByRole('radio', { name: new RegExp(`^${level}`) }).check();
  if (areas.length) {
    await composer(page).getByRole('radio', { name: '地区を選ぶ' }).check();
    for (const a of areas) await composer(page).getByRole('checkbox', { name: a, exact: true }).check();
  } else {
    await composer(page).getByRole('radio', { name: '全員（市内全域）' }).check();
  }
  await page.getByRole('button', { name: '内容を確認する' }).click();
  const confirm = page.locator('.notice-confirm');
  await confirm.getByRole('heading', { name: 'この内容で送信しますか？' }).waitFor();
  // What sending does, said as it is: read in the app; a push only where notifications are on.
  await confirm.getByText('通知をオンにした端末には通知も届きます', { exact: false }).waitFor();
  await confirm.locator('.confirm-title').filter({ hasText: title }).waitFor();
  for (const a of areas) await confirm.locator('.confirm-target').filter({ hasText: a }).waitFor();
  const [req] = await Promise.all([
    page.waitForRequest((q) => q.method() === 'POST' && q.url().endsWith('/api/hq/notices')),
    confirm.getByRole('button', { name: '送信する' }).click(),
  ]);
  await page.getByRole('status').filter({ hasText: `「${title}」を送信しました。` }).waitFor();
  return JSON.parse(req.postData()).id;
}

test('a template fills the notice in every language; its blanks must be given first', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const posts = [];
  page.on('request', (q) => { if (q.method() === 'POST' && q.url().includes('/api/hq/notices')) posts.push(q.url()); });
  await hqSignIn(page, await r.hqToken());
  await page.locator('#n-template').selectOption('water');
  assert.match(await page.locator('#n-title-ja').inputValue(), /給水/);
  assert.match(await page.locator('#n-body-en').inputValue(), /\[time\]/);
  // Easy Japanese and the foreign residents' languages are filled too, folded under one summary.
  const others = page.locator('details.notice-languages');
  assert.equal(await others.evaluate((d) => d.open), true, 'open: a template wrote in them');
  await others.locator('summary').filter({ hasText: '9言語に入力済み' }).waitFor();
  assert.match(await page.getByLabel('本文（Tiếng Việt）').inputValue(), /\[place\]/);
  assert.equal(await page.locator('#n-body-vi').getAttribute('lang'), 'vi');
  assert.match(await page.locator('#n-title-ja-easy').inputValue(), /水（みず）/, 'furigana in brackets');
  await page.getByRole('button', { name: '内容を確認する' }).click();
  await page.getByRole('alert').filter({ hasText: 'テンプレートの「〇〇」' }).waitFor();
  assert.equal(await page.locator('.notice-confirm').count(), 0, 'no confirmation while a blank is left');
  // The place and the time, written once, go into every language.
  await page.getByLabel('場所（テンプレートの「〇〇」）').fill('片平小学校');
  await page.getByLabel('時刻（例：14:00。テンプレートの「〇時」に、すべての言語で入ります）').fill('14:00');
  for (const code of ['ja', 'ja-easy', 'en', 'vi', 'ne', 'zh-Hant']) {
    const body = await page.locator(`#n-body-${code}`).inputValue();
    assert.ok(body.includes('片平小学校') && body.includes('14:00') && !/\[|〇/.test(body), `${code}: ${body}`);
  }
  // A language's own fault is marked on its own field (not on the Japanese), and the focus goes there.
  const vi = page.locator('#n-title-vi');
  const written = await vi.inputValue();
  await vi.fill('x'.repeat(61));
  await page.getByRole('button', { name: '内容を確認する' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'n-title-vi', null, { timeout: 5000 });
  assert.equal(await vi.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#n-title-ja').getAttribute('aria-invalid'), null);
  await vi.fill(written);
  assert.equal(await vi.getAttribute('aria-invalid'), null, 'no longer marked once corrected');
  await page.getByRole('button', { name: '内容を確認する' }).click();
  const confirm = page.locator('.notice-confirm');
  await confirm.locator('.confirm-title').filter({ hasText: '給水のお知らせ（片平小学校）' }).waitFor();
  await confirm.locator('dd[lang="vi"]').filter({ hasText: 'Thông báo cấp nước (片平小学校)' }).waitFor();
  assert.equal(await confirm.locator('dt').filter({ hasText: 'やさしい にほんご' }).count(), 1);
  await assertAccessible(page, '/hq (notice from a template)');
  await screenshot(page, 'hq-notice-template-360');
  assert.deepEqual(posts, [], 'nothing sent before 送信する');
  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('an evacuation order from its template, areas ticked afterwards: they go in, and it can be sent as filled', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  await hqSignIn(page, await r.hqToken());
  await page.locator('#n-template').selectOption('evacuation_order');
  assert.match(await page.locator('#n-title-ja').inputValue(), /〇〇/);
  await composer(page).getByRole('radio', { name: '地区を選ぶ' }).check();
  for (const a of ['青葉区 上杉・北山', '青葉区 片平・一番町']) {
    await composer(page).getByRole('checkbox', { name: a, exact: true }).check();
  }
  // Every language's title filled, none over the limit (the areas stay in the message where a
  // title would be too long), so the order goes out as the template wrote it.
  await page.waitForFunction(() => !document.querySelector('#n-title-ja').value.includes('〇〇'));
  const ja = await page.locator('#n-title-ja').inputValue();
  assert.ok(ja.startsWith('【避難指示】') && ja.includes('青葉区 上杉・北山') && ja.includes('青葉区 片平・一番町'), ja);
  await page.getByRole('button', { name: '内容を確認する' }).click();
  const confirm = page.locator('.notice-confirm');
  await confirm.getByRole('heading', { name: 'この内容で送信しますか？' }).waitFor();
  await confirm.locator('.confirm-target').filter({ hasText: '青葉区 片平・一番町' }).waitFor();
  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('end to end: area, notifications on, HQ sends to the area, the device shows it once, the landing page', async (t) => {
  const resident = await launchBrowser({ permissions: ['notifications'] });
  const hqB = await launchBrowser({ viewport: { width: 1024, height: 800 } });
  t.after(async () => { await resident.close(); await hqB.close(); });
  const { page, context } = resident;
  const device0 = await push.subscription(0);
  await context.addInitScript(fakePushManager, device0);
  const subscribed = [];
  page.on('response', (res) => {
    if (res.url().endsWith('/api/push/subscriptions')) subscribed.push(`${res.request().method()} ${res.status()}`);
  });

  await page.goto(`${stack.url}/`);
  await signIn(page, stack.url);
  const me = async () => (await fetch(`${stack.url}/api/me`, { headers: { Authorization: `Bearer ${await accessToken(page)}` } })).json();

  await t.test('the resident picks their area on the notices page; it stays after a reload', async () => {
    await page.getByRole('link', { name: 'お知らせ' }).first().click();
    await page.locator('h1').filter({ hasText: 'お知らせ' }).waitFor();
    const select = page.getByRole('combobox', { name: 'お住まいの地区' });
    await page.locator('#my-area option[value="aoba-1"]').waitFor({ state: 'attached' });
    await select.selectOption('aoba-1');
    await page.getByRole('status').filter({ hasText: 'お住まいの地区を保存しました。' }).waitFor();
    assert.equal((await me()).area, 'aoba-1');
    await page.reload();
    await page.locator('#my-area option[value="aoba-1"]').waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.querySelector('#my-area')?.value === 'aoba-1');
    await page.locator('#my-area:not([disabled])').waitFor();
    await assertAccessible(page, '/notices');
  });

  await t.test('notifications on: permission, subscribe with the server key, the server has it', async () => {
    await page.evaluate(() => navigator.serviceWorker.ready);
    const toggle = page.getByRole('switch', { name: 'お知らせを通知で受け取る' });
    await page.locator('#push-toggle:not([disabled])').waitFor();
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await page.getByRole('status').filter({ hasText: '通知をオンにしました。' }).waitFor();
    assert.deepEqual(subscribed, ['POST 204']);
    const used = await page.evaluate(() => JSON.parse(localStorage.getItem('test.fake-push-options')));
    const { key } = await (await fetch(`${stack.url}/api/push/vapid-public-key`)).json();
    assert.equal(used.userVisibleOnly, true);
    assert.equal(Buffer.from(used.key, 'base64').toString('base64url'), key, 'subscribed with the VAPID public key');
    // Still on after a reload (the browser keeps the subscription).
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#push-toggle')?.checked === true);
  });

  const hqPage = hqB.page;
  await hqSignIn(hqPage, await r.hqToken());
  const title = '給水のお知らせ（テスト）';
  const body = '本日14時から片平丁小学校で給水を行います。\n容器をお持ちください。';
  let id;

  await t.test('HQ sends a warning to 青葉区 片平・一番町; the list shows it delivered to 1 device', async () => {
    id = await sendNotice(hqPage, { title, titleEn: 'Water distribution', body, bodyEn: 'Water at Katahiracho ES from 14:00.', level: '注意', areas: ['青葉区 片平・一番町'] });
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID v4 per draft');
    const item = hqPage.locator(`.sent-notice[data-notice="${id}"]`);
    await item.locator('.target').filter({ hasText: '青葉区 片平・一番町' }).waitFor();
    await hqPage.locator(`.sent-notice[data-notice="${id}"][data-state="done"]`).waitFor({ timeout: 30_000 });
    await item.locator('.delivery').filter({ hasText: '届いた端末 1件・通知を解除 0件・失敗 0件' }).waitFor();
    await assertAccessible(hqPage, '/hq (sent)');
  });

  let payload;
  await t.test('device 0 of the test push service received (and decrypted) that notice', async () => {
    const got = await until(async () => { const g = await push.received(0); return g.count >= 1 && g; }, { what: 'a push at device 0' });
    assert.equal(got.count, 1);
    assert.equal(got.last.id, id);
    // The device said Japanese: Japanese only (English is for devices that said English).
    assert.deepEqual(got.last.title, { ja: title, en: '' });
    assert.equal(got.last.lang, 'ja');
    assert.equal(got.last.level, 'warning');
    assert.equal(got.last.url, `/n/041009/${id}?lang=ja`);
    payload = got.last_text;
  });

  await t.test('the service worker shows it; the same push twice is still one notification; bad pushes show nothing', async () => {
    const sw = await swRegistration(context, page);
    await sw.deliver(payload);
    const [n] = await until(async () => { const ns = await notifications(page, id); return ns.length === 1 && ns; }, { what: 'the notification' });
    assert.equal(n.title, title);
    assert.equal(n.body, body);
    assert.equal(n.lang, 'ja');
    assert.equal(n.data.url, `${stack.url}/n/041009/${id}?lang=ja`);
    assert.equal(n.requireInteraction, false, 'only emergencies stay on screen');
    // Again, then nothing, then garbage, then a probe: once the probe shows, the others were handled.
    await sw.deliver(payload);
    await sw.deliver('');
    await sw.deliver('not json');
    // A payload without `lang` (sent before devices said their language): Japanese, English below.
    await sw.deliver(JSON.stringify({ id: 'probe', level: 'emergency', title: { ja: '確認用', en: 'Probe' }, body: { ja: '確認' }, url: '/n/probe' }));
    await until(async () => (await notifications(page, 'probe')).length === 1, { what: 'the probe notification' });
    assert.equal((await notifications(page, id)).length, 1, 'a duplicate replaces, it does not add');
    assert.deepEqual((await notifications(page)).map((x) => x.tag).sort(), [id, 'probe'].sort());
    assert.equal((await notifications(page, 'probe'))[0].requireInteraction, true, 'an emergency stays on screen');
    assert.deepEqual([(await notifications(page, 'probe'))[0].title, (await notifications(page, 'probe'))[0].body], ['確認用', '確認\nProbe']);
  });

  await t.test('the resident\'s notices list links to the landing page', async () => {
    await page.getByRole('button', { name: '最新の情報に更新' }).click();
    const link = page.locator(`li.notice[data-notice="${id}"] a`);
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), `/n/041009/${id}?lang=ja`, 'in the language chosen in the app');
    assert.equal(await link.getAttribute('rel'), 'external');
    await page.locator(`li.notice[data-notice="${id}"] .badge`).filter({ hasText: '注意' }).waitFor();
    await screenshot(page, 'notices-ja-360');
  });

  await t.test('the landing page: title and body, one small response, no script, no other request', async () => {
    const requests = [];
    const onRequest = (q) => requests.push(q.url());
    page.on('request', onRequest);
    const res = await page.goto(`${stack.url}/n/041009/${id}`);
    page.off('request', onRequest);
    assert.equal(res.status(), 200);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.getByText('容器をお持ちください。').waitFor();
    await page.getByText('Water at Katahiracho ES from 14:00.').waitFor();
    // Who sent it, 119/110 one tap away, and what the app link needs (issue 13).
    await page.getByText('発信：仙台市').waitFor();
    assert.equal(await page.locator('a[href="tel:119"]').count(), 1);
    assert.equal(await page.locator('a[href="tel:110"]').count(), 1);
    await page.getByText('アプリは JavaScript を使います').waitFor();
    // Back to the list (the only way back when opened from a notification).
    assert.equal(await page.getByRole('link', { name: 'お知らせの一覧 / All notices' }).getAttribute('href'), '/notices');
    // The same page as the network serves it (the service worker kept a copy on the way).
    const html = await (await fetch(`${stack.url}/n/041009/${id}`)).text();
    assert.ok(Buffer.byteLength(html) < 4096, `${Buffer.byteLength(html)} bytes`);
    assert.doesNotMatch(html, /<script|src=/i);
    assert.deepEqual(requests, [`${stack.url}/n/041009/${id}`], 'the page itself only');
    assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').length), 0);
    assert.equal(await page.evaluate(() => document.scripts.length), 0);
    await assertAccessible(page, `/n/041009/${id}`);
    await screenshot(page, 'notice-landing-360');
  });

  await t.test('opened once, the landing page still shows offline', async () => {
    assert.ok(await page.evaluate(async (path) => !!(await (await caches.open('bosai-notices')).match(path, { ignoreVary: true })), `/n/041009/${id}`), 'kept by the service worker');
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await context.setOffline(false);
  });

  await t.test('a notice to another area does not reach device 0', async () => {
    const other = await sendNotice(hqPage, { title: '泉区の給水', body: '泉中央で給水を行います。', level: 'お知らせ', areas: ['泉区 泉中央'] });
    await hqPage.locator(`.sent-notice[data-notice="${other}"][data-state="done"]`).waitFor({ timeout: 30_000 });
    // Nobody there has notifications on: said as such, not as "done, 0 delivered" (issue 13).
    await hqPage.locator(`.sent-notice[data-notice="${other}"] .delivery`).filter({ hasText: '配信対象の端末がありません' }).waitFor();
    assert.equal(await hqPage.locator(`.sent-notice[data-notice="${other}"] .delivery`).filter({ hasText: '届いた端末 0件' }).count(), 0);
    const got = await push.received(0);
    assert.equal(got.count, 1, 'still only the first notice');
    assert.equal(got.last.id, id);
    // Nor is it in the resident's list.
    await page.goto(`${stack.url}/notices`);
    await page.locator(`li.notice[data-notice="${id}"]`).waitFor();
    assert.equal(await page.locator(`li.notice[data-notice="${other}"]`).count(), 0);
  });

  await t.test('HQ corrects the water notice: it starts from what was sent, goes out marked 訂正, and the first says it was corrected', async () => {
    const sent = hqPage.locator(`.sent-notice[data-notice="${id}"]`);
    await sent.getByRole('button', { name: '訂正を送る' }).click();
    // The form holds what was sent, says what it is writing, and the title has the focus.
    await hqPage.locator('.correcting').filter({ hasText: `「${title}」の訂正を書いています。` }).waitFor();
    await hqPage.waitForFunction(() => document.activeElement?.id === 'n-title-ja');
    assert.equal(await hqPage.locator('#n-title-ja').inputValue(), title);
    assert.equal(await hqPage.getByRole('radio', { name: /^注意/ }).isChecked(), true);
    assert.equal(await composer(hqPage).getByRole('checkbox', { name: '青葉区 片平・一番町', exact: true }).isChecked(), true);
    await assertAccessible(hqPage, '/hq (writing a correction)');
    await screenshot(composer(hqPage), 'hq-notice-correcting-1024');
    const fixed = '本日15時から片平丁小学校で給水を行います。\n容器をお持ちください。';
    await hqPage.getByLabel('本文（日本語・必須）').fill(fixed);
    await hqPage.getByRole('button', { name: '内容を確認する' }).click();
    const confirm = hqPage.locator('.notice-confirm');
    await confirm.locator('.confirm-corrects').filter({ hasText: title }).waitFor();
    const [req] = await Promise.all([
      hqPage.waitForRequest((q) => q.method() === 'POST' && q.url().endsWith('/api/hq/notices')),
      confirm.getByRole('button', { name: '送信する' }).click(),
    ]);
    const correction = JSON.parse(req.postData());
    assert.equal(correction.replaces, id);
    await hqPage.getByRole('status').filter({ hasText: `「${title}」を送信しました。` }).waitFor();
    assert.equal(await hqPage.locator('.correcting').count(), 0, 'the next draft is a new notice');
    await hqPage.locator(`.sent-notice[data-notice="${correction.id}"] .corrects`).filter({ hasText: `「${title}」の訂正` }).waitFor();
    await sent.locator('.corrected').filter({ hasText: '訂正済み' }).waitFor();
    assert.equal(await sent.getByRole('button', { name: '訂正を送る' }).count(), 0, 'corrected once: the correction is what can be corrected next');
    await hqPage.locator(`.sent-notice[data-notice="${correction.id}"][data-state="done"]`).waitFor({ timeout: 30_000 });
    await screenshot(hqPage.locator('section[aria-labelledby="sent-h"]'), 'hq-notice-corrected-1024');

    const got = await until(async () => { const g = await push.received(0); return g.last?.id === correction.id && g; }, { what: 'the correction at device 0' });
    assert.equal(got.last.title.ja, `【訂正】${title}`, 'marked on the lock screen');
    assert.equal(got.last.body.ja, fixed);
    assert.equal(got.last.replaces, id);
    // The device shows the correction and takes the wrong one away: its notification and the copy of
    // its page kept for offline reading (which had no corrected banner).
    assert.equal((await notifications(page, id)).length, 1, 'the first notice is still on screen');
    const kept = (path) => page.evaluate(async (p) => !!(await (await caches.open('bosai-notices')).match(p, { ignoreVary: true })), path);
    assert.ok(await kept(`/n/041009/${id}`), 'its page was kept');
    const sw = await swRegistration(context, page);
    await sw.deliver(got.last_text);
    await until(async () => (await notifications(page, correction.id)).length === 1, { what: 'the correction notification' });
    assert.equal((await notifications(page, id)).length, 0, 'the corrected notification is gone');
    assert.equal(await kept(`/n/041009/${id}`), false, 'and its kept page');

    await page.goto(`${stack.url}/notices`);
    await page.locator(`li.notice[data-notice="${correction.id}"] .fix-tag`).filter({ hasText: '訂正' }).waitFor();
    await page.locator(`li.notice[data-notice="${id}"] .fix-tag.corrected`).filter({ hasText: '訂正されました' }).waitFor();
    await assertAccessible(page, '/notices (a corrected notice)');
    await page.goto(`${stack.url}/n/041009/${id}?lang=ja`);
    const banner = page.getByRole('note').filter({ hasText: 'このお知らせは訂正されました。' });
    await banner.waitFor();
    await assertAccessible(page, 'the landing page of a corrected notice');
    await screenshot(page, 'notice-landing-corrected-360');
    await banner.getByRole('link', { name: '訂正したお知らせ / The correction' }).click();
    await page.waitForURL(`${stack.url}/n/041009/${correction.id}?lang=ja`);
    await page.getByText('本日15時から片平丁小学校で給水を行います。').waitFor();
    await page.getByRole('note').filter({ hasText: '先に送ったお知らせの訂正です。' }).waitFor();
    await page.goto(`${stack.url}/notices`);
  });

  await t.test('notifications off: unsubscribed in the browser and on the server', async () => {
    const toggle = page.getByRole('switch', { name: 'お知らせを通知で受け取る' });
    await page.waitForFunction(() => document.querySelector('#push-toggle')?.checked === true);
    await toggle.uncheck();
    await page.getByRole('status').filter({ hasText: '通知をオフにしました。' }).waitFor();
    assert.deepEqual(subscribed, ['POST 204', 'DELETE 204']);
    assert.equal(await page.evaluate(() => localStorage.getItem('test.fake-push-subscribed')), null);
    // A notice for everyone now reaches nobody.
    const all = await sendNotice(hqPage, { title: '全域のお知らせ', body: '市内全域へのお知らせです。', level: 'お知らせ' });
    await hqPage.locator(`.sent-notice[data-notice="${all}"][data-state="done"]`).waitFor({ timeout: 30_000 });
    await hqPage.locator(`.sent-notice[data-notice="${all}"] .delivery`).filter({ hasText: '配信対象の端末がありません' }).waitFor();
    assert.equal((await push.received(0)).count, 2, 'the notice and its correction, nothing since');
  });

  assert.deepEqual(resident.errors.map(String), [], 'no uncaught page errors (resident)');
  assert.deepEqual(hqB.errors.map(String), [], 'no uncaught page errors (HQ)');
});

test('a resident reading Vietnamese: the device follows the language, the notice comes in Vietnamese', async (t) => {
  const resident = await launchBrowser({ permissions: ['notifications'] });
  const hqB = await launchBrowser({ viewport: { width: 1024, height: 800 } });
  t.after(async () => { await resident.close(); await hqB.close(); });
  const { page, context } = resident;
  await context.addInitScript(fakePushManager, await push.subscription(1));
  const registered = [];
  page.on('request', (q) => {
    if (q.url().endsWith('/api/push/subscriptions') && q.method() === 'POST') registered.push(JSON.parse(q.postData()).lang);
  });
  await page.goto(`${stack.url}/`);
  await signIn(page, stack.url);
  await page.goto(`${stack.url}/notices`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.locator('#push-toggle:not([disabled])').waitFor();
  await page.getByRole('switch', { name: 'お知らせを通知で受け取る' }).check();
  await page.getByRole('status').filter({ hasText: '通知をオンにしました。' }).waitFor();
  await chooseLanguage(page, 'vi');
  await until(() => registered.length === 2, { what: 'the subscription registered again' });
  assert.deepEqual(registered, ['ja', 'vi'], 'registered in Japanese, then again in Vietnamese');

  await hqSignIn(hqB.page, await r.hqToken());
  await hqB.page.locator('#n-template').selectOption('water');
  await hqB.page.getByLabel('場所（テンプレートの「〇〇」）').fill('片平小学校');
  await hqB.page.getByLabel('時刻（例：14:00。テンプレートの「〇時」に、すべての言語で入ります）').fill('14:00');
  await composer(hqB.page).getByRole('radio', { name: '全員（市内全域）' }).check();
  await hqB.page.getByRole('button', { name: '内容を確認する' }).click();
  const [req] = await Promise.all([
    hqB.page.waitForRequest((q) => q.method() === 'POST' && q.url().endsWith('/api/hq/notices')),
    hqB.page.locator('.notice-confirm').getByRole('button', { name: '送信する' }).click(),
  ]);
  const id = JSON.parse(req.postData()).id;
  // The sent list says in which languages it went (all eleven: from the template).
  const languages = hqB.page.locator(`.sent-notice[data-notice="${id}"] .languages`);
  await languages.filter({ hasText: 'Tiếng Việt' }).waitFor();
  assert.match(await languages.innerText(), /^言語: 日本語・やさしい にほんご・English・/);
  const got = await until(async () => { const g = await push.received(1); return g.last?.id === id && g; }, { what: 'the notice at device 1' });
  assert.equal(got.last.lang, 'vi');
  assert.equal(got.last.title.vi, 'Thông báo cấp nước (片平小学校)');
  assert.equal(got.last.url, `/n/041009/${id}?lang=vi`);

  const sw = await swRegistration(context, page);
  await sw.deliver(got.last_text);
  const [n] = await until(async () => { const ns = await notifications(page, id); return ns.length === 1 && ns; }, { what: 'the notification' });
  assert.equal(n.title, 'Thông báo cấp nước (片平小学校)');
  assert.match(n.body, /^Sẽ cấp nước tại 片平小学校 từ 14:00\./);
  assert.equal(n.lang, 'vi');

  await page.goto(`${stack.url}${got.last.url}`);
  await page.getByRole('heading', { level: 1, name: 'Thông báo cấp nước (片平小学校)' }).waitFor();
  assert.equal(await page.locator('h1').getAttribute('lang'), 'vi');
  await page.locator('section[lang="ja"] h2').filter({ hasText: '給水のお知らせ（片平小学校）' }).waitFor();
  await page.getByRole('link', { name: 'やさしい にほんご' }).click();
  await page.getByRole('heading', { level: 1, name: /水（みず）を配（くば）ります/ }).waitFor();
  await assertAccessible(page, `/n/041009/${id}?lang=ja-easy`);
  await screenshot(page, 'notice-landing-ja-easy-360');

  // A notice HQ wrote only in Japanese: the list says so in Vietnamese, the page in Japanese and English.
  await r.api(await r.hqToken(), 'POST', '/api/hq/notices', {
    id: 'ja-only-1', title: { ja: '断水のお知らせ' }, body: { ja: '明日9時から断水します。' }, level: 'info', target: { type: 'all' },
  });
  await page.goto(`${stack.url}/notices`);
  const jaOnly = page.locator('li.notice[data-notice="ja-only-1"]');
  await jaOnly.locator('.only-ja').filter({ hasText: 'Chỉ có bằng tiếng Nhật' }).waitFor();
  assert.equal(await page.locator(`li.notice[data-notice="${id}"] .only-ja`).count(), 0, 'written in Vietnamese: no tag');
  await jaOnly.getByRole('link').click();
  await page.getByRole('note').filter({ hasText: 'This notice is in Japanese only' }).waitFor();
  assert.equal(await page.locator('h1').getAttribute('lang'), 'ja');
  // Text at 200 % in the app: the landing page (no script to read the setting) is too.
  await page.goto(`${stack.url}/notices`);
  await page.evaluate(() => localStorage.setItem('bosai.text-size', '200'));
  await page.reload();
  const big = page.locator('li.notice[data-notice="ja-only-1"] a');
  assert.equal(await big.getAttribute('href'), '/n/041009/ja-only-1?lang=vi&size=200');
  await big.click();
  await page.getByRole('note').filter({ hasText: 'This notice is in Japanese only' }).waitFor();
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '32px');
  assert.deepEqual(resident.errors.map(String), [], 'no uncaught page errors (resident)');
});

test('a browser without push support is told so, and the rest of the page works', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page, context } = b;
  await context.addInitScript(() => { delete window.PushManager; });
  await page.goto(`${stack.url}/`);
  await signIn(page, stack.url);
  await page.goto(`${stack.url}/notices`);
  await page.getByRole('alert').filter({ hasText: 'このブラウザでは通知を受け取れません。' }).waitFor();
  assert.equal(await page.locator('#push-toggle').isDisabled(), true);
  await page.getByRole('combobox', { name: 'お住まいの地区' }).waitFor();
  await assertAccessible(page, '/notices (no push)');
  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('permission denied: the switch stays off with what to do', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page, context } = b;
  // As if the resident answered "Block" to the browser's question.
  await context.addInitScript(() => {
    Notification.requestPermission = () => Promise.resolve('denied');
  });
  await page.goto(`${stack.url}/`);
  await signIn(page, stack.url);
  await page.goto(`${stack.url}/notices`);
  await page.locator('#push-toggle:not([disabled])').waitFor();
  await page.getByRole('switch', { name: 'お知らせを通知で受け取る' }).click();
  await page.getByRole('alert').filter({ hasText: '通知が許可されていません。' }).waitFor();
  await page.waitForFunction(() => document.querySelector('#push-toggle')?.checked === false);
  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('a send whose answer is lost is sent again with the same id: one notice, not two', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const hq = await r.hqToken();
  await hqSignIn(page, hq);
  const posts = [];
  // The first request reaches the server, but its answer never comes back.
  await page.route('**/api/hq/notices', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    posts.push(JSON.parse(route.request().postData()).id);
    if (posts.length === 1) {
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  const title = '南光台の断水について';
  await page.getByLabel('件名（日本語・必須）').fill(title);
  await page.getByLabel('本文（日本語・必須）').fill('南光台の一部で断水しています。');
  await composer(page).getByRole('radio', { name: '地区を選ぶ' }).check();
  await composer(page).getByRole('checkbox', { name: '泉区 南光台', exact: true }).check();
  await page.getByRole('button', { name: '内容を確認する' }).click();
  const send = page.locator('.notice-confirm').getByRole('button', { name: '送信する' });
  await send.click();
  await page.getByRole('alert').filter({ hasText: '送信できたか確認できませんでした。' }).waitFor();
  await send.click();
  await page.getByRole('status').filter({ hasText: `「${title}」を送信しました。` }).waitFor();
  assert.equal(posts.length, 2);
  assert.equal(posts[0], posts[1], 'the resend carries the same id');
  const sent = (await r.api(hq, 'GET', '/api/hq/notices')).filter((n) => n.title.ja === title);
  assert.deepEqual(sent.map((n) => n.id), [posts[0]], 'stored once');
  await page.locator(`.sent-notice[data-notice="${posts[0]}"]`).waitFor();
  assert.equal(await page.locator('.sent-notice').filter({ hasText: title }).count(), 1);
  // The next draft gets a new id.
  await page.getByLabel('件名（日本語・必須）').fill('次のお知らせ');
  await page.getByLabel('本文（日本語・必須）').fill('本文');
  await page.getByRole('button', { name: '内容を確認する' }).click();
  await send.click();
  await page.getByRole('status').filter({ hasText: '「次のお知らせ」を送信しました。' }).waitFor();
  assert.equal(posts.length, 3);
  assert.notEqual(posts[2], posts[0]);
  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

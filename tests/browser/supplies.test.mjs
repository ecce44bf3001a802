// The supplies (物資) panel of the shelter staff view on a 360 px phone, against the real
// local stack: stock-take and request, deliveries counted once (resent after a lost answer,
// double tap), bad quantities refused with nothing stored, an API problem shown in Japanese,
// writes refused offline (the last list still shows), HQ's open requests, axe, English.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { ARTIFACTS, assertAccessible, launchBrowser, screenshot, chooseLanguage, waitForServiceWorker } from './lib/browser.mjs';
import { localBin, startStack } from './lib/stack.mjs';
import { openTokenForm } from './lib/shelter.mjs';

const run = promisify(execFile);
const companion = process.env.BOSAI_COMPANION_BIN || join(dirname(localBin()), 'companion');
const SHELTER = '041009-aoba-katahira-es';
let stack;

before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const keyPath = () => join(stack.dataDir, 'identity', 'keys', 'token-1.pem');

async function token(...args) {
  const { stdout } = await run(companion, ['staff-token', ...args, '--key', keyPath()]);
  return stdout.trim();
}

async function apiGet(tok, path) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${tok}` } });
  const text = await res.text();
  assert.ok(res.ok, `GET ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** The panel only (the staff page above it is long). */
async function shoot(locator, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await locator.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** The shelter's supply lines by item code, as the API has them. */
async function stored(tok) {
  const lines = await apiGet(tok, `/api/shelters/${SHELTER}/supplies`);
  return Object.fromEntries(lines.map((l) => [l.code, { on_hand: l.on_hand, requested: l.requested, status: l.status }]));
}

test('supplies panel (360 px)', async (t) => {
  const b = await launchBrowser({ locale: 'ja-JP' });
  t.after(() => b.close());
  const { page, context } = b;
  const staff = await token('--role', 'shelter_staff', '--shelter', SHELTER);
  const hq = await token('--role', 'hq');
  const panel = page.locator('section[aria-labelledby="supplies-h"]');
  const editor = panel.locator('.supply-editor');
  const row = (code) => panel.locator(`tr.supply-row[data-item="${code}"]`);
  const cells = async (code) => {
    const r = row(code);
    // What a sighted user reads (the screen-reader-only words left out).
    const seen = (sel) => r.locator(sel).evaluate((el) => [...el.childNodes].filter((n) => !n.classList?.contains('sr-only')).map((n) => n.textContent).join('').trim());
    return [await seen('.s-on-hand'), await seen('.s-requested'), await seen('.s-status')];
  };
  /** Every table (the folded one too) stays inside the panel's padding: nothing cut off or sideways. */
  const tablesFit = async () => {
    await panel.locator('.supply-more').evaluate((d) => { d.open = true; });
    const over = await panel.evaluate((p) => {
      const cs = getComputedStyle(p);
      const right = p.getBoundingClientRect().right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth);
      return [...p.querySelectorAll('.supply-table')].map((t) => Math.round(t.getBoundingClientRect().right - right)).filter((d) => d > 0);
    });
    assert.deepEqual(over, [], 'tables wider than the panel by (px)');
  };
  // Every write the page sends to the supplies API.
  const writes = [];
  context.on('request', (r) => {
    if (r.method() !== 'GET' && r.url().includes('/supplies/')) writes.push({ url: r.url(), body: r.postDataJSON() });
  });

  await t.test('staff sign in; the catalog is grouped, Japanese first, thumb-sized, no sideways scroll', async () => {
    await page.goto(`${stack.url}/shelter`);
    await openTokenForm(page);
    await page.getByLabel('スタッフトークン').fill(staff);
    await page.getByRole('button', { name: 'トークンでサインイン' }).click();
    await panel.getByRole('heading', { name: '物資（在庫・要請）' }).waitFor();
    await page.getByRole('navigation', { name: 'スタッフメニュー' }).getByRole('link', { name: '物資' }).waitFor();
    for (const h of ['水・食料', 'アレルギー対応食', '乳幼児用品', '介護・衛生用品', 'トイレ', '毛布・医薬品・その他']) {
      await panel.getByRole('heading', { name: h, exact: true }).waitFor();
    }
    // Nothing recorded yet: every item says so.
    await panel.locator('.supply-summary').filter({ hasText: '本部に要請中：0品目' }).waitFor();
    assert.deepEqual(await cells('infant_diaper-m'), ['—', '—', '未記録']);
    assert.equal(await row('infant_diaper-m').locator('.s-on-hand .sr-only').textContent(), '未記録', 'a screen reader hears words, not a dash');
    // The 8 mandatory allergens show; the other 20 are folded.
    await panel.getByRole('button', { name: '卵不使用' }).waitFor();
    assert.equal(await panel.getByRole('button', { name: 'ごま不使用' }).isVisible(), false);
    const btn = await panel.getByRole('button', { name: '乳児用おむつ M' }).boundingBox();
    assert.ok(btn.height >= 44, `item button ${btn.height}px high`);
    const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(width <= 360, `page is ${width}px wide at 360`);
  });

  await t.test('stock-take and a request show in the list, the API and HQ', async () => {
    await panel.getByRole('button', { name: '乳児用おむつ M' }).click();
    await editor.getByRole('heading', { name: '乳児用おむつ M' }).waitFor();
    assert.equal(await panel.getByRole('button', { name: '乳児用おむつ M' }).getAttribute('aria-expanded'), 'true');
    await editor.getByLabel('在庫数（いまある数）（枚）').fill('10');
    await editor.getByLabel('本部への要請数（枚）').fill('２００'); // full-width digits from a Japanese IME
    await editor.getByRole('button', { name: '在庫数・要請数を保存' }).click();
    await editor.locator('.supply-msg').filter({ hasText: '保存しました：在庫 10・要請 200' }).waitFor();
    assert.deepEqual(await cells('infant_diaper-m'), ['10', '200', '要請中']);
    await panel.locator('.supply-summary').filter({ hasText: '本部に要請中：1品目' }).waitFor();
    // An allergen from the folded list, and an item with stock but no request.
    await panel.locator('.supply-more summary').click();
    await panel.getByRole('button', { name: 'ごま不使用' }).click();
    await tablesFit();
    await editor.getByRole('heading', { name: 'アレルギー対応食（ごま不使用）' }).waitFor();
    await editor.getByLabel(/在庫数/).fill('0');
    await editor.getByLabel(/本部への要請数/).fill('30');
    await editor.getByRole('button', { name: '在庫数・要請数を保存' }).click();
    await editor.locator('.supply-msg').filter({ hasText: '保存しました：在庫 0・要請 30' }).waitFor();
    await panel.getByRole('button', { name: '飲料水' }).click();
    await editor.getByRole('heading', { name: '飲料水' }).waitFor();
    await editor.getByLabel(/在庫数/).fill('1,200');
    await editor.getByLabel(/本部への要請数/).fill('');
    await editor.getByRole('button', { name: '在庫数・要請数を保存' }).click();
    await editor.locator('.supply-msg').filter({ hasText: '保存しました：在庫 1200・要請 0' }).waitFor();
    assert.deepEqual(await cells('drinking_water'), ['1200', '0', '要請なし']);

    const s = await stored(staff);
    assert.deepEqual(s['infant_diaper-m'], { on_hand: 10, requested: 200, status: 'requested' });
    assert.deepEqual(s['allergy_free_meal-sesame'], { on_hand: 0, requested: 30, status: 'requested' });
    assert.deepEqual(s.drinking_water, { on_hand: 1200, requested: 0, status: 'ok' });
    const open = await apiGet(hq, '/api/hq/supply-requests');
    const mine = open.filter((l) => l.shelter_id === SHELTER).map((l) => `${l.code}=${l.requested}`).sort();
    assert.deepEqual(mine, ['allergy_free_meal-sesame=30', 'infant_diaper-m=200']);
    await shoot(panel, 'supplies-360');
  });

  await t.test('a delivery resent after a lost answer, or double-tapped, raises the stock once', async () => {
    await panel.getByRole('button', { name: '乳児用おむつ M' }).click();
    await editor.getByRole('heading', { name: '乳児用おむつ M' }).waitFor();
    const received = editor.getByLabel('届いた数量（枚）');
    const record = editor.getByRole('button', { name: '納品を記録' });
    // The server stores the first try, but its answer never reaches the page.
    const route = `**/api/shelters/${SHELTER}/supplies/infant_diaper-m/deliveries`;
    let lost = 0;
    await context.route(route, async (r) => {
      await r.fetch();
      lost += 1;
      await r.abort('connectionreset');
    });
    await received.fill('60');
    await record.click();
    await editor.locator('.supply-msg').filter({ hasText: '二重には数えません' }).waitFor();
    assert.equal(lost, 1);
    await context.unroute(route);
    assert.deepEqual((await stored(staff))['infant_diaper-m'], { on_hand: 70, requested: 140, status: 'requested' });
    assert.equal(await received.inputValue(), '60', 'the typed quantity stays after a failure');
    // The tab is reloaded before the retry; the staff member types the delivery again and
    // sends it: same delivery id (kept on the device), counted once.
    await page.reload();
    await panel.getByRole('button', { name: '乳児用おむつ M' }).click();
    await editor.getByRole('heading', { name: '乳児用おむつ M' }).waitFor();
    await received.fill('60');
    await record.click();
    await editor.locator('.supply-msg').filter({ hasText: '納品 60枚 を記録しました：在庫 70・要請 140' }).waitFor();
    const sent = writes.filter((w) => w.url.endsWith('/infant_diaper-m/deliveries'));
    assert.equal(sent.length, 2);
    assert.equal(sent[0].body.delivery_id, sent[1].body.delivery_id);
    assert.deepEqual((await stored(staff))['infant_diaper-m'], { on_hand: 70, requested: 140, status: 'requested' });
    assert.deepEqual(await cells('infant_diaper-m'), ['70', '140', '要請中']);

    // A double tap sends one delivery.
    await received.fill('5');
    await record.dblclick();
    await editor.locator('.supply-msg').filter({ hasText: '納品 5枚 を記録しました：在庫 75・要請 135' }).waitFor();
    // A later delivery of the same quantity is a new delivery.
    await received.fill('5');
    await record.click();
    await editor.locator('.supply-msg').filter({ hasText: '納品 5枚 を記録しました：在庫 80・要請 130' }).waitFor();
    const ids = writes.filter((w) => w.url.endsWith('/infant_diaper-m/deliveries')).map((w) => w.body.delivery_id);
    assert.equal(new Set(ids).size, 3, `three deliveries: ${ids}`);
    assert.deepEqual((await stored(staff))['infant_diaper-m'], { on_hand: 80, requested: 130, status: 'requested' });
    const open = await apiGet(hq, '/api/hq/supply-requests');
    assert.equal(open.find((l) => l.shelter_id === SHELTER && l.code === 'infant_diaper-m').requested, 130);
  });

  await t.test('bad quantities get a clear message and store nothing; an API problem is shown', async () => {
    await panel.getByRole('button', { name: '毛布' }).click();
    await editor.getByRole('heading', { name: '毛布' }).waitFor();
    const onHand = editor.getByLabel(/在庫数/);
    const save = editor.getByRole('button', { name: '在庫数・要請数を保存' });
    const before = writes.length;
    for (const [value, message] of [
      ['-5', 'マイナスの数は入力できません'],
      ['2000000', '数が大きすぎます。1,000,000以下で入力してください'],
      ['1.5', '数字だけで入力してください'],
      ['', '数を入力してください'],
    ]) {
      await onHand.fill(value);
      await save.click();
      await editor.getByRole('alert').filter({ hasText: `在庫数（いまある数）：${message}` }).waitFor();
      assert.equal(await onHand.getAttribute('aria-invalid'), 'true');
      await page.waitForFunction(() => document.activeElement?.id === 'sup-on-hand');
    }
    await onHand.fill('3');
    await editor.getByLabel(/本部への要請数/).fill('-1');
    await save.click();
    await editor.getByRole('alert').filter({ hasText: '本部への要請数：マイナスの数は入力できません' }).waitFor();
    // The refusal puts the focus on the field at fault on the next frame: typing before it lands
    // would go into that field (CI saw 「0」 land in 要請数).
    const focused = (id) => page.waitForFunction((i) => document.activeElement?.id === i, id);
    await focused('sup-requested');
    await editor.getByLabel(/届いた数量/).fill('0');
    await editor.getByRole('button', { name: '納品を記録' }).click();
    // (Once flaky on CI: a failure says what the editor showed and held.)
    await editor.getByRole('alert').filter({ hasText: '届いた数量は1以上で入力してください' }).waitFor().catch(async (e) => {
      const seen = await editor.evaluate((el) => JSON.stringify({
        alerts: [...el.querySelectorAll('[role=alert]')].map((a) => a.textContent),
        fields: [...el.querySelectorAll('input')].map((i) => `${i.id}=${i.value}`),
        focus: document.activeElement?.id,
      }));
      throw new Error(`${e.message}\neditor: ${seen}`);
    });
    await focused('sup-received');
    await editor.getByLabel(/届いた数量/).fill('9999999');
    await editor.getByRole('button', { name: '納品を記録' }).click();
    await editor.getByRole('alert').filter({ hasText: '1,000,000以下' }).waitFor();
    await focused('sup-received');
    assert.equal(writes.length, before, 'nothing was sent');
    assert.equal((await stored(staff)).blanket, undefined, 'nothing was stored');
    await assertAccessible(page, '/shelter supplies (error shown)');

    // Past the app's own check (a request altered on the way), the API's problem is shown in Japanese.
    const route = `**/api/shelters/${SHELTER}/supplies/blanket`;
    await context.route(route, (r) => r.continue({ postData: JSON.stringify({ on_hand: 2_000_000, requested: 0 }) }));
    await editor.getByLabel(/本部への要請数/).fill('0');
    await save.click();
    await editor.getByRole('alert').filter({ hasText: '数量は0〜1,000,000で入力してください。' }).waitFor();
    await context.unroute(route);
    assert.equal((await stored(staff)).blanket, undefined, 'nothing was stored');
  });

  await t.test('offline: writes are refused with a clear message; the last list still shows after a reload', async () => {
    await waitForServiceWorker(page);
    await context.setOffline(true);
    await panel.locator('.supply-offline').filter({ hasText: '通信が戻ってから保存してください' }).waitFor();
    const before = writes.length;
    await editor.getByLabel(/在庫数/).fill('25');
    await editor.getByRole('button', { name: '在庫数・要請数を保存' }).click();
    await editor.getByRole('alert').filter({ hasText: 'オフラインのため保存できません。通信が戻ってから保存してください' }).waitFor();
    assert.equal(await editor.getByLabel(/在庫数/).inputValue(), '25', 'the typed number stays');
    await editor.getByLabel(/届いた数量/).fill('4');
    await editor.getByRole('button', { name: '納品を記録' }).click();
    await editor.getByRole('alert').filter({ hasText: 'オフラインのため保存できません' }).waitFor();
    assert.equal(writes.length, before, 'nothing was sent');
    await screenshot(page, 'supplies-offline-360', { fullPage: false });

    // Back online: the same form saves.
    await context.setOffline(false);
    await panel.locator('.supply-offline').waitFor({ state: 'detached' });
    // The "offline, not saved" message goes with the offline state: it no longer holds.
    await editor.getByRole('alert').filter({ hasText: 'オフラインのため保存できません' }).waitFor({ state: 'detached' });
    await editor.getByRole('button', { name: '在庫数・要請数を保存' }).click();
    await editor.locator('.supply-msg').filter({ hasText: '保存しました：在庫 25・要請 0' }).waitFor();
    assert.deepEqual((await stored(staff)).blanket, { on_hand: 25, requested: 0, status: 'ok' });

    // Offline reload: the copy kept on the device, with its time.
    await context.setOffline(true);
    await page.reload();
    await panel.locator('.supply-summary').filter({ hasText: 'この端末に保存した' }).waitFor();
    assert.deepEqual(await cells('infant_diaper-m'), ['80', '130', '要請中']);
    assert.deepEqual(await cells('blanket'), ['25', '0', '要請なし']);
    await context.setOffline(false);
    await panel.locator('.supply-summary').filter({ hasText: '現在' }).waitFor();
  });

  await t.test('accessible in Japanese and in English', async () => {
    await panel.getByRole('button', { name: '乳児用おむつ M' }).click();
    await editor.getByRole('heading', { name: '乳児用おむつ M' }).waitFor();
    await assertAccessible(page, '/shelter supplies (editor open)');
    await chooseLanguage(page, 'en');
    await panel.getByRole('heading', { name: 'Supplies (stock and requests)' }).waitFor();
    await panel.getByRole('heading', { name: 'For babies', exact: true }).waitFor();
    assert.deepEqual(await cells('infant_diaper-m'), ['80', '130', 'Open request']);
    await panel.getByRole('button', { name: 'Egg-free' }).waitFor();
    // The count line from the staff catalog, as a plural.
    const summary = await panel.locator('.supply-summary').textContent();
    assert.match(summary, /^Requested from HQ: (1 item|(0|[2-9]|\d\d+) items) \(as of /, summary);
    const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(width <= 360, `page is ${width}px wide at 360 in English`);
    await tablesFit();
    await editor.getByLabel('On hand (counted now) (diapers)').waitFor();
    await editor.getByLabel('Quantity received (diapers)').fill('-3');
    await editor.getByRole('button', { name: 'Record delivery' }).click();
    await editor.getByRole('alert').filter({ hasText: 'Quantity received: Negative numbers are not allowed' }).waitFor();
    await assertAccessible(page, '/shelter supplies (English)');
    await shoot(panel, 'supplies-en-360');
    await chooseLanguage(page, 'ja');
    await panel.getByRole('heading', { name: '物資（在庫・要請）' }).waitFor();
  });
  assert.deepEqual(b.errors, []);
});

// A drill (訓練) end to end in the browser against the real local stack: HQ starts it on its
// page, the resident home page, the staff screen and HQ's summary each show the 訓練 banner, a
// family scanned at the desk during it is on the drill's roster but never in the public count,
// a resident's safety report during it is marked as the drill's, and HQ ending it deletes that
// roster and that report (the banner goes).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, launchBrowser, screenshot } from './lib/browser.mjs';
import { SHELTER, confirm, openTokenForm, residents, scan, staffSignIn } from './lib/shelter.mjs';
import { signIn } from './lib/signin.mjs';
import { startStack } from './lib/stack.mjs';

let stack;
let staffToken, hqToken, household, rosterApi, api;

before(async () => {
  stack = await startStack();
  ({ staffToken, hqToken, household, rosterApi, api } = residents(stack));
});
after(async () => { await stack?.stop(); });

const occupancy = async () => (await (await fetch(`${stack.url}/api/shelters`)).json()).find((s) => s.id === SHELTER).occupancy;

test('a drill is marked everywhere its data shows and ends by deleting it', async (t) => {
  const b = await launchBrowser({ viewport: { width: 1024, height: 900 }, locale: 'ja-JP' });
  t.after(() => b.close());
  const { page: hq, context } = b;
  const staff = await staffToken();
  const before = await occupancy();

  await t.test('HQ starts a drill; its summary says the counts are the drill’s', async () => {
    await hq.goto(`${stack.url}/hq`);
    await openTokenForm(hq);
    await hq.getByLabel('本部トークン').fill(await hqToken());
    await hq.getByRole('button', { name: 'トークンでサインイン' }).click();
    const panel = hq.locator('section[aria-labelledby="incidents-h"]');
    await panel.getByText('まだありません。').waitFor();
    // No name: the app says so next to the field, in Japanese (not the browser's own pop-up).
    await panel.getByRole('button', { name: '開始する' }).click();
    await panel.getByRole('alert').filter({ hasText: '名前を1〜80文字で入力してください。' }).waitFor();
    await hq.waitForFunction(() => document.activeElement?.id === 'incident-name', null, { timeout: 5000 });
    assert.equal(await panel.getByLabel('名前').getAttribute('aria-invalid'), 'true');
    assert.equal(await panel.getByLabel('名前').getAttribute('aria-describedby'), 'incident-name-error');
    assert.equal(await panel.locator('li.incident').count(), 0, 'nothing was started');
    await panel.getByLabel('名前').fill('総合防災訓練');
    await panel.getByLabel('訓練', { exact: true }).check();
    // Asked first, with what it does to people in the shelters now (the demo's counts).
    const sheltered = (await api(await hqToken(), 'GET', '/api/hq/summary')).occupancy;
    assert.ok(sheltered > 0, 'the demo data has people in shelters');
    const asked = new Promise((resolve) => hq.once('dialog', (d) => { resolve(d.message()); d.dismiss(); }));
    await panel.getByRole('button', { name: '開始する' }).click();
    const question = await asked;
    assert.match(question, /^訓練「総合防災訓練」を始めますか？/);
    assert.ok(question.includes(`いま避難所に${sheltered}人がいます。`), question);
    // (Declined, the app sends nothing: the answer is read before any request.)
    assert.equal(await panel.locator('li.incident').count(), 0, 'declined: nothing started');
    hq.once('dialog', (d) => d.accept());
    await panel.getByRole('button', { name: '開始する' }).click();
    await panel.locator('li.incident').filter({ hasText: '総合防災訓練' }).filter({ hasText: '実施中' }).waitFor();
    await hq.locator('.hq-summary .drill-banner').filter({ hasText: '訓練中（総合防災訓練）' }).waitFor();
    await assertAccessible(hq, '/hq during a drill');
    // The real counts stay one tap away while the drill runs.
    await panel.getByRole('button', { name: '実際の災害の集計を見る（訓練を除く）' }).click();
    await hq.locator('.hq-summary .drill-banner').waitFor({ state: 'detached' });
    await hq.getByRole('button', { name: '現在の集計に戻る' }).click();
    await hq.locator('.hq-summary .drill-banner').waitFor();
  });

  await t.test('the resident home page says it is a drill, at 360 px', async () => {
    const r = await launchBrowser({ viewport: { width: 360, height: 740 }, locale: 'ja-JP' });
    try {
      await r.page.goto(`${stack.url}/`);
      await r.page.locator('.drill-banner').filter({ hasText: '訓練中です（総合防災訓練）。実際の災害ではありません。' }).waitFor();
      await assertAccessible(r.page, '/ during a drill');
      await screenshot(r.page, 'resident-drill-banner-360', { fullPage: false });
    } finally {
      await r.close();
    }
  });

  await t.test('a notice sent during the drill says so on its landing page', async () => {
    const notice = { id: 'drill-notice-1', title: { ja: '避難指示（訓練）', en: '' }, body: { ja: '片平丁小学校へ避難してください。', en: '' }, level: 'emergency', target: { type: 'all' } };
    const sent = await api(await hqToken(), 'POST', '/api/hq/notices', notice);
    assert.equal(sent.drill, '総合防災訓練');
    const r = await launchBrowser({ viewport: { width: 360, height: 740 }, locale: 'ja-JP' });
    try {
      await r.page.goto(`${stack.url}/n/041009/drill-notice-1`);
      const banner = r.page.locator('.drill').filter({ hasText: '訓練です（総合防災訓練）。実際の災害ではありません。' });
      await banner.waitFor();
      // Read first: before the level and the title.
      assert.ok(await banner.evaluate((el) => el.compareDocumentPosition(document.querySelector('h1')) & Node.DOCUMENT_POSITION_FOLLOWING));
      await assertAccessible(r.page, '/n/ drill notice');
      await screenshot(r.page, 'landing-drill-notice-360', { fullPage: false });
    } finally {
      await r.close();
    }
  });

  await t.test('staff see the banner; a family checked in is on the drill roster, not in the public count', async () => {
    const page = await context.newPage();
    try {
      await staffSignIn(page, stack.url, staff);
      await page.locator('.drill-banner').filter({ hasText: '訓練中（総合防災訓練）' }).waitFor();
      const family = await household('taro', [{ id: 'kid-1', name: '防災 はな', birth: '2018' }]);
      await scan(page, family.credential);
      await confirm(page);
      await page.locator('.scan-pending').filter({ hasText: '送信待ち 0件' }).waitFor({ timeout: 30_000 });
      assert.deepEqual((await rosterApi(staff)).sort(), ['防災 はな', '防災 太郎']);
      assert.equal(await occupancy(), before, 'the public count stays real');
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'shelter-drill-banner-1024', { fullPage: false });
    } finally {
      await page.close();
    }
  });

  // Signed in at 360 px, kept open across the drill's end.
  const r = await launchBrowser({ viewport: { width: 360, height: 740 }, locale: 'ja-JP' });
  t.after(() => r.close());
  await t.test('a safety report and check-in made during the drill are shown as the drill’s', async () => {
    await r.page.goto(`${stack.url}/`);
    await signIn(r.page, stack.url);
    await r.page.getByRole('link', { name: '家族・安否' }).first().click();
    const me = r.page.locator('li.member[data-member="self"]');
    await me.getByRole('link', { name: /安否を報告/ }).click();
    await r.page.getByLabel('無事（自宅にいる）').check();
    await r.page.getByRole('button', { name: '報告する' }).click();
    await r.page.getByRole('status').filter({ hasText: '報告を受け付けました。' }).waitFor();
    await r.page.locator('.history li').filter({ hasText: '無事（自宅にいる）' }).locator('.drill-tag').filter({ hasText: '訓練' }).waitFor();
    await r.page.getByRole('link', { name: '家族・安否' }).click();
    await me.locator('.safety .drill-tag').filter({ hasText: '訓練' }).waitFor();
    // Checked in at the desk during the drill (above): marked too.
    await me.locator('.checked-in .drill-tag').waitFor();
    await assertAccessible(r.page, '/household with a drill report');
    await screenshot(r.page, 'resident-drill-safety-360', { fullPage: false });
  });

  await t.test('HQ ends the drill: its roster is deleted and the banner goes', async () => {
    const panel = hq.locator('section[aria-labelledby="incidents-h"]');
    hq.once('dialog', (d) => { assert.match(d.message(), /訓練「総合防災訓練」を終了しますか/); d.accept(); });
    await panel.getByRole('button', { name: '「総合防災訓練」を終了する' }).click();
    await panel.locator('li.incident').filter({ hasText: '終了' }).waitFor();
    await hq.locator('.hq-summary .drill-banner').waitFor({ state: 'detached' });
    assert.deepEqual(await rosterApi(staff), []);
    assert.equal(await occupancy(), before);
    // The drill's counts stay for the review: HQ opens them from the list, then goes back.
    await panel.getByRole('button', { name: '「総合防災訓練」の集計を見る' }).click();
    await hq.locator('.hq-summary .drill-banner').filter({ hasText: '総合防災訓練' }).waitFor();
    const row = hq.locator('.hq-summary tr').filter({ hasText: '片平丁小学校' }).first();
    assert.match(await row.textContent(), /2/, 'the two people of the drill');
    // The sent list follows: the drill's notices only, and it says so.
    const sentList = hq.locator('section[aria-labelledby="sent-h"]');
    await sentList.getByText('集計で見ている災害・訓練の分だけ').waitFor();
    await sentList.locator('.sent-list li').filter({ hasText: '避難指示（訓練）' }).waitFor();
    const notices = await api(await hqToken(), 'GET', '/api/hq/notices?incident=real');
    assert.ok(!notices.some((n) => n.id === 'drill-notice-1'), 'not among the real ones');
    await hq.getByRole('button', { name: '現在の集計に戻る' }).click();
    await sentList.getByText('集計で見ている災害・訓練の分だけ').waitFor({ state: 'detached' });
    await hq.locator('.hq-summary .drill-banner').waitFor({ state: 'detached' });
    await screenshot(hq, 'hq-drill-ended-1024', { fullPage: false });
  });

  await t.test('after the drill the resident’s drill report is gone', async () => {
    await r.page.reload();
    const me = r.page.locator('li.member[data-member="self"]');
    await me.locator('.safety').filter({ hasText: '未登録' }).waitFor();
    assert.equal(await me.locator('.drill-tag').count(), 0);
  });
});

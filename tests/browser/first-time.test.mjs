// What first-time users tripped over (issue 13), each as the user meets it: one safety
// report for the whole family, a report made offline keeping the time it was made,
// where each member is checked in, years in 和暦 or as an age; at the desk: names and
// ages before confirming (a count offline, never ids), "already checked in" and "from
// elsewhere", 要介護度 and medical notes in the roster; diaper sizes that exist.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, launchBrowser, screenshot } from './lib/browser.mjs';
import { SHELTER, confirm, residents, scan, staffSignIn, waitPending } from './lib/shelter.mjs';
import { accessToken, signIn } from './lib/signin.mjs';
import { startStack } from './lib/stack.mjs';

const OTHER = '041009-wakabayashi-itsutsubashi-jhs';
let stack, r;
before(async () => {
  stack = await startStack();
  r = residents(stack);
});
after(async () => { await stack?.stop(); });

const memberCard = (page, name) => page.locator('li.member').filter({ has: page.getByRole('heading', { name, exact: true }) });
const drained = (page) => page.locator('.pending-bar').waitFor({ state: 'detached', timeout: 30_000 });
const thisYear = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Tokyo' }).format(new Date()));

test('resident: family report, the time a report was made, where each is checked in, 和暦', async (t) => {
  const b = await launchBrowser({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' });
  t.after(() => b.close());
  const { page, context } = b;
  await page.goto(`${stack.url}/`);
  await signIn(page, stack.url);
  const token = await accessToken(page);
  for (const [id, name, birth] of [['m-hana', '初 はな', '2018'], ['m-ume', '初 ウメ', '1940']]) {
    await r.api(token, 'PUT', `/api/household/members/${id}`, { display_name: name, birth, sex: 'female', relationship: id === 'm-ume' ? 'grandparent' : 'child' });
  }
  await page.getByRole('link', { name: '家族・安否' }).first().click();
  await memberCard(page, '初 ウメ').waitFor();

  await t.test('one report for the whole family, stored per person', async () => {
    await page.getByRole('link', { name: '家族の安否をまとめて報告' }).click();
    await page.locator('h1').filter({ hasText: '家族の安否を報告' }).waitFor();
    const who = page.getByRole('group', { name: 'だれの報告ですか' });
    assert.equal(await who.locator('input:checked').count(), 3, 'everyone is chosen by default');
    // Nobody chosen: a clear message, nothing sent.
    for (const box of await who.locator('input').all()) await box.uncheck();
    await page.getByRole('button', { name: '報告する' }).click();
    await page.getByRole('alert').filter({ hasText: '報告する人を選んでください。' }).waitFor();
    for (const box of await who.locator('input').all()) await box.check();
    await page.getByLabel('無事（自宅にいる）').check();
    await page.getByRole('button', { name: '報告する' }).click();
    await page.getByRole('status').filter({ hasText: '報告を受け付けました。' }).waitFor();
    await drained(page);
    await assertAccessible(page, '/safety (family)');
    const { members } = await r.api(token, 'GET', '/api/household');
    assert.deepEqual(members.map((m) => m.safety?.status.status), ['safe_at_home', 'safe_at_home', 'safe_at_home']);
    assert.equal(new Set(members.map((m) => m.safety.report_id)).size, 3, 'one report per person');
    await page.getByRole('link', { name: '家族・安否' }).click();
    for (const name of ['初 はな', '初 ウメ']) {
      await memberCard(page, name).locator('.safety').filter({ hasText: '無事（自宅にいる）' }).waitFor();
    }
  });

  await t.test('a report made offline keeps the time it was made', async () => {
    await memberCard(page, '初 ウメ').getByRole('link', { name: /安否を報告/ }).click();
    await page.locator('h1').filter({ hasText: '安否を報告: 初 ウメ' }).waitFor();
    const who = page.getByRole('group', { name: 'だれの報告ですか' });
    assert.deepEqual(await who.locator('input:checked').evaluateAll((els) => els.map((e) => e.value)), ['m-ume'], 'only this member by default');
    await context.setOffline(true);
    await page.getByLabel('別の場所にいる').check();
    await page.getByLabel('いる場所', { exact: true }).fill('親戚の家（泉区）');
    const made = Date.now();
    await page.getByRole('button', { name: '報告する' }).click();
    await page.locator('form .done').filter({ hasText: 'この端末に保存しました' }).waitFor();
    await page.waitForTimeout(3000);
    await context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await drained(page);
    const history = await r.api(token, 'GET', '/api/safety/history?member_id=m-ume');
    const rep = history.find((x) => x.status.status === 'elsewhere');
    assert.ok(Math.abs(rep.reported_at - made) < 1500, `stored as made (${rep.reported_at - made} ms off)`);
    assert.ok(rep.received_at - rep.reported_at >= 2500, `received later: ${rep.received_at - rep.reported_at} ms`);
  });

  await t.test('after a check-in the household shows where each member is', async () => {
    const { credential } = await r.api(token, 'POST', '/api/me/checkin-credential', { members: ['m-hana'] });
    const staff = await r.staffToken();
    const scanRec = { event_id: `ev-${Date.now()}`, kind: 'check_in', at: Date.now(), credential };
    await r.api(staff, 'POST', `/api/shelters/${SHELTER}/scans`, { device_id: 'tab-1', records: [scanRec] });
    await page.getByRole('link', { name: '家族・安否' }).click();
    await page.reload();
    await memberCard(page, '初 はな').locator('.checked-in').filter({ hasText: '片平丁小学校に受付済み' }).waitFor();
    assert.equal(await memberCard(page, '初 ウメ').locator('.checked-in').count(), 0);
    await screenshot(page, 'first-time-household-checked-in-390', { fullPage: false });
  });

  await t.test('a birth year in 和暦 or as an age', async () => {
    const form = page.locator('section[aria-labelledby="add-h"]');
    const birth = form.getByLabel('生年月日（生まれた年か年齢でも可）');
    await birth.fill('昭和70年');
    await form.locator('.birth-reading').filter({ hasText: 'その元号にその年はありません' }).waitFor();
    await birth.fill('85歳');
    await form.locator('.birth-reading').filter({ hasText: `→ ${thisYear - 85}年` }).waitFor();
    // A whole date reads back as Japanese writes it; a month that does not exist is said at once.
    await birth.fill('1940-03-15');
    await form.locator('.birth-reading').filter({ hasText: '→ 1940年（昭和15年）3月15日' }).waitFor();
    await birth.fill('1900-13-01');
    await form.locator('.birth-reading').filter({ hasText: '生年月日（または生まれた年）を正しく入力してください。' }).waitFor();
    // Refused on 追加する; typing again takes the refusal away (it would contradict the reading).
    await form.getByRole('button', { name: '追加する' }).click();
    const refusal = form.getByRole('alert').filter({ hasText: '入力してください' });
    await refusal.waitFor();
    await birth.fill('1900-12-01');
    await refusal.waitFor({ state: 'detached' });
    // So is a day still to come (tomorrow in Japan), not read back as if it were a birth date.
    await birth.fill('1940');
    await form.locator('.birth-reading').filter({ hasText: '→ 1940年' }).waitFor();
    await birth.fill(new Date(Date.now() + 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' }));
    await page.waitForFunction(() => {
      const text = document.querySelector('section[aria-labelledby="add-h"] .birth-reading')?.textContent.trim();
      return text && !text.includes('→');
    });
    await birth.fill('昭和15年');
    await form.locator('.birth-reading').filter({ hasText: '→ 1940年（昭和15年）' }).waitFor();
    await form.getByLabel('名前').fill('初 トメ');
    await form.getByLabel('続柄（あなたから見て）').selectOption({ label: '祖父母' });
    await form.getByRole('button', { name: '追加する' }).click();
    await memberCard(page, '初 トメ').waitFor();
    await drained(page);
    const { members } = await r.api(token, 'GET', '/api/household');
    assert.equal(members.find((m) => m.member.display_name === '初 トメ').member.birth, '1940');
  });
  assert.deepEqual(b.errors.map(String), []);
});

test('shelter desk: who it is before confirming, already here or from elsewhere, the roster for a tablet', async (t) => {
  const b = await launchBrowser({ viewport: { width: 820, height: 1180 }, locale: 'ja-JP' });
  t.after(() => b.close());
  const { page, context } = b;
  const family = await r.household(await r.newCard('受付 一郎'), [
    { id: 'gran-1', name: '受付 ウメ', birth: '1940', rel: 'grandparent' },
    { id: 'kid-1', name: '受付 はな', birth: '2018' },
  ]);
  await r.api(family.token, 'PUT', '/api/household/members/gran-1/needs', {
    care: ['wheelchair'], nursing_care_level: 'care3', medical: ['insulin'], medical_note: 'インスリン 朝夕2回（冷蔵）',
  });
  await staffSignIn(page, stack.url, await r.staffToken());

  await t.test('offline: a count, never ids', async () => {
    await context.setOffline(true);
    await scan(page, family.credential);
    await page.locator('.scan-count').filter({ hasText: '本人＋家族2人' }).waitFor();
    const text = await page.locator('.scan-confirm').innerText();
    assert.doesNotMatch(text, /gran-1|kid-1|self|家族 ?0/, text);
    await page.getByRole('button', { name: '取り消す' }).click();
    await context.setOffline(false);
  });

  await t.test('online: names and ages; after check-in a second scan says already checked in', async () => {
    await scan(page, family.credential);
    await page.locator('.scan-members').filter({ hasText: '受付 ウメ' }).waitFor();
    const lines = await page.locator('.scan-members label').allInnerTexts();
    assert.deepEqual(lines.map((l) => l.trim()), [`受付 一郎（${thisYear - 1985}歳）`, `受付 ウメ（${thisYear - 1940}歳）`, `受付 はな（${thisYear - 2018}歳）`]);
    await assertAccessible(page, '/shelter scan preview');
    await screenshot(page, 'first-time-scan-preview-820', { fullPage: false });
    await confirm(page);
    await waitPending(page, 0);
    await scan(page, family.credential);
    await page.locator('.scan-members .already').first().waitFor();
    assert.equal(await page.locator('.scan-members .already').count(), 3);
    assert.match(await page.locator('.scan-members .already').first().innerText(), /^すでに受付済み（.+）$/);
    await page.getByRole('button', { name: '取り消す' }).click();
  });

  await t.test('another shelter sees where they come from', async () => {
    const other = await launchBrowser({ viewport: { width: 820, height: 1180 }, locale: 'ja-JP' });
    try {
      await staffSignIn(other.page, stack.url, await r.staffToken(OTHER));
      await scan(other.page, family.credential);
      await other.page.locator('.scan-members .from-elsewhere').first().filter({ hasText: '片平丁小学校から' }).waitFor();
    } finally {
      await other.close();
    }
  });

  await t.test('roster shows 要介護度 and the medical note; the desk takes 和暦', async () => {
    const desk = page.locator('section[aria-labelledby="desk-h"]');
    await desk.getByLabel('氏名').fill('窓口 キヨ');
    await desk.getByLabel('生まれた年か年齢（わかれば）').fill('S13');
    await desk.locator('.birth-reading').filter({ hasText: '→ 1938年（昭和13年）' }).waitFor();
    await desk.getByRole('button', { name: '登録してチェックイン' }).click();
    await desk.locator('img.desk-qr').waitFor();
    const form = page.locator('.roster-filter');
    await form.getByRole('button', { name: '名簿を表示' }).click();
    const gran = page.locator('tr.roster-row').filter({ hasText: '受付 ウメ' });
    await gran.locator('.r-care').filter({ hasText: '要介護3' }).waitFor();
    await gran.locator('.r-note').filter({ hasText: 'インスリン 朝夕2回（冷蔵）' }).waitFor();
    await page.locator('tr.roster-row').filter({ hasText: '窓口 キヨ' }).locator('.r-age').filter({ hasText: `${thisYear - 1938}歳` }).waitFor();
  });
  assert.deepEqual(b.errors.map(String), []);
});

test('diaper sizes: only sizes that exist, named alike in the supplies list and the needs survey', async (t) => {
  const b = await launchBrowser({ viewport: { width: 1024, height: 800 }, locale: 'ja-JP' });
  t.after(() => b.close());
  const { page } = b;
  await staffSignIn(page, stack.url, await r.staffToken());
  const rows = await page.locator('.supply-row .supply-item').allInnerTexts();
  const adult = rows.filter((x) => x.includes('大人用おむつ')).map((x) => x.replace('大人用おむつ', '').trim());
  const infant = rows.filter((x) => x.includes('乳児用おむつ')).map((x) => x.replace('乳児用おむつ', '').trim());
  assert.deepEqual(adult, ['S', 'M', 'L', 'LL'], rows.join('|'));
  assert.deepEqual(infant, ['新生児', 'S', 'M', 'L', 'ビッグ'], rows.join('|'));
  // The resident survey offers the same sizes under the same names.
  const token = await r.residentToken('taro');
  const open = await r.api(token, 'GET', '/api/surveys');
  const q = open.flatMap((o) => o.survey.questions).find((x) => x.id === 'diaper_size');
  const labels = q.kind.options.map((o) => o.label.ja);
  assert.deepEqual(labels, [...infant.map((s) => `乳児用 ${s}`), ...adult.map((s) => `大人用 ${s}`)]);
});

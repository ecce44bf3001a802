// A municipality administrator loads its shelters from the CSV it publishes, on /hq: preview with
// every problem listed by line and column, nothing written until 「取り込む」, then the residents'
// list shows the change. Files are the published rows in tests/fixtures/opendata and the demo CSV.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertAccessible, launchBrowser, screenshot } from './lib/browser.mjs';
import { openTokenForm, residents } from './lib/shelter.mjs';
import { REPO, startStack } from './lib/stack.mjs';

let stack;
let r;
before(async () => {
  stack = await startStack();
  r = residents(stack);
});
after(async () => {
  await stack?.stop();
});

/** A fresh browser (its own storage: tokens do not carry over) closed after the test. */
async function freshPage(t, options) {
  const b = await launchBrowser(options);
  t.after(async () => {
    assert.deepEqual(b.errors, [], 'no uncaught page errors');
    await b.close();
  });
  return b;
}

async function adminSignIn(page, token) {
  await page.goto(`${stack.url}/hq`);
  await openTokenForm(page);
  await page.getByLabel('本部トークン').fill(token);
  await page.getByRole('button', { name: 'トークンでサインイン' }).click();
  await page.locator('#import-h').waitFor();
}

const file = (name, buffer) => ({ name, mimeType: 'text/csv', buffer });
const publicNames = async () => (await (await fetch(`${stack.url}/api/shelters`)).json()).map((s) => s.name_ja);

test('HQ without the admin role sees no import section', async (t) => {
  const { page } = await freshPage(t);
  await page.goto(`${stack.url}/hq`);
  await openTokenForm(page);
  await page.getByLabel('本部トークン').fill(await r.hqToken());
  await page.getByRole('button', { name: 'トークンでサインイン' }).click();
  await page.locator('#hq-total-people').waitFor();
  assert.equal(await page.locator('#import-h').count(), 0);
});

test('a file with bad rows: every problem with its line and column, 取り込む stays disabled, nothing written', async (t) => {
  const { page } = await freshPage(t, { viewport: { width: 360, height: 800 } });
  await adminSignIn(page, await r.adminToken());
  // Another town's published row under Sendai's code, in Shift_JIS as downloaded.
  const sjis = readFileSync(join(REPO, 'tests/fixtures/opendata/utsunomiya-ods-sites.sjis.csv'));
  await page.locator('#import-file').setInputFiles(file('utsunomiya.csv', sjis));
  await page.locator('#import-preview').click();
  const errors = page.locator('#import-errors');
  await errors.waitFor();
  const cells = await errors.locator('tbody tr').first().locator('td').allInnerTexts();
  assert.equal(cells[0], '2');
  assert.equal(cells[1], '全国地方公共団体コード');
  assert.match(cells[2], /092011/);
  assert.match(await page.locator('#import-report').innerText(), /Shift_JIS/);
  assert.ok(await page.locator('#import-apply').isDisabled(), 'nothing to apply while a row is wrong');
  await assertAccessible(page, 'admin import with errors');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scroll at 360 px (${width})`);
  await page.locator('#import-h').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-import-errors-360', { fullPage: false });
  assert.equal((await publicNames()).length, 6);
});

test('preview, then 取り込む: the renamed shelter shows in the residents list, the removed one is gone', async (t) => {
  const b = await freshPage(t, { viewport: { width: 1024, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
  const { page } = b;
  await adminSignIn(page, await r.adminToken());
  const demo = readFileSync(join(REPO, 'functions/core/seed/041009-shelters.csv'), 'utf8');
  const edited = demo
    .split('\r\n')
    .filter((l) => !l.includes(',izumi-civic-center,'))
    .map((l) => l.replace('長町小学校,', '長町小学校（第二体育館）,'))
    .join('\r\n');
  await page.locator('#import-file').setInputFiles(file('sendai.csv', Buffer.from(edited, 'utf8')));
  await page.locator('#import-preview').click();
  const report = page.locator('#import-report');
  await report.waitFor();
  const text = await report.innerText();
  assert.match(text, /更新 1/);
  assert.match(text, /一覧から外す 1/);
  assert.match(text, /泉区中央市民センター/);
  assert.ok(!(await publicNames()).includes('長町小学校（第二体育館）'), 'the preview wrote nothing');

  await page.locator('#import-apply').click();
  await page.getByRole('status').filter({ hasText: '取り込みました。' }).waitFor();
  const names = await publicNames();
  assert.ok(names.includes('長町小学校（第二体育館）'), names.join());
  assert.ok(!names.includes('泉区中央市民センター'), names.join());
  await page.locator('#import-report').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-import-applied', { fullPage: false });

  await page.goto(stack.url);
  await page.getByText('長町小学校（第二体育館）').first().waitFor();
});

test('areas: the Address Base Registry town list, previewed then applied, is what residents choose from', async (t) => {
  const { page } = await freshPage(t, { viewport: { width: 360, height: 800 } });
  await adminSignIn(page, await r.adminToken());
  const areaNames = async () => (await (await fetch(`${stack.url}/api/areas`)).json()).map((a) => a.name_ja);
  const before = await areaNames();
  const abr = readFileSync(join(REPO, 'tests/fixtures/opendata/abr-town-miyagi-excerpt.csv'));
  await page.locator('#area-import-file').setInputFiles(file('mt_town_miyagi.csv', abr));
  await page.locator('#area-import-preview').click();
  const report = page.locator('#area-import-report');
  await report.waitFor();
  const text = await report.innerText();
  assert.match(text, /取り込み後 4地区/);
  assert.match(text, /他の市町村の行 1、廃止済み 1/);
  assert.deepEqual(await areaNames(), before, 'the preview wrote nothing');
  await assertAccessible(page, 'admin area import preview');
  await page.locator('#area-import-apply').click();
  await report.getByRole('status').filter({ hasText: '取り込みました。' }).waitFor();
  assert.deepEqual(await areaNames(), ['片平一丁目', '片平二丁目', '榴岡一丁目', '泉中央']);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scroll at 360 px (${width})`);
  await report.scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-area-import-360', { fullPage: false });
});

test('municipality list: the 総務省 table in Shift_JIS, a bad row refused, a rename applied', async (t) => {
  const { page } = await freshPage(t, { viewport: { width: 360, height: 800 } });
  await adminSignIn(page, await r.adminToken());
  const names = async () => Object.fromEntries((await (await fetch(`${stack.url}/api/municipalities`)).json()).map((m) => [m.municipality, m.name_ja]));
  const before = await names();
  assert.equal(before['042030'], '塩竈市', 'the demo seed imported the list');
  const report = page.locator('#municipality-list-report');

  const sjis = readFileSync(join(REPO, 'tests/fixtures/opendata/soumu-dantai-code-miyagi.sjis.csv'));
  await page.locator('#municipality-list-file').setInputFiles(file('000925835.csv', sjis));
  await page.locator('#municipality-list-preview').click();
  await report.waitFor();
  assert.match(await report.innerText(), /Shift_JIS ・ 38行 ・ この都道府県 36件（新規 0、名前の変更 0）・ 他の都道府県、政令市の区、廃止済みの行 2 は読み飛ばし/);

  const bad = Buffer.from('団体コード,都道府県名（漢字）,市区町村名（漢字）\n042030,宮城県,塩釜市\n042031,宮城県,誤り\n');
  await page.locator('#municipality-list-file').setInputFiles(file('edited.csv', bad));
  await page.locator('#municipality-list-preview').click();
  await page.locator('#municipality-list-errors').getByRole('cell', { name: '団体コード', exact: true }).waitFor();
  assert.equal(await page.locator('#municipality-list-errors tbody tr').count(), 1);
  assert.ok(await page.locator('#municipality-list-apply').isDisabled(), 'no apply while a row is wrong');
  await assertAccessible(page, 'admin municipality list preview with errors');

  const fixed = Buffer.from('団体コード,都道府県名（漢字）,市区町村名（漢字）\n042030,宮城県,塩釜市\n');
  await page.locator('#municipality-list-file').setInputFiles(file('edited.csv', fixed));
  await page.locator('#municipality-list-preview').click();
  await report.filter({ hasText: '名前の変更 1' }).waitFor();
  assert.deepEqual(await names(), before, 'the preview wrote nothing');
  await page.locator('#municipality-list-apply').click();
  await report.getByRole('status').filter({ hasText: '取り込みました。' }).waitFor();
  assert.equal((await names())['042030'], '塩釜市');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scroll at 360 px (${width})`);
  await report.scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-municipality-list-360', { fullPage: false });
});

test('facilities and capacity: the admin ticks what a shelter has and corrects its capacity; residents see it', async (t) => {
  const { page } = await freshPage(t, { viewport: { width: 360, height: 800 } });
  await adminSignIn(page, await r.adminToken());
  const id = '041009-aoba-katahira-es';
  const shelter = async () => (await fetch(`${stack.url}/api/shelters/${id}`)).json();
  const before = await shelter();
  const section = page.locator('section[aria-labelledby="facilities-h"]');
  await section.locator(`#facilities-shelter option[value="${id}"]`).waitFor({ state: 'attached' });
  await section.getByLabel('避難所').selectOption(id);
  const pets = section.getByRole('checkbox', { name: 'ペット可' });
  await pets.waitFor();
  assert.equal(await pets.isChecked(), before.facilities.includes('pets'));
  await pets.setChecked(!before.facilities.includes('pets'));
  await section.getByLabel('定員（人）').fill(String(before.capacity + 25));
  await section.getByRole('button', { name: '保存する' }).click();
  await section.getByRole('status').filter({ hasText: '保存しました。' }).waitFor();
  const after = await shelter();
  assert.equal(after.capacity, before.capacity + 25);
  assert.equal(after.facilities.includes('pets'), !before.facilities.includes('pets'));
  await assertAccessible(page, 'admin facilities');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scroll at 360 px (${width})`);
  await section.scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-facilities-360', { fullPage: false });

  // The resident's shelter list shows the change.
  await page.goto(stack.url);
  const card = page.locator('li.card').filter({ hasText: '片平丁小学校' }).first();
  await card.waitFor();
  const chip = card.locator('ul.chips li').filter({ hasText: 'ペット可' });
  await card.getByText(`${after.occupancy}人 / 定員${after.capacity}人`).waitFor();
  assert.equal(await chip.count(), after.facilities.includes('pets') ? 1 : 0);
});

test('a second municipality onboarded: the resident home page lists either town\'s shelters, kept after a reload', async (t) => {
  const utsunomiya = await r.adminToken('092011');
  const csv = readFileSync(join(REPO, 'tests/fixtures/opendata/utsunomiya-ods-sites.utf8.csv'));
  const res = await fetch(`${stack.url}/api/admin/municipalities/092011/shelter-import?apply=true`, {
    method: 'POST', headers: { Authorization: `Bearer ${utsunomiya}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  assert.equal(res.status, 200, await res.text());
  const [row] = await (await fetch(`${stack.url}/api/shelters?municipality=092011`)).json();

  const { page } = await freshPage(t, { viewport: { width: 360, height: 800 } });
  await page.goto(stack.url);
  const town = page.getByRole('combobox', { name: '市区町村' });
  await page.locator('#shelters-of option[value="092011"]').waitFor({ state: 'attached' });
  assert.equal(await town.inputValue(), '041009', "the deployment's own town first");
  await page.locator('li.card').first().waitFor();
  await town.selectOption('092011');
  await page.locator('li.card').filter({ hasText: row.name_ja }).waitFor();
  assert.equal(await page.locator('li.card').count(), 1, "Utsunomiya's one imported shelter only");
  await page.reload();
  await page.locator('li.card').filter({ hasText: row.name_ja }).waitFor();
  assert.equal(await town.inputValue(), '092011');
  await assertAccessible(page, 'home with two municipalities');
  await town.selectOption('041009');
  await page.locator('li.card').filter({ hasText: '片平丁小学校' }).waitFor();
});

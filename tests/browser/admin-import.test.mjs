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

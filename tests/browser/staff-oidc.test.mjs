// Staff, HQ and admins sign in with their organisation's account: the local stack runs a real
// OpenID Provider (npm `oidc-provider`, tools/oidc-provider) and the app goes through it with
// authorization code + PKCE, in a real browser. Checked: the provider's login page (wrong
// password refused), the role comes from the staff record, the token lives only in the tab,
// sign-out leaves nothing that signs the next person in (the provider asks for the password
// again), the offline scan queue survives sign-out and is sent under the next sign-in, a
// forged callback is refused, and an account without a staff record is told whom to ask.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, launchBrowser, screenshot, waitForServiceWorker } from './lib/browser.mjs';
import { SHELTER, confirm, qrPng, residents, scanPhoto, waitPending } from './lib/shelter.mjs';
import { startStack } from './lib/stack.mjs';

let stack;
let r;

before(async () => {
  stack = await startStack();
  r = residents(stack);
});
after(async () => { await stack?.stop(); });

const tokenKeys = (page) => page.evaluate(() => ({
  tab: Object.keys(sessionStorage).filter((k) => k.endsWith('.token')),
  device: Object.keys(localStorage).filter((k) => k.endsWith('.token')),
}));

/** From the app's sign-in screen through the provider's login page and back. */
async function signInWithAccount(page, login, password, { expectForm = true } = {}) {
  await page.getByRole('button', { name: '職員アカウントでサインイン' }).click();
  if (!expectForm) return;
  await page.getByLabel('ユーザー名').waitFor();
  await page.getByLabel('ユーザー名').fill(login);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'サインイン' }).click();
}

const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

test('shelter staff sign in with their account; sign-out leaves nothing; the offline queue waits for the next sign-in', async (t) => {
  const b = await launchBrowser({ locale: 'ja-JP' });
  t.after(() => b.close());
  const { page, context } = b;
  const family = await r.household(await r.newCard('認証 太郎'), []);

  await t.test("the provider's login page refuses a wrong password, then signs in", async () => {
    await page.goto(`${stack.url}/shelter`);
    await page.getByRole('button', { name: '職員アカウントでサインイン' }).waitFor();
    await assertAccessible(page, '/shelter sign-in with the staff account button');
    await signInWithAccount(page, 'staff', 'wrong-password');
    await page.getByRole('alert').filter({ hasText: 'ユーザー名またはパスワードが違います' }).waitFor();
    assert.ok(!page.url().startsWith(stack.url), `still at the provider: ${page.url()}`);
    await assertAccessible(page, 'provider login page');
    await screenshot(page, 'oidc-provider-login-360', { fullPage: false });
    await page.getByLabel('パスワード').fill('bosai-staff');
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.waitForURL(`${stack.url}/shelter`);
    await page.locator('.staff-shelter').filter({ hasText: '片平丁小学校' }).waitFor();
    await waitPending(page, 0);
  });

  await t.test('the token is ours, scoped by the staff record, short-lived and in this tab only', async () => {
    assert.deepEqual(await tokenKeys(page), { tab: ['bosai.staff.token'], device: [] });
    const claims = payload(await page.evaluate(() => sessionStorage.getItem('bosai.staff.token')));
    assert.equal(claims.role, 'shelter_staff');
    assert.deepEqual(claims.shelters, [SHELTER]);
    assert.equal(claims.exp - claims.iat, 4 * 3600);
    assert.ok(!JSON.stringify(claims).includes('片平'), 'no name in the token');
    assert.equal(await page.evaluate(() => location.search), '', 'the spent code is not left in the address');
  });

  await t.test('offline: a scan queues; sign-out keeps the queue but no token', async () => {
    await page.waitForFunction(() => !!localStorage.getItem('bosai.staff.jwks.v1'));
    // Ready for offline: the service worker has the staff bundle (the photo decoder is a chunk of it).
    await waitForServiceWorker(page);
    await context.setOffline(true);
    await page.locator('.sync-state').filter({ hasText: 'オフライン' }).waitFor();
    await scanPhoto(page, await qrPng(family.credential));
    await confirm(page);
    await waitPending(page, 1);
    // Asked first, as the queue is not empty; declining keeps the staff member signed in.
    const declined = page.waitForEvent('dialog').then(async (d) => { const m = d.message(); await d.dismiss(); return m; });
    await page.getByRole('button', { name: 'スタッフのサインアウト' }).click();
    assert.equal(await declined, '送信待ちが1件あります。この端末に残り、次にサインインしたときに送信します。サインアウトしますか？');
    assert.deepEqual((await tokenKeys(page)).tab, ['bosai.staff.token'], 'declined: still signed in');
    const accepted = page.waitForEvent('dialog').then((d) => d.accept());
    await page.getByRole('button', { name: 'スタッフのサインアウト' }).click();
    await accepted;
    await page.getByRole('button', { name: '職員アカウントでサインイン' }).waitFor();
    assert.deepEqual(await tokenKeys(page), { tab: [], device: [] });
    const queued = await page.evaluate(() => new Promise((res, rej) => {
      const open = indexedDB.open('bosai');
      open.onerror = () => rej(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const req = db.transaction('scans').objectStore('scans').count();
        req.onsuccess = () => res(req.result);
        req.onerror = () => rej(req.error);
      };
    }));
    assert.equal(queued, 1, 'the queued scan is still on the device');
  });

  await t.test('the next sign-in asks for the password again and sends the queue', async () => {
    await context.setOffline(false);
    await signInWithAccount(page, 'staff', 'bosai-staff');
    await page.waitForURL(`${stack.url}/shelter`);
    await waitPending(page, 0);
    const names = await r.rosterApi(await r.staffToken());
    assert.ok(names.includes('認証 太郎'), names.join());
  });
});

test('HQ and admins sign in with their accounts; forged callbacks and accounts without a staff record are refused', async (t) => {
  const b = await launchBrowser({ locale: 'ja-JP', viewport: { width: 1366, height: 900 } });
  t.after(() => b.close());
  const { page } = b;

  await t.test('HQ: the summary, no import section; sign-out', async () => {
    await page.goto(`${stack.url}/hq`);
    await signInWithAccount(page, 'hq', 'bosai-hq');
    await page.waitForURL(`${stack.url}/hq`);
    await page.locator('#hq-total-people').waitFor();
    assert.equal(await page.locator('#import-h').count(), 0);
    assert.deepEqual(await tokenKeys(page), { tab: ['bosai.hq.token'], device: [] });
    await page.getByRole('button', { name: '本部のサインアウト' }).click();
    await page.getByRole('button', { name: '職員アカウントでサインイン' }).waitFor();
    assert.deepEqual(await tokenKeys(page), { tab: [], device: [] });
  });

  await t.test('admin: the import section and the staff records, where a person is added and removed', async () => {
    await signInWithAccount(page, 'admin', 'bosai-admin');
    await page.waitForURL(`${stack.url}/hq`);
    await page.locator('#import-h').waitFor();
    const table = page.locator('#staff-records');
    await table.locator('td.staff-subject', { hasText: 'demo-staff-katahira' }).waitFor();
    assert.equal(await table.locator('tbody tr').count(), 3, 'the three demo records');
    const section = page.locator('section[aria-labelledby="staff-h"]');
    await section.getByLabel('アカウントID（認証サーバーの sub）').fill('mutual-aid-7');
    await section.getByLabel('氏名', { exact: true }).fill('応援 七子');
    await section.getByLabel('避難所スタッフ').check();
    await section.getByLabel('片平丁小学校').check();
    await section.getByRole('button', { name: '登録する' }).click();
    await section.getByRole('status').filter({ hasText: '応援 七子 さんを登録しました' }).waitFor();
    const row = table.locator('tr', { hasText: 'mutual-aid-7' });
    await row.filter({ hasText: '片平丁小学校' }).waitFor();
    const admin = await r.adminToken();
    const saved = (await r.api(admin, 'GET', '/api/admin/municipalities/041009/staff')).find((a) => a.subject === 'mutual-aid-7');
    assert.deepEqual({ role: saved.role, shelters: saved.shelters }, { role: 'shelter_staff', shelters: [SHELTER] });
    await assertAccessible(page, '/hq admin with staff records');
    await screenshot(page, 'admin-staff-records', { fullPage: false });
    // Removing asks once more.
    await row.getByRole('button', { name: '外す' }).click();
    await row.getByRole('button', { name: 'はい、外す' }).click();
    await row.waitFor({ state: 'detached' });
    assert.ok(!(await r.api(admin, 'GET', '/api/admin/municipalities/041009/staff')).some((a) => a.subject === 'mutual-aid-7'));
    await page.getByRole('button', { name: '本部のサインアウト' }).click();
  });

  await t.test('prefecture HQ: every municipality in numbers, no person', async () => {
    await signInWithAccount(page, 'pref', 'bosai-pref');
    await page.waitForURL(`${stack.url}/hq`);
    const row = page.locator('#pref-municipalities tbody tr', { hasText: '仙台市' });
    await row.waitFor();
    const api = await r.api(await r.hqToken(), 'GET', '/api/hq/summary');
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[1], `${api.occupancy} / ${api.capacity}`, 'the same numbers as Sendai HQ\'s summary');
    assert.equal(await page.locator('#help-h, #compose-h, #import-h').count(), 0, 'no per-person or municipal views');
    // When the numbers were counted, as on the municipal summary.
    await page.locator('#pref-generated').filter({ hasText: /^集計時刻: \d+\/\d+ \d{2}:\d{2}$/ }).waitFor();
    await assertAccessible(page, '/hq prefecture');
    await screenshot(page, 'prefecture-hq', { fullPage: false });
    await page.getByRole('button', { name: '本部のサインアウト' }).click();
    await page.getByRole('button', { name: '職員アカウントでサインイン' }).waitFor();
  });

  await t.test('a callback this tab did not start is refused', async () => {
    await page.goto(`${stack.url}/shelter/callback?code=forged&state=forged`);
    await page.getByRole('alert').filter({ hasText: 'state が一致しません' }).waitFor();
    assert.deepEqual(await tokenKeys(page), { tab: [], device: [] });
    await assertAccessible(page, '/shelter/callback refused');
  });

  await t.test('an account without a staff record signs in at the provider but not here', async () => {
    const admin = await r.adminToken();
    const record = (await r.api(admin, 'GET', '/api/admin/municipalities/041009/staff')).find((a) => a.subject === 'demo-staff-katahira');
    assert.ok(record, 'the demo staff record exists');
    await r.api(admin, 'DELETE', '/api/admin/municipalities/041009/staff/demo-staff-katahira');
    try {
      await page.goto(`${stack.url}/shelter`);
      await signInWithAccount(page, 'staff', 'bosai-staff');
      await page.getByRole('alert').filter({ hasText: '職員の権限がありません' }).waitFor();
      await page.getByRole('alert').filter({ hasText: 'demo-staff-katahira' }).waitFor();
      assert.deepEqual(await tokenKeys(page), { tab: [], device: [] });
      await screenshot(page, 'oidc-no-staff-record', { fullPage: false });
    } finally {
      await r.api(admin, 'PUT', '/api/admin/municipalities/041009/staff/demo-staff-katahira',
        { name: record.name, role: record.role, shelters: record.shelters });
    }
  });
});

test('the local provider stops with the stack, even when the stack is killed', async () => {
  const killed = await startStack();
  // The provider is the stack's `node` child (found by its parent in /proc).
  const { readdirSync, readFileSync } = await import('node:fs');
  const children = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === killed.pid
        && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('provider.mjs');
    } catch { return false; }
  }).map(Number);
  const [provider] = children();
  assert.ok(provider, 'the stack started its provider');
  await killed.kill();
  const alive = () => { try { process.kill(provider, 0); return true; } catch { return false; } };
  const deadline = Date.now() + 10_000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(), false, `provider ${provider} outlived the killed stack`);
});

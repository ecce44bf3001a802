// Sign-in with the simulated My Number Card against the real local stack,
// token refresh and sign-out, the failed-callback page, and axe-core checks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, launchBrowser, screenshot, chooseLanguage } from './lib/browser.mjs';
import { signIn as signInAs } from './lib/signin.mjs';
import { startStack } from './lib/stack.mjs';

// Must match app/src/session.rs.
const ACCESS = 'bosai.session.access';
const REFRESH = 'bosai.session.refresh';
const EXPIRES = 'bosai.session.expires_at';
const VERIFIER = 'bosai.pkce_verifier';

let stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.stop();
});

const storage = (page, key) => page.evaluate((k) => localStorage.getItem(k), key);
const setStorage = (page, key, value) => page.evaluate(([k, v]) => localStorage.setItem(k, v), [key, value]);

async function refreshWith(token) {
  const res = await fetch(`${stack.url}/api/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: token }),
  });
  return { status: res.status, body: await res.json() };
}

const signIn = (page) => signInAs(page, stack.url);

test('sign in with the simulated card, reload, English, sign out', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const h1 = page.locator('h1');

  await t.test('signed out: a clear entry with an explanation', async () => {
    await page.goto(`${stack.url}/`);
    await h1.filter({ hasText: '避難所' }).waitFor();
    await page.getByText('4桁の暗証番号').waitFor();
    await page.locator('.card').first().waitFor();
    await screenshot(page, 'signin-signed-out-ja-360x740', { fullPage: false });
    await assertAccessible(page, '/ (signed out)');
  });

  await t.test('card page, callback, signed in with the shared name', async () => {
    await signIn(page);
    await page.getByText('サインイン中').waitFor();
    assert.equal(await storage(page, VERIFIER), null, 'the PKCE verifier is removed');
    assert.ok(await storage(page, ACCESS));
    assert.ok(Number(await storage(page, EXPIRES)) > Date.now());
    // The callback navigated in-app: focus is on the new page's heading.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    await page.locator('.card').first().waitFor();
    await screenshot(page, 'signin-signed-in-ja-360x740', { fullPage: false });
    await assertAccessible(page, '/ (signed in)');
  });

  await t.test('reload keeps the session; English label', async () => {
    await page.reload();
    await page.locator('.account .who').filter({ hasText: '防災 太郎' }).waitFor();
    await chooseLanguage(page, 'en');
    await page.locator('.account').getByText('Signed in').waitFor();
    await page.locator('.account .who').filter({ hasText: '防災 太郎' }).waitFor();
    await screenshot(page, 'signin-signed-in-en-360x740', { fullPage: false });
  });

  await t.test('sign out revokes the refresh token and the app stops using the access token', async () => {
    const refresh = await storage(page, REFRESH);
    assert.ok(refresh);
    const authed = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/me') || r.headers().authorization) authed.push(r.url());
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with My Number Card' }).waitFor();
    // Focus stays where the sign-out button was.
    await page.waitForFunction(() => document.activeElement?.id === 'signin');
    for (const k of [ACCESS, REFRESH, EXPIRES]) assert.equal(await storage(page, k), null, k);
    const reuse = await refreshWith(refresh);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.code, 'invalid_grant');
    await page.reload();
    await page.getByRole('button', { name: 'Sign in with My Number Card' }).waitFor();
    await page.locator('.card').first().waitFor();
    assert.deepEqual(authed, [], 'no authenticated request after sign-out');
    await chooseLanguage(page, 'ja');
  });

  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('token refresh: expired, rejected, and revoked', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const tokenCalls = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/auth/token')) tokenCalls.push(JSON.parse(r.postData()).grant_type);
  });
  await page.goto(`${stack.url}/`);
  await signIn(page);

  await t.test('an expired access token is refreshed before the call', async () => {
    const before = await storage(page, REFRESH);
    await setStorage(page, EXPIRES, '0');
    tokenCalls.length = 0;
    await page.reload();
    await page.locator('.account .who').filter({ hasText: '防災 太郎' }).waitFor();
    assert.deepEqual(tokenCalls, ['refresh_token']);
    const after = await storage(page, REFRESH);
    assert.notEqual(after, before, 'the rotated refresh token is stored');
    assert.ok(Number(await storage(page, EXPIRES)) > Date.now());
  });

  await t.test('a 401 refreshes once and retries', async () => {
    await setStorage(page, ACCESS, 'not-a-token');
    tokenCalls.length = 0;
    await page.reload();
    await page.locator('.account .who').filter({ hasText: '防災 太郎' }).waitFor();
    assert.deepEqual(tokenCalls, ['refresh_token']);
    assert.notEqual(await storage(page, ACCESS), 'not-a-token');
  });

  await t.test('a revoked family (reuse elsewhere) signs out with a message', async () => {
    const current = await storage(page, REFRESH);
    // Someone else uses our refresh token, and goes on using the session (refreshes again)...
    const theirs = await refreshWith(current);
    assert.equal(theirs.status, 200);
    assert.equal((await refreshWith(theirs.body.refresh_token)).status, 200);
    // ...so our next refresh is a reuse (not a retry after a lost answer: its successor was
    // used), which revokes the family.
    await setStorage(page, EXPIRES, '0');
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'もう一度カードでサインインしてください' }).waitFor();
    await page.getByRole('button', { name: 'マイナンバーカードでサインイン' }).waitFor();
    assert.equal(await storage(page, REFRESH), null);
  });

  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('a failed exchange shows the error and ways on', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const h1 = page.locator('h1');

  await t.test('no sign-in started in this browser', async () => {
    await page.goto(`${stack.url}/auth/callback?code=bogus`);
    await h1.filter({ hasText: 'サインイン' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'サインインの手続きが見つかりません' }).waitFor();
  });

  await t.test('the server rejects the code: its message, retry and home', async () => {
    await setStorage(page, VERIFIER, 'v'.repeat(43));
    await page.goto(`${stack.url}/auth/callback?code=bogus`);
    await page.getByRole('alert').filter({ hasText: 'サインインの有効期限が切れたか、無効です' }).waitFor();
    await screenshot(page, 'signin-callback-error-ja-360x740', { fullPage: false });
    await assertAccessible(page, '/auth/callback (error)');
    await chooseLanguage(page, 'en');
    await page.getByRole('alert').filter({ hasText: 'Your sign-in is no longer valid' }).waitFor();
    await chooseLanguage(page, 'ja');
    // Retry starts a new sign-in (the code is spent).
    await page.getByRole('button', { name: 'もう一度試す' }).click();
    await page.waitForURL(/\/dev\/companion\?/);
    await page.goBack();
    await page.getByRole('link', { name: 'トップページへ戻る' }).click();
    await page.getByRole('button', { name: 'マイナンバーカードでサインイン' }).waitFor();
  });

  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

test('accessibility (axe-core) and focus on navigation', async (t) => {
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;
  const h1 = page.locator('h1');

  for (const [path, heading] of [['/shelter', '避難所スタッフ'], ['/hq', '災害対策本部'], ['/n/test', 'お知らせが見つかりません']]) {
    await t.test(path, async () => {
      await page.goto(`${stack.url}${path}`);
      await h1.filter({ hasText: heading }).waitFor();
      await assertAccessible(page, path);
    });
  }

  await t.test('English home', async () => {
    await page.goto(`${stack.url}/`);
    await chooseLanguage(page, 'en');
    await page.locator('.card').first().waitFor();
    await assertAccessible(page, '/ (English)');
    await chooseLanguage(page, 'ja');
  });

  await t.test('a nav link into the staff bundle loads it; inside it, focus moves to the new heading', async () => {
    // Resident → staff is a page load into the other bundle (staff.html), not a routed change.
    await page.getByRole('link', { name: '避難所スタッフ' }).click();
    await page.waitForURL(`${stack.url}/shelter`);
    await page.locator('main h1').first().waitFor();
    assert.equal(await page.evaluate(() => [...document.scripts].some((s) => /\/staff-[0-9a-f]{16}\/staff\.js$/.test(s.src))), true);
    // Staff → HQ is routed inside the staff bundle: focus follows to the new page's heading.
    await page.getByRole('link', { name: '災害対策本部' }).click();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1'
      && document.activeElement.textContent.includes('災害対策本部'));
  });

  assert.deepEqual(b.errors.map(String), [], 'no uncaught page errors');
});

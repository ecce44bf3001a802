// The resident's session across tabs: refresh tokens rotate and a reused one revokes the
// whole family, so two tabs must never refresh with the same token (app/src/session.rs
// takes a Web Lock around the refresh).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser } from './lib/browser.mjs';
import { accessToken, signIn } from './lib/signin.mjs';
import { startStack } from './lib/stack.mjs';

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const signedInHousehold = (page) => page.locator('li.member[data-member="self"]').waitFor({ timeout: 15_000 });

/**
 * A browser signed in, its first tab left on a page of the same origin that runs no app (the home
 * page keeps working after sign-in — its household sync, notices — and on a slow machine would
 * find an expired token first and refresh alone), and the refresh tokens the server was sent
 * from then on (`sent`).
 */
async function signedInParked() {
  const b = await launchBrowser();
  const first = b.page;
  await first.goto(`${stack.url}/`);
  await signIn(first, stack.url);
  await first.goto(`${stack.url}/manifest.webmanifest`);
  const sent = [];
  b.context.on('requestfinished', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/auth/token') {
      const body = JSON.parse(r.postData() ?? '{}');
      if (body.refresh_token) sent.push(body.refresh_token);
    }
  });
  return { b, first, sent };
}

test('two tabs refreshing at the same moment both stay signed in', async () => {
  const { b, first, sent } = await signedInParked();
  try {
    const second = await b.context.newPage();
    // A slow network: the first refresh of the household pages takes 1.5 s to answer, so
    // the other tab's refresh starts while it is in flight (as on one bar of signal).
    const fromHousehold = (request) => {
      try {
        return new URL(request.frame().url()).pathname === '/household';
      } catch {
        return false;
      }
    };
    let held = false;
    await b.context.route('**/api/auth/token', async (route) => {
      if (!held && fromHousehold(route.request())) {
        held = true;
        await new Promise((r) => setTimeout(r, 1500));
      }
      await route.continue().catch(() => {});
    });
    // Both tabs find the access token expired and open a page that needs it at once.
    await first.evaluate(() => localStorage.setItem('bosai.session.expires_at', '0'));
    // The household page shows the device's saved copy at once; the refresh happens when it
    // fetches the household from the server, so wait for each tab's fetch to be answered.
    const fetched = (page) =>
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/household' && r.request().method() === 'GET', {
        timeout: 20_000,
      });
    const answers = Promise.all([fetched(first), fetched(second)]);
    await Promise.all([first.goto(`${stack.url}/household`), second.goto(`${stack.url}/household`)]);
    await Promise.all([signedInHousehold(first), signedInHousehold(second)]);
    for (const r of await answers) assert.equal(r.status(), 200, 'each tab fetched its household with a valid token');
    assert.ok(held, 'a household page refreshed through the slow network');
    assert.ok(sent.length >= 1, 'the expired token was refreshed');
    assert.equal(new Set(sent).size, sent.length, `no refresh token sent twice: ${sent.length} sent`);

    // The family was not revoked: a later refresh still works and the API accepts the token.
    await second.evaluate(() => localStorage.setItem('bosai.session.expires_at', '0'));
    await second.reload();
    await signedInHousehold(second);
    const res = await fetch(`${stack.url}/api/me`, { headers: { Authorization: `Bearer ${await accessToken(second)}` } });
    assert.equal(res.status, 200);
  } finally {
    await b.close();
  }
});

test("a tab whose copy of the session lags behind another tab's refresh does not send the spent token", async () => {
  const { b, first, sent } = await signedInParked();
  try {
    const keys = ['bosai.session.access', 'bosai.session.refresh', 'bosai.session.expires_at'];
    const before = await first.evaluate((keys) => keys.map((k) => localStorage.getItem(k)), keys);
    const isToken = (r) => new URL(r.url()).pathname === '/api/auth/token' && r.request().method() === 'POST';
    const isHousehold = (r) => new URL(r.url()).pathname === '/api/household' && r.request().method() === 'GET';
    // The first tab refreshes the expired token.
    await first.evaluate(() => localStorage.setItem('bosai.session.expires_at', '0'));
    const refreshed = first.waitForResponse(isToken, { timeout: 20_000 });
    await first.goto(`${stack.url}/household`);
    assert.equal((await refreshed).status(), 200);
    await signedInHousehold(first);
    await first.goto(`${stack.url}/manifest.webmanifest`);
    // What another tab reads when the first tab's writes have not reached its copy of
    // localStorage yet: Chromium passes them on asynchronously, and on a busy machine the
    // refresh lock can be granted first. Simulated by writing the spent session back, expired.
    await first.evaluate(
      ([keys, spent]) => {
        keys.forEach((k, i) => localStorage.setItem(k, spent[i]));
        localStorage.setItem('bosai.session.expires_at', '0');
      },
      [keys, before],
    );
    const second = await b.context.newPage();
    const fetched = second.waitForResponse(isHousehold, { timeout: 20_000 });
    await second.goto(`${stack.url}/household`);
    assert.equal((await fetched).status(), 200, 'the second tab used the session the first one stored');
    await signedInHousehold(second);
    assert.deepEqual(
      sent.map((t) => t === before[1]),
      [true],
      'the spent refresh token was sent once, by the first tab, and the second tab sent none',
    );
  } finally {
    await b.close();
  }
});

test('a refresh whose answer is lost on the way: the resident stays signed in', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await page.goto(`${stack.url}/`);
    await signIn(page, stack.url);
    // The refresh reaches the server (which rotates the token), and its answer never arrives.
    let lost = 0;
    await b.context.route('**/api/auth/token', async (route) => {
      if (lost === 0 && JSON.parse(route.request().postData() ?? '{}').refresh_token) {
        lost += 1;
        const answered = await route.fetch();
        assert.equal(answered.status(), 200, 'the server rotated the token');
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.evaluate(() => localStorage.setItem('bosai.session.expires_at', '0'));
    await page.reload();
    for (let i = 0; i < 150 && lost === 0; i += 1) await page.waitForTimeout(100);
    assert.equal(lost, 1, 'the app refreshed and lost the answer');
    // Later (signal back), the app sends the same token again: a retry, not a theft.
    await page.reload();
    await page.locator('.account .who').filter({ hasText: '防災 太郎' }).waitFor({ timeout: 15_000 });
    const res = await fetch(`${stack.url}/api/me`, { headers: { Authorization: `Bearer ${await accessToken(page)}` } });
    assert.equal(res.status, 200);
  } finally {
    await b.close();
  }
});

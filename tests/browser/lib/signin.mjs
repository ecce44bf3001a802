// Sign-in through the simulated My Number Card page (/dev/companion), shared by the browser tests.
import { waitForServiceWorker } from './browser.mjs';

/** From the signed-out home through the simulated card page back to the app, signed in as 防災 太郎. */
export async function signIn(page, baseUrl) {
  await page.getByRole('button', { name: 'マイナンバーカードでサインイン' }).click();
  await page.waitForURL(/\/dev\/companion\?/);
  await page.getByRole('heading', { name: '模擬マイナンバーカード' }).waitFor();
  await page.getByLabel('防災 太郎（デモ）').check();
  await page.getByLabel(/氏名・住所・生年月日・性別を提供する/).check();
  await page.getByRole('button', { name: /この模擬カードで署名する/ }).click();
  // Back through /auth/callback?code=… to the home page, which replaces the callback entry.
  await page.waitForURL(`${baseUrl}/`);
  await page.locator('.account .who').filter({ hasText: '防災 太郎' }).waitFor();
}

/** The access token the app keeps (app/src/session.rs). */
export const accessToken = (page) => page.evaluate(() => localStorage.getItem('bosai.session.access'));

/** A first visit, signed in, then reloaded under the service worker: what an offline test starts from. */
export async function signInForOffline(page, baseUrl) {
  await page.goto(`${baseUrl}/`);
  await signIn(page, baseUrl);
  // The service worker must control the page for an offline reload.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await waitForServiceWorker(page);
}

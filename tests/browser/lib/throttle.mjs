// A congested mobile cell (issue 18), through Chromium's own network emulation (CDP): what a
// resident's phone sees in a crowded gym. Shared by firstload.test.mjs and bench/first-usable.mjs.

/** 400 kbit/s down, 100 kbit/s up, 400 ms round trips. */
export const CONGESTED = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 100_000 / 8 };

/** What each `ready` below waits for, watched in the page from its first byte (see `loadThrottled`). */
const SELECTORS = {
  homeReadable: '#boot-shelters li, main li.card',
  // Each shelter with its map link: the loading page's list (public/boot.js) has them too.
  homeReady: '#boot-shelters li.card a[href], main li.card a[href]',
  homeAppReady: 'main li.card',
  // The form before the app (public/boot-lang.js) queues a report as the app's does.
  safetyReady: '#boot-safety button[type="submit"], main form button[type="submit"]',
  safetyAppReady: 'main form button[type="submit"]',
  scanReady: '#scan-input',
};
const watching = new WeakSet();

/** Records in the page when each selector first matches (`window.__firstSeen`), by a MutationObserver. */
async function watch(page) {
  if (watching.has(page)) return;
  watching.add(page);
  await page.addInitScript((selectors) => {
    const seen = (window.__firstSeen = {});
    const look = () => {
      for (const s of selectors) if (!(s in seen) && document.querySelector(s)) seen[s] = performance.now();
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true });
  }, Object.values(SELECTORS));
}

/**
 * Opens `url` in `page` as a first visit over the congested link: HTTP cache off and the service
 * worker bypassed (what is in localStorage, a session say, stays). Waits for `ready(page)` and
 * returns the seconds from the navigation's start (the page's own clock) until what `ready` waits
 * for entered the page (recorded in the page, not when this poll noticed it, which lags by up to
 * a few hundred ms while the wasm starts), and the paths the page fetched.
 */
export async function loadThrottled(page, url, ready, { timeout = 60_000 } = {}) {
  await watch(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.setBypassServiceWorker', { bypass: true });
  await cdp.send('Network.emulateNetworkConditions', CONGESTED);
  const fetched = [];
  const onRequest = (r) => fetched.push(new URL(r.url()).pathname);
  page.on('request', onRequest);
  try {
    await page.goto(url, { waitUntil: 'commit', timeout });
    await ready(page, timeout);
    const seen = await page.evaluate(() => window.__firstSeen ?? {});
    const now = await page.evaluate(() => performance.now());
    // `at(other)`: when another of the watched things (a `ready` below) first showed in this load.
    const at = (r) => (r.selector in seen ? seen[r.selector] / 1000 : undefined);
    return { seconds: (seen[ready.selector] ?? now) / 1000, at, fetched };
  } finally {
    page.off('request', onRequest);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.send('Network.setBypassServiceWorker', { bypass: false });
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await cdp.detach();
  }
}

/** The home page's shelters readable: the loading page's list (public/boot.js) or the app's. */
export async function homeReadable(page, timeout) {
  await page.locator(SELECTORS.homeReadable).first().waitFor({ timeout });
}
homeReadable.selector = SELECTORS.homeReadable;

/** The home page's shelter list usable: each shelter with its map link (the loading page's or the app's). */
export async function homeReady(page, timeout) {
  await page.locator(SELECTORS.homeReady).first().waitFor({ timeout });
}
homeReady.selector = SELECTORS.homeReady;

/** The home page rendered by the app (not the loading page's copy): live, sorted by distance on request. */
export async function homeAppReady(page, timeout) {
  await page.locator(SELECTORS.homeAppReady).first().waitFor({ timeout });
}
homeAppReady.selector = SELECTORS.homeAppReady;

/** A signed-in resident's safety report form, ready to send: the one before the app, or the app's. */
export async function safetyReady(page, timeout) {
  await page.locator(SELECTORS.safetyReady).first().waitFor({ timeout });
}
safetyReady.selector = SELECTORS.safetyReady;

/** The app's own safety report form (the app started). */
export async function safetyAppReady(page, timeout) {
  await page.locator(SELECTORS.safetyAppReady).first().waitFor({ timeout });
}
safetyAppReady.selector = SELECTORS.safetyAppReady;

/** The shelter device's scan screen, its input ready for the next card. */
export async function scanReady(page, timeout) {
  await page.locator(SELECTORS.scanReady).waitFor({ timeout });
}
scanReady.selector = SELECTORS.scanReady;

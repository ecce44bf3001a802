// A congested mobile cell (issue 18), through Chromium's own network emulation (CDP): what a
// resident's phone sees in a crowded gym. Shared by firstload.test.mjs and bench/first-usable.mjs.

/** 400 kbit/s down, 100 kbit/s up, 400 ms round trips. */
export const CONGESTED = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 100_000 / 8 };

/** What each `ready` below waits for, watched in the page from its first byte (see `loadThrottled`). */
const SELECTORS = {
  homeReadable: '#boot-shelters li, main li.card',
  homeReady: 'main li.card',
  safetyReady: 'main form button[type="submit"]',
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
    const ms = await page.evaluate((s) => window.__firstSeen?.[s] ?? performance.now(), ready.selector);
    return { seconds: ms / 1000, fetched };
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

/** The home page's shelter list, rendered by the app (not the loading page's copy) and live. */
export async function homeReady(page, timeout) {
  await page.locator(SELECTORS.homeReady).first().waitFor({ timeout });
}
homeReady.selector = SELECTORS.homeReady;

/** A signed-in resident's safety report form, ready to send. */
export async function safetyReady(page, timeout) {
  await page.locator(SELECTORS.safetyReady).first().waitFor({ timeout });
}
safetyReady.selector = SELECTORS.safetyReady;

/** The shelter device's scan screen, its input ready for the next card. */
export async function scanReady(page, timeout) {
  await page.locator(SELECTORS.scanReady).waitFor({ timeout });
}
scanReady.selector = SELECTORS.scanReady;

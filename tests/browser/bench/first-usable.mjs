// `make bench` section `firstload` (issue 18): seconds from navigation until the page is usable
// over a congested cell (lib/throttle.mjs), as a first visit (no HTTP cache, no service worker):
// the resident home page's shelters readable (the loading page's list) and usable (the app's), a signed-in resident's safety report form, and the
// shelter device's scan screen. Median of 3 loads each (1 with --smoke). Prints one JSON object.
import { launchBrowser } from '../lib/browser.mjs';
import { residents, staffSignIn } from '../lib/shelter.mjs';
import { signIn } from '../lib/signin.mjs';
import { startStack } from '../lib/stack.mjs';
import { homeReadable, homeReady, loadThrottled, safetyReady, scanReady } from '../lib/throttle.mjs';

const runs = process.argv.includes('--smoke') ? 1 : 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const stack = await startStack();
const browser = await launchBrowser();
try {
  const { page } = browser;
  const url = stack.url;
  const times = async (path, ready) => {
    const seconds = [];
    for (let i = 0; i < runs; i++) seconds.push((await loadThrottled(page, `${url}${path}`, ready)).seconds);
    return median(seconds);
  };
  const home_readable_s = await times('/', homeReadable);
  const home_s = await times('/', homeReady);
  await page.goto(`${url}/`);
  await signIn(page, url);
  const safety_s = await times('/safety', safetyReady);
  await staffSignIn(page, url, await residents(stack).staffToken());
  const staff_scan_s = await times('/shelter', scanReady);
  console.log(JSON.stringify({ home_readable_s, home_s, safety_s, staff_scan_s }));
} finally {
  await browser.close();
  await stack.stop();
}

// `make bench` section `firstload` (issue 18): seconds from navigation until the page is usable
// over a congested cell (lib/throttle.mjs), as a first visit (no HTTP cache, no service worker):
// the resident home page's shelters readable and usable (each with its map link; the loading page's
// list has them) and the app's home; a signed-in resident's safety report form (the one before the
// app, public/boot-lang.js, and the app's own); the shelter device's scan screen. Median of 3
// loads each (1 with --smoke). Prints one JSON object.
import { launchBrowser } from '../lib/browser.mjs';
import { residents, staffSignIn } from '../lib/shelter.mjs';
import { signIn } from '../lib/signin.mjs';
import { startStack } from '../lib/stack.mjs';
import { homeAppReady, homeReadable, homeReady, loadThrottled, safetyAppReady, safetyReady, scanReady } from '../lib/throttle.mjs';

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
  // One set of loads for the three: the loading page's list readable, usable (its map links), the app's.
  const home = [];
  for (let i = 0; i < runs; i++) home.push(await loadThrottled(page, `${url}/`, homeAppReady));
  const home_readable_s = median(home.map((l) => l.at(homeReadable)));
  const home_s = median(home.map((l) => l.at(homeReady)));
  const home_app_s = median(home.map((l) => l.seconds));
  await page.goto(`${url}/`);
  await signIn(page, url);
  // The household saved on this device, as after any signed-in visit (the form before the app reads it).
  await page.waitForFunction(() => localStorage.getItem('bosai.res.household.v1'));
  // One set of loads for both: the form before the app, then the app's own.
  const safety = [];
  for (let i = 0; i < runs; i++) safety.push(await loadThrottled(page, `${url}/safety`, safetyAppReady));
  const safety_s = median(safety.map((l) => l.at(safetyReady)));
  const safety_app_s = median(safety.map((l) => l.seconds));
  await staffSignIn(page, url, await residents(stack).staffToken());
  const staff_scan_s = await times('/shelter', scanReady);
  console.log(JSON.stringify({ home_readable_s, home_s, home_app_s, safety_s, safety_app_s, staff_scan_s }));
} finally {
  await browser.close();
  await stack.stop();
}

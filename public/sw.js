// App-shell service worker. build-app.sh fills in VERSION, PRECACHE and STAFF_PRECACHE.
const VERSION = '__BOSAI_VERSION__';
// The resident app: every phone gets it.
const PRECACHE = __BOSAI_PRECACHE__;
// The staff/HQ bundle: only on devices that opened a staff page, so a resident on one
// bar of signal never downloads it.
const STAFF_PRECACHE = __BOSAI_STAFF_PRECACHE__;
const CACHE = 'bosai-shell-' + VERSION;
const STAFF_SHELL = '/staff.html';

/** Which app a page belongs to (the local server and the host make the same choice). */
function shellFor(pathname) {
  return /^\/(shelter|hq)(\/|$)/.test(pathname) ? STAFF_SHELL : '/index.html';
}

const fresh = (urls) => urls.map((u) => new Request(u, { cache: 'reload' }));

/** A device showing a staff page, or that kept the staff bundle before an update. */
async function isStaffDevice() {
  const windows = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
  if (windows.some((w) => shellFor(new URL(w.url).pathname) === STAFF_SHELL)) return true;
  for (const key of await caches.keys()) {
    if (key.startsWith('bosai-shell-') && key !== CACHE && (await (await caches.open(key)).match(STAFF_SHELL))) return true;
  }
  return false;
}

// On a congested network a navigation can hang for a minute; show the shell sooner.
const NAV_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const c = await caches.open(CACHE);
      // 'reload' bypasses the HTTP cache so the shell matches this version.
      await c.addAll(fresh(PRECACHE));
      if (await isStaffDevice()) await c.addAll(fresh(STAFF_PRECACHE));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith('bosai-shell-') && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

function offlineProblem() {
  const body = JSON.stringify({
    code: 'offline',
    message: 'No connection. Please try again later.',
    message_ja: '通信できません。しばらくしてから再度お試しください。',
  });
  return new Response(body, { status: 503, headers: { 'Content-Type': 'application/json' } });
}

async function navigate(request) {
  const cache = await caches.open(CACHE);
  const SHELL = shellFor(new URL(request.url).pathname);
  const network = fetch(request);
  network.catch(() => {}); // may lose the race and reject later
  const timeout = new Promise((resolve) => setTimeout(resolve, NAV_TIMEOUT_MS));
  try {
    const res = await Promise.race([network, timeout.then(() => cache.match(SHELL))]);
    // A 5xx from a proxy in front of a dead origin is as good as offline. A 404 is a
    // deep link the static host did not know (e.g. a poster link /c/<code> whose code
    // has dots): every page is the app's, which shows its own "not found".
    if (res && res.status < 500 && res.status !== 404) return res;
    return (await cache.match(SHELL)) || res || (await network);
  } catch (_) {
    return (await cache.match(SHELL)) || Response.error();
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  // Writes always go to the network; the app reports failures itself.
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;

  if (url.pathname.startsWith('/api/')) {
    // Never cached here (the app keeps its own copy); just fail in a readable way.
    event.respondWith(fetch(req).catch(offlineProblem));
  } else if (req.mode === 'navigate') {
    event.respondWith(navigate(req));
    if (shellFor(url.pathname) === STAFF_SHELL) {
      // First visit to a staff page: keep its bundle for offline use from now on.
      event.waitUntil(caches.open(CACHE).then(async (c) => (await c.match(STAFF_SHELL)) || c.addAll(STAFF_PRECACHE)).catch(() => {}));
    }
  } else {
    event.respondWith(caches.match(req, { cacheName: CACHE }).then((hit) => hit || fetch(req)));
  }
});

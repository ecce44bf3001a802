// App-shell service worker. build-app.sh fills in VERSION and PRECACHE.
const VERSION = '__BOSAI_VERSION__';
const PRECACHE = __BOSAI_PRECACHE__;
const CACHE = 'bosai-shell-' + VERSION;
const SHELL = '/index.html';
// On a congested network a navigation can hang for a minute; show the shell sooner.
const NAV_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // 'reload' bypasses the HTTP cache so the shell matches this version.
      .then((c) => c.addAll(PRECACHE.map((u) => new Request(u, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
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
  } else {
    event.respondWith(caches.match(req, { cacheName: CACHE }).then((hit) => hit || fetch(req)));
  }
});

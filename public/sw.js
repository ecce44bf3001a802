// App-shell service worker. build-app.sh fills in VERSION, PRECACHE and STAFF_PRECACHE.
const VERSION = '__BOSAI_VERSION__';
// The resident app: every phone gets it.
const PRECACHE = __BOSAI_PRECACHE__;
// The staff/HQ bundle: only on devices that opened a staff page, so a resident on one
// bar of signal never downloads it.
const STAFF_PRECACHE = __BOSAI_STAFF_PRECACHE__;
const CACHE = 'bosai-shell-' + VERSION;
// Notice landing pages (/n/{id}) once opened, for offline. Not versioned: kept across updates.
const NOTICES = 'bosai-notices';
const NOTICES_KEPT = 50;
const STAFF_SHELL = '/staff.html';

/** Which app a page belongs to (the local server and the host make the same choice). */
function shellFor(pathname) {
  return /^\/(shelter|hq)(\/|$)/.test(pathname) ? STAFF_SHELL : '/index.html';
}

const fresh = (urls) => urls.map((u) => new Request(u, { cache: 'reload' }));

/**
 * Puts `urls` in cache `c`, each fetched afresh ('reload': the shell must match this version),
 * all or none (like `addAll`: a page found in the cache means its files are there). A fetch that
 * fails is tried again (after 1, 2, 4 s): on one bar of signal one lost request would otherwise
 * fail the whole install, and the phone would stay without the offline app until the next visit.
 * Rejects if a URL still fails (the install fails; the next page load tries again).
 */
async function precache(c, urls) {
  const responses = await Promise.all(fresh(urls).map(async (request) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(request.clone());
        if (!res.ok) throw new Error(`${request.url}: ${res.status}`);
        return [request, res];
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
      }
    }
  }));
  await Promise.all(responses.map(([request, res]) => c.put(request, res)));
}

/** A device showing a staff page, or that kept the staff bundle before an update. */
async function isStaffDevice() {
  const windows = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
  if (windows.some((w) => shellFor(new URL(w.url).pathname) === STAFF_SHELL)) return true;
  for (const key of await caches.keys()) {
    if (key.startsWith('bosai-shell-') && key !== CACHE && (await (await caches.open(key)).match(STAFF_SHELL))) return true;
  }
  return false;
}

/** The language catalogs (/i18n/…) an older version kept: the languages chosen on this device. */
async function keptCatalogs() {
  const urls = new Set();
  for (const key of await caches.keys()) {
    if (!key.startsWith('bosai-shell-') || key === CACHE) continue;
    for (const req of await (await caches.open(key)).keys()) {
      const u = new URL(req.url);
      if (u.pathname.startsWith('/i18n/')) urls.add(u.pathname);
    }
  }
  return [...urls];
}

/** A language catalog: this version's copy, else fetched and kept (only chosen ones are asked for). */
async function catalog(request) {
  const c = await caches.open(CACHE);
  const hit = await c.match(request, { ignoreVary: true });
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await c.put(request, res.clone());
  return res;
}

// On a congested network a navigation can hang for a minute; show the shell sooner.
const NAV_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const c = await caches.open(CACHE);
      // A staff device's own bundle alongside the resident app, not after it (the resident app
      // is many files: a shelter desk going offline soon after its first visit needs its own).
      const staff = await isStaffDevice();
      await Promise.all([precache(c, PRECACHE), staff && precache(c, STAFF_PRECACHE)]);
      // The chosen language stays offline across the update (a missing one is fetched later).
      await precache(c, await keptCatalogs()).catch(() => {});
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
    // A Problem (bosai_types): `message` is Japanese; the app shows its own words in every language.
    code: 'offline',
    message: '通信できません。しばらくしてから再度お試しください。',
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

/** A small page for a notice never opened on this device while offline. */
function offlineNotice() {
  const body = '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
    + '<meta name="viewport" content="width=device-width,initial-scale=1"><title>オフライン / Offline</title></head>'
    + '<body style="font:17px/1.6 system-ui,sans-serif;margin:0"><main style="max-width:40em;margin:auto;padding:1em">'
    + '<h1>通信できません</h1><p>このお知らせは、通信できる場所でもう一度開いてください。</p>'
    + '<p lang="en">No connection. Please open this notice again where you have a signal.</p>'
    + '<p><a href="/">防災アプリを開く / Open the app</a></p></main></body></html>';
  return new Response(body, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

/**
 * /n/{id}: the server's page first (it may have changed), kept for later; offline, or when the
 * network hangs past NAV_TIMEOUT_MS, the copy from the last visit.
 */
async function noticePage(request) {
  const cache = await caches.open(NOTICES);
  // The page varies with the browser's languages; offline, any language beats none.
  const cached = cache.match(request, { ignoreVary: true });
  const network = fetch(request).then(async (res) => {
    if (res.ok) {
      await cache.put(request, res.clone());
      // Keep the newest few: cache keys come back in insertion order.
      const keys = await cache.keys();
      await Promise.all(keys.slice(0, Math.max(0, keys.length - NOTICES_KEPT)).map((k) => cache.delete(k)));
    } else if (res.status === 404) {
      await cache.delete(request, { ignoreVary: true }); // withdrawn
    }
    return res;
  });
  network.catch(() => {});
  const slow = new Promise((resolve) => setTimeout(resolve, NAV_TIMEOUT_MS)).then(() => cached);
  try {
    const res = (await Promise.race([network, slow])) || (await network);
    // A 404 is the server's own "not found" page: shown as it is.
    if (res.status < 500) return res;
    return (await cached) || res;
  } catch (_) {
    return (await cached) || offlineNotice();
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  // Writes always go to the network; the app reports failures itself.
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;

  if (req.mode === 'navigate' && url.pathname.startsWith('/n/')) {
    event.respondWith(noticePage(req));
  } else if (url.pathname.startsWith('/i18n/')) {
    event.respondWith(catalog(req));
  } else if (url.pathname.startsWith('/api/')) {
    // Never cached here (the app keeps its own copy); just fail in a readable way.
    event.respondWith(fetch(req).catch(offlineProblem));
  } else if (req.mode === 'navigate') {
    event.respondWith(navigate(req));
    if (shellFor(url.pathname) === STAFF_SHELL) {
      // First visit to a staff page: keep its bundle for offline use from now on.
      event.waitUntil(caches.open(CACHE).then(async (c) => (await c.match(STAFF_SHELL)) || precache(c, STAFF_PRECACHE)).catch(() => {}));
    }
  } else {
    event.respondWith(caches.match(req, { cacheName: CACHE }).then((hit) => hit || fetch(req)));
  }
});

// ---- notices by push (Web Push; the server sends bosai_types::notices::PushPayload) ----

/** The payload as JSON, or null when it is missing or not a notice. Never throws. */
function readPayload(event) {
  try {
    const p = event.data ? event.data.json() : null;
    const ok = p && typeof p === 'object' && typeof p.id === 'string' && p.id
      && p.title && typeof p.title.ja === 'string' && p.title.ja
      && p.body && typeof p.body.ja === 'string';
    return ok ? p : null;
  } catch (_) {
    return null;
  }
}

/** Same-origin path of the landing page (a payload cannot send the click elsewhere). */
function landingUrl(p) {
  try {
    const u = new URL(typeof p.url === 'string' && p.url ? p.url : '/n/' + encodeURIComponent(p.id), self.location.origin);
    if (u.origin === self.location.origin) return u.href;
  } catch (_) { /* fall through */ }
  return new URL('/n/' + encodeURIComponent(p.id), self.location.origin).href;
}

/** BCP 47 tags of the language codes whose tag differs (app/i18n/languages.json). */
const HTML_LANG = { 'ja-easy': 'ja', pt: 'pt-BR' };

/**
 * The text to show of one of the payload's texts, and its language. A payload that names the
 * device's language (`lang`) holds Japanese and that reader's language (or easy Japanese) only:
 * the language that is not Japanese, else Japanese. Without `lang` (an older server): Japanese
 * with English below.
 */
function shown(p, t) {
  if (typeof p.lang === 'string') {
    const code = Object.keys(t).find((k) => k !== 'ja' && typeof t[k] === 'string' && t[k].trim()) || 'ja';
    return { text: t[code], lang: HTML_LANG[code] || code };
  }
  const en = typeof t.en === 'string' && t.en.trim() ? t.en : '';
  return { text: t.ja, en, lang: 'ja' };
}

/**
 * A correction (訂正) takes away what it corrects: the earlier notice's notification (an emergency's stays
 * on screen until dismissed) and its landing page as kept for offline reading (without the corrected banner).
 */
async function forgetCorrected(p) {
  if (typeof p.replaces !== 'string' || !p.replaces) return;
  try {
    for (const n of await self.registration.getNotifications({ tag: p.replaces })) n.close();
    const kept = await caches.open(NOTICES);
    for (const req of await kept.keys()) {
      if (new URL(req.url).pathname.split('/').pop() === p.replaces) await kept.delete(req);
    }
  } catch (_) { /* the correction is shown all the same */ }
}

self.addEventListener('push', (event) => {
  const p = readPayload(event);
  // A push with nothing to show shows nothing (and must not throw).
  if (!p) return;
  const title = shown(p, p.title);
  const text = shown(p, p.body);
  const en = [title.en, text.en].filter(Boolean).join('\n');
  const body = text.text + (en ? '\n' + en : '');
  event.waitUntil(forgetCorrected(p).then(() =>
    self.registration.showNotification(title.text, {
      body,
      // The same notice delivered twice replaces its notification instead of adding one.
      tag: p.id,
      lang: title.lang,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: landingUrl(p) },
      requireInteraction: p.level === 'emergency',
    })).catch(() => {}),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || new URL('/', self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => w.url === url);
    if (open && 'focus' in open) return open.focus();
    if (self.clients.openWindow) return self.clients.openWindow(url);
    return undefined;
  })());
});

// The loading page (issue 18). On a congested network the app's wasm takes seconds to arrive;
// until the app starts (and removes #boot), the home page shows the shelters from the copy the app
// saved last time, else from the public list (kept as that copy, so the app starts from it), under
// the emergency numbers of index.html, each with its map link. Plain DOM, about 2.3 KB brotli; the
// labels are the Japanese catalog's own (build-app.sh fills them in), or for a resident who chose
// another language that catalog's (public/boot-lang.js, fetched first).
//
// A page loaded on demand (a wasm chunk of its own: /safety, a poster's /c/…, a notice's /notices)
// opened by a deep link: its module and chunks are preloaded now, beside the main wasm, instead of
// being asked for once the main wasm has run — one round trip less on a slow link. The split
// loader's fetch() then takes them from the preload.
const L = __BOSAI_BOOT_LABELS__;
// Per bundle: [folder, suffix, [[path pattern, module, runs of n in its chunk_<n> ("12-21,36")], …],
// [[file, runs], …] the app fetches at start for a signed-in resident] (build-app.sh); a page's
// module is split___<module><suffix>.wasm.
const ROUTES = __BOSAI_BOOT_ROUTES__;
const SIGNED_IN = 'bosai.session.refresh'; // app/src/session.rs: REFRESH_KEY

function matches(pattern, path) {
  const p = pattern.split('/');
  const h = path.split('/');
  return p.length === h.length && p.every((s, i) => (s.startsWith(':') ? h[i] !== '' : s === h[i]));
}

function chunks(runs) {
  return runs.split(',').filter(Boolean).flatMap((run) => {
    const [a, b = a] = run.split('-').map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => `chunk_${a + i}`);
  });
}

function preload(folder, names) {
  for (const name of names) {
    const link = el('link');
    Object.assign(link, { rel: 'preload', as: 'fetch', type: 'application/wasm', crossOrigin: 'anonymous' });
    link.href = `/${folder}/${name}.wasm`;
    document.head.append(link);
  }
}

// The resident's language, as the app stores it (i18n STORAGE_KEY), and the loading page's labels
// in it (public/boot-lang.js, one file per catalog; an unknown code: no such file, Japanese stays).
let LANG = 'ja';
try { LANG = localStorage.getItem('bosai.lang') ?? 'ja'; } catch (_) { /* storage blocked */ }
const langFile = () => `/${'__BOSAI_LANG_JS__'.replace('{lang}', LANG)}`;

// /safety for a signed-in resident whose household this device has saved: the form itself, before
// the app arrives (in boot-lang.js, a few KB). Asked for before the preloads below: on a congested
// cell it must not queue behind the page's chunks.
if (location.pathname === '/safety' && document.querySelector('link[rel=preload][href^="/resident-"]')) {
  let ready = false;
  try { // resident/state.rs HOUSEHOLD_KEY
    ready = !!localStorage.getItem(SIGNED_IN) && !!localStorage.getItem('bosai.res.household.v1');
  } catch (_) { /* storage blocked */ }
  if (ready) {
    // A modulepreload is asked for at once (an import() only a little later, after the preloads).
    document.head.append(Object.assign(el('link'), { rel: 'modulepreload', href: langFile() }));
    import(langFile()).catch(() => { /* the app shows the form when it starts */ });
  }
}

// Only this document's bundle (its main wasm is preloaded by index.html or staff.html): a shelter
// device where a resident is also signed in must not fetch the resident's chunks beside its own.
const mine = (folder) => !!document.querySelector(`link[rel=preload][href^="/${folder}/"]`);
for (const [folder, suffix, pages, signedIn] of ROUTES.filter(([folder]) => mine(folder))) {
  const page = pages.find(([pattern]) => matches(pattern, location.pathname));
  const wanted = new Set(page ? [`split___${page[1]}${suffix}`, ...chunks(page[2])] : []);
  let signedInNow = false;
  try { signedInNow = !!localStorage.getItem(SIGNED_IN); } catch (_) { /* storage blocked */ }
  if (signedInNow) for (const [file, runs] of signedIn) [file, ...chunks(runs)].forEach((n) => wanted.add(n));
  preload(folder, wanted);
}

// The resident's session as every tab reads it alike (app/src/session.rs, `shared`): the copy a
// refresh reads inside the tabs' lock, since another tab's localStorage writes reach this tab's
// copy asynchronously. Its own small database. `get()` gives [access, refresh, expires_at] or
// undefined; `put(v)` stores v (null deletes) and resolves once committed. Either gives up after
// 2 s (a storage that never answers must not hold the refresh lock for good).
function sessionStore(mode, f) {
  const op = new Promise((resolve, reject) => {
    const open = indexedDB.open('bosai-session', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('s');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('s', mode);
      const req = f(tx.objectStore('s'));
      tx.oncomplete = () => { db.close(); resolve(req.result); };
      tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
    };
  });
  return Promise.race([op, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
}
window.bosaiSession = {
  get: () => sessionStore('readonly', (s) => s.get('current')),
  put: (v) => sessionStore('readwrite', (s) => (v ? s.put(v, 'current') : s.delete('current'))),
};

const SAVED = 'bosai.shelters.v1'; // app/src/api.rs: SHELTERS_KEY, SHELTERS_OF_KEY
const OF = 'bosai.shelters.of.v1';
const boot = document.getElementById('boot');
const ul = document.getElementById('boot-shelters');

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// The labels the list is shown with: these, in Japanese, or the resident's language's. Furigana
// markup (やさしい日本語) is left out here: the list is plain text.
const labels = () => (LANG === 'ja' ? Promise.resolve(L) : import(langFile()).then((m) => m.L, () => L));

// Each shelter as the app's list shows it (app/src/shelter_card.rs, but for the distance, which
// needs the app): what a resident acts on, the map link, works before the app arrives.
function show(list, T) {
  if (!boot?.isConnected || !ul || !Array.isArray(list)) return;
  const tr = (k) => (T[k] ?? L[k] ?? '').replace(/\[([^\]|]+)\|[^\]]+\]/g, '$1');
  const num = (n) => n.toLocaleString(T._lang ?? 'ja');
  ul.lang = T._lang ?? 'ja';
  ul.replaceChildren(...list.map((s) => {
    const li = el('li', 'card');
    const addr = el('p', 'addr');
    addr.lang = 'ja'; // the address exists only in Japanese
    addr.append(el('span', 'sr-only', `${tr('address')}: `), s.address_ja);
    const facts = el('dl', 'facts');
    const fact = (dt, ...dd) => {
      const d = el('dd');
      d.append(...dd);
      const div = el('div');
      div.append(el('dt', '', dt), d);
      facts.append(div);
    };
    if (s.congestion !== 'closed') {
      const people = s.few ? tr('people_few') : tr('people').replace('{n}', num(s.occupancy));
      fact(tr('congestion'), el('span', `badge c-${s.congestion}`, tr('congestion_' + s.congestion)),
        el('span', 'count', people.replace('{cap}', num(s.capacity))));
    }
    fact(tr('status'), tr('status_' + s.status));
    let facilities = el('p', 'muted', tr('no_facilities'));
    if (s.facilities?.length) {
      facilities = el('ul', 'chips');
      facilities.append(...s.facilities.map((f) => el('li', '', tr('facility_' + f))));
    }
    const map = el('a', 'btn btn-secondary', tr('map'));
    Object.assign(map, { href: `https://www.google.com/maps/search/?api=1&query=${s.location.lat},${s.location.lon}`, target: '_blank', rel: 'noopener' });
    const name = T._ja === false && s.name_en ? s.name_en : s.name_ja;
    li.append(el('h3', '', name), addr, facts, el('h4', 'sub', tr('facilities')), facilities, map);
    return li;
  }));
}

if (location.pathname === '/') {
  const LABELS = labels();
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(SAVED)); } catch (_) { /* not there or broken */ }
  if (saved) {
    LABELS.then((T) => show(saved, T));
  } else {
    const of = localStorage.getItem(OF);
    fetch(of ? `/api/shelters?municipality=${encodeURIComponent(of)}` : '/api/shelters')
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((text) => {
        LABELS.then((T) => show(JSON.parse(text), T));
        // The app's saved copy (api::get_saved's shape), unless the app has started and saved its own.
        if (boot?.isConnected) {
          localStorage.setItem(SAVED, text);
          localStorage.setItem(`${SAVED}.at`, String(Date.now()));
        }
      })
      .catch(() => { /* the app shows the network problem itself */ });
  }
}

// The tab's title follows the page's heading (<title> is the app's name alone otherwise): what a
// screen reader's window list, the history and a shared link's preview show. Furigana left out.
const APP = document.title;
new MutationObserver(() => {
  const h = document.querySelector('main h1');
  let text = '';
  if (h) {
    const c = h.cloneNode(true);
    c.querySelectorAll('rt, rp').forEach((r) => r.remove());
    text = c.textContent.trim();
  }
  const title = text && text !== APP ? `${text} | ${APP}` : APP;
  if (document.title !== title) document.title = title;
}).observe(document.body, { childList: true, subtree: true, characterData: true });

// The loading page (issue 18). On a congested network the app's wasm takes seconds to arrive;
// until the app starts (and removes #boot), the home page shows the shelters from the copy the app
// saved last time, else from the public list (kept as that copy, so the app starts from it), under
// the emergency numbers of index.html. Plain DOM and a few hundred bytes; the labels are the
// Japanese catalog's own (build-app.sh fills them in), the list is read-only.
const L = __BOSAI_BOOT_LABELS__;
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

function show(list) {
  if (!boot?.isConnected || !ul || !Array.isArray(list)) return;
  ul.replaceChildren(...list.map((s) => {
    const li = el('li', 'card');
    li.append(el('h3', '', s.name_ja));
    const p = el('p', 'boot-facts', `${L.status}: ${L['status_' + s.status] ?? ''}`);
    if (s.congestion !== 'closed') {
      p.append(' ', el('span', `badge c-${s.congestion}`, L['congestion_' + s.congestion] ?? ''));
    }
    li.append(el('p', 'addr', s.address_ja), p);
    return li;
  }));
}

if (location.pathname === '/') {
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(SAVED)); } catch (_) { /* not there or broken */ }
  if (saved) {
    show(saved);
  } else {
    const of = localStorage.getItem(OF);
    fetch(of ? `/api/shelters?municipality=${encodeURIComponent(of)}` : '/api/shelters')
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((text) => {
        show(JSON.parse(text));
        // The app's saved copy (api::get_saved's shape), unless the app has started and saved its own.
        if (boot?.isConnected) {
          localStorage.setItem(SAVED, text);
          localStorage.setItem(`${SAVED}.at`, String(Date.now()));
        }
      })
      .catch(() => { /* the app shows the network problem itself */ });
  }
}

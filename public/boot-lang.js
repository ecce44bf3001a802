// The loading page in the resident's language (issue 18): `build-app.sh` makes one file per catalog,
// its labels filled in (`_lang`: the catalog's `lang=` tag; `_ja`: Japanese, whose shelters are
// named in Japanese, as in the app). boot.js imports the resident's: for the shelter list (`L`), and
// on /safety for a signed-in resident whose household this device has saved, for this form.
//
// The safety report before the app arrives. On a congested cell the app's wasm takes seconds; a
// resident sent to /safety (a notice, a push) can report now. The same form as the app's
// (app/src/resident/safety.rs): markup, ids, default choice and rules. A report is never sent from
// here and never called received: it is queued in the app's own outbox (IndexedDB `bosai`, store
// `outbox`, app/src/outbox.rs) exactly as the app queues one, this page says it is kept on this
// phone, and the app sends it once it starts. The app takes over what was chosen and typed, the
// focus, and the save in progress (`window.bosaiBootSafety`, app/src/resident/handover.rs).
export const L = __BOSAI_LANG_LABELS__;
const KINDS = ['safe_at_home', 'at_shelter', 'elsewhere', 'needs_help']; // resident/components.rs
const MAX_PLACE = 100; // bosai_types::safety::MAX_PLACE_CHARS
const MAX_HELP = 200; // MAX_HELP_CHARS

const read = (key) => {
  try { return JSON.parse(localStorage.getItem(key)); } catch (_) { return null; }
};

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v != null && v !== false) e.setAttribute(k, v === true ? '' : v);
  e.append(...children.flat().filter((c) => c != null));
  return e;
}

/** A label as nodes: やさしい日本語's furigana `[避難所|ひなんじょ]` as <ruby> (i18n/ruby.rs). */
const t = (text) => text.split(/(\[[^\]|]+\|[^\]]+\])/).filter(Boolean).map((part) => {
  const m = /^\[([^\]|]+)\|([^\]]+)\]$/.exec(part);
  return m ? h('ruby', {}, m[1], h('rt', {}, m[2])) : part;
});
/** The same without furigana (an <option>'s text). */
const plain = (text) => text.replace(/\[([^\]|]+)\|[^\]]+\]/g, '$1');

// The resident first, then the others in the server's order (resident/state.rs `shown`).
const members = (read('bosai.res.household.v1')?.members ?? [])
  .map((m) => ({ id: m.member.id, name: m.member.display_name, help: m.safety?.status?.status === 'needs_help' }))
  .sort((a, b) => (b.id === 'self') - (a.id === 'self'));

const state = {
  // Everyone, except who asked for help when there is a choice (one tap must not report them safe).
  who: members.filter((m) => members.length === 1 || !m.help).map((m) => m.id),
  // Whether the resident changed whom (else the app's own default stands: it knows more).
  whoChanged: false,
  kind: '',
  shelter: '',
  place: '',
  what: '',
  location: '',
  phone: '',
  focus: null,
  // The last report's save (resolves once committed); `done` while its line is shown.
  saving: null,
  done: false,
};

/** Appends the reports to the app's outbox in one transaction; resolves once committed. */
function queue(items) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('bosai', 2); // outbox.rs DB_VERSION, and its upgrade
    open.onupgradeneeded = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'key', autoIncrement: true });
      if (!db.objectStoreNames.contains('scans')) db.createObjectStore('scans', { keyPath: 'event_id' });
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('outbox', 'readwrite');
      for (const item of items) tx.objectStore('outbox').add(item);
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
    };
  });
}

// resident::random_id("r-", 20)
const reportId = () => 'r-' + Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => '0123456789abcdefghijklmnopqrstuvwxyz'[b % 36]).join('');
const fits = (s, max) => { const n = [...s.trim()].length; return n > 0 && n <= max; };

/** The number typed, as stored (bosai_types::safety::phone_number): '' for none, null if not a number. */
function phoneNumber(typed) {
  let out = '';
  for (const [i, c] of [...typed.trim()].entries()) {
    const wide = c.charCodeAt(0) - 0xff10;
    if (/[0-9]/.test(c)) out += c;
    else if (wide >= 0 && wide <= 9) out += String(wide);
    else if ((c === '+' || c === '＋') && i === 0) out += '+';
    else if (!'-－ー‐−― \u3000()（）'.includes(c)) return null;
  }
  const digits = out.replace(/^\+/, '').length;
  return digits === 0 ? '' : digits >= 10 && digits <= 15 ? out : null;
}

/** The first rule a report breaks, as [message, field to focus]; none when it can be queued. */
function fault() {
  if (!state.who.length) return [L.invalid_no_member, `who-${members[0].id}`];
  if (!KINDS.includes(state.kind)) return [L.invalid_no_status, 'status-safe_at_home'];
  if (state.kind === 'at_shelter' && !state.shelter) return [L.invalid_no_shelter, 'shelter'];
  if (state.kind === 'elsewhere' && !fits(state.place, MAX_PLACE)) return [L.error_bad_place, 'place'];
  if (state.kind === 'needs_help' && !(fits(state.what, MAX_HELP) && fits(state.location, MAX_HELP))) return [L.error_bad_help, 'help-what'];
  if (state.kind === 'needs_help' && phoneNumber(state.phone) === null) return [L.error_bad_phone, 'help-phone'];
  return null;
}

function status() {
  switch (state.kind) {
    case 'at_shelter': return { status: 'at_shelter', shelter_id: state.shelter };
    case 'elsewhere': return { status: 'elsewhere', place: state.place.trim() };
    case 'needs_help': {
      const phone = phoneNumber(state.phone);
      return { status: 'needs_help', what: state.what.trim(), location: state.location.trim(), ...(phone ? { phone } : {}) };
    }
    default: return { status: 'safe_at_home' };
  }
}

// The saved list of shelters, for 「避難所にいる」, else the public one once fetched.
let shelters = Array.isArray(read('bosai.shelters.v1')) ? read('bosai.shelters.v1') : null;
let redraw = () => {};

function start(boot) {
  const form = h('form', { id: 'boot-safety', class: 'form panel', novalidate: true });
  const details = h('div');
  const refusal = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const refuse = (text) => { refusal.replaceChildren(...t(text)); refusal.hidden = !text; };
  const line = h('p', { class: 'done', role: 'status' });
  const say = (text) => line.replaceChildren(...t(text));
  const changed = () => { state.done = false; say(''); };

  const textField = (id, label, key, hint) => {
    const tel = hint ? { type: 'tel', inputmode: 'tel', autocomplete: 'tel', 'aria-describedby': `${id}-hint` } : { type: 'text' };
    const input = h('input', { id, ...tel });
    input.value = state[key];
    input.addEventListener('input', () => { state[key] = input.value; changed(); });
    return h('p', { class: 'field' }, h('label', { for: id }, t(label)), input, hint ? h('span', { class: 'hint', id: `${id}-hint` }, t(hint)) : null);
  };
  const showDetails = () => {
    const parts = [];
    if (state.kind === 'at_shelter') {
      const select = h('select', { id: 'shelter' }, h('option', { value: '', disabled: true, selected: !state.shelter }, plain(L.choose_placeholder)));
      // Open shelters first; one not open (as last known) says so.
      const open = (s) => s.status !== 'closed';
      const list = shelters ?? [];
      for (const s of [...list.filter(open), ...list.filter((s) => !open(s))]) {
        const named = L._ja || !s.name_en ? s.name_ja : s.name_en;
        const name = open(s) ? named : `${named} (${plain(L.status_closed)})`;
        select.append(h('option', { value: s.id, selected: state.shelter === s.id }, name));
      }
      select.addEventListener('change', () => { state.shelter = select.value; refuse(''); changed(); });
      parts.push(h('p', { class: 'field' }, h('label', { for: 'shelter' }, t(L.shelter_label)), select));
    } else if (state.kind === 'elsewhere') {
      parts.push(textField('place', L.place_label, 'place'));
    } else if (state.kind === 'needs_help') {
      parts.push(textField('help-what', L.what_label, 'what'), textField('help-where', L.where_label, 'location'),
        textField('help-phone', L.phone_label, 'phone', L.phone_hint),
        h('div', { class: 'help-next', id: 'help-next' }, h('h3', { class: 'sub' }, t(L.help_next_heading)),
          h('ul', {}, ...['hq', 'contact', 'withdraw', 'emergency'].map((k) => h('li', {}, t(L[`help_next_${k}`]))))));
    }
    details.replaceChildren(...parts);
  };
  redraw = () => { if (state.kind === 'at_shelter' && !state.shelter) showDetails(); };

  if (members.length > 1) {
    const checks = members.map((m) => {
      const box = h('input', { type: 'checkbox', name: 'who', id: `who-${m.id}`, value: m.id, checked: state.who.includes(m.id) });
      box.addEventListener('change', () => {
        state.who = state.who.filter((x) => x !== m.id).concat(box.checked ? [m.id] : []);
        state.whoChanged = true;
        changed();
      });
      return h('label', { class: 'check' }, box, h('span', {}, m.name, m.help ? ` (${plain(L.safety_kind_need_help)})` : null));
    });
    form.append(h('fieldset', { class: 'who' }, h('legend', {}, t(L.report_for_legend)), h('div', { class: 'checks' }, ...checks)));
  }
  const radios = KINDS.map((k) => {
    const radio = h('input', { type: 'radio', name: 'status', id: `status-${k}`, value: k });
    radio.addEventListener('change', () => { state.kind = k; refuse(''); changed(); showDetails(); });
    return h('label', { class: 'check' }, radio, h('span', {}, t(L[`safety_kind_${k === 'needs_help' ? 'need_help' : k}`])));
  });
  form.append(h('fieldset', {}, h('legend', {}, t(L.status_legend)), h('div', { class: 'checks radios' }, ...radios)),
    details, refusal, line, h('button', { type: 'submit', class: 'btn btn-wide' }, t(L.send_report)));

  form.addEventListener('focusin', (e) => { state.focus = e.target.id || null; });
  // Focus leaving the form, not the form leaving the page (the app starting removes it).
  form.addEventListener('focusout', () => setTimeout(() => {
    if (form.isConnected && !form.contains(document.activeElement)) state.focus = null;
  }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // Tapped again on the report just made (every change clears `done`): the same report, not filed twice.
    if (state.done) return;
    changed();
    const bad = fault();
    refuse(bad ? bad[0] : '');
    if (bad) {
      document.getElementById(bad[1])?.focus();
      return;
    }
    // One report per person, all made now (outbox.rs `push_all`: `Queued` as JSON).
    const at = Date.now();
    const input = status();
    const items = state.who.map((member_id) => ({ op: { safety: { input: { report_id: reportId(), member_id, status: input } } }, at }));
    state.done = true;
    state.saving = queue(items).then(() => {
      for (const [key, id] of [['place', 'place'], ['what', 'help-what'], ['location', 'help-where'], ['phone', 'help-phone']]) {
        state[key] = '';
        const input = document.getElementById(id);
        if (input && form.contains(input)) input.value = '';
      }
      if (state.done) say(L.outbox_saved_here);
    }, (err) => {
      if (state.done) say(L.err_unsupported);
      throw err;
    });
    state.saving.catch(() => { /* shown above; the app reads it again */ });
  });

  // Under the loading line, above the emergency numbers: the page's purpose first.
  boot.firstElementChild.after(h('div', { class: 'boot-form', lang: L._lang }, h('h1', {}, t(L.family_safety_title)), form));
  window.bosaiBootSafety = state;
}

const boot = document.getElementById('boot');
if (location.pathname === '/safety' && boot && members.length) {
  start(boot);
  if (!shelters) {
    const of = localStorage.getItem('bosai.shelters.of.v1');
    fetch(of ? `/api/shelters?municipality=${encodeURIComponent(of)}` : '/api/shelters')
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((list) => { shelters = list; redraw(); })
      .catch(() => { /* the app fetches it again when it starts */ });
  }
}

//! Shelter staff device: the pasted staff token, the cached JWKS for offline
//! verification of residents' check-in credentials, and the durable scan queue
//! (IndexedDB, keyed by `event_id`) sent in batches whenever the network allows.
//!
//! Safety of the queue: a record leaves IndexedDB only after the server has
//! answered for it (stored, duplicate or rejected). A reload, a closed tab or a
//! crash mid-sync therefore resends, and the server stores each event id once.

use crate::api::{self, ApiError};
use crate::dom;
use crate::outbox::{committed, ok, store_named, wait, Idb, SCANS};
use bosai_types::checkin::{verify_credential, CheckInClaims, CredentialError};
use bosai_types::jws::{Jwks, KeySet};
use bosai_types::scan_queue::{self};
pub use bosai_types::scan_queue::{QueuedScan, Rejected};
use bosai_types::Timestamp;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbTransactionMode;

// Separate from the resident session (bosai.session.*): one device may be both.
const TOKEN_KEY: &str = "bosai.staff.token";
const SHELTER_KEY: &str = "bosai.staff.shelter";
const DEVICE_KEY: &str = "bosai.staff.device_id";
const JWKS_KEY: &str = "bosai.staff.jwks.v1";
const REJECTED_KEY: &str = "bosai.staff.rejected.v1";
pub use crate::api::MUNICIPALITY;

/// What the staff token says, decoded for display only (the server checks it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StaffClaims {
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub shelters: Vec<String>,
    #[serde(default)]
    pub exp: i64,
    /// Admins of one municipality; none for HQ of the whole deployment or platform admins.
    #[serde(default)]
    pub municipality: Option<String>,
}

pub fn decode_token(token: &str) -> Option<StaffClaims> {
    let payload = token.trim().split('.').nth(1)?;
    serde_json::from_slice(&dom::b64url_decode(payload)?).ok()
}

/// The staff token lives in this tab only (sessionStorage): a shared tablet's next user
/// finds nothing once the tab is closed or "sign out" is pressed. The scan queue (IndexedDB)
/// is not the token's: it stays and is sent under the next sign-in for the shelter.
pub fn token() -> Option<String> {
    dom::storage_remove(TOKEN_KEY); // from versions that kept it in localStorage
    dom::tab_get(TOKEN_KEY)
}

pub fn save_token(token: &str) {
    dom::tab_set(TOKEN_KEY, token.trim());
}

pub fn sign_out() {
    dom::tab_remove(TOKEN_KEY);
    dom::storage_remove(SHELTER_KEY);
}

pub fn shelter() -> Option<String> {
    let claims = decode_token(&token()?)?;
    let chosen = dom::storage_get(SHELTER_KEY).filter(|s| claims.shelters.contains(s));
    chosen.or_else(|| claims.shelters.first().cloned())
}

pub fn choose_shelter(id: &str) {
    dom::storage_set(SHELTER_KEY, id);
}

fn random_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// A fresh id for one scan or one desk registration.
pub fn new_event_id() -> String {
    random_id("ev-")
}

pub fn new_registration_id() -> String {
    random_id("desk-")
}

/// Generated once per browser profile and kept.
pub fn device_id() -> String {
    if let Some(id) = dom::storage_get(DEVICE_KEY) {
        return id;
    }
    let id = random_id("dev-");
    dom::storage_set(DEVICE_KEY, &id);
    id
}

pub fn online() -> bool {
    web_sys::window().is_some_and(|w| w.navigator().on_line())
}

// ---- offline verification ---------------------------------------------------

/// Fetch the public keys when online; keep them for offline use.
pub async fn refresh_jwks() -> Result<(), ApiError> {
    let text = api::public::jwks().text().await?;
    api::decode::<Jwks>(&text)?;
    dom::storage_set(JWKS_KEY, &text);
    if let Some(s) = STATE.get() {
        s.keys.set(true);
    }
    Ok(())
}

pub fn has_jwks() -> bool {
    dom::storage_get(JWKS_KEY).is_some()
}

#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// No keys cached yet (never online since sign-in).
    NoKeys,
    Invalid(CredentialError),
}

pub fn verify(credential: &str) -> Result<CheckInClaims, Refusal> {
    let jwks: Jwks = dom::storage_get(JWKS_KEY).and_then(|t| serde_json::from_str(&t).ok()).ok_or(Refusal::NoKeys)?;
    let keys = KeySet::from_jwks(&jwks).map_err(|_| Refusal::NoKeys)?;
    verify_credential(&keys, credential.trim(), dom::now().millis() / 1000).map_err(Refusal::Invalid)
}

// ---- the queue ---------------------------------------------------------------

// The queue's rules (what goes in the next batch, what an answer settles) are
// plain functions in `bosai_types::scan_queue`, property-tested against the server.

/// Stores (or replaces, same event id) records; resolves once on disk.
pub async fn put_all(items: &[QueuedScan]) -> Idb<()> {
    let (tx, s) = store_named(SCANS, IdbTransactionMode::Readwrite).await?;
    for q in items {
        let value = ok(js_sys::JSON::parse(&ok(serde_json::to_string(q))?))?;
        ok(s.put(&value))?;
    }
    ok(committed(&tx).await).map(|_| ())
}

/// The queue, oldest scan first.
pub async fn list() -> Idb<Vec<QueuedScan>> {
    let (_tx, s) = store_named(SCANS, IdbTransactionMode::Readonly).await?;
    let req = ok(s.get_all())?;
    ok(wait(&req).await)?;
    let all: js_sys::Array = ok(ok(req.result())?.dyn_into())?;
    let mut v: Vec<QueuedScan> = all
        .iter()
        .filter_map(|v| serde_json::from_str(&String::from(js_sys::JSON::stringify(&v).ok()?)).ok())
        .collect();
    scan_queue::sort_oldest_first(&mut v);
    Ok(v)
}

async fn remove_all(ids: &[String]) -> Idb<()> {
    let (tx, s) = store_named(SCANS, IdbTransactionMode::Readwrite).await?;
    for id in ids {
        ok(s.delete(&JsValue::from_str(id)))?;
    }
    ok(committed(&tx).await).map(|_| ())
}

fn load_rejected() -> Vec<Rejected> {
    dom::storage_get(REJECTED_KEY).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn save_rejected(v: &[Rejected]) {
    if let Ok(t) = serde_json::to_string(v) {
        dom::storage_set(REJECTED_KEY, &t);
    }
}

/// The JSON file a device exports when it never gets its network back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueFile {
    pub format: String,
    pub device_id: String,
    pub exported_at: Timestamp,
    pub records: Vec<QueuedScan>,
}

pub const QUEUE_FORMAT: &str = "bosai-scan-queue-v1";

/// Reactive state shared by the staff screens.
#[derive(Clone, Copy)]
pub struct Staff {
    pub pending: RwSignal<Vec<QueuedScan>>,
    /// Whether `pending` has been read from IndexedDB (until then its count is not known).
    pub pending_loaded: RwSignal<bool>,
    pub rejected: RwSignal<Vec<Rejected>>,
    /// Why the last send stopped (offline, token expired, server down).
    pub blocked: RwSignal<Option<ApiError>>,
    pub syncing: RwSignal<bool>,
    pub online: RwSignal<bool>,
    /// Verification keys are cached (scanning works offline).
    pub keys: RwSignal<bool>,
}

thread_local! {
    static STATE: Cell<Option<Staff>> = const { Cell::new(None) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static RETRY: crate::retry::Backoff = const { crate::retry::Backoff::new() };
}

/// The staff state, created on first use (only the staff pages pay for it).
pub fn state() -> Staff {
    if let Some(s) = STATE.get() {
        return s;
    }
    let s = Staff {
        pending: RwSignal::new(Vec::new()),
        pending_loaded: RwSignal::new(false),
        rejected: RwSignal::new(load_rejected()),
        blocked: RwSignal::new(None),
        syncing: RwSignal::new(false),
        online: RwSignal::new(online()),
        keys: RwSignal::new(has_jwks()),
    };
    STATE.set(Some(s));
    if let Some(w) = web_sys::window() {
        let on_online = Closure::<dyn Fn()>::new(move || {
            s.online.set(true);
            reset_backoff();
            spawn_local(async {
                let _ = refresh_jwks().await;
            });
            sync();
        });
        let _ = w.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        on_online.forget();
        let on_offline = Closure::<dyn Fn()>::new(move || s.online.set(false));
        let _ = w.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
        on_offline.forget();
    }
    spawn_local(async move {
        if online() {
            let _ = refresh_jwks().await;
        }
    });
    reload_pending();
    sync();
    s
}

pub fn reload_pending() {
    spawn_local(async {
        if let Ok(v) = list().await {
            state().pending.set(v);
        }
        state().pending_loaded.set(true);
    });
}

/// Queue one confirmed scan (durably), then try to send.
pub async fn enqueue(q: QueuedScan) -> Idb<()> {
    put_all(std::slice::from_ref(&q)).await?;
    let s = state();
    s.pending.update(|p| p.push(q));
    sync();
    Ok(())
}

/// Merge an exported queue: records already here (same event id) are kept once.
pub async fn import(file: QueueFile) -> Idb<usize> {
    let new = scan_queue::importable(&list().await?, file.records);
    put_all(&new).await?;
    reload_pending();
    sync();
    Ok(new.len())
}

pub fn dismiss_rejected() {
    save_rejected(&[]);
    state().rejected.set(Vec::new());
}

mod sync;
pub use sync::*;

//! The resident's writes, kept durably in IndexedDB until the server has them.
//!
//! Every write goes through here, online or not: push, then `flush` sends in
//! order. Each one is idempotent by construction (PUT by an id the app chose,
//! safety reports by an app-chosen `report_id`, DELETE where "already gone" is
//! success), so resending after a crash or a lost response never duplicates.
//! A 4xx answer will never succeed: the item is dropped and reported. Network
//! errors and 5xx (and 408/429) keep it, and the caller retries with backoff.

use crate::api::{resident, ApiError, Call, Ignored, Resident};
use crate::dom;
use crate::session;
use bosai_types::household::{MemberId, MemberInput};
use bosai_types::needs::NeedsInput;
use bosai_types::safety::SafetyReportInput;
use bosai_types::surveys::SurveyId;
use bosai_types::Timestamp;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

/// Externally tagged (`{"put_needs": {...}}`): an internally tagged enum buffers
/// through serde's `Content`, which measured ~40 KB more wasm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    PutMember {
        id: MemberId,
        input: MemberInput,
    },
    DeleteMember {
        id: MemberId,
    },
    PutNeeds {
        id: MemberId,
        input: NeedsInput,
    },
    Safety {
        input: SafetyReportInput,
    },
    /// The resident's answer to a needs survey for the current period (a PUT: resending replaces it).
    SurveyAnswer {
        survey_id: SurveyId,
        /// A `SurveyAnswer`, kept as JSON: only the survey pages (a chunk loaded later) read it.
        answer: RawJson,
    },
}

impl Op {
    /// The household member a write concerns (survey answers belong to the resident's account).
    pub fn member_id(&self) -> Option<&MemberId> {
        match self {
            Op::PutMember { id, .. } | Op::DeleteMember { id } | Op::PutNeeds { id, .. } => Some(id),
            Op::Safety { input } => Some(&input.member_id),
            Op::SurveyAnswer { .. } => None,
        }
    }

    fn request(&self) -> Call<Resident, Ignored> {
        match self {
            Op::PutMember { id, input } => resident::put_member(id, input),
            Op::DeleteMember { id } => resident::delete_member(id),
            Op::PutNeeds { id, input } => resident::put_needs(id, input),
            Op::Safety { input } => resident::report_safety(input),
            Op::SurveyAnswer { survey_id, answer } => resident::answer_survey(survey_id.as_str(), answer.0.clone()),
        }
    }
}

/// A JSON value kept as its text (stored and sent as the value itself, not a string), so the
/// first download decodes no type it does not show: the survey answer's decoder (~10 KB of wasm)
/// stays in the survey pages' chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJson(pub String);

impl RawJson {
    pub fn of<T: Serialize>(value: &T) -> Self {
        Self(serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        // A fixed message: formatting serde_json's own error would bring its every message into
        // the pages that queue writes (RawJson is made by `of`, so this does not happen).
        let raw = serde_json::value::RawValue::from_string(self.0.clone());
        raw.map_err(|_| S::Error::custom("a queued value that is not JSON"))?.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self(Box::<serde_json::value::RawValue>::deserialize(d)?.get().to_owned()))
    }
}

/// One queued write. `key` is IndexedDB's auto-increment key: the sending order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub op: Op,
    /// When the resident made the change (shown until the server's own time replaces it).
    pub at: Timestamp,
    #[serde(default, skip_serializing)]
    pub key: f64,
}

// ---- IndexedDB ------------------------------------------------------------

const DB_NAME: &str = "bosai";
const STORE: &str = "outbox";
/// The shelter staff device's scan queue (keyed by `event_id`): see `staff.rs`.
pub const SCANS: &str = "scans";
/// 2 added `scans`; the upgrade creates whichever store is missing.
const DB_VERSION: u32 = 2;

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// Any IndexedDB failure (missing, quota, blocked): the caller reports it as unsupported.
pub type Idb<T> = Result<T, ()>;

pub fn ok<T, E>(r: Result<T, E>) -> Idb<T> {
    r.map_err(|_| ())
}

/// Resolves on the request's `success` (handlers set now, before any event can fire).
pub fn wait(r: &IdbRequest) -> JsFuture {
    JsFuture::from(js_sys::Promise::new(&mut |res, rej| {
        r.set_onsuccess(Some(&res));
        r.set_onerror(Some(&rej));
    }))
}

/// Resolves when the transaction has committed: only then is a write durable.
pub fn committed(tx: &IdbTransaction) -> JsFuture {
    JsFuture::from(js_sys::Promise::new(&mut |res, rej| {
        tx.set_oncomplete(Some(&res));
        tx.set_onerror(Some(&rej));
        tx.set_onabort(Some(&rej));
    }))
}

async fn db() -> Idb<IdbDatabase> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = ok(web_sys::window().ok_or(())?.indexed_db())?.ok_or(())?;
    let req = ok(factory.open_with_u32(DB_NAME, DB_VERSION))?;
    let upgrade = Closure::once_into_js(move |e: web_sys::Event| {
        let db = e
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|v| v.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let names = db.object_store_names();
            if !names.contains(STORE) {
                let p = web_sys::IdbObjectStoreParameters::new();
                p.set_auto_increment(true);
                p.set_key_path(&JsValue::from_str("key"));
                let _ = db.create_object_store_with_optional_parameters(STORE, &p);
            }
            if !names.contains(SCANS) {
                let p = web_sys::IdbObjectStoreParameters::new();
                p.set_key_path(&JsValue::from_str("event_id"));
                let _ = db.create_object_store_with_optional_parameters(SCANS, &p);
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    ok(wait(&req).await)?;
    let db: IdbDatabase = ok(ok(req.result())?.dyn_into())?;
    // A newer version of the app in another tab wants to upgrade: let it (we reopen on next use).
    let on_change = Closure::<dyn Fn()>::new(|| {
        if let Some(db) = DB.with(|d| d.borrow_mut().take()) {
            db.close();
        }
    });
    db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

async fn store(mode: IdbTransactionMode) -> Idb<(IdbTransaction, web_sys::IdbObjectStore)> {
    store_named(STORE, mode).await
}

/// A transaction on one object store of the app's database.
pub async fn store_named(name: &str, mode: IdbTransactionMode) -> Idb<(IdbTransaction, web_sys::IdbObjectStore)> {
    let tx = ok(db().await?.transaction_with_str_and_mode(name, mode))?;
    let store = ok(tx.object_store(name))?;
    Ok((tx, store))
}

/// Appends writes made together (a family's safety report), all or none, made now;
/// resolves once they are on disk.
pub async fn push_all(ops: Vec<Op>) -> Idb<()> {
    let at = dom::now();
    let (tx, s) = store(IdbTransactionMode::Readwrite).await?;
    for op in ops {
        let q = Queued { op, at, key: 0.0 };
        ok(s.add(&ok(js_sys::JSON::parse(&ok(serde_json::to_string(&q))?))?))?;
    }
    ok(committed(&tx).await).map(|_| ())
}

/// Everything queued, oldest first. Entries that no longer parse are dropped.
pub async fn list() -> Idb<Vec<Queued>> {
    let (_tx, s) = store(IdbTransactionMode::Readonly).await?;
    let req = ok(s.get_all())?;
    ok(wait(&req).await)?;
    let all: js_sys::Array = ok(ok(req.result())?.dyn_into())?;
    Ok(all.iter().filter_map(|v| serde_json::from_str(&String::from(js_sys::JSON::stringify(&v).ok()?)).ok()).collect())
}

async fn remove(key: f64) -> Idb<()> {
    let (tx, s) = store(IdbTransactionMode::Readwrite).await?;
    ok(s.delete(&JsValue::from_f64(key)))?;
    ok(committed(&tx).await).map(|_| ())
}

/// Forgets every queued write (sign-out, account deleted).
pub async fn clear() -> Idb<()> {
    let (tx, s) = store(IdbTransactionMode::Readwrite).await?;
    ok(s.clear())?;
    ok(committed(&tx).await).map(|_| ())
}

// ---- sending --------------------------------------------------------------

/// What one `flush` did.
#[derive(Default)]
pub struct Flushed {
    pub sent: usize,
    /// Rejected by the server (4xx) and dropped: they would never succeed.
    pub rejected: Vec<(Queued, ApiError)>,
    /// Why sending stopped with items left (offline, 5xx, signed out).
    pub blocked: Option<ApiError>,
}

fn retryable(e: &ApiError) -> bool {
    match e.status() {
        Some(s) => s >= 500 || s == 408 || s == 429 || s == 401,
        // Network, offline, no session, storage trouble: try again later.
        None => !matches!(e, ApiError::Decode),
    }
}

/// Sends the queue in order until it is empty or the first item must wait.
pub async fn flush() -> Flushed {
    let mut out = Flushed::default();
    let Ok(items) = list().await else {
        out.blocked = Some(ApiError::Unsupported);
        return out;
    };
    for q in items {
        let call = q.op.request();
        let result = match session::authed_send_made(call.method, &call.path, call.body, Some(q.at)).await {
            // A member already removed (say, the first DELETE's answer was lost) is removed.
            Err(e) if matches!(q.op, Op::DeleteMember { .. }) && e.status() == Some(404) => Ok(()),
            r => r.map(|_| ()),
        };
        match result {
            Ok(()) => out.sent += 1,
            Err(e) if retryable(&e) => {
                out.blocked = Some(e);
                return out;
            }
            Err(e) => out.rejected.push((q.clone(), e)),
        }
        if remove(q.key).await.is_err() {
            out.blocked = Some(ApiError::Unsupported);
            return out;
        }
    }
    out
}

// ---- retry timer ----------------------------------------------------------

thread_local! {
    static RETRY: crate::retry::Backoff = const { crate::retry::Backoff::new() };
}

/// Calls `f` after the current backoff (doubling up to a minute); one timer at a time.
pub fn retry_later(f: fn()) {
    crate::retry::later(&RETRY, f);
}

/// After a successful send, or when the connection is back: retry promptly next time.
pub fn reset_backoff() {
    crate::retry::reset(&RETRY);
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_types::surveys::SurveyAnswer;

    /// A survey answer queued by an earlier version (typed) reads back, is sent as the same JSON,
    /// and is stored again in the same shape.
    #[test]
    fn survey_answers_keep_their_json() {
        let stored = r#"{"op":{"survey_answer":{"survey_id":"s-1","answer":{"answers":{"q1":{"type":"number","value":3}}}}},"at":1764892800000}"#;
        let q: Queued = serde_json::from_str(stored).expect("an earlier version's entry");
        let Op::SurveyAnswer { answer, .. } = &q.op else { panic!("{:?}", q.op) };
        assert_eq!(answer.0, r#"{"answers":{"q1":{"type":"number","value":3}}}"#);
        let call = q.op.request();
        assert_eq!((call.method, call.path.as_str()), ("PUT", "/api/surveys/s-1/answer"));
        let sent: SurveyAnswer = serde_json::from_str(&call.body.expect("a body")).expect("a SurveyAnswer");
        assert_eq!(RawJson::of(&sent), *answer);
        let again: serde_json::Value = serde_json::to_value(&q).unwrap();
        assert_eq!(again["op"]["survey_answer"]["answer"]["answers"]["q1"]["value"], 3);
    }
}

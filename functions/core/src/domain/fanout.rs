//! Sending a notice to every subscription in its target, one page at a time: the
//! municipality's subscriptions (all, or by area), or, for a notice to evacuees, the devices
//! of the households on each of its shelters' rosters.
//!
//! Each page's outcomes are committed together with the cursor, in one conditional
//! update of the notice: a page is counted exactly once, so in the end
//! delivered + gone + failed is the number of subscriptions tried. When the store
//! fails mid-page (the worker crashed, DynamoDB was unreachable), the page is sent
//! again from the last committed cursor: a device may get that notice twice, and the
//! push message's topic and the notification's tag (the notice id) fold the copies
//! into one notification.

use crate::domain::notices::{self, notice_from};
use crate::domain::subscriptions::{self, PushSettings};
use crate::{keys, ApiError};
use bosai_push::{Delivery, PushClient, SendOptions, Subscription, Urgency};
use bosai_store::{attr, Condition, Item, ItemExt, Key, Query, Store, StoreError, Update, Value, WriteOp};
use bosai_types::notices::{Notice, NoticeLevel, NoticeTarget, PushPayload};
use bosai_types::{MunicipalityCode, ShelterId};
use futures::StreamExt;
use std::time::Duration;

/// Subscriptions per committed page.
pub const PAGE: u32 = 500;
/// Messages in flight at once.
pub const IN_FLIGHT: usize = 64;
/// Attempts per message within a page, for answers that say "try again".
const ATTEMPTS: u32 = 4;
const MAX_WAIT: Duration = Duration::from_secs(5);

/// What one page did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageOutcome {
    pub delivered: u64,
    pub gone: u64,
    pub failed: u64,
}

/// Where a notice's fan-out stands, as stored on the notice item.
#[derive(Debug, Clone)]
struct Progress {
    key: Key,
    municipality: MunicipalityCode,
    notice: Notice,
    area_index: usize,
    cursor: Option<String>,
    version: i64,
    /// Made during a drill: its evacuees are those on the drill's rosters.
    space: keys::Space,
}

/// Where a notice's subscriptions are found, walked one after the other.
enum Source {
    /// The municipality's subscriptions with this GSI1 sort-key prefix (one area, or all).
    Area(String),
    /// The devices of the households with someone checked in at this shelter.
    Shelter(ShelterId),
}

impl Progress {
    fn of(i: &Item) -> Option<Progress> {
        let pk = i.str("pk")?;
        let municipality = MunicipalityCode::parse(pk.strip_prefix("MUNI#")?).ok()?;
        Some(Progress {
            key: Key::of(i).ok()?,
            municipality,
            notice: notice_from(i)?,
            area_index: i.i64("area_index").unwrap_or(0).max(0) as usize,
            cursor: i.str("cursor").map(str::to_owned),
            version: i.i64("version").unwrap_or(0),
            space: i.str(notices::DRILL_ID).map_or(keys::Space::Real, |d| keys::Space::Drill(d.to_owned())),
        })
    }

    /// What to walk, in order: one GSI1 prefix per target area, all of them, or each shelter of
    /// the municipality (in id order, so a resumed walk finds the same list).
    async fn sources(&self, store: &dyn Store) -> Result<Vec<Source>, ApiError> {
        Ok(match &self.notice.target {
            NoticeTarget::All => vec![Source::Area(String::new())],
            NoticeTarget::Areas { areas } => {
                let mut a: Vec<_> = areas.iter().map(|a| keys::push_area_prefix(Some(a))).collect();
                a.sort();
                a.into_iter().map(Source::Area).collect()
            }
            NoticeTarget::Evacuees => {
                let mut ids: Vec<ShelterId> = crate::domain::query_all(
                    store,
                    Query::gsi1(keys::shelters_of(&self.municipality)).begins_with("SHELTER#"),
                )
                .await?
                .iter()
                .filter_map(|s| ShelterId::parse(s.str("id")?).ok())
                .collect();
                ids.sort();
                ids.into_iter().map(Source::Shelter).collect()
            }
        })
    }
}

/// One page of subscription items from `source`, and the cursor of the next.
async fn page_of(
    store: &dyn Store,
    p: &Progress,
    source: &Source,
    page_size: u32,
) -> Result<(Vec<Item>, Option<String>), ApiError> {
    match source {
        Source::Area(prefix) => {
            let mut q = Query::gsi1(keys::push_index(&p.municipality)).limit(page_size).after(p.cursor.clone());
            if !prefix.is_empty() {
                q = q.begins_with(prefix.clone());
            }
            let page = store.query(q).await?;
            Ok((page.items, page.next))
        }
        Source::Shelter(shelter) => {
            // Residents on the roster (desk registrations have no device); a household once.
            let page = store
                .query(Query::gsi1(keys::present_at(shelter, &p.space)).limit(page_size).after(p.cursor.clone()))
                .await?;
            let mut households: Vec<&str> = page
                .items
                .iter()
                .filter_map(|l| l.str(attr::GSI1_SK)?.strip_prefix("R#")?.rsplit_once('#').map(|(sub, _)| sub))
                .collect();
            households.sort_unstable();
            households.dedup();
            let mut items = Vec::new();
            for sub in households {
                let pointers =
                    store.query(Query::partition(keys::resident_partition(sub)).begins_with("PUSHSUB#")).await?;
                for id in pointers.items.iter().filter_map(|i| i.str("subscription")) {
                    items.extend(store.get(&keys::push_subscription(id)).await?);
                }
            }
            Ok((items, page.next))
        }
    }
}

pub fn send_options(n: &Notice) -> SendOptions {
    let urgency = match n.level {
        NoticeLevel::Emergency => Urgency::High,
        NoticeLevel::Warning => Urgency::Normal,
        NoticeLevel::Info => Urgency::Low,
    };
    // The topic folds resends of one notice into one message at the push service.
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, n.id.as_str().as_bytes());
    let topic = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &digest.as_ref()[..24]);
    SendOptions { ttl_secs: 24 * 3600, urgency, topic: Some(topic) }
}

/// One message, retried while the push service says "later" (up to [`ATTEMPTS`]).
async fn deliver(client: &PushClient, sub: &Subscription, payload: &[u8], opts: &SendOptions) -> Delivery {
    let mut wait = Duration::from_millis(250);
    for attempt in 1..=ATTEMPTS {
        match client.send(sub, payload, opts).await {
            Ok(Delivery::Retry { after }) if attempt < ATTEMPTS => {
                tokio::time::sleep(after.unwrap_or(wait).min(MAX_WAIT)).await;
                wait *= 2;
            }
            Ok(d) => return d,
            Err(e) => {
                tracing::warn!(error = %e, "push message not sent");
                return Delivery::Rejected { status: 0 };
            }
        }
    }
    Delivery::Retry { after: None }
}

fn subscription_of(i: &Item, allow_loopback: bool) -> Option<Subscription> {
    let endpoint = i.str("endpoint")?;
    if !subscriptions::endpoint_allowed(endpoint, allow_loopback) {
        return None;
    }
    Subscription::from_base64url(endpoint, i.str("p256dh")?, i.str("auth")?).ok()
}

async fn send_one(
    push: &PushSettings,
    i: &Item,
    payload: &[u8],
    opts: &SendOptions,
) -> Option<(Key, Option<String>, Delivery)> {
    let key = Key::of(i).ok()?;
    let owner = i.str("owner").map(str::to_owned);
    let d = match subscription_of(i, push.allow_loopback) {
        Some(s) => deliver(&push.client, &s, payload, opts).await,
        None => Delivery::Gone, // Unusable as stored: as good as gone.
    };
    Some((key, owner, d))
}

/// A notice's message for each language a device may have chosen, made once per page.
struct Payloads {
    /// Devices that did not say their language: Japanese and English.
    unsaid: Vec<u8>,
    by_language: Vec<(&'static str, Vec<u8>)>,
}

impl Payloads {
    fn of(n: &Notice) -> Payloads {
        let bytes = |reader| serde_json::to_vec(&PushPayload::of(n, reader)).expect("payload serialises");
        Payloads {
            unsaid: bytes(None),
            by_language: bosai_types::localized::LANGUAGES.into_iter().map(|c| (c, bytes(Some(c)))).collect(),
        }
    }

    fn for_device(&self, subscription: &Item) -> &[u8] {
        let lang = subscription.str(subscriptions::LANG);
        self.by_language.iter().find(|(c, _)| Some(*c) == lang).map_or(&self.unsaid, |(_, b)| b)
    }
}

/// Sends one page of a notice and commits it. `Ok(true)`: the notice is done.
async fn step(store: &dyn Store, push: &PushSettings, p: &Progress, page_size: u32) -> Result<bool, ApiError> {
    let sources = p.sources(store).await?;
    let Some(source) = sources.get(p.area_index) else {
        return commit(store, p, PageOutcome::default(), None, sources.len(), true).await.map(|_| true);
    };
    let (items, next) = page_of(store, p, source, page_size).await?;
    let payloads = Payloads::of(&p.notice);
    let opts = send_options(&p.notice);
    let sends: Vec<_> = items.iter().map(|i| send_one(push, i, payloads.for_device(i), &opts)).collect();
    let results: Vec<(Key, Option<String>, Delivery)> =
        futures::stream::iter(sends).buffer_unordered(IN_FLIGHT).filter_map(|r| async move { r }).collect().await;
    let mut outcome = PageOutcome::default();
    let mut gone = Vec::new();
    for (key, owner, d) in results {
        match d {
            Delivery::Delivered => outcome.delivered += 1,
            Delivery::Gone => {
                outcome.gone += 1;
                gone.push((key, owner));
            }
            Delivery::Retry { .. } | Delivery::Rejected { .. } => outcome.failed += 1,
        }
    }
    let (next_index, next_cursor) = match next {
        Some(c) => (p.area_index, Some(c)),
        None => (p.area_index + 1, None),
    };
    let done = next_index >= sources.len();
    if !commit(store, p, outcome, next_cursor, next_index, done).await? {
        return Ok(false); // Another worker committed this page first: read again.
    }
    // Only after the commit: a page sent again must still find (and count) these.
    let mut deletes = Vec::new();
    for (key, owner) in gone {
        if let (Some(owner), Some(id)) = (owner, key.pk.strip_prefix("PUSHSUB#")) {
            deletes.push(WriteOp::Delete(keys::resident_push(&owner, id)));
        }
        deletes.push(WriteOp::Delete(key));
    }
    if !deletes.is_empty() {
        store.batch_write(deletes).await?;
    }
    Ok(done)
}

/// Adds a page's outcome and moves the cursor, if nobody else did. `Ok(false)`: somebody did.
async fn commit(
    store: &dyn Store,
    p: &Progress,
    o: PageOutcome,
    cursor: Option<String>,
    area_index: usize,
    done: bool,
) -> Result<bool, ApiError> {
    let mut u = Update::new()
        .add("delivered", o.delivered as i64)
        .add("gone", o.gone as i64)
        .add("failed", o.failed as i64)
        .add("version", 1)
        .set("area_index", Value::n(area_index as i64))
        .set("state", Value::s(if done { "done" } else { "sending" }));
    u = match cursor {
        Some(c) => u.set("cursor", Value::s(c)),
        None => u.remove("cursor"),
    };
    if done {
        u = u.remove(attr::GSI1_PK).remove(attr::GSI1_SK);
    }
    match store.update(&p.key, u, Some(Condition::Eq("version".into(), Value::n(p.version)))).await {
        Ok(_) => Ok(true),
        Err(StoreError::ConditionFailed) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Sends a notice to the end, page by page. Resumes where the last commit left off.
pub async fn run(store: &dyn Store, push: &PushSettings, key: &Key) -> Result<(), ApiError> {
    run_paged(store, push, key, PAGE).await
}

/// [`run`] with another page size (smaller pages: fewer resends after a crash, more writes).
pub async fn run_paged(store: &dyn Store, push: &PushSettings, key: &Key, page_size: u32) -> Result<(), ApiError> {
    loop {
        let Some(item) = store.get(key).await? else { return Ok(()) };
        let Some(p) = Progress::of(&item) else {
            return Err(ApiError::Unavailable(format!("unreadable notice {}", key.sk)));
        };
        if item.str("state") == Some("done") {
            return Ok(());
        }
        if let Some(by) = &p.notice.replaced_by {
            // Corrected: those not reached yet get the correction, not what it corrects.
            if commit(store, &p, PageOutcome::default(), None, p.area_index, true).await? {
                tracing::info!(notice = %p.notice.id, replaced_by = %by, "sending stopped: corrected");
                return Ok(());
            }
            continue;
        }
        if step(store, push, &p, page_size).await? {
            let n = store.get(key).await?.as_ref().and_then(notice_from);
            if let Some(d) = n.and_then(|n| n.delivery) {
                tracing::info!(notice = %p.notice.id, delivered = d.delivered, gone = d.gone, failed = d.failed, "notice sent");
            }
            return Ok(());
        }
    }
}

/// Every notice still to send, oldest first.
pub async fn pending(store: &dyn Store) -> Result<Vec<Key>, ApiError> {
    let page = store.query(Query::gsi1(keys::FANOUT_PENDING).limit(100)).await?;
    Ok(page.items.iter().filter_map(|i| Key::of(i).ok()).collect())
}

/// Sends every pending notice. Errors are logged and left for the next round.
pub async fn run_pending(store: &dyn Store, push: &PushSettings) -> Result<usize, ApiError> {
    let keys = pending(store).await?;
    for k in &keys {
        run(store, push, k).await?;
    }
    Ok(keys.len())
}

/// Sends `payload` to every device of resident `sub` (their own warning, not a notice to an
/// area). Returns to how many devices it was delivered.
pub async fn send_to_resident(
    store: &dyn Store,
    push: &PushSettings,
    sub: &str,
    payload: &PushPayload,
) -> Result<u32, ApiError> {
    let bytes = serde_json::to_vec(payload).expect("payload serialises");
    let opts = SendOptions { ttl_secs: 7 * 24 * 3600, urgency: Urgency::Normal, topic: None };
    let pointers = store.query(Query::partition(keys::resident_partition(sub)).begins_with("PUSHSUB#")).await?;
    let mut delivered = 0;
    for id in pointers.items.iter().filter_map(|p| p.str("subscription")) {
        let Some(subscription) = store.get(&keys::push_subscription(id)).await? else { continue };
        if let Some((_, _, Delivery::Delivered)) = send_one(push, &subscription, &bytes, &opts).await {
            delivered += 1;
        }
    }
    Ok(delivered)
}

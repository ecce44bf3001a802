//! Notices (お知らせ) and the push subscriptions they go to. HQ saves a notice;
//! the fan-out (`fanout.rs`) sends it to every subscription in its target areas.

use crate::auth::Principal;
use crate::{keys, ApiError};
use bosai_store::{attr, item::item, Condition, Item, ItemExt, Query, Store, StoreError, TransactOp, Update, Value};
use bosai_types::notices::{
    DeliveryProgress, DeliveryState, NewNotice, Notice, NoticeId, NoticeLevel, NoticeTarget, PushPayload,
};
use bosai_types::surveys::{AreaCode, Localized};
use bosai_types::{MunicipalityCode, Timestamp};

fn level_str(l: NoticeLevel) -> &'static str {
    match l {
        NoticeLevel::Info => "info",
        NoticeLevel::Warning => "warning",
        NoticeLevel::Emergency => "emergency",
    }
}

fn notice_item(m: &MunicipalityCode, n: &Notice) -> Item {
    let definition = serde_json::json!({ "title": n.title, "body": n.body, "level": n.level, "target": n.target, "drill": n.drill, "incident": n.incident, "replaces": n.replaces });
    item(&keys::notice(m, n.id.as_str()))
        .with("definition", Value::s(definition.to_string()))
        .with("level", Value::s(level_str(n.level)))
        .with("created_at", Value::n(n.created_at.millis()))
        .with("state", Value::s("queued"))
        .with("delivered", Value::n(0))
        .with("gone", Value::n(0))
        .with("failed", Value::n(0))
        .with("version", Value::n(0))
        .with(attr::GSI1_PK, Value::s(keys::FANOUT_PENDING))
        .with(attr::GSI1_SK, Value::s(format!("{:013}#{m}#{}", n.created_at.millis(), n.id)))
}

/// On a notice made during a drill: the drill's id.
pub(crate) const DRILL_ID: &str = "drill_id";
/// On a corrected notice: the id of the notice that replaces it.
const REPLACED_BY: &str = "replaced_by";

#[derive(serde::Deserialize)]
struct Definition {
    title: Localized,
    body: Localized,
    level: NoticeLevel,
    target: NoticeTarget,
    #[serde(default)]
    drill: Option<String>,
    #[serde(default)]
    incident: Option<String>,
    #[serde(default)]
    replaces: Option<NoticeId>,
}

/// A stored notice, with its delivery counts.
pub fn notice_from(i: &Item) -> Option<Notice> {
    let id = NoticeId::parse(i.str("sk")?.strip_prefix(keys::NOTICE_PREFIX)?).ok()?;
    let municipality = keys::municipality_of_partition(i.str("pk")?)?;
    let d: Definition = serde_json::from_str(i.str("definition")?).ok()?;
    let n = |k| i.i64(k).unwrap_or(0).max(0) as u64;
    let state = match i.str("state")? {
        "queued" => DeliveryState::Queued,
        "sending" => DeliveryState::Sending,
        _ => DeliveryState::Done,
    };
    Some(Notice {
        id,
        municipality,
        title: d.title,
        body: d.body,
        level: d.level,
        target: d.target,
        created_at: Timestamp(i.i64("created_at")?),
        delivery: Some(DeliveryProgress { state, delivered: n("delivered"), gone: n("gone"), failed: n("failed") }),
        drill: d.drill,
        incident: d.incident,
        replaces: d.replaces,
        replaced_by: i.str(REPLACED_BY).and_then(|r| NoticeId::parse(r).ok()),
    })
}

/// Saves a notice for sending. `Ok((notice, false))`: the same notice was already saved (a resend).
pub async fn create(
    store: &dyn Store,
    who: &Principal,
    m: &MunicipalityCode,
    new: &NewNotice,
    now: Timestamp,
) -> Result<(Notice, bool), ApiError> {
    if !who.may_read_municipality(m) {
        return Err(ApiError::Forbidden);
    }
    new.validate().map_err(|e| ApiError::invalid(e.code, e.ja))?;
    // It belongs to the incident open now; during a drill, it is the drill's.
    let all = crate::domain::incidents::all(store).await?;
    let open = bosai_types::incident::current(&all, m, now);
    let drill = open.filter(|i| i.kind == bosai_types::incident::IncidentKind::Drill);
    let space = drill.map_or(crate::keys::Space::Real, |d| crate::keys::Space::Drill(d.id.clone()));
    if let NoticeTarget::Areas { areas } = &new.target {
        crate::domain::areas::check(store, m, areas).await?;
    }
    check_correction(store, m, new).await?;
    let notice = Notice {
        id: new.id.clone(),
        municipality: m.clone(),
        title: new.title.clone(),
        body: new.body.clone(),
        level: new.level,
        target: new.target.clone(),
        created_at: now,
        delivery: None,
        drill: drill.map(|d| d.name.clone()),
        incident: open.map(|i| i.id.clone()),
        replaces: new.replaces.clone(),
        replaced_by: None,
    };
    // Every device gets Japanese and its reader's language: the largest of those must fit.
    let largest = PushPayload::largest(&notice);
    if largest > bosai_push::MAX_PLAINTEXT_LEN {
        return Err(ApiError::invalid("notice_too_long", "お知らせが長すぎます。本文を短くしてください。"));
    }
    let mut stored = notice_item(m, &notice);
    if let Some(id) = space.drill() {
        // A drill's notice to evacuees goes to those on the drill's rosters.
        stored = stored.with(DRILL_ID, Value::s(id));
    }
    let saved = match &new.replaces {
        None => store.put(stored, Some(Condition::absent())).await,
        // The correction and the mark on the notice it corrects, together, once.
        Some(earlier) => {
            let ops = vec![
                TransactOp::Put { item: stored, condition: Some(Condition::absent()) },
                TransactOp::Update {
                    key: keys::notice(m, earlier.as_str()),
                    update: Update::new().set(REPLACED_BY, Value::s(notice.id.as_str())),
                    condition: Some(Condition::And(vec![
                        Condition::present(),
                        Condition::NotExists(REPLACED_BY.into()),
                    ])),
                },
            ];
            match store.transact_write(ops).await {
                Err(StoreError::TransactionCanceled { .. }) => Err(StoreError::ConditionFailed),
                other => other,
            }
        }
    };
    match saved {
        Ok(()) => {
            tracing::info!(notice = %notice.id, "notice saved for sending");
            Ok((get(store, m, &notice.id).await?, true))
        }
        Err(StoreError::ConditionFailed) => {
            let stored = match get(store, m, &notice.id).await {
                Ok(stored) => stored,
                // Not saved: the notice it corrects was corrected by another meanwhile.
                Err(ApiError::NotFound(_)) if new.replaces.is_some() => {
                    check_correction(store, m, new).await?;
                    return Err(ApiError::Busy);
                }
                Err(e) => return Err(e),
            };
            let same = stored.title == new.title
                && stored.body == new.body
                && stored.level == new.level
                && stored.target == new.target
                && stored.replaces == new.replaces;
            if same {
                Ok((stored, false))
            } else {
                Err(ApiError::invalid("notice_id_taken", "このIDのお知らせは既にあります。"))
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// For a correction: the notice it names is there and may be corrected by it.
async fn check_correction(store: &dyn Store, m: &MunicipalityCode, new: &NewNotice) -> Result<(), ApiError> {
    let Some(earlier) = &new.replaces else { return Ok(()) };
    let earlier = get(store, m, earlier).await.map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("訂正するお知らせ"),
        e => e,
    })?;
    correctable(&earlier, &new.id)
}

/// Whether `earlier` may be corrected by notice `by`: once only (a resend of the same correction
/// is not a second one), and never by itself.
fn correctable(earlier: &Notice, by: &NoticeId) -> Result<(), ApiError> {
    if &earlier.id == by {
        return Err(ApiError::invalid("notice_corrects_itself", "お知らせは自分自身を訂正できません。"));
    }
    match &earlier.replaced_by {
        Some(other) if other != by => Err(ApiError::state_conflict(
            "notice_already_corrected",
            "このお知らせは既に訂正されています。訂正したお知らせのほうを訂正してください。",
        )
        .with("replaced_by", other.as_str())),
        _ => Ok(()),
    }
}

pub async fn get(store: &dyn Store, m: &MunicipalityCode, id: &NoticeId) -> Result<Notice, ApiError> {
    let i = store.get(&keys::notice(m, id.as_str())).await?.ok_or(ApiError::NotFound("お知らせ"))?;
    notice_from(&i).ok_or_else(|| ApiError::Unavailable(format!("unreadable notice {id}")))
}

/// The public view: what the landing page shows (no delivery counts).
pub async fn public(store: &dyn Store, m: &MunicipalityCode, id: &NoticeId) -> Result<Notice, ApiError> {
    Ok(Notice { delivery: None, incident: None, ..get(store, m, id).await? })
}

/// HQ's list: newest first, those `filter` keeps (one incident's, say).
pub async fn of_incident(
    store: &dyn Store,
    m: &MunicipalityCode,
    filter: &crate::domain::incidents::ListFilter,
    limit: usize,
) -> Result<Vec<Notice>, ApiError> {
    let mut all = list(store, m, None, usize::MAX).await?;
    all.retain(|n| filter.keeps(n.incident.as_deref(), n.drill.is_some()));
    all.truncate(limit);
    Ok(all)
}

/// Newest first; `area` given: only notices for everyone or for that area (a resident's list).
pub async fn list(
    store: &dyn Store,
    m: &MunicipalityCode,
    area: Option<Option<&AreaCode>>,
    limit: usize,
) -> Result<Vec<Notice>, ApiError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(Query::partition(keys::municipality(m).pk).begins_with(keys::NOTICE_PREFIX).after(cursor))
            .await?;
        out.extend(page.items.iter().filter_map(notice_from));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    if let Some(area) = area {
        out.retain(|n| match &n.target {
            NoticeTarget::All => true,
            NoticeTarget::Areas { areas } => area.is_some_and(|a| areas.contains(a)),
            NoticeTarget::Evacuees => false,
        });
        for n in &mut out {
            n.delivery = None;
            n.incident = None;
        }
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.id.cmp(&b.id)));
    out.truncate(limit);
    Ok(out)
}

/// A resident's notices, newest first: their home's for everyone and for their area, and those
/// to the evacuees of every municipality whose shelters a member of the household is at now
/// (their home's too).
pub async fn for_resident(
    store: &dyn Store,
    home: &MunicipalityCode,
    sub: &str,
    area: Option<&AreaCode>,
    limit: usize,
) -> Result<Vec<Notice>, ApiError> {
    let mut out = list(store, home, Some(area), usize::MAX).await?;
    for m in sheltered_in(store, sub).await? {
        let to_evacuees =
            list(store, &m, None, usize::MAX).await?.into_iter().filter(|n| n.target == NoticeTarget::Evacuees);
        out.extend(to_evacuees.map(|n| Notice { delivery: None, incident: None, ..n }));
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.id.cmp(&b.id)));
    out.truncate(limit);
    Ok(out)
}

/// The municipalities whose shelters a member of the household is checked in at now.
async fn sheltered_in(store: &dyn Store, sub: &str) -> Result<std::collections::BTreeSet<MunicipalityCode>, ApiError> {
    let mut out = std::collections::BTreeSet::new();
    for m in crate::domain::household::view_of(&crate::domain::household::partition(store, sub).await?).members {
        let person = keys::person_of_resident(sub, m.member.id.as_str());
        if let Some(shelter) = crate::domain::location::current_anywhere(store, &person, &m.member.id).await?.shelter_id
        {
            out.insert(crate::domain::shelters::get(store, &shelter).await?.municipality);
        }
    }
    Ok(out)
}

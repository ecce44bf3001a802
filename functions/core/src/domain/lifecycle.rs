//! HQ opens and closes incidents: what opening checks and what closing does to everything an
//! incident holds. Closing a drill deletes its personal data at once (rosters, check-ins,
//! desk registrations made in it, its safety reports) and ends its surveys; closing a real
//! incident sets when its personal data expires. The incident records themselves and the
//! scope of a check-in are `incidents`, which the rest of the domain reads.

use crate::auth::Principal;
use crate::domain::incidents::{from_item, get, may_command, save, to_item, CLOSED_AT, DAY_MS, PURGE_PENDING};
use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{attr, Condition, ItemExt, Key, Query, Store, StoreError, Value, WriteOp};
use bosai_types::incident::{Incident, IncidentKind, OpenIncident};
use bosai_types::{MunicipalityCode, Timestamp};

/// `rule`: which rule of `OpenIncident::validate` the request broke (for API users).
fn invalid(rule: &str) -> ApiError {
    ApiError::invalid(
        "invalid_incident",
        "災害・訓練の入力を確認してください（名前は80文字まで、開始は24時間前から今まで）。",
    )
    .with("detail", rule)
}

/// Opens an incident (`own`: the caller's municipality when none is named). A resend with the
/// same `incident_id` answers the incident opened the first time.
pub async fn open(
    store: &dyn Store,
    who: &Principal,
    own: Option<&MunicipalityCode>,
    req: &OpenIncident,
    now: Timestamp,
) -> Result<Incident, ApiError> {
    req.validate(now).map_err(invalid)?;
    let served = crate::domain::areas::served(store).await?;
    let named = !req.municipalities.is_empty();
    let mut municipalities = req.municipalities.clone();
    if !named {
        // HQ's own municipality; for the prefecture's HQ, every one it commands here.
        match own {
            Some(m) => municipalities.push(m.clone()),
            None => municipalities.extend(served.iter().filter(|m| may_command(who, m)).cloned()),
        }
    }
    municipalities.sort();
    municipalities.dedup();
    if municipalities.is_empty() {
        return Err(ApiError::Forbidden);
    }
    for m in &municipalities {
        if !may_command(who, m) || (!named && !served.contains(m)) {
            return Err(ApiError::Forbidden);
        }
        if !served.contains(m) {
            return Err(ApiError::invalid("unknown_municipality", "この自治体はこのシステムで扱っていません。"));
        }
    }
    if !req.areas.is_empty() {
        match municipalities.as_slice() {
            [m] => crate::domain::areas::check(store, m, &req.areas).await?,
            _ => {
                return Err(ApiError::invalid(
                    "areas_need_one_municipality",
                    "地区を指定できるのは、1つの市町村の災害・訓練だけです。",
                ))
            }
        }
    }
    let inc = Incident {
        id: req.incident_id.clone(),
        name: req.name.trim().to_owned(),
        kind: req.kind,
        municipalities,
        areas: req.areas.clone(),
        started_at: req.started_at.unwrap_or(now),
        closed_at: None,
        personal_data_until: None,
        purged_items: None,
        purge_report: Default::default(),
        purged_at: None,
    };
    match store.put(to_item(&inc), Some(Condition::absent())).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => {
            let first = get(store, &inc.id).await?;
            if first.name == inc.name && first.kind == inc.kind && first.municipalities == inc.municipalities {
                return Ok(first);
            }
            return Err(ApiError::state_conflict("incident_id_taken", "このIDは別の災害・訓練で使われています。"));
        }
        Err(e) => return Err(e.into()),
    }
    for m in &inc.municipalities {
        let details = [("incident", Value::s(&inc.id)), ("kind", Value::s(kind_str(inc.kind)))];
        crate::domain::audit::record(store, m, now, "incident_opened", &who.sub, details).await?;
    }
    Ok(inc)
}

fn kind_str(k: IncidentKind) -> &'static str {
    match k {
        IncidentKind::Real => "real",
        IncidentKind::Drill => "drill",
    }
}

/// Closes an incident. A drill's personal data (rosters, check-ins) is deleted now; a real
/// incident's expires `retention_days` later. Closing a closed incident is refused (409
/// `incident_already_closed`), except a drill whose deletion was cut off: that finishes it.
pub async fn close(
    store: &dyn Store,
    who: &Principal,
    id: &str,
    retention_days: u32,
    now: Timestamp,
) -> Result<Incident, ApiError> {
    let mut inc = get(store, id).await?;
    if !inc.municipalities.iter().all(|m| may_command(who, m)) {
        return Err(ApiError::Forbidden);
    }
    let pending = store.get(&keys::incident(id)).await?.and_then(|i| i.bool(PURGE_PENDING)).unwrap_or(false);
    if inc.closed_at.is_some() && !pending {
        return Err(ApiError::state_conflict(
            "incident_already_closed",
            format!("「{}」はすでに終了しています。", inc.name),
        )
        .with("name", &inc.name));
    }
    if inc.closed_at.is_none() {
        let closed_at = now.max(inc.started_at);
        inc.closed_at = Some(closed_at);
        if inc.kind == IncidentKind::Real {
            inc.personal_data_until = Some(Timestamp(closed_at.millis() + i64::from(retention_days) * DAY_MS));
        }
        let mut it = to_item(&inc);
        if inc.kind == IncidentKind::Drill {
            // From here every scan into the drill is refused (its guard), then its data goes.
            it = it.with(PURGE_PENDING, Value::Bool(true));
        }
        match store.put(it, Some(Condition::NotExists(CLOSED_AT.into()))).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => return Err(ApiError::Conflict("この災害・訓練")),
            Err(e) => return Err(e.into()),
        }
    }
    if inc.kind == IncidentKind::Drill {
        finish_drill(store, &mut inc, now).await?;
    }
    for m in &inc.municipalities {
        let mut details = vec![("incident", Value::s(&inc.id)), ("kind", Value::s(kind_str(inc.kind)))];
        details.extend(inc.purged_items.map(|n| ("items_removed", Value::n(n as i64))));
        crate::domain::audit::record(store, m, now, "incident_closed", &who.sub, details).await?;
    }
    Ok(inc)
}

/// Deletes a closed drill's personal data and clears its `purge_pending` mark (closing, or the
/// purge job finishing a closing that was cut off).
pub(crate) async fn finish_drill(store: &dyn Store, inc: &mut Incident, now: Timestamp) -> Result<(), ApiError> {
    let purged = delete_drill_data(store, inc, now).await?;
    inc.purged_items = Some(inc.purged_items.unwrap_or(0) + purged);
    inc.purged_at = Some(now);
    save(store, inc).await
}

/// Closed drills whose deletion was cut off.
pub(crate) async fn pending_drills(store: &dyn Store) -> Result<Vec<Incident>, ApiError> {
    let items = super::query_all(store, Query::gsi1(keys::INCIDENTS)).await?;
    Ok(items.iter().filter(|i| i.bool(PURGE_PENDING).unwrap_or(false)).filter_map(from_item).collect())
}

/// Every person a drill holds (on its rosters or left), with their location and history, and
/// the scan records of those scans. Idempotent: a second run finds nothing. Returns how many
/// items went.
async fn delete_drill_data(store: &dyn Store, inc: &Incident, now: Timestamp) -> Result<u64, ApiError> {
    let space = Space::Drill(inc.id.clone());
    let mut people = Vec::new();
    for m in &inc.municipalities {
        for shelter in super::query_all(store, Query::gsi1(keys::shelters_of(m)).begins_with("SHELTER#")).await? {
            let Some(id) = shelter.str("id").and_then(|s| bosai_types::ShelterId::parse(s).ok()) else {
                continue;
            };
            people.extend(super::query_all(store, Query::gsi1(keys::present_at(&id, &space))).await?);
        }
    }
    people.extend(super::query_all(store, Query::gsi1(keys::drill_left(&inc.id))).await?);
    let mut removed = delete_drill_reports(store, inc).await?;
    // Its surveys close; their answers go, their totals stay for the review.
    for m in &inc.municipalities {
        for survey in crate::domain::surveys::of_incident(store, m, Some(&inc.id), now).await? {
            removed += crate::domain::surveys::end_with_incident(store, &survey, now, u64::MAX).await?;
        }
    }
    for loc in people {
        let Some(person) = loc.str(attr::GSI1_SK) else {
            continue;
        };
        let desk_registration =
            person.strip_prefix("D#").and_then(|r| r.rsplit_once('#')).map(|(reg, _)| reg.to_owned());
        let items = super::query_all(store, Query::partition(keys::person_partition(person, &space))).await?;
        let mut ops = Vec::new();
        for i in &items {
            let Ok(key) = Key::of(i) else { continue };
            if let Some((_, event)) = key.sk.strip_prefix("EVENT#").and_then(|r| r.split_once('#')) {
                ops.push(WriteOp::Delete(keys::event_id(event)));
            }
            ops.push(WriteOp::Delete(key));
        }
        removed += items.len() as u64;
        store.batch_write(ops).await?;
        // Someone registered at a desk during the drill: their registration goes too.
        if let Some(reg) = desk_registration {
            if crate::domain::desk::made_in_drill(store, &reg, &inc.id).await? {
                removed += crate::domain::desk::erase_person(store, person, now).await? as u64;
            }
        }
    }
    Ok(removed)
}

/// A drill's safety reports: each resident's drill partition (found through the replay records
/// listed under [`keys::drill_reported`]) and the drill's help lists. The counters stay.
async fn delete_drill_reports(store: &dyn Store, inc: &Incident) -> Result<u64, ApiError> {
    let space = Space::Drill(inc.id.clone());
    let mut partitions: Vec<String> = super::query_all(store, Query::gsi1(keys::drill_reported(&inc.id)))
        .await?
        .iter()
        .filter_map(|i| i.str(attr::PK).map(str::to_owned))
        .collect();
    partitions.sort();
    partitions.dedup();
    partitions.extend(inc.municipalities.iter().map(|m| keys::help_partition(m, &space)));
    let mut removed = 0u64;
    for pk in partitions {
        let items = super::query_all(store, Query::partition(pk)).await?;
        removed += items.len() as u64;
        store.batch_write(items.iter().filter_map(|i| Key::of(i).ok()).map(WriteOp::Delete).collect()).await?;
    }
    Ok(removed)
}

//! Incidents (災害) and drills (訓練). HQ opens one for its municipalities and closes it.
//! While a drill is the current incident of a municipality (no real one open there), its
//! shelters' check-ins go to the drill's own keys ([`keys::Space::Drill`]): its own rosters and
//! counters, never the real ones. Closing a drill deletes its personal data at once and keeps
//! its anonymous counters for the after-drill review; closing a real incident sets when its
//! personal data expires (`BOSAI_RETENTION_DAYS`).

use crate::auth::Principal;
use crate::domain::checkin::{Guard, Rejection};
use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{attr, item::item, Condition, Item, ItemExt, Key, Query, Store, StoreError, Value, WriteOp};
use bosai_types::auth::Role;
use bosai_types::incident::{current, Incident, IncidentKind, OpenIncident};
use bosai_types::{MunicipalityCode, Timestamp};

/// Personal data of a closed real incident is kept this long by default (days).
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// Which notices or surveys an HQ list shows, by the incident open when they were made
/// (`?incident=` on the list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFilter {
    /// Everything, drills marked: `all`.
    All,
    /// The incident open for the municipality now, everything when none is (the default).
    Current,
    /// Everything but drills': `real`.
    Real,
    /// Made while no incident was open: `none`.
    Outside,
    /// One incident's or drill's, by id (also after it closed).
    Incident(String),
}

impl ListFilter {
    pub fn parse(q: Option<&str>) -> Result<Self, ApiError> {
        Ok(match q {
            None | Some("") => Self::Current,
            Some("all") => Self::All,
            Some("real") => Self::Real,
            Some("none") => Self::Outside,
            Some(id) if id.chars().count() <= 64 => Self::Incident(id.to_owned()),
            Some(_) => {
                return Err(ApiError::invalid(
                    "invalid_filter",
                    "incident is an incident id (at most 64 characters), `all`, `real` or `none`.",
                    "災害・訓練の指定が正しくありません。",
                ))
            }
        })
    }

    /// `Current` made concrete for municipality `m` at `now`: the open incident's (a real one
    /// before a drill), or everything when none is open.
    pub fn resolve(self, incidents: &[Incident], m: &MunicipalityCode, now: Timestamp) -> Self {
        match self {
            Self::Current => current(incidents, m, now).map_or(Self::All, |i| Self::Incident(i.id.clone())),
            other => other,
        }
    }

    /// Whether an item made during `incident` (a drill's when `drill`) is listed.
    pub fn keeps(&self, incident: Option<&str>, drill: bool) -> bool {
        match self {
            Self::All | Self::Current => true,
            Self::Real => !drill,
            Self::Outside => incident.is_none(),
            Self::Incident(id) => incident == Some(id.as_str()),
        }
    }
}
const DAY_MS: i64 = 24 * 3600 * 1000;
/// On the incident item while it is closed but its drill data is not yet all deleted.
const PURGE_PENDING: &str = "purge_pending";
const CLOSED_AT: &str = "closed_at";

fn from_item(i: &Item) -> Option<Incident> {
    serde_json::from_str(i.str("incident")?).ok()
}

fn to_item(inc: &Incident) -> Item {
    let mut it = item(&keys::incident(&inc.id))
        .with("incident", Value::s(serde_json::to_string(inc).expect("incident serialises")))
        .with(attr::GSI1_PK, Value::s(keys::INCIDENTS))
        .with(attr::GSI1_SK, Value::s(format!("{:013}#{}", inc.started_at.millis().max(0), inc.id)));
    if let Some(c) = inc.closed_at {
        it = it.with(CLOSED_AT, Value::n(c.millis()));
    }
    it
}

/// Every incident and drill, oldest first (a few a year).
pub async fn all(store: &dyn Store) -> Result<Vec<Incident>, ApiError> {
    Ok(super::query_all(store, Query::gsi1(keys::INCIDENTS)).await?.iter().filter_map(from_item).collect())
}

/// Those covering municipality `m`, newest first.
pub async fn of_municipality(store: &dyn Store, m: &MunicipalityCode) -> Result<Vec<Incident>, ApiError> {
    let mut v: Vec<Incident> = all(store).await?.into_iter().filter(|i| i.municipalities.contains(m)).collect();
    v.reverse();
    Ok(v)
}

pub async fn get(store: &dyn Store, id: &str) -> Result<Incident, ApiError> {
    let item = store.get(&keys::incident(id)).await?;
    item.as_ref().and_then(from_item).ok_or(ApiError::NotFound("The incident", "災害・訓練"))
}

/// Municipalities HQ may open and close incidents for: its own; a prefecture's HQ those of its
/// prefecture; an admin those it administers.
pub fn may_command(p: &Principal, m: &MunicipalityCode) -> bool {
    match p.role {
        Role::Hq => p.municipality.as_ref() == Some(m),
        Role::PrefectureHq => p.municipality.as_ref() == Some(&m.prefecture()),
        Role::Admin => p.may_administer(m),
        Role::ShelterStaff | Role::Resident => false,
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(
        "invalid_incident",
        message,
        "災害・訓練の入力を確認してください（名前は80文字まで、開始は24時間前から今まで）。",
    )
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
            return Err(ApiError::invalid(
                "unknown_municipality",
                format!("This deployment does not serve municipality {m}."),
                "この自治体はこのシステムで扱っていません。",
            ));
        }
    }
    if !req.areas.is_empty() {
        match municipalities.as_slice() {
            [m] => crate::domain::areas::check(store, m, &req.areas).await?,
            _ => return Err(invalid("Areas can be named only for an incident of one municipality.")),
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
            return Err(ApiError::StateConflict {
                code: "incident_id_taken",
                message: "Another incident has this incident_id; choose a new one.".into(),
                message_ja: "このIDは別の災害・訓練で使われています。".into(),
            });
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
        return Err(ApiError::StateConflict {
            code: "incident_already_closed",
            message: format!("'{}' was already closed.", inc.name),
            message_ja: format!("「{}」はすでに終了しています。", inc.name),
        });
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
            Err(StoreError::ConditionFailed) => return Err(ApiError::Conflict("The incident", "この災害・訓練")),
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

/// Stores `inc` as it is now (no `purge_pending`); the purge and the bench write through it.
pub async fn save(store: &dyn Store, inc: &Incident) -> Result<(), ApiError> {
    Ok(store.put(to_item(inc), None).await?)
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

/// What a check-in at a shelter of some municipality at some time belongs to.
#[derive(Debug)]
pub struct Scope {
    /// Real data, or the drill's.
    pub space: Space,
    /// A drill's scans check in their transaction that it is still open.
    pub guards: Vec<Guard>,
    /// The real incident open then (its retention applies), if any.
    pub incident: Option<String>,
}

/// The scope (real or a drill's) of a check-in in municipality `m` at `at`. A scan made during
/// a drill that has since ended is refused (`drill_ended`): its data was deleted.
pub fn scope_at(incidents: &[Incident], m: &MunicipalityCode, at: Timestamp) -> Result<Scope, Rejection> {
    scope_of(current(incidents, m, at))
}

/// The scope of what belongs to incident `current` (none: real data outside any incident).
pub fn scope_of(current: Option<&Incident>) -> Result<Scope, Rejection> {
    match current {
        Some(i) if i.kind == IncidentKind::Drill => {
            if i.closed_at.is_some() {
                return Err(Rejection::new(
                    "drill_ended",
                    "this scan was made during a drill that has ended; drill records are deleted",
                ));
            }
            let guard = Guard {
                key: keys::incident(&i.id),
                condition: Condition::NotExists(CLOSED_AT.into()),
                rejection: Rejection::new(
                    "drill_ended",
                    "the drill ended while this scan was sent; drill records are deleted",
                ),
            };
            Ok(Scope { space: Space::Drill(i.id.clone()), guards: vec![guard], incident: None })
        }
        real => Ok(Scope { space: Space::Real, guards: Vec::new(), incident: real.map(|i| i.id.clone()) }),
    }
}

/// The space rosters and HQ views of municipality `m` show now, and its drill if it is one.
pub async fn space_now(
    store: &dyn Store,
    m: &MunicipalityCode,
    now: Timestamp,
) -> Result<(Space, Option<Incident>), ApiError> {
    let all = all(store).await?;
    Ok(match current(&all, m, now) {
        Some(i) if i.kind == IncidentKind::Drill => (Space::Drill(i.id.clone()), Some(i.clone())),
        _ => (Space::Real, None),
    })
}

/// Drills whose data may still exist (open, or closed with deletion cut off): a resident
/// deleting their data is erased from these too.
pub async fn drill_spaces(store: &dyn Store) -> Result<Vec<Space>, ApiError> {
    let items = super::query_all(store, Query::gsi1(keys::INCIDENTS)).await?;
    Ok(items
        .iter()
        .filter(|i| !i.contains_key(CLOSED_AT) || i.bool(PURGE_PENDING).unwrap_or(false))
        .filter_map(from_item)
        .filter(|i| i.kind == IncidentKind::Drill)
        .map(|i| Space::Drill(i.id))
        .collect())
}

/// Open incidents (public: names and kinds, no personal data), for the 訓練 banner.
pub async fn open_now(store: &dyn Store, now: Timestamp) -> Result<Vec<Incident>, ApiError> {
    Ok(all(store).await?.into_iter().filter(|i| i.is_open() && i.started_at <= now).collect())
}

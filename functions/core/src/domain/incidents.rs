//! Incidents (災害) and drills (訓練). HQ opens one for its municipalities and closes it.
//! While a drill is the current incident of a municipality (no real one open there), its
//! shelters' check-ins go to the drill's own keys ([`keys::Space::Drill`]): its own rosters and
//! counters, never the real ones. Closing a drill deletes its personal data at once and keeps
//! its anonymous counters for the after-drill review; closing a real incident sets when its
//! personal data expires (`BOSAI_RETENTION_DAYS`).

use crate::auth::Principal;
use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{attr, item::item, Condition, Item, ItemExt, Query, Store, Value};
use bosai_types::auth::Role;
use bosai_types::incident::{current, Incident, IncidentKind};
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
    /// A real incident open now (the default then): its own and what was made outside any
    /// incident (the everyday notices, a health check still running), not other incidents' or
    /// drills'. Opening a disaster must not hide what HQ sent a minute before, or a survey
    /// residents still answer.
    Now(String),
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
            Some(_) => return Err(ApiError::invalid("invalid_filter", "災害・訓練の指定が正しくありません。")),
        })
    }

    /// `Current` made concrete for municipality `m` at `now`: a real incident open now with what
    /// is outside incidents ([`ListFilter::Now`]), a drill's own only, or everything when none
    /// is open.
    pub fn resolve(self, incidents: &[Incident], m: &MunicipalityCode, now: Timestamp) -> Self {
        match self {
            Self::Current => match current(incidents, m, now) {
                None => Self::All,
                Some(i) if i.kind == IncidentKind::Drill => Self::Incident(i.id.clone()),
                Some(i) => Self::Now(i.id.clone()),
            },
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
            Self::Now(id) => incident.is_none_or(|i| i == id),
        }
    }
}
pub(crate) const DAY_MS: i64 = 24 * 3600 * 1000;
/// On the incident item while it is closed but its drill data is not yet all deleted.
pub(crate) const PURGE_PENDING: &str = "purge_pending";
pub(crate) const CLOSED_AT: &str = "closed_at";

pub(crate) fn from_item(i: &Item) -> Option<Incident> {
    serde_json::from_str(i.str("incident")?).ok()
}

pub(crate) fn to_item(inc: &Incident) -> Item {
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
    item.as_ref().and_then(from_item).ok_or(ApiError::NotFound("災害・訓練"))
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

/// Stores `inc` as it is now (no `purge_pending`); the purge and the bench write through it.
pub async fn save(store: &dyn Store, inc: &Incident) -> Result<(), ApiError> {
    Ok(store.put(to_item(inc), None).await?)
}

/// Why a scan cannot be stored, ever.
type Rejection = bosai_types::checkin::ScanRejection;

/// A condition a scan's write must still meet when it is stored: the drill it belongs to is
/// still open (here), or the resident's QR code was not revoked since (`checkin`). A resident
/// deleting their data while a staff device sends their scan either wins (the scan is refused)
/// or loses (deletion then checks them out); the person is never left on a roster.
#[derive(Debug, Clone)]
pub struct Guard {
    pub key: bosai_store::Key,
    pub condition: Condition,
    /// The scan's answer when the condition fails.
    pub rejection: Rejection,
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

//! Stays (滞在記録) during a real incident: who was at which shelter, kept after they left, so
//! the roster of a past incident can be read back (罹災証明, inquiries) until the incident's
//! personal data is purged. One item per person, shelter and incident, written in the scan's
//! own transaction; name, birth year, sex and home only (no needs).

use crate::domain::incidents;
use crate::domain::person::{Person, HOME};
use crate::keys;
use crate::ApiError;
use bosai_store::{attr, Item, ItemExt, Query, Store, TransactOp, Update, Value};
use bosai_types::checkin::EventKind;
use bosai_types::incident::{Incident, IncidentKind};
use bosai_types::roster::{PastRoster, PastStay};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

const KEPT: [&str; 4] = ["name", "birth_year", "sex", HOME];

/// The write that records a scan of `person` at `shelter` during `incident`. `present` is their
/// location as read before the scan (a check-out copies the names from it).
pub fn record(
    incident: &str,
    shelter: &ShelterId,
    person: &Person,
    present: Option<&Item>,
    kind: EventKind,
    at: Timestamp,
) -> TransactOp {
    let at_ms = at.millis().max(0);
    let mut u = Update::new()
        .set_if_absent(attr::GSI1_PK, Value::s(keys::personal_of(Some(incident))))
        .set_if_absent(attr::GSI1_SK, Value::s(format!("{at_ms:013}#STAY#{shelter}#{}", person.key)));
    let names = match kind {
        EventKind::CheckIn => Some(&person.roster),
        EventKind::CheckOut => present.filter(|p| p.str("shelter") == Some(shelter.as_str())),
    };
    for k in KEPT {
        if let Some(v) = names.and_then(|n| n.get(k)) {
            u = u.set(k, v.clone());
        }
    }
    u = match kind {
        EventKind::CheckIn => u.set_if_absent("arrived_at", Value::n(at_ms)).set("last_in", Value::n(at_ms)),
        EventKind::CheckOut => u.set("left_at", Value::n(at_ms)),
    };
    TransactOp::Update { key: keys::stay(incident, shelter, &person.key), update: u, condition: None }
}

fn stay_from(i: &Item) -> Option<PastStay> {
    let last_in = i.i64("last_in");
    let left_at = i.i64("left_at").filter(|l| last_in.is_none_or(|i| *l >= i));
    Some(PastStay {
        name: i.str("name")?.to_owned(),
        birth_year: i.i64("birth_year").and_then(|y| u16::try_from(y).ok()),
        sex: i.str("sex").unwrap_or("no_answer").to_owned(),
        home: i.str(HOME).map(str::to_owned),
        arrived_at: i.i64("arrived_at").map(Timestamp),
        left_at: left_at.map(Timestamp),
    })
}

/// Who stayed at `shelter` (of municipality `m`) during real incident `id`, by name. A drill's
/// records are deleted when it ends (400 `drill_roster_deleted`); an incident whose personal
/// data was purged has none left (409 `incident_purged`); one of another municipality is 404.
async fn past_roster(
    store: &dyn Store,
    m: &MunicipalityCode,
    shelter: &ShelterId,
    inc: &Incident,
) -> Result<Vec<PastStay>, ApiError> {
    if !inc.municipalities.contains(m) {
        return Err(ApiError::NotFound("災害"));
    }
    if inc.kind == IncidentKind::Drill {
        return Err(ApiError::invalid(
            "drill_roster_deleted",
            "訓練の記録は訓練の終了時に削除されます。実施中は現在の名簿に表示されます。",
        ));
    }
    if inc.purged_at.is_some() {
        return Err(ApiError::state_conflict(
            "incident_purged",
            "この災害の個人の記録は保存期間が終わり削除されました。",
        ));
    }
    let items = crate::domain::query_all(store, Query::partition(keys::stays_at(&inc.id, shelter))).await?;
    let mut out: Vec<PastStay> = items.iter().filter_map(stay_from).collect();
    out.sort_by(|a, b| (a.arrived_at, &a.name).cmp(&(b.arrived_at, &b.name)));
    Ok(out)
}

/// The rosters of every real incident of municipality `m` whose personal data is still kept
/// and that had anyone at `shelter`, newest first; or of incident `only`.
pub async fn past_rosters(
    store: &dyn Store,
    m: &MunicipalityCode,
    shelter: &ShelterId,
    only: Option<&str>,
) -> Result<Vec<PastRoster>, ApiError> {
    let chosen: Vec<Incident> = match only {
        Some(id) => vec![incidents::get(store, id).await?],
        None => incidents::of_municipality(store, m)
            .await?
            .into_iter()
            .filter(|i| i.kind == IncidentKind::Real && i.purged_at.is_none())
            .collect(),
    };
    let mut out = Vec::new();
    for inc in chosen {
        let stays = past_roster(store, m, shelter, &inc).await?;
        if stays.is_empty() && only.is_none() {
            continue;
        }
        out.push(PastRoster {
            incident_id: inc.id,
            incident_name: inc.name,
            started_at: inc.started_at,
            closed_at: inc.closed_at,
            personal_data_until: inc.personal_data_until,
            stays,
        });
    }
    Ok(out)
}

/// The stay items an erased person's check-in history points at (real events listed under an
/// incident name it and the shelter).
pub fn of_events(person: &str, events: &[Item]) -> Vec<bosai_store::Key> {
    let mut out: Vec<bosai_store::Key> = events
        .iter()
        .filter_map(|e| {
            let incident = e.str(attr::GSI1_PK)?.strip_prefix("INCIDENT#")?.strip_suffix("#PERSONAL")?;
            let shelter = ShelterId::parse(e.str("shelter")?).ok()?;
            Some(keys::stay(incident, &shelter, person))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

//! Check-in and check-out events (入退所). Every event is kept; a person's
//! current location follows event time, so a scan recorded offline at A and
//! synced after a later online scan at B leaves them at B. Shelter occupancy
//! moves in the same transaction as the location.

use crate::auth::AuthSettings;
use crate::domain::incidents::Guard;
use crate::domain::person::{Person, HOME};
use crate::domain::{headcount, household, incidents, shelters};
use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{item::item, CancelReason, Condition, Item, ItemExt, Store, StoreError, TransactOp, Update, Value};
use bosai_types::checkin::{
    valid_event_id, EventKind, Location, PosterCheckIn, PosterClaims, RecordOutcome, RecordResult, ScanRejection,
    POSTER_TYPE,
};
use bosai_types::household::{HouseholdView, MemberId};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};
use std::collections::BTreeMap;

const RETRIES: usize = 8;
/// A drill's personal items expire this long after they were written (closing the drill
/// deletes them at once; this is the safety net for one never closed).
pub const DRILL_DATA_TTL_SECONDS: i64 = 14 * 24 * 3600;
const OCCUPANCY: &str = "occupancy";

/// Why a scan cannot be stored, ever (the checks themselves are shared: `bosai_types::checkin`).
pub type Rejection = ScanRejection;

pub(crate) fn revoked_rejection() -> Rejection {
    reject("credential_revoked", "the QR code was revoked; the person's data was deleted or taken over")
}

pub(crate) fn reject(code: &'static str, message: impl Into<String>) -> Rejection {
    ScanRejection::new(code, message)
}

/// Roster attributes for a card holder's household member (name, birth year, sex, needs).
pub async fn resident_person(store: &dyn Store, sub: &str, member: &MemberId) -> Result<Option<Person>, ApiError> {
    let view = household::view_of(&household::partition(store, sub).await?);
    Ok(person_of(&view, sub, member))
}

/// How the roster says a card household's member was identified: the card holder by their card
/// (`card`); a member they registered (`family`) only by the holder's word, so staff do not take a
/// child's name as checked.
fn source_of(member: &MemberId) -> &'static str {
    if member.as_str() == "self" {
        "card"
    } else {
        "family"
    }
}

pub(crate) fn person_of(view: &HouseholdView, sub: &str, member: &MemberId) -> Option<Person> {
    let mv = view.members.iter().find(|m| &m.member.id == member)?;
    let mut roster = Item::new()
        .with("name", Value::s(&mv.member.display_name))
        .with(
            "sex",
            Value::s(
                serde_json::to_value(mv.member.sex)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            ),
        )
        .with("source", Value::s(source_of(member)));
    if mv.member.name_unconfirmed {
        roster = roster.with("name_unconfirmed", Value::Bool(true));
    }
    if let Some(b) = mv.member.birth {
        roster = roster.with("birth_year", Value::n(b.year().into()));
    }
    if let Some(n) = &mv.needs {
        let json = serde_json::to_string(&n.needs).expect("needs serialise");
        roster = roster.with("needs", Value::s(json));
    }
    Some(Person { key: keys::person_of_resident(sub, member.as_str()), member_id: member.clone(), roster })
}

/// Store one scan for several people. `Ok(Duplicate)` when the event id was seen before.
/// Real data only, no guard: tests and benches. Requests go through [`record_guarded`] with
/// the space the incidents choose.
pub async fn record_event(
    store: &dyn Store,
    people: &[Person],
    kind: EventKind,
    shelter: &ShelterId,
    at: Timestamp,
    event_id: &str,
    recorded_by: &str,
) -> Result<RecordOutcome, ApiError> {
    let place = Place { shelter, space: &Space::Real, incident: None };
    let unguarded = record_guarded(store, people, kind, place, at, event_id, recorded_by, &[]).await?;
    Ok(unguarded.unwrap_or(RecordOutcome::Rejected))
}

/// Where a scan is stored: the shelter, in the real data or a drill's.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    pub shelter: &'a ShelterId,
    pub space: &'a Space,
    /// The real incident the scan belongs to: its personal data expires with it.
    pub incident: Option<&'a str>,
}

impl<'a> Place<'a> {
    pub fn of(shelter: &'a ShelterId, scope: &'a incidents::Scope) -> Self {
        Place { shelter, space: &scope.space, incident: scope.incident.as_deref() }
    }
}

/// The guard of a resident's QR issued at `iat` (seconds): not revoked since.
pub fn not_revoked_since(sub: &str, iat: i64) -> Guard {
    Guard {
        key: keys::profile(sub),
        condition: Condition::Or(vec![
            Condition::NotExists(REVOKED_BEFORE.into()),
            Condition::Le(REVOKED_BEFORE.into(), Value::n(iat.saturating_mul(1000))),
        ]),
        rejection: revoked_rejection(),
    }
}

/// On the profile (or its tombstone): QR codes issued before this time (ms) are refused.
pub const REVOKED_BEFORE: &str = "credentials_revoked_before";

#[allow(clippy::too_many_arguments)] // the scan's parts, named where they are read
pub async fn record_guarded(
    store: &dyn Store,
    people: &[Person],
    kind: EventKind,
    place: Place<'_>,
    at: Timestamp,
    event_id: &str,
    recorded_by: &str,
    guards: &[Guard],
) -> Result<Result<RecordOutcome, Rejection>, ApiError> {
    let Place { shelter, space, incident } = place;
    // Real personal data is listed under its incident (or the time it was made) for the purge.
    let personal = (*space == Space::Real).then(|| keys::personal_of(incident));
    let listed = |it: Item, what: &str| match &personal {
        Some(pk) => it
            .with(bosai_store::attr::GSI1_PK, Value::s(pk))
            .with(bosai_store::attr::GSI1_SK, Value::s(format!("{:013}#{what}", at.millis().max(0)))),
        // A drill's items also expire by themselves (TTL), should the drill never be closed.
        None => it.with(bosai_store::attr::TTL, Value::n(at.seconds().max(0) + DRILL_DATA_TTL_SECONDS)),
    };
    // No pre-read of the event id: the transaction's first condition catches a resend.
    let id_key = keys::event_id(event_id);
    for _ in 0..RETRIES {
        let scan = item(&id_key)
            .with("kind", Value::s(kind_str(kind)))
            .with("shelter", Value::s(shelter.as_str()))
            .with("at", Value::n(at.millis()))
            .with("by", Value::s(recorded_by));
        let mut ops = vec![TransactOp::Put { item: listed(scan, &id_key.pk), condition: Some(Condition::absent()) }];
        for g in guards {
            ops.push(TransactOp::Check { key: g.key.clone(), condition: g.condition.clone() });
        }
        // Per shelter: occupancy and the headcount counters HQ reads.
        let mut counters: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for p in people {
            let event_key = keys::person_event(&p.key, space, at.millis(), event_id);
            let event = item(&event_key)
                .with("kind", Value::s(kind_str(kind)))
                .with("shelter", Value::s(shelter.as_str()))
                .with("by", Value::s(recorded_by));
            ops.push(TransactOp::Put {
                item: listed(event, &format!("{}#{}", event_key.pk, event_key.sk)),
                condition: None,
            });
            let loc_key = keys::location_in(&p.key, space);
            let current = store.get(&loc_key).await?;
            // During a real incident: who stayed here, kept for the incident's roster.
            if let Some(inc) = incident {
                ops.push(super::stays::record(inc, shelter, p, current.as_ref(), kind, at));
            }
            let newer = match &current {
                None => true,
                Some(c) => (at.millis(), event_id) > (c.i64("at").unwrap_or(0), c.str("event_id").unwrap_or("")),
            };
            if !newer {
                continue; // An older scan arriving late: kept in the history only.
            }
            if let Some((old, deltas)) = current.as_ref().and_then(leaving) {
                let at_old = counters.entry(old).or_default();
                for (name, d) in deltas {
                    *at_old.entry(name).or_default() += d;
                }
            }
            let mut loc = item(&loc_key)
                .with("member_id", Value::s(p.member_id.as_str()))
                .with("at", Value::n(at.millis()))
                .with("event_id", Value::s(event_id));
            if kind == EventKind::CheckIn {
                let names = headcount::counters_of(&p.roster, headcount::jst_year(at));
                let here = counters.entry(shelter.as_str().to_owned()).or_default();
                *here.entry(OCCUPANCY.into()).or_default() += 1;
                headcount::count(here, &names, 1);
                loc = loc.with(headcount::COUNTED, headcount::counted_value(&names));
                loc = loc
                    .with("shelter", Value::s(shelter.as_str()))
                    .with(bosai_store::attr::GSI1_PK, Value::s(keys::present_at(shelter, space)))
                    .with(bosai_store::attr::GSI1_SK, Value::s(&p.key));
                loc.extend(p.roster.clone());
                if space.drill().is_some() {
                    loc = listed(loc, "");
                }
            } else if let Some(drill) = space.drill() {
                // Ending the drill finds those who left here.
                loc = listed(loc, "")
                    .with(bosai_store::attr::GSI1_PK, Value::s(keys::drill_left(drill)))
                    .with(bosai_store::attr::GSI1_SK, Value::s(&p.key));
            } else {
                // Kept to order late scans; it goes with the incident's personal data.
                loc = listed(loc, &loc_key.pk);
            }
            // Optimistic: only if nobody moved this person since we read.
            ops.push(TransactOp::Put { item: loc, condition: Some(unchanged(current.as_ref())) });
        }
        // One counters item per shelter (occupancy and headcount); the shelter's existence was
        // checked by the caller (`managed`, the poster), so no condition here.
        for (sh, deltas) in counters {
            // None: moved within the same shelter as the same person, nothing to count.
            ops.extend(counters_update(&sh, space, deltas, at)?);
        }
        match store.transact_write(ops).await {
            Ok(()) => return Ok(Ok(RecordOutcome::Stored)),
            Err(StoreError::TransactionCanceled { reasons })
                if reasons.first() == Some(&CancelReason::ConditionFailed) =>
            {
                return Ok(Ok(RecordOutcome::Duplicate))
            }
            Err(StoreError::TransactionCanceled { reasons })
                if guards
                    .iter()
                    .enumerate()
                    .any(|(i, _)| reasons.get(1 + i) == Some(&CancelReason::ConditionFailed)) =>
            {
                let failed =
                    guards.iter().enumerate().find(|(i, _)| reasons.get(1 + i) == Some(&CancelReason::ConditionFailed));
                return Ok(Err(failed.map(|(_, g)| g.rejection.clone()).unwrap_or_else(revoked_rejection)));
            }
            // Someone moved one of these people meanwhile: read again and retry.
            Err(StoreError::TransactionCanceled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// The update of one shelter's counters item (occupancy and headcount) by `deltas`; `None`
/// when nothing changes.
pub(crate) fn counters_update(
    shelter: &str,
    space: &Space,
    mut deltas: BTreeMap<String, i64>,
    at: Timestamp,
) -> Result<Option<TransactOp>, ApiError> {
    deltas.retain(|_, d| *d != 0);
    if deltas.is_empty() {
        return Ok(None);
    }
    let sid = ShelterId::parse(shelter)
        .map_err(|_| ApiError::Unavailable(format!("bad shelter id {shelter} in a location")))?;
    let update = deltas
        .into_iter()
        .fold(Update::new(), |u, (name, d)| u.add(&name, d))
        .set("updated_at", Value::n(at.millis().max(0)))
        .set_if_absent(bosai_store::attr::GSI1_PK, Value::s(keys::headcounts(space)))
        .set_if_absent(bosai_store::attr::GSI1_SK, Value::s(format!("SHELTER#{sid}")));
    Ok(Some(TransactOp::Update { key: keys::headcount_in(&sid, space), update, condition: None }))
}

/// What leaving takes off the counters of the shelter a location is at: occupancy and the
/// names it was counted under. `None` when the location is not at a shelter.
pub(crate) fn leaving(location: &Item) -> Option<(String, BTreeMap<String, i64>)> {
    let shelter = location.str("shelter")?;
    let mut deltas = BTreeMap::from([(OCCUPANCY.to_owned(), -1)]);
    headcount::count(&mut deltas, &headcount::counted_on(location), -1);
    Some((shelter.to_owned(), deltas))
}

/// The location's version, (time, event id): a write conditioned on it fails if anyone moved
/// the person since it was read. The time alone repeats when scans share a millisecond.
pub(crate) fn unchanged(location: Option<&Item>) -> Condition {
    match location.and_then(|c| Some((c.get("at")?.clone(), c.get("event_id")?.clone()))) {
        None => Condition::absent(),
        Some((at, id)) => Condition::And(vec![Condition::Eq("at".into(), at), Condition::Eq("event_id".into(), id)]),
    }
}

fn kind_str(k: EventKind) -> &'static str {
    match k {
        EventKind::CheckIn => "check_in",
        EventKind::CheckOut => "check_out",
    }
}

/// Turns a batch entry into its reported result.
pub fn result(index: usize, event_id: Option<String>, r: Result<RecordOutcome, Rejection>) -> RecordResult {
    match r {
        Ok(outcome) => RecordResult { index, event_id, outcome, code: None, message: None },
        Err(rej) => RecordResult {
            index,
            event_id,
            outcome: RecordOutcome::Rejected,
            code: Some(rej.code.into()),
            message: Some(rej.message),
        },
    }
}

/// The printed poster: a signed shelter code the resident's phone opens as `/c/{code}`.
pub async fn poster(
    settings: &AuthSettings,
    municipality: &MunicipalityCode,
    shelter: &ShelterId,
    now_seconds: i64,
) -> Result<String, crate::signing::SignError> {
    let claims = PosterClaims {
        iss: settings.tokens.issuer.clone(),
        sh: shelter.to_string(),
        mu: municipality.to_string(),
        iat: now_seconds,
    };
    settings.tokens.sign(POSTER_TYPE, &claims).await
}

/// The resident scanned a shelter's poster and chose who is with them.
pub async fn poster_check_in(
    store: &dyn Store,
    settings: &AuthSettings,
    municipality: &MunicipalityCode,
    sub: &str,
    req: &PosterCheckIn,
    now: Timestamp,
) -> Result<Vec<Location>, ApiError> {
    let bad_poster = || ApiError::invalid("invalid_poster", "避難所のQRコードを確認できませんでした。");
    let claims: PosterClaims = settings.tokens.verify_own(&req.poster, POSTER_TYPE).map_err(|_| bad_poster())?;
    if !valid_event_id(&req.event_id) || req.members.is_empty() || req.members.len() > 20 {
        return Err(ApiError::invalid("invalid_check_in", "チェックインする人を選んでください。"));
    }
    let shelter_id = ShelterId::parse(&claims.sh).map_err(|_| bad_poster())?;
    let shelter = shelters::get(store, &shelter_id).await?;
    if claims.mu != shelter.municipality.as_str() {
        return Err(bad_poster());
    }
    if shelter.status == bosai_types::ShelterStatus::Closed {
        return Err(ApiError::invalid(
            "shelter_closed",
            "この避難所は閉鎖中です。開いている避難所を確認してください。",
        ));
    }
    let home = crate::domain::home::municipality_of(store, municipality, sub).await?;
    let mut people = Vec::new();
    for m in &req.members {
        let mut p = resident_person(store, sub, m).await?.ok_or_else(household::member_not_found)?;
        p.roster.insert(HOME.into(), Value::s(home.as_str()));
        people.push(p);
    }
    let scope = scope_now(store, &shelter.municipality, now).await?;
    record_guarded(
        store,
        &people,
        EventKind::CheckIn,
        Place::of(&shelter_id, &scope),
        now,
        &req.event_id,
        sub,
        &scope.guards,
    )
    .await?
    .map_err(drill_ended)?;
    let mut out = Vec::new();
    for p in &people {
        out.push(super::location::current_location(store, &p.key, &scope.space, &p.member_id).await?);
    }
    Ok(out)
}

/// A scan the incidents refuse (a drill that ended meanwhile), as the resident's answer.
pub fn drill_ended(r: Rejection) -> ApiError {
    ApiError::invalid(r.code, "訓練は終了しました。訓練の記録は削除されています。")
}

/// The scope of a check-in or check-out made now at a shelter of municipality `m`.
pub async fn scope_now(store: &dyn Store, m: &MunicipalityCode, now: Timestamp) -> Result<incidents::Scope, ApiError> {
    incidents::scope_at(&incidents::all(store).await?, m, now).map_err(drill_ended)
}

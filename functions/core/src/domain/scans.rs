//! A QR code scanned at a shelter: checked as the staff device checked it, the people it names
//! found (a card holder's household, or a registration made at the desk without a card),
//! then recorded by check-in. Above both `checkin` and `desk`, which know nothing of each other's
//! people.

use crate::auth::AuthSettings;
use crate::domain::checkin::{
    not_revoked_since, person_of, record_guarded, reject, revoked_rejection, Place, Rejection, REVOKED_BEFORE,
};
use crate::domain::incidents::{self, Guard};
use crate::domain::person::{Person, HOME};
use crate::domain::{desk, household};
use crate::ApiError;
use bosai_store::{ItemExt, Store, Value};
use bosai_types::checkin::{check_scan, scanned_members, CheckInClaims, RecordOutcome, ScanRecord};
use bosai_types::household::MemberId;
use bosai_types::incident::Incident;
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

/// The shelter scans are recorded at: its municipality and the incidents that decide whether
/// a scan is real or a drill's (read once per batch).
pub struct Host<'a> {
    pub shelter: &'a ShelterId,
    pub municipality: &'a MunicipalityCode,
    pub incidents: &'a [Incident],
}

/// A staff device's scan, checked as the device checked it, then stored.
pub async fn apply_scan(
    store: &dyn Store,
    settings: &AuthSettings,
    municipality: &MunicipalityCode,
    host: &Host<'_>,
    record: &ScanRecord,
    recorded_by: &str,
    now: Timestamp,
) -> Result<Result<RecordOutcome, Rejection>, ApiError> {
    let claims = match check_scan(settings.tokens.own_keys(), record, now.millis()) {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    if !crate::domain::home::received(store, municipality, &claims.mu).await? {
        return Ok(Err(reject(
            "credential_other_municipality",
            "the QR code was issued for a municipality this deployment does not serve",
        )));
    }
    let wanted = match scanned_members(record, &claims) {
        Ok(w) => w,
        Err(r) => return Ok(Err(r)),
    };
    let people = match people_named(store, &claims, &wanted).await? {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let scope = match incidents::scope_at(host.incidents, host.municipality, record.at) {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    let desk = claims.sub.starts_with(desk::DESK_SUBJECT_PREFIX);
    let guards: Vec<Guard> = (!desk)
        .then(|| not_revoked_since(&claims.sub, claims.iat))
        .into_iter()
        .chain(scope.guards.iter().map(Guard::clone))
        .collect();
    let place = Place::of(host.shelter, &scope);
    record_guarded(store, &people, record.kind, place, record.at, &record.event_id, recorded_by, &guards).await
}

/// The people a verified QR code names (`wanted` of them), unless it was revoked since.
pub async fn people_named(
    store: &dyn Store,
    claims: &CheckInClaims,
    wanted: &[MemberId],
) -> Result<Result<Vec<Person>, Rejection>, ApiError> {
    let desk = claims.sub.strip_prefix(desk::DESK_SUBJECT_PREFIX);
    // One read of the resident's partition serves the revocation check and every member.
    let resident = match desk {
        Some(_) => None,
        None => Some(household::partition(store, &claims.sub).await?),
    };
    let revoked = match (desk, &resident) {
        // A claimed desk record is now served by the claimer's own card.
        (Some(reg), _) => desk::is_claimed(store, reg).await?.unwrap_or(true),
        (None, items) => items
            .as_ref()
            .and_then(|i| i.get("PROFILE"))
            .and_then(|p| p.i64(REVOKED_BEFORE))
            .is_some_and(|before| claims.iat * 1000 < before),
    };
    if revoked {
        return Ok(Err(revoked_rejection()));
    }
    let desk_people = match desk {
        Some(reg) => desk::desk_people(store, reg).await?,
        None => Vec::new(),
    };
    let household = resident.as_ref().map(household::view_of);
    let mut people = Vec::new();
    for m in wanted {
        let found = match &household {
            None => desk_people.iter().find(|p| &p.member_id == m).cloned(),
            Some(view) => person_of(view, &claims.sub, m),
        };
        let found = found.map(|mut p| {
            p.roster.insert(HOME.into(), Value::s(&claims.mu));
            p
        });
        match found {
            Some(p) => people.push(p),
            None => {
                return Ok(Err(reject(
                    "unknown_member",
                    "a member in the QR code no longer exists; ask for a fresh code",
                )))
            }
        }
    }
    Ok(Ok(people))
}

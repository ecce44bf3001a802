//! Desk registration for people without a card or phone, and claiming such a
//! record later with a card.

use crate::auth::AuthSettings;
use crate::domain::checkin;
use crate::domain::household;
use crate::domain::person::Person;
use crate::{keys, ApiError};
use bosai_store::{item::item, Condition, Item, ItemExt, Query, Store, StoreError, TransactOp, Update, Value, WriteOp};
use bosai_types::checkin::{CheckInClaims, EventKind, CHECKIN_TYPE};
use bosai_types::desk::{DeskClaim, DeskPerson, DeskRegistered, DeskRegistration};
use bosai_types::household::{BirthDate, HouseholdView, Member, MemberId, Relationship, MAX_MEMBERS};
use bosai_types::needs::NeedsInput;
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

/// A printed QR has to last through the whole stay.
pub const DESK_CREDENTIAL_TTL_SECONDS: i64 = 30 * 24 * 3600;
pub const DESK_SUBJECT_PREFIX: &str = "desk:";
/// On a registration made during a drill: the drill's id.
pub const DRILL: &str = "drill";

/// Whether registration `registration` was made during drill `incident`.
pub async fn made_in_drill(store: &dyn Store, registration: &str, incident: &str) -> Result<bool, ApiError> {
    Ok(store.get(&keys::desk(registration)).await?.as_ref().and_then(|m| m.str(DRILL)) == Some(incident))
}

fn person_id(i: usize) -> String {
    format!("p{}", i + 1)
}

fn sex_str(p: &DeskPerson) -> String {
    serde_json::to_value(p.sex).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub async fn register(
    store: &dyn Store,
    settings: &AuthSettings,
    municipality: &MunicipalityCode,
    shelter: &ShelterId,
    staff: &str,
    reg: &DeskRegistration,
    now: Timestamp,
) -> Result<DeskRegistered, ApiError> {
    let this_year: u16 = now.jst_date()[..4].parse().unwrap_or(2026);
    reg.validate(this_year).map_err(|e| ApiError::invalid_input("invalid_registration", e.code(), e.message_ja()))?;
    let meta_key = keys::desk(&reg.registration_id);
    let existing = store.get(&meta_key).await?;
    match &existing {
        Some(m) if m.str("shelter") != Some(shelter.as_str()) => {
            return Err(ApiError::Conflict("この登録ID"));
        }
        Some(_) => {} // A resend: answer again with the stored record.
        None => {
            let mut ops = vec![TransactOp::Put {
                item: item(&meta_key)
                    .with("shelter", Value::s(shelter.as_str()))
                    .with("created_by", Value::s(staff))
                    .with("created_at", Value::n(now.millis()))
                    .with("people", Value::n(reg.people.len() as i64)),
                condition: Some(Condition::absent()),
            }];
            for (i, p) in reg.people.iter().enumerate() {
                let mut it = item(&keys::desk_person(&reg.registration_id, &person_id(i)))
                    .with("name", Value::s(p.name.trim()))
                    .with("sex", Value::s(sex_str(p)))
                    .with("needs", Value::s(serde_json::to_string(&p.needs).expect("needs serialise")));
                if let Some(y) = p.birth_year {
                    it = it.with("birth_year", Value::n(y.into()));
                }
                ops.push(TransactOp::Put { item: it, condition: None });
            }
            match store.transact_write(ops).await {
                Ok(()) | Err(StoreError::TransactionCanceled { .. }) => {} // cancelled = a concurrent resend stored it
                Err(e) => return Err(e.into()),
            }
        }
    }
    let people = desk_people(store, &reg.registration_id).await?;
    let host = crate::domain::shelters::get(store, shelter).await?.municipality;
    if existing.is_none() {
        // Personal data entered by staff: in the log of the shelter's municipality (ids and counts).
        let details = [
            ("shelter", Value::s(shelter.as_str())),
            ("registration", Value::s(&reg.registration_id)),
            ("people", Value::n(people.len() as i64)),
        ];
        crate::domain::audit::record(store, &host, now, "desk_registered", staff, details).await?;
    }
    let scope = checkin::scope_now(store, &host, now).await?;
    match scope.space.drill() {
        // Ending the drill deletes this registration with the drill's check-ins.
        Some(drill) if reg.check_in => {
            store.update(&meta_key, Update::new().set(DRILL, Value::s(drill)), None).await?;
        }
        _ => {
            // Listed for the purge of the incident it was made in (once: a resend or a claim
            // keeps what is there).
            let listed = Update::new()
                .set(bosai_store::attr::GSI1_PK, Value::s(keys::personal_of(scope.incident.as_deref())))
                .set(
                    bosai_store::attr::GSI1_SK,
                    Value::s(format!("{:013}#DESK#{}", now.millis(), reg.registration_id)),
                );
            store
                .update(&meta_key, listed, Some(Condition::NotExists(bosai_store::attr::GSI1_PK.into())))
                .await
                .or_else(ignore_claimed)?;
        }
    }
    if reg.check_in {
        let place = checkin::Place::of(shelter, &scope);
        checkin::record_guarded(
            store,
            &people,
            EventKind::CheckIn,
            place,
            now,
            &reg.registration_id,
            staff,
            &scope.guards,
        )
        .await?
        .map_err(checkin::drill_ended)?;
    }
    let iat = now.seconds();
    let claims = CheckInClaims {
        iss: settings.tokens.issuer.clone(),
        sub: format!("{DESK_SUBJECT_PREFIX}{}", reg.registration_id),
        m: people.iter().map(|p| p.member_id.as_str().to_owned()).collect(),
        mu: municipality.to_string(),
        iat,
        exp: iat + DESK_CREDENTIAL_TTL_SECONDS,
    };
    Ok(DeskRegistered {
        registration_id: reg.registration_id.clone(),
        credential: settings.tokens.sign(CHECKIN_TYPE, &claims).await?,
        expires_at: Timestamp(claims.exp * 1000),
    })
}

/// Erases one desk person (`D#{registration}#{p}`): off any roster and counter, their check-in
/// history, their entry; the registration (and its scan record) goes with its last person.
/// Returns how many items went.
pub async fn erase_person(store: &dyn Store, person: &str, now: Timestamp) -> Result<usize, ApiError> {
    let Some((registration, pid)) = person.strip_prefix("D#").and_then(|r| r.rsplit_once('#')) else {
        return Err(ApiError::Unavailable(format!("not a desk person: {person}")));
    };
    let erased = crate::domain::erasure::erase_person(store, person, now).await?;
    store.delete(&keys::desk_person(registration, pid), None).await?;
    let mut removed = erased.items + 1;
    let left = store.query(Query::partition(keys::desk(registration).pk).begins_with("PERSON#")).await?.items;
    if left.is_empty() {
        store.delete(&keys::desk(registration), None).await?;
        removed += 1 + crate::domain::erasure::forget_scans(store, &erased.event_ids).await?;
    }
    Ok(removed)
}

/// The check-in person key of each person of a desk registration.
pub async fn person_keys(store: &dyn Store, registration: &str) -> Result<Vec<String>, ApiError> {
    Ok(desk_people(store, registration).await?.into_iter().map(|p| p.key).collect())
}

/// The people of a desk registration, as check-in sees them.
pub async fn desk_people(store: &dyn Store, registration: &str) -> Result<Vec<Person>, ApiError> {
    let page = store.query(Query::partition(keys::desk(registration).pk).begins_with("PERSON#")).await?;
    Ok(page
        .items
        .iter()
        .filter_map(|i| {
            let pid = i.str("sk")?.strip_prefix("PERSON#")?;
            let mut roster = Item::new()
                .with("name", i.get("name")?.clone())
                .with("sex", i.get("sex").cloned().unwrap_or(Value::s("no_answer")))
                .with("source", Value::s("desk"));
            for k in ["birth_year", "needs"] {
                if let Some(v) = i.get(k) {
                    roster.insert(k.into(), v.clone());
                }
            }
            Some(Person {
                key: keys::person_of_desk(&format!("{registration}#{pid}")),
                member_id: MemberId::parse(pid).ok()?,
                roster,
            })
        })
        .collect())
}

/// Whether a desk QR still stands for the desk record (it stops when claimed).
pub async fn is_claimed(store: &dyn Store, registration: &str) -> Result<Option<bool>, ApiError> {
    Ok(store.get(&keys::desk(registration)).await?.map(|m| m.contains_key("claimed_by")))
}

/// A card holder takes over a desk record: its people become household members.
pub async fn claim(
    store: &dyn Store,
    settings: &AuthSettings,
    municipality: &MunicipalityCode,
    sub: &str,
    req: &DeskClaim,
    now: Timestamp,
) -> Result<HouseholdView, ApiError> {
    let bad = || ApiError::invalid("invalid_desk_credential", "窓口で受け取ったQRコードを確認できませんでした。");
    let claims: CheckInClaims = settings.tokens.verify_own(&req.credential, CHECKIN_TYPE).map_err(|_| bad())?;
    let registration = claims.sub.strip_prefix(DESK_SUBJECT_PREFIX).ok_or_else(bad)?.to_owned();
    if claims.mu != municipality.as_str() {
        return Err(bad());
    }
    let people = store.query(Query::partition(keys::desk(&registration).pk).begins_with("PERSON#")).await?.items;
    let current = crate::domain::household_view::view(store, sub).await?.members.len();
    if current + people.len() > MAX_MEMBERS {
        return Err(household::household_error(bosai_types::household::HouseholdError::TooManyMembers));
    }
    let taken = store
        .update(
            &keys::desk(&registration),
            Update::new()
                .set("claimed_by", Value::s(sub))
                .set("claimed_at", Value::n(now.millis()))
                // Found again when the resident deletes their data: the record names their people.
                .set(bosai_store::attr::GSI1_PK, Value::s(keys::desks_of(sub)))
                .set(bosai_store::attr::GSI1_SK, Value::s(&keys::desk(&registration).pk)),
            Some(Condition::And(vec![Condition::present(), Condition::NotExists("claimed_by".into())])),
        )
        .await;
    match taken {
        Ok(_) => {}
        Err(StoreError::ConditionFailed) => {
            return Err(ApiError::invalid("already_claimed", "この窓口登録はすでに引き継がれているか、存在しません。"))
        }
        Err(e) => return Err(e.into()),
    }
    let mut writes = Vec::new();
    let short: String = registration.chars().filter(|c| c.is_ascii_alphanumeric()).take(20).collect();
    for p in &people {
        let (Some(pid), Some(name)) = (p.str("sk").and_then(|s| s.strip_prefix("PERSON#")), p.str("name")) else {
            continue;
        };
        let id = MemberId::parse(&format!("d-{short}-{pid}")).map_err(household::household_error)?;
        let member = Member {
            id: id.clone(),
            display_name: name.to_owned(),
            birth: p.i64("birth_year").and_then(|y| BirthDate::parse(&format!("{y:04}")).ok()),
            sex: p
                .str("sex")
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s.into())).ok())
                .unwrap_or(bosai_types::household::Sex::NoAnswer),
            relationship: Relationship::Other,
            updated_at: now,
            name_unconfirmed: false,
        };
        writes.push(WriteOp::Put(household::member_item(sub, &member)));
        let needs: NeedsInput = p.str("needs").and_then(|n| serde_json::from_str(n).ok()).unwrap_or_default();
        if !needs.is_empty() {
            writes.push(WriteOp::Put(household::needs_item(sub, &id, &needs, now)));
        }
    }
    store.batch_write(writes).await?;
    crate::domain::household_view::view(store, sub).await
}

/// A registration claimed meanwhile keeps the claimer's index.
fn ignore_claimed(e: StoreError) -> Result<bosai_store::Item, StoreError> {
    match e {
        StoreError::ConditionFailed => Ok(bosai_store::Item::new()),
        e => Err(e),
    }
}

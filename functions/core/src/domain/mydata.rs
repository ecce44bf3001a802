//! "My data": the resident sees, exports and deletes everything stored about
//! them and their household; deletion is audited.

use crate::domain::{auth, checkin, erasure, household, safety};
use crate::{keys, ApiError};
use bosai_store::{attr, item::item, ItemExt, Key, Query, Store, Update, Value, WriteOp};
use bosai_types::auth::Role;
use bosai_types::checkin::EventKind;
use bosai_types::checkin::CHECKIN_TTL_SECONDS;
use bosai_types::household::{CheckInRecord, DeleteConfirmation, MyData};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};
use std::collections::BTreeMap;

pub async fn export(store: &dyn Store, sub: &str, now: Timestamp) -> Result<MyData, ApiError> {
    let view = crate::domain::household_view::view(store, sub).await?;
    let mut safety_history = Vec::new();
    for m in &view.members {
        safety_history.extend(safety::history(store, sub, &m.member.id).await?);
    }
    safety_history.sort_by_key(|r| std::cmp::Reverse(r.reported_at));
    let mut check_ins = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for m in &view.members {
        let person = keys::person_of_resident(sub, m.member.id.as_str());
        for e in events(store, &person).await? {
            let Some((kind, shelter, at)) = event_of(&e) else { continue };
            let shelter_name = match names.get(shelter.as_str()) {
                Some(n) => n.clone(),
                None => {
                    let n = crate::domain::shelters::get(store, &shelter).await.map(|s| s.name_ja).unwrap_or_default();
                    names.insert(shelter.to_string(), n.clone());
                    n
                }
            };
            check_ins.push(CheckInRecord {
                member_id: m.member.id.clone(),
                kind,
                shelter_id: shelter,
                shelter_name,
                at,
            });
        }
    }
    check_ins.sort_by_key(|c| std::cmp::Reverse(c.at));
    Ok(MyData {
        me: auth::me(store, sub, Role::Resident).await?,
        members: view.members,
        safety_history,
        check_ins,
        survey_answers: crate::domain::surveys::answers_of(store, sub).await?,
        notification_devices: crate::domain::subscriptions::devices_of(store, sub).await?,
        exported_at: now,
    })
}

/// A person's check-in history items, every page.
async fn events(store: &dyn Store, person: &str) -> Result<Vec<bosai_store::Item>, ApiError> {
    crate::domain::query_all(store, Query::partition(keys::location(person).pk).begins_with("EVENT#")).await
}

fn event_of(i: &bosai_store::Item) -> Option<(EventKind, ShelterId, Timestamp)> {
    let kind = match i.str("kind")? {
        "check_in" => EventKind::CheckIn,
        "check_out" => EventKind::CheckOut,
        _ => return None,
    };
    let shelter = ShelterId::parse(i.str("shelter")?).ok()?;
    // EVENT#{at_ms:013}#{event id}
    let at = i.str(attr::SK)?.strip_prefix("EVENT#")?.split('#').next()?.parse().ok()?;
    Some((kind, shelter, Timestamp(at)))
}

pub async fn delete(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    sub: &str,
    confirmation: &DeleteConfirmation,
    now: Timestamp,
) -> Result<(), ApiError> {
    if confirmation.confirm != "delete" {
        return Err(ApiError::invalid("confirmation_required", "削除するには確認が必要です。"));
    }
    // Revoke first: a scan of theirs still in flight is refused from here on (see `erasure`).
    let revoked = Update::new().set(checkin::REVOKED_BEFORE, Value::n(now.millis()));
    store.update(&keys::profile(sub), revoked, None).await?;
    let items = household::partition(store, sub).await?;
    let mut removed = 0;
    let mut scans = Vec::new();
    // Everyone of the household leaves any roster and counter, with their check-in history.
    for m in household::view_of(&items).members {
        let e = erasure::erase_person(store, &keys::person_of_resident(sub, m.member.id.as_str()), now).await?;
        removed += e.items;
        scans.extend(e.event_ids);
    }
    // Desk records they claimed name their people, who may still be on a roster as desk people.
    for desk in erasure::delete_indexed(store, &keys::desks_of(sub)).await? {
        let Some(reg) = desk.str(attr::PK).and_then(|pk| pk.strip_prefix("DESK#")).map(str::to_owned) else { continue };
        for person in crate::domain::desk::person_keys(store, &reg).await? {
            let e = erasure::erase_person(store, &person, now).await?;
            removed += e.items;
            scans.extend(e.event_ids);
        }
        let people = store.query(Query::partition(keys::desk(&reg).pk)).await?.items;
        removed += 1 + people.len();
        store.batch_write(people.iter().filter_map(|i| Key::of(i).ok()).map(WriteOp::Delete).collect()).await?;
    }
    // Safety reports, real and of drills: off the area counters first, then their items.
    removed += safety::erase(store, sub, None).await?;
    // The profile is replaced by its tombstone below, never absent: the revocation mark holds
    // throughout.
    let mut ops: Vec<WriteOp> = items
        .iter()
        .filter(|(sk, _)| *sk != "PROFILE" && !sk.starts_with("SAFETY"))
        .filter_map(|(_, i)| Key::of(i).ok())
        .map(WriteOp::Delete)
        .collect();
    ops.extend(crate::domain::subscriptions::forget_subscriptions(&items));
    removed += ops.len();
    store.batch_write(ops).await?;
    // Survey answers (every page; their totals are anonymous and stay) and card links.
    removed += erasure::delete_indexed(store, &keys::answers_of(sub)).await?.len();
    removed += erasure::delete_indexed(store, &keys::cards_of(sub)).await?.len();
    // The first card's link is keyed by the resident's own id (links made before the index).
    store.delete(&keys::cert_subject(sub), None).await?;
    removed += erasure::forget_scans(store, &scans).await?;
    // Every sign-in of theirs ends: no refresh token works afterwards.
    removed += crate::domain::sessions::end_all(store, sub).await?;
    // A tombstone, not personal data: QR codes issued before now are refused at scan time. It
    // outlives every QR code issued before it, then expires.
    let until = now.seconds() + CHECKIN_TTL_SECONDS + 24 * 3600;
    removed += 1;
    let tombstone = item(&keys::profile(sub))
        .with(checkin::REVOKED_BEFORE, Value::n(now.millis()))
        .with(attr::TTL, Value::n(until));
    store.put(tombstone, None).await?;
    let details = [("items_removed", Value::n(removed as i64))];
    crate::domain::audit::record(store, municipality, now, "resident_data_deleted", sub, details).await?;
    tracing::info!(items = removed, "resident data deleted");
    Ok(())
}

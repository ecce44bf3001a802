//! Complete deletion (完全削除). A person first leaves wherever they are checked in — the
//! shelter's occupancy and headcount move in the same transaction as their location goes —
//! and then every item that names them is deleted. "Delete my data" erases the whole
//! household and everything keyed by the resident; "remove member" erases one person.
//!
//! Order matters: the revocation mark is written before anything else, so a staff device's
//! scan that is still in flight is refused (its transaction checks the mark, see
//! [`checkin::not_revoked_since`]) instead of putting the person back on a roster after they
//! were taken off it.

use crate::domain::{checkin, household, safety};
use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{Key, Query, Store, StoreError, TransactOp, WriteOp};
use bosai_types::household::{HouseholdError, MemberId};
use bosai_types::Timestamp;

const RETRIES: usize = 8;

/// What erasing one person removed.
#[derive(Debug, Default)]
pub struct Erased {
    /// Items deleted (location, check-in history).
    pub items: usize,
    /// Whether they were checked in somewhere and were taken off its roster and counters.
    pub checked_out: bool,
    /// The scans in their history (a household's scans share an id; the caller decides
    /// whether the scan record itself goes, see [`forget_scans`]).
    pub event_ids: Vec<String>,
}

/// Takes the person (`keys::person_of_*`) off any roster and counter, then deletes their
/// location and check-in history. Idempotent: erasing twice erases nothing the second time.
pub async fn erase_person(store: &dyn Store, person: &str, at: Timestamp) -> Result<Erased, ApiError> {
    let mut out = Erased::default();
    // The real data, and any drill's the person may be in.
    let mut spaces = vec![Space::Real];
    spaces.extend(crate::domain::incidents::drill_spaces(store).await?);
    for space in &spaces {
        let e = erase_in(store, person, space, at).await?;
        out.items += e.items;
        out.checked_out |= e.checked_out;
        out.event_ids.extend(e.event_ids);
    }
    Ok(out)
}

async fn erase_in(store: &dyn Store, person: &str, space: &Space, at: Timestamp) -> Result<Erased, ApiError> {
    let mut out = Erased::default();
    let loc_key = keys::location_in(person, space);
    let mut done = false;
    for _ in 0..RETRIES {
        let Some(current) = store.get(&loc_key).await? else {
            done = true;
            break;
        };
        let mut ops = Vec::new();
        let leaving = checkin::leaving(&current);
        if let Some((shelter, deltas)) = leaving.clone() {
            ops.extend(checkin::counters_update(&shelter, space, deltas, at)?);
        }
        ops.push(TransactOp::Delete { key: loc_key.clone(), condition: Some(checkin::unchanged(Some(&current))) });
        match store.transact_write(ops).await {
            Ok(()) => {
                out.items += 1;
                out.checked_out = leaving.is_some();
                done = true;
                break;
            }
            // A scan moved them meanwhile: read again.
            Err(StoreError::TransactionCanceled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    if !done {
        return Err(ApiError::Busy);
    }
    let mut ops = Vec::new();
    // The history only: a location there now was written by a scan after the one taken off above
    // (it holds counters: deleting it here would make them drift; a deletion's revocation mark
    // refuses such scans of residents).
    let events = crate::domain::query_all(store, Query::partition(loc_key.pk.clone()).begins_with("EVENT#")).await?;
    // Their stays on past incidents' rosters.
    ops.extend(crate::domain::stays::of_events(person, &events).into_iter().map(WriteOp::Delete));
    for i in events {
        let Ok(key) = Key::of(&i) else { continue };
        // EVENT#{at_ms:013}#{event id}
        if let Some((_, id)) = key.sk.strip_prefix("EVENT#").and_then(|r| r.split_once('#')) {
            out.event_ids.push(id.to_owned());
        }
        ops.push(WriteOp::Delete(key));
    }
    out.items += ops.len();
    store.batch_write(ops).await?;
    Ok(out)
}

/// Deletes the scan records (`keys::event_id`) of scans that named only erased people: they
/// carry who recorded the scan, which for a poster check-in is the resident. Returns how many.
pub async fn forget_scans(store: &dyn Store, event_ids: &[String]) -> Result<usize, ApiError> {
    let mut ids: Vec<&String> = event_ids.iter().collect();
    ids.sort();
    ids.dedup();
    store.batch_write(ids.iter().map(|id| WriteOp::Delete(keys::event_id(id))).collect()).await?;
    Ok(ids.len())
}

/// Every item on GSI1 partition `gsi1pk`, deleted (a resident's answers, sessions, card links,
/// desk records they claimed). Returns how many.
pub async fn delete_indexed(store: &dyn Store, gsi1pk: &str) -> Result<Vec<bosai_store::Item>, ApiError> {
    // Deleting while paging would move DynamoDB's cursor under us: collect, then delete.
    let gone = crate::domain::query_all(store, Query::gsi1(gsi1pk)).await?;
    store.batch_write(gone.iter().filter_map(|i| Key::of(i).ok()).map(WriteOp::Delete).collect()).await?;
    Ok(gone)
}

/// Removes a member and everything that names them: first off any shelter roster and its
/// counters, then their check-in history, current safety report (off the area counters),
/// history and needs.
pub async fn remove_member(store: &dyn Store, sub: &str, id: &MemberId, now: Timestamp) -> Result<(), ApiError> {
    if id.is_self() {
        return Err(household::household_error(HouseholdError::SelfMember));
    }
    let items = household::partition(store, sub).await?;
    if !items.contains_key(&format!("MEMBER#{id}")) {
        // Removing twice (an offline retry) is not an error.
        return Ok(());
    }
    erase_person(store, &keys::person_of_resident(sub, id.as_str()), now).await?;
    // Reports (real and of drills) first off the HQ counters, atomically, then the rest.
    safety::erase(store, sub, Some(id)).await?;
    let ops: Vec<WriteOp> =
        [keys::member(sub, id.as_str()), keys::needs(sub, id.as_str())].into_iter().map(WriteOp::Delete).collect();
    store.batch_write(ops).await?;
    Ok(())
}

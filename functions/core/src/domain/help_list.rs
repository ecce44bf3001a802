//! HQ's list of open requests for help (救助要請): the "needs help" reports of a municipality
//! (written with the report, `safety::submit`), each with where the person is checked in since,
//! and HQ's steps on them (対応中, 対応済み), which the person sees on their household card.
//!
//! Invariant: a help entry and the member's current report carry the same step (`state`,
//! `state_at`; written in one transaction, conditional on the report still being the one that
//! asked). A new report deletes the entry, so a new request starts open.

use crate::domain::shelters;
use crate::keys::Space;
use crate::{keys, ApiError};
use bosai_store::{attr, Condition, Item, ItemExt, Key, Query, Store, StoreError, TransactOp, Update, Value};
use bosai_types::household::{HelpCheckedIn, HelpProgress, HelpRequest, HelpState};
use bosai_types::surveys::AreaCode;
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

pub const HELP_LIST_LIMIT: u32 = 500;

/// Open "needs help" reports of the municipality (real, or a drill's), newest first, those HQ
/// marked handled (対応済み) after the others.
pub async fn help_requests(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    space: &Space,
) -> Result<Vec<HelpRequest>, ApiError> {
    let page = store
        .query(Query::partition(keys::help_partition(municipality, space)).backward().limit(HELP_LIST_LIMIT))
        .await?;
    // One read per request (the list is short): whether the person was checked in since.
    let mut names = std::collections::BTreeMap::new();
    let mut out = Vec::with_capacity(page.items.len());
    for i in &page.items {
        let Some(mut r) = help_request(i) else { continue };
        r.checked_in = checked_in_since(store, i, space, r.reported_at, &mut names).await?;
        out.push(r);
    }
    // Stable: newest first within each group.
    out.sort_by_key(|r| r.progress.is_some_and(|p| p.state == HelpState::Resolved));
    Ok(out)
}

/// HQ's step on request `report_id` (real, or a drill's): on the entry and on the member's
/// current report, which the person's app shows. The same step again writes nothing. Gone (the
/// person reported again, or the drill ended): not found.
pub async fn set_state(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    space: &Space,
    report_id: &str,
    state: HelpState,
    now: Timestamp,
) -> Result<HelpRequest, ApiError> {
    let q = Query::partition(keys::help_partition(municipality, space));
    let entries = super::query_all(store, q).await?;
    let entry = entries.iter().find(|i| i.str("report_id") == Some(report_id)).ok_or(NOT_FOUND)?;
    let mut request = help_request(entry).ok_or(NOT_FOUND)?;
    if request.progress.map_or(HelpState::Open, |p| p.state) == state {
        return Ok(request);
    }
    let entry_key = Key::of(entry).map_err(|_| NOT_FOUND)?;
    let (sub, member) = sub_and_member(entry).ok_or(NOT_FOUND)?;
    let step = |u: Update| match state {
        HelpState::Open => u.remove("state").remove("state_at"),
        _ => u.set("state", Value::s(state.code())).set("state_at", Value::n(now.millis())),
    };
    let ops = vec![
        TransactOp::Update {
            key: entry_key,
            update: step(Update::new()),
            condition: Some(Condition::eq("report_id", Value::s(report_id))),
        },
        TransactOp::Update {
            key: keys::safety_current(sub, member, space),
            update: step(Update::new()),
            condition: Some(Condition::eq("help_sk", Value::s(entry.str(attr::SK).unwrap_or_default()))),
        },
    ];
    match store.transact_write(ops).await {
        Ok(()) => {}
        Err(StoreError::TransactionCanceled { .. }) => return Err(NOT_FOUND),
        Err(e) => return Err(e.into()),
    }
    request.progress = (state != HelpState::Open).then_some(HelpProgress { state, at: now });
    Ok(request)
}

/// Also when the request went meanwhile: the person reported again (HQ's list reloads).
const NOT_FOUND: ApiError = ApiError::NotFound("救助要請");

/// HQ's step as written on a help entry or a current report (`state`, `state_at`).
pub fn progress_of(i: &Item) -> Option<HelpProgress> {
    let state = HelpState::from_code(i.str("state")?).filter(|s| *s != HelpState::Open)?;
    Some(HelpProgress { state, at: Timestamp(i.i64("state_at")?) })
}

/// The resident and member of help entry `i` (sort key `{at}#{sub}#{member}`).
fn sub_and_member(i: &Item) -> Option<(&str, &str)> {
    i.str(attr::SK).and_then(|sk| sk.split_once('#')).and_then(|(_, rest)| rest.split_once('#'))
}

fn help_request(i: &Item) -> Option<HelpRequest> {
    Some(HelpRequest {
        report_id: i.str("report_id")?.to_owned(),
        member_name: i.str("member_name")?.to_owned(),
        birth_year: i.i64("birth_year").and_then(|y| u16::try_from(y).ok()),
        what: i.str("what")?.to_owned(),
        location: i.str("location")?.to_owned(),
        area: i.str("area").and_then(|a| AreaCode::parse(a).ok()),
        phone: i.str("phone").map(str::to_owned),
        reported_at: Timestamp(i.i64("reported_at")?),
        received_at: i.i64("received_at").map(Timestamp),
        checked_in: None,
        progress: progress_of(i),
    })
}

/// The shelter the person of help entry `i` (sort key `{at}#{sub}#{member}`) was checked in at
/// after asking for help, in the same space; `names` caches the shelters' names.
async fn checked_in_since(
    store: &dyn Store,
    i: &Item,
    space: &Space,
    reported_at: Timestamp,
    names: &mut std::collections::BTreeMap<ShelterId, String>,
) -> Result<Option<HelpCheckedIn>, ApiError> {
    let Some((sub, member)) = sub_and_member(i) else { return Ok(None) };
    let person = keys::person_of_resident(sub, member);
    let here = super::location::at_shelter(store, &person, space).await?;
    let Some((shelter_id, since)) = here.filter(|(_, since)| *since >= reported_at) else { return Ok(None) };
    let shelter_name = match names.get(&shelter_id) {
        Some(n) => n.clone(),
        None => {
            let n = shelters::get(store, &shelter_id).await.map(|s| s.name_ja).unwrap_or_default();
            names.insert(shelter_id.clone(), n.clone());
            n
        }
    };
    Ok(Some(HelpCheckedIn { shelter_id, shelter_name, since }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::household_view;
    use crate::domain::safety::report;
    use bosai_store::sqlite::SqliteStore;
    use bosai_types::household::MemberId;
    use bosai_types::made::Made;
    use bosai_types::safety::{SafetyReportInput, SafetyStatus};

    fn needs_help(id: &str) -> SafetyReportInput {
        let status = SafetyStatus::NeedsHelp { what: "水がない".into(), location: "自宅".into(), phone: None };
        SafetyReportInput { report_id: id.into(), member_id: MemberId::myself(), status }
    }

    async fn asked(s: &SqliteStore, m: &MunicipalityCode, sub: &str, id: &str, at: i64) {
        report(s, m, sub, needs_help(id), Made::now(Timestamp(at))).await.unwrap();
    }

    fn step(r: &HelpRequest) -> Option<HelpState> {
        r.progress.map(|p| p.state)
    }

    #[tokio::test]
    async fn hq_steps_show_on_the_list_and_on_the_persons_card() {
        let s = SqliteStore::in_memory().unwrap();
        let m = MunicipalityCode::parse("041009").unwrap();
        asked(&s, &m, "r_a", "rep-a0001", 1_000).await;
        asked(&s, &m, "r_b", "rep-b0001", 2_000).await;
        let r = set_state(&s, &m, &Space::Real, "rep-a0001", HelpState::InProgress, Timestamp(3_000)).await.unwrap();
        assert_eq!(r.progress, Some(HelpProgress { state: HelpState::InProgress, at: Timestamp(3_000) }));
        let card = household_view::view(&s, "r_a").await.unwrap().members[0].help;
        assert_eq!(card, r.progress, "the person sees HQ's step");
        assert_eq!(household_view::view(&s, "r_b").await.unwrap().members[0].help, None, "not someone else's");

        // The same step again writes nothing: its time stays.
        let again =
            set_state(&s, &m, &Space::Real, "rep-a0001", HelpState::InProgress, Timestamp(9_000)).await.unwrap();
        assert_eq!(again.progress.unwrap().at, Timestamp(3_000));

        // Handled: listed after the others, although b asked later than a.
        set_state(&s, &m, &Space::Real, "rep-b0001", HelpState::Resolved, Timestamp(4_000)).await.unwrap();
        let list = help_requests(&s, &m, &Space::Real).await.unwrap();
        let order: Vec<_> = list.iter().map(|r| (r.report_id.as_str(), step(r))).collect();
        assert_eq!(order, vec![("rep-a0001", Some(HelpState::InProgress)), ("rep-b0001", Some(HelpState::Resolved))]);
        // Back to open (a mistake undone): no step on either side.
        set_state(&s, &m, &Space::Real, "rep-b0001", HelpState::Open, Timestamp(5_000)).await.unwrap();
        assert_eq!(step(&help_requests(&s, &m, &Space::Real).await.unwrap()[0]), None);
        assert_eq!(household_view::view(&s, "r_b").await.unwrap().members[0].help, None);
    }

    #[tokio::test]
    async fn a_new_report_starts_over_and_the_old_request_is_gone() {
        let s = SqliteStore::in_memory().unwrap();
        let m = MunicipalityCode::parse("041009").unwrap();
        asked(&s, &m, "r_a", "rep-a0001", 1_000).await;
        set_state(&s, &m, &Space::Real, "rep-a0001", HelpState::Resolved, Timestamp(2_000)).await.unwrap();
        // Asking again is a new request, open, and the card no longer says handled.
        asked(&s, &m, "r_a", "rep-a0002", 3_000).await;
        let list = help_requests(&s, &m, &Space::Real).await.unwrap();
        assert_eq!(list.iter().map(|r| (r.report_id.as_str(), step(r))).collect::<Vec<_>>(), vec![("rep-a0002", None)]);
        assert_eq!(household_view::view(&s, "r_a").await.unwrap().members[0].help, None);
        // HQ acting on the replaced request is told it is not there, and changes nothing.
        let old = set_state(&s, &m, &Space::Real, "rep-a0001", HelpState::InProgress, Timestamp(4_000)).await;
        assert!(matches!(old, Err(ApiError::NotFound(_))), "{old:?}");
        assert_eq!(step(&help_requests(&s, &m, &Space::Real).await.unwrap()[0]), None);
        // Another municipality's HQ does not find it either.
        let elsewhere = MunicipalityCode::parse("042021").unwrap();
        let other = set_state(&s, &elsewhere, &Space::Real, "rep-a0002", HelpState::Resolved, Timestamp(5_000)).await;
        assert!(matches!(other, Err(ApiError::NotFound(_))));
    }
}

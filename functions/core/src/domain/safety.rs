//! Safety status (安否): the current report per member, the full history, and
//! an index of "needs help" reports that HQ lists at once.
//!
//! A report belongs to the incident open for the resident's municipality when it was made.
//! During a drill it goes to the drill's own keys ([`Space::Drill`]): its own current report,
//! history, counters and help list, deleted when the drill ends. A real report's history and
//! help entry are listed under its incident (`keys::personal_of`) and expire with it.

use crate::domain::{checkin, household, incidents, shelters};
use crate::keys::Space;
use crate::{keys, ApiError};
use bosai_store::{
    attr, item::item, CancelReason, Condition, Item, ItemExt, Key, Query, Store, StoreError, TransactOp, Update, Value,
    WriteOp,
};
use bosai_types::household::MemberId;
use bosai_types::hq::{AreaSafety, SafetyCounts};
use bosai_types::made::Made;
use bosai_types::safety::{SafetyReport, SafetyReportInput, SafetyStatus};
use bosai_types::surveys::AreaCode;
use bosai_types::MunicipalityCode;

pub use crate::domain::household::report_from;

/// Where the member's open "needs help" entry is, if any.
pub fn help_key(i: &Item) -> Option<Key> {
    Some(Key::new(i.str("help_pk")?, i.str("help_sk")?))
}

fn with_report(it: Item, r: &SafetyReport) -> Item {
    it.with("report", Value::s(serde_json::to_string(r).expect("report serialises")))
}

pub async fn report(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    sub: &str,
    input: SafetyReportInput,
    made: Made,
) -> Result<SafetyReport, ApiError> {
    input.validate().map_err(|e| ApiError::invalid_input("invalid_safety_report", e.code(), e.message_ja()))?;
    // The incident open for the resident's municipality and registered area when they reported.
    let area = crate::domain::profile::registered_area(store, sub).await?;
    let all = incidents::all(store).await?;
    let current = bosai_types::incident::current_at_home(&all, municipality, area.as_ref(), made.at);
    let scope = incidents::scope_of(current).map_err(checkin::drill_ended)?;
    let space = &scope.space;
    let drill = space.drill().and_then(|id| all.iter().find(|i| i.id == id)).map(|i| i.name.clone());
    let id_key = keys::safety_report_id(sub, &input.report_id, space);
    if let Some(done) = store.get(&id_key).await?.as_ref().and_then(report_from) {
        return replay(done, &input);
    }
    if !household::member_exists(store, sub, &input.member_id).await? {
        return Err(household::member_not_found());
    }
    if let SafetyStatus::AtShelter { shelter_id } = &input.status {
        if let Err(ApiError::NotFound(..)) = shelters::get(store, shelter_id).await {
            return Err(ApiError::invalid("unknown_shelter", "その避難所は見つかりません。"));
        }
    }
    let r = SafetyReport {
        report_id: input.report_id.clone(),
        member_id: input.member_id.clone(),
        status: input.status,
        reported_at: made.at,
        received_at: Some(made.received_at),
        clock_skew_ms: made.clock_skew_ms,
        drill,
    };
    let at = made.at;
    let member = r.member_id.as_str();
    let current_key = keys::safety_current(sub, member, space);
    let count_key = keys::safety_count(municipality, area.as_ref(), space);
    // Real personal items are listed under their incident for the purge; a drill's go with its partition.
    let listed = |it: Item, what: &str| match space {
        Space::Real => it
            .with(attr::GSI1_PK, Value::s(keys::personal_of(scope.incident.as_deref())))
            .with(attr::GSI1_SK, Value::s(format!("{:013}#{what}#{sub}#{member}#{}", at.millis(), r.report_id))),
        Space::Drill(_) => it,
    };
    let mut replay_record = with_report(item(&id_key), &r);
    if let Space::Drill(id) = space {
        replay_record =
            replay_record.with(attr::GSI1_PK, Value::s(keys::drill_reported(id))).with(attr::GSI1_SK, Value::s(sub));
    }
    let log =
        listed(with_report(item(&keys::safety_log(sub, member, at.millis(), &r.report_id, space)), &r), "SAFETYLOG");
    let guards: Vec<TransactOp> =
        scope.guards.iter().map(|g| TransactOp::Check { key: g.key.clone(), condition: g.condition.clone() }).collect();
    let mut help = None;
    if let SafetyStatus::NeedsHelp { what, location, phone } = &r.status {
        let (name, birth_year) = household::member_summary(store, sub, &r.member_id).await?;
        let key = Key::new(keys::help_partition(municipality, space), format!("{:013}#{sub}#{member}", at.millis()));
        let mut entry = item(&key)
            .with("report_id", Value::s(&r.report_id))
            .with("member_name", Value::s(name))
            .with("what", Value::s(what))
            .with("location", Value::s(location))
            .with("reported_at", Value::n(at.millis()))
            .with("received_at", Value::n(made.received_at.millis()));
        if let Some(y) = birth_year {
            entry = entry.with("birth_year", Value::n(y.into()));
        }
        if let Some(a) = &area {
            entry = entry.with("area", Value::s(a.as_str()));
        }
        if let Some(p) = phone {
            entry = entry.with("phone", Value::s(p));
        }
        help = Some((key, listed(entry, "HELP")));
    }
    for _ in 0..RETRIES {
        let previous = store.get(&current_key).await?;
        let mut ops = vec![
            TransactOp::Put { item: replay_record.clone(), condition: Some(Condition::absent()) },
            TransactOp::Put { item: log.clone(), condition: None },
        ];
        // Only over the report we read: two reports for one member at once must not both move the counters.
        let unchanged = match previous.as_ref().and_then(|p| p.get("report")) {
            Some(v) => Condition::Eq("report".into(), v.clone()),
            None => Condition::absent(),
        };
        if previous.as_ref().and_then(report_from).is_some_and(|p| p.reported_at > at) {
            // Made before the current report (it waited offline longer): history only.
            ops.push(TransactOp::Check { key: current_key.clone(), condition: unchanged });
        } else {
            let current = with_report(item(&current_key), &r)
                .with("count_pk", Value::s(&count_key.pk))
                .with("count_sk", Value::s(&count_key.sk));
            let mut current = listed(current, "SAFETY");
            if let Some((key, entry)) = &help {
                current = current.with("help_pk", Value::s(&key.pk)).with("help_sk", Value::s(&key.sk));
                ops.push(TransactOp::Put { item: entry.clone(), condition: None });
            }
            if let Some(old) =
                previous.as_ref().and_then(help_key).filter(|old| Some(old) != help.as_ref().map(|(k, _)| k))
            {
                ops.push(TransactOp::Delete { key: old, condition: None });
            }
            // The area counters move from the previous report (as it was counted) to this one.
            let mut moves: Vec<(Key, &'static str, i64)> = vec![(count_key.clone(), status_counter(&r.status), 1)];
            if let Some((key, status)) = previous.as_ref().and_then(counted_as) {
                moves.push((key, status, -1));
            }
            ops.extend(counter_updates(moves));
            ops.push(TransactOp::Put { item: current, condition: Some(unchanged) });
        }
        // A drill's report checks, in its transaction, that the drill is still open.
        let first_guard = ops.len();
        ops.extend(guards.iter().cloned());
        match store.transact_write(ops).await {
            Ok(()) => {
                trim_history(store, sub, &r.member_id, space).await?;
                return Ok(r);
            }
            Err(StoreError::TransactionCanceled { reasons })
                if scope
                    .guards
                    .iter()
                    .enumerate()
                    .any(|(i, _)| reasons.get(first_guard + i) == Some(&CancelReason::ConditionFailed)) =>
            {
                let i = (0..scope.guards.len())
                    .find(|i| reasons.get(first_guard + i) == Some(&CancelReason::ConditionFailed))
                    .unwrap_or(0);
                return Err(checkin::drill_ended(scope.guards[i].rejection.clone()));
            }
            // The same report arrived twice at once: the other copy won.
            Err(StoreError::TransactionCanceled { reasons })
                if reasons.first() == Some(&CancelReason::ConditionFailed) =>
            {
                let done =
                    store.get(&id_key).await?.as_ref().and_then(report_from).ok_or(ApiError::Conflict("報告"))?;
                return replay(
                    done,
                    &SafetyReportInput {
                        report_id: r.report_id.clone(),
                        member_id: r.member_id.clone(),
                        status: r.status.clone(),
                    },
                );
            }
            // Another report for this member landed meanwhile: read it and go again.
            Err(StoreError::TransactionCanceled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

const RETRIES: usize = 8;

/// Reports kept per member (newest first); older ones go with their replay records. A report
/// resent after its record went is stored again, as new: harmless, and only after 50 newer ones.
pub const MAX_HISTORY: u32 = 50;

async fn trim_history(store: &dyn Store, sub: &str, member: &MemberId, space: &Space) -> Result<(), ApiError> {
    let q = || {
        Query::partition(keys::safety_partition(sub, space))
            .begins_with(keys::safety_log_prefix(member.as_str()))
            .backward()
    };
    let mut cursor = store.query(q().limit(MAX_HISTORY)).await?.next;
    while let Some(c) = cursor {
        let page = store.query(q().after(Some(c))).await?;
        let mut ops = Vec::new();
        for old in &page.items {
            if let Ok(key) = Key::of(old) {
                ops.push(WriteOp::Delete(key));
            }
            if let Some(r) = report_from(old) {
                ops.push(WriteOp::Delete(keys::safety_report_id(sub, &r.report_id, space)));
            }
        }
        store.batch_write(ops).await?;
        cursor = page.next;
    }
    Ok(())
}

/// The counter attribute a status adds to.
pub fn status_counter(s: &SafetyStatus) -> &'static str {
    match s {
        SafetyStatus::SafeAtHome => "safe_at_home",
        SafetyStatus::AtShelter { .. } => "at_shelter",
        SafetyStatus::Elsewhere { .. } => "elsewhere",
        SafetyStatus::NeedsHelp { .. } => "needs_help",
    }
}

/// Where and as what a stored current report was counted.
fn counted_as(current: &Item) -> Option<(Key, &'static str)> {
    let key = Key::new(current.str("count_pk")?, current.str("count_sk")?);
    Some((key, status_counter(&report_from(current)?.status)))
}

/// One update per counter item; a move within one item nets out.
fn counter_updates(moves: Vec<(Key, &'static str, i64)>) -> Vec<TransactOp> {
    let mut by_item: std::collections::BTreeMap<Key, std::collections::BTreeMap<&str, i64>> = Default::default();
    for (key, status, d) in moves {
        *by_item.entry(key).or_default().entry(status).or_default() += d;
    }
    by_item
        .into_iter()
        .filter_map(|(key, deltas)| {
            let update = deltas
                .into_iter()
                .filter(|(_, d)| *d != 0)
                .fold(None::<Update>, |u, (n, d)| Some(u.unwrap_or_default().add(n, d)))?;
            Some(TransactOp::Update { key, update, condition: None })
        })
        .collect()
}

/// Deletes a member's current report and takes it off the area counters, in one
/// transaction (a member removed, or all data deleted). Already gone: a no-op.
pub async fn forget(store: &dyn Store, current: &Item) -> Result<(), ApiError> {
    let Ok(key) = Key::of(current) else { return Ok(()) };
    let mut ops = match counted_as(current) {
        Some((count, status)) => counter_updates(vec![(count, status, -1)]),
        None => Vec::new(),
    };
    if let Some(help) = help_key(current) {
        ops.push(TransactOp::Delete { key: help, condition: None });
    }
    let same =
        current.get("report").cloned().map(|v| Condition::Eq("report".into(), v)).unwrap_or_else(Condition::present);
    ops.push(TransactOp::Delete { key, condition: Some(same) });
    match store.transact_write(ops).await {
        Ok(()) | Err(StoreError::TransactionCanceled { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Safety counts by area for HQ (real, or a drill's): one query of the municipality's counter items.
pub async fn counts_by_area(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    space: &Space,
) -> Result<Vec<AreaSafety>, ApiError> {
    let mut out = Vec::new();
    let mut cursor = None;
    let prefix = keys::safety_count_prefix(space);
    loop {
        let page = store
            .query(Query::partition(keys::municipality(municipality).pk).begins_with(&prefix).after(cursor))
            .await?;
        for i in &page.items {
            let n = |name| i.i64(name).unwrap_or(0).max(0) as u32;
            let area =
                i.str("sk").and_then(|sk| sk.strip_prefix(prefix.as_str())).and_then(|a| AreaCode::parse(a).ok());
            let counts = SafetyCounts {
                safe_at_home: n("safe_at_home"),
                at_shelter: n("at_shelter"),
                elsewhere: n("elsewhere"),
                needs_help: n("needs_help"),
            };
            out.push(AreaSafety { area, counts });
        }
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    // Unregistered last; its key sorts first.
    out.sort_by_key(|a| (a.area.is_none(), a.area.clone()));
    Ok(out)
}

/// A resend returns what was stored; reusing an id for different content is a client bug.
fn replay(done: SafetyReport, input: &SafetyReportInput) -> Result<SafetyReport, ApiError> {
    if done.member_id == input.member_id && done.status == input.status {
        Ok(done)
    } else {
        Err(ApiError::Conflict("この報告ID"))
    }
}

/// A member's reports, newest first: the real ones and those of drills whose data still exists
/// (each marked with the drill's name).
pub async fn history(store: &dyn Store, sub: &str, member: &MemberId) -> Result<Vec<SafetyReport>, ApiError> {
    if !household::member_exists(store, sub, member).await? {
        return Err(household::member_not_found());
    }
    let mut out = Vec::new();
    for space in spaces(store).await? {
        let q =
            Query::partition(keys::safety_partition(sub, &space)).begins_with(keys::safety_log_prefix(member.as_str()));
        out.extend(super::query_all(store, q).await?.iter().filter_map(report_from));
    }
    out.sort_by(|a, b| b.reported_at.cmp(&a.reported_at).then_with(|| b.report_id.cmp(&a.report_id)));
    Ok(out)
}

/// Real data and every drill whose data may still exist.
async fn spaces(store: &dyn Store) -> Result<Vec<Space>, ApiError> {
    let mut out = vec![Space::Real];
    out.extend(incidents::drill_spaces(store).await?);
    Ok(out)
}

/// A drill's current report replaces the real one on the household view while it is newer:
/// the resident sees what they reported in the drill, marked as a drill.
pub async fn with_drill_reports(
    store: &dyn Store,
    sub: &str,
    view: &mut bosai_types::household::HouseholdView,
) -> Result<(), ApiError> {
    for space in incidents::drill_spaces(store).await? {
        let q = Query::partition(keys::safety_partition(sub, &space)).begins_with("SAFETY#");
        for i in super::query_all(store, q).await? {
            let Some(r) = report_from(&i) else { continue };
            if let Some(m) = view.members.iter_mut().find(|m| m.member.id == r.member_id) {
                if m.safety.as_ref().is_none_or(|real| real.reported_at <= r.reported_at) {
                    m.safety = Some(r);
                    m.help = super::help_list::progress_of(&i);
                }
            }
        }
    }
    Ok(())
}

/// Every safety item of `member` (`None`: of the whole household), real and of drills: current
/// reports leave their counters first (one transaction each), then the reports, history,
/// replay records and help-list entries go. Returns how many items went.
pub async fn erase(store: &dyn Store, sub: &str, member: Option<&MemberId>) -> Result<usize, ApiError> {
    let mut removed = 0;
    for space in spaces(store).await? {
        let items =
            super::query_all(store, Query::partition(keys::safety_partition(sub, &space)).begins_with("SAFETY"))
                .await?;
        let theirs = |i: &&Item| {
            let Some(m) = member else { return true };
            let sk = i.str(attr::SK).unwrap_or_default();
            sk == format!("SAFETY#{m}")
                || sk.starts_with(&keys::safety_log_prefix(m.as_str()))
                || (sk.starts_with("SAFETYID#") && report_from(i).is_some_and(|r| &r.member_id == m))
        };
        let items: Vec<&Item> = items.iter().filter(theirs).collect();
        for current in items.iter().filter(|i| i.str(attr::SK).is_some_and(|sk| sk.starts_with("SAFETY#"))) {
            forget(store, current).await?;
        }
        let mut ops: Vec<WriteOp> = items.iter().filter_map(|i| Key::of(i).ok()).map(WriteOp::Delete).collect();
        ops.extend(items.iter().filter_map(|i| help_key(i)).map(WriteOp::Delete));
        removed += ops.len();
        store.batch_write(ops).await?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::help_list::help_requests;
    use bosai_store::sqlite::SqliteStore;
    use bosai_types::made::DeviceTimes;
    use bosai_types::Timestamp;

    fn input(id: &str, status: SafetyStatus) -> SafetyReportInput {
        SafetyReportInput { report_id: id.into(), member_id: MemberId::myself(), status }
    }

    #[tokio::test]
    async fn help_index_follows_the_latest_report() {
        let s = SqliteStore::in_memory().unwrap();
        let m = MunicipalityCode::parse("041009").unwrap();
        let help = SafetyStatus::NeedsHelp { what: "水がない".into(), location: "自宅 2階".into(), phone: None };
        report(&s, &m, "r_a", input("rep-00001", help.clone()), Made::now(Timestamp(1_000))).await.unwrap();
        // A resend is stored once.
        report(&s, &m, "r_a", input("rep-00001", help.clone()), Made::now(Timestamp(2_000))).await.unwrap();
        let list = help_requests(&s, &m, &Space::Real).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].member_name, "本人");
        assert_eq!(history(&s, "r_a", &MemberId::myself()).await.unwrap().len(), 1);
        // Reusing the id for something else is refused.
        let other =
            report(&s, &m, "r_a", input("rep-00001", SafetyStatus::SafeAtHome), Made::now(Timestamp(3_000))).await;
        assert!(matches!(other, Err(ApiError::Conflict(..))));
        // Safe now: off the HQ list, history keeps both, newest first.
        report(&s, &m, "r_a", input("rep-00002", SafetyStatus::SafeAtHome), Made::now(Timestamp(4_000))).await.unwrap();
        assert!(help_requests(&s, &m, &Space::Real).await.unwrap().is_empty());
        let h = history(&s, "r_a", &MemberId::myself()).await.unwrap();
        assert_eq!(h.iter().map(|r| r.report_id.as_str()).collect::<Vec<_>>(), vec!["rep-00002", "rep-00001"]);
    }

    #[tokio::test]
    async fn a_report_made_earlier_but_received_later_goes_into_history_only() {
        let s = SqliteStore::in_memory().unwrap();
        let m = MunicipalityCode::parse("041009").unwrap();
        let help = SafetyStatus::NeedsHelp { what: "水がない".into(), location: "自宅".into(), phone: None };
        // Safe at home, made at 21:10 and sent at once; a "needs help" made at 21:05 arrives at 21:20.
        report(&s, &m, "r_a", input("rep-late-2", SafetyStatus::SafeAtHome), Made::now(Timestamp(2_100_000)))
            .await
            .unwrap();
        let late =
            Made::stamp(Some(DeviceTimes { made_at: 2_050_000, sent_at: 2_200_000 }), Timestamp(2_200_000), None);
        let r = report(&s, &m, "r_a", input("rep-late-1", help), late).await.unwrap();
        assert_eq!((r.reported_at, r.received_at), (Timestamp(2_050_000), Some(Timestamp(2_200_000))));
        let current = crate::domain::household_view::view(&s, "r_a").await.unwrap().members[0].safety.clone().unwrap();
        assert_eq!(current.report_id, "rep-late-2", "the later-made report stays current");
        assert!(
            help_requests(&s, &m, &Space::Real).await.unwrap().is_empty(),
            "an outdated help request is not listed"
        );
        let h = history(&s, "r_a", &MemberId::myself()).await.unwrap();
        assert_eq!(
            h.iter().map(|r| r.report_id.as_str()).collect::<Vec<_>>(),
            vec!["rep-late-2", "rep-late-1"],
            "ordered by made time"
        );
        let counts = counts_by_area(&s, &m, &Space::Real).await.unwrap();
        assert_eq!((counts[0].counts.safe_at_home, counts[0].counts.needs_help), (1, 0));
        // Its resend is still stored once.
        let again = report(
            &s,
            &m,
            "r_a",
            input(
                "rep-late-1",
                SafetyStatus::NeedsHelp { what: "水がない".into(), location: "自宅".into(), phone: None },
            ),
            late,
        )
        .await
        .unwrap();
        assert_eq!(again, r);
        assert_eq!(history(&s, "r_a", &MemberId::myself()).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn unknown_member_and_shelter() {
        let s = SqliteStore::in_memory().unwrap();
        let m = MunicipalityCode::parse("041009").unwrap();
        let mut i = input("rep-00003", SafetyStatus::SafeAtHome);
        i.member_id = MemberId::parse("m-nobody").unwrap();
        assert!(matches!(report(&s, &m, "r_a", i, Made::now(Timestamp(1))).await, Err(ApiError::NotFound(..))));
        let at = SafetyStatus::AtShelter { shelter_id: bosai_types::ShelterId::parse("nowhere").unwrap() };
        let r = report(&s, &m, "r_a", input("rep-00004", at), Made::now(Timestamp(1))).await;
        assert!(matches!(r, Err(ApiError::Invalid { code: "unknown_shelter", .. })));
        assert!(history(&s, "r_a", &MemberId::myself()).await.unwrap().is_empty(), "nothing written");
    }
}

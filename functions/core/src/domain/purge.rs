//! The purge (保存期間を過ぎた個人データの消去). Real check-in data is listed, as it is written,
//! under the incident it was made in (`keys::personal_of`): check-in history, scan records,
//! locations of people who left, desk registrations, safety reports (current and history) and
//! help-list entries, stays on the incident's roster; answers to the surveys HQ created during it. Once a closed incident's
//! `personal_data_until` has passed, the purge deletes that list; data made outside any incident
//! goes `retention_days` after it was made. Closed drills whose deletion was cut off are
//! finished. Anonymous counters, the incidents themselves and the audit log stay.
//!
//! Idempotent and resumable: each run works through what is still listed (deleted items leave
//! the list), up to a budget, so a run that is killed or runs out of budget is continued by the
//! next. Runs on a schedule (the purge Lambda) and in-process in the local stack.

use crate::domain::{areas, desk, incidents, safety, surveys};
use crate::keys;
use crate::ApiError;
use bosai_store::{attr, Condition, Item, ItemExt, Key, Query, SortKey, Store, StoreError, Update, Value, WriteOp};
use bosai_types::incident::IncidentKind;
use bosai_types::Timestamp;
use std::collections::BTreeMap;

const PAGE: u32 = 100;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeRun {
    /// Personal items deleted, by kind.
    pub deleted: BTreeMap<String, u64>,
    /// Incidents (and drills) whose personal data is now all gone.
    pub finished_incidents: Vec<String>,
    /// False when the budget ran out first: the next run continues.
    pub complete: bool,
}

impl PurgeRun {
    pub fn total(&self) -> u64 {
        self.deleted.values().sum()
    }
}

/// One purge run at `now`, deleting at most about `budget` items.
pub async fn run(store: &dyn Store, retention_days: u32, now: Timestamp, budget: u64) -> Result<PurgeRun, ApiError> {
    let mut out = PurgeRun { complete: true, ..Default::default() };
    let mut left = budget;
    for mut drill in crate::domain::lifecycle::pending_drills(store).await? {
        crate::domain::lifecycle::finish_drill(store, &mut drill, now).await?;
        *out.deleted.entry("drill_items".into()).or_default() += drill.purged_items.unwrap_or(0);
        out.finished_incidents.push(drill.id.clone());
    }
    for mut inc in incidents::all(store).await? {
        let due = inc.kind == IncidentKind::Real
            && inc.purged_at.is_none()
            && inc.personal_data_until.is_some_and(|t| t <= now);
        if !due {
            continue;
        }
        let mut counts = BTreeMap::new();
        // Answers to the surveys HQ created during it (their totals stay).
        for m in &inc.municipalities {
            for survey in surveys::of_incident(store, m, Some(&inc.id), now).await? {
                let n = surveys::end_with_incident(store, &survey, now, left).await?;
                left = left.saturating_sub(n);
                *counts.entry("survey_answers".into()).or_default() += n;
            }
        }
        let done = left > 0
            && purge_listed(store, &keys::personal_of(Some(&inc.id)), None, &mut left, &mut counts, now).await?;
        for (kind, n) in &counts {
            *inc.purge_report.entry(kind.clone()).or_default() += n;
            *out.deleted.entry(kind.clone()).or_default() += n;
        }
        inc.purged_items = Some(inc.purge_report.values().sum());
        if done {
            inc.purged_at = Some(now);
            out.finished_incidents.push(inc.id.clone());
        }
        incidents::save(store, &inc).await?;
        if !done {
            out.complete = false;
            return Ok(out);
        }
    }
    // Made outside any incident: kept `retention_days` from when it was made.
    let cutoff = Timestamp(now.millis() - i64::from(retention_days) * DAY_MS);
    let mut counts = BTreeMap::new();
    // Surveys outside any incident: answers go `retention_days` after the survey ended.
    for (m, _) in areas::served_named(store).await? {
        for survey in surveys::of_incident(store, &m, None, cutoff).await? {
            let n = surveys::delete_answers(store, &survey.id, left).await?;
            left = left.saturating_sub(n);
            if n > 0 {
                *counts.entry("survey_answers".into()).or_default() += n;
            }
        }
    }
    out.complete = left > 0
        && purge_listed(store, keys::PERSONAL_OUTSIDE_INCIDENTS, Some(cutoff), &mut left, &mut counts, now).await?;
    if !counts.is_empty() {
        let report = counts
            .iter()
            .fold(Update::new(), |u, (k, n)| u.add(k, *n as i64))
            .set("updated_at", Value::n(now.millis()));
        store.update(&keys::purge_report_outside_incidents(), report, None).await?;
    }
    for (kind, n) in counts {
        *out.deleted.entry(kind).or_default() += n;
    }
    Ok(out)
}

/// Deletes what GSI1 partition `pk` lists (made before `before`, when given), page by page,
/// while `left` lasts. True when nothing is left.
async fn purge_listed(
    store: &dyn Store,
    pk: &str,
    before: Option<Timestamp>,
    left: &mut u64,
    counts: &mut BTreeMap<String, u64>,
    now: Timestamp,
) -> Result<bool, ApiError> {
    let mut cursor = None;
    loop {
        if *left == 0 {
            return Ok(false);
        }
        let mut q = Query::gsi1(pk).limit(PAGE.min(u32::try_from(*left).unwrap_or(PAGE)));
        if let Some(b) = before {
            q = q.sort(SortKey::Le(format!("{:013}~", b.millis().max(0))));
        }
        let page = store.query(q.after(cursor)).await?;
        let mut deletes = Vec::new();
        for item in &page.items {
            let Ok(key) = Key::of(item) else { continue };
            let kind = match (key.pk.split('#').next(), key.sk.as_str()) {
                (Some("EVENTID"), _) => "scan_records",
                (Some("PERSON"), sk) if sk.starts_with("EVENT#") => "check_in_events",
                (Some("PERSON"), "LOCATION") => {
                    if delete_left_location(store, item).await? {
                        *counts.entry("locations".into()).or_default() += 1;
                    }
                    continue;
                }
                // Safety: the current report leaves its area counter as it goes (unless the
                // resident reported again since); history with its replay record.
                (Some("RES"), sk) if sk.starts_with("SAFETY#") => {
                    safety::forget(store, item).await?;
                    *counts.entry("safety_reports".into()).or_default() += 1;
                    continue;
                }
                (Some("RES"), sk) if sk.starts_with("SAFETYLOG#") => {
                    if let Some(r) = safety::report_from(item) {
                        let sub = key.pk.strip_prefix("RES#").unwrap_or_default();
                        deletes.push(WriteOp::Delete(keys::safety_report_id(sub, &r.report_id, &keys::Space::Real)));
                    }
                    "safety_history"
                }
                (Some("HELP"), _) => "help_requests",
                (Some("INCIDENT"), _) if key.pk.contains("#STAYS#") => "stays",
                (Some("DESK"), "META") => {
                    let n = delete_desk_registration(store, &key, now).await?;
                    *counts.entry("desk_people".into()).or_default() += n;
                    continue;
                }
                _ => continue,
            };
            *counts.entry(kind.into()).or_default() += 1;
            deletes.push(WriteOp::Delete(key));
        }
        *left = left.saturating_sub(page.items.len() as u64);
        store.batch_write(deletes).await?;
        cursor = page.next;
        if cursor.is_none() {
            return Ok(true);
        }
    }
}

/// A location of someone who left, unless they checked in again meanwhile (then it is theirs now).
async fn delete_left_location(store: &dyn Store, loc: &Item) -> Result<bool, ApiError> {
    let Ok(key) = Key::of(loc) else {
        return Ok(false);
    };
    let unchanged = Condition::And(vec![
        Condition::NotExists("shelter".into()),
        Condition::Eq("at".into(), loc.get("at").cloned().unwrap_or(Value::n(0))),
        Condition::Eq(attr::GSI1_PK.into(), loc.get(attr::GSI1_PK).cloned().unwrap_or(Value::s(""))),
    ]);
    match store.delete(&key, Some(unchanged)).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A desk registration made during the incident: every person in it (off any roster, their
/// history and entry), then the registration. Returns how many people.
async fn delete_desk_registration(store: &dyn Store, meta: &Key, now: Timestamp) -> Result<u64, ApiError> {
    let registration = meta.pk.strip_prefix("DESK#").unwrap_or_default();
    let people = desk::person_keys(store, registration).await?;
    for p in &people {
        if store.get(&keys::location(p)).await?.is_some_and(|l| l.str("shelter").is_some()) {
            // Still at a shelter: kept, listed again from now (outside incidents, its own retention).
            let relisted = Update::new()
                .set(attr::GSI1_PK, Value::s(keys::PERSONAL_OUTSIDE_INCIDENTS))
                .set(attr::GSI1_SK, Value::s(format!("{:013}#DESK#{registration}", now.millis())));
            store.update(meta, relisted, Some(Condition::present())).await?;
            return Ok(0);
        }
    }
    for p in &people {
        desk::erase_person(store, p, now).await?;
    }
    // Also when it had no people left.
    store.delete(meta, None).await?;
    Ok(people.len() as u64)
}

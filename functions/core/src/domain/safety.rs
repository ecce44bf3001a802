//! Safety status (安否): the current report per member, the full history, and
//! an index of "needs help" reports that HQ lists at once.

use crate::domain::{household, shelters};
use crate::{keys, ApiError};
use bosai_store::{item::item, CancelReason, Condition, Item, ItemExt, Key, Query, Store, StoreError, TransactOp, Value};
use bosai_types::household::{HelpRequest, MemberId};
use bosai_types::safety::{SafetyReport, SafetyReportInput, SafetyStatus};
use bosai_types::{MunicipalityCode, Timestamp};

pub const HELP_LIST_LIMIT: u32 = 500;

pub fn report_from(i: &Item) -> Option<SafetyReport> {
    serde_json::from_str(i.str("report")?).ok()
}

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
    now: Timestamp,
) -> Result<SafetyReport, ApiError> {
    input.validate().map_err(|e| ApiError::invalid("invalid_safety_report", format!("{e}."), e.message_ja()))?;
    let id_key = keys::safety_report_id(sub, &input.report_id);
    if let Some(done) = store.get(&id_key).await?.as_ref().and_then(report_from) {
        return replay(done, &input);
    }
    if !household::member_exists(store, sub, &input.member_id).await? {
        return Err(household::member_not_found());
    }
    if let SafetyStatus::AtShelter { shelter_id } = &input.status {
        if let Err(ApiError::NotFound(..)) = shelters::get(store, shelter_id).await {
            return Err(ApiError::invalid("unknown_shelter", "There is no shelter with this id.", "その避難所は見つかりません。"));
        }
    }
    let r = SafetyReport { report_id: input.report_id.clone(), member_id: input.member_id.clone(), status: input.status, reported_at: now };
    let member = r.member_id.as_str();
    let current_key = keys::safety_current(sub, member);
    let previous_help = store.get(&current_key).await?.as_ref().and_then(help_key);
    let mut current = with_report(item(&current_key), &r);
    let mut ops = vec![
        TransactOp::Put { item: with_report(item(&id_key), &r), condition: Some(Condition::absent()) },
        TransactOp::Put { item: with_report(item(&keys::safety_log(sub, member, now.millis(), &r.report_id)), &r), condition: None },
    ];
    let mut new_help = None;
    if let SafetyStatus::NeedsHelp { what, location } = &r.status {
        let (name, birth_year) = household::member_summary(store, sub, &r.member_id).await?;
        let key = Key::new(keys::help_partition(municipality), format!("{:013}#{sub}#{member}", now.millis()));
        current = current.with("help_pk", Value::s(&key.pk)).with("help_sk", Value::s(&key.sk));
        let mut entry = item(&key)
            .with("report_id", Value::s(&r.report_id))
            .with("member_name", Value::s(name))
            .with("what", Value::s(what))
            .with("location", Value::s(location))
            .with("reported_at", Value::n(now.millis()));
        if let Some(y) = birth_year {
            entry = entry.with("birth_year", Value::n(y.into()));
        }
        ops.push(TransactOp::Put { item: entry, condition: None });
        new_help = Some(key);
    }
    if let Some(old) = previous_help.filter(|old| Some(old) != new_help.as_ref()) {
        ops.push(TransactOp::Delete { key: old, condition: None });
    }
    ops.push(TransactOp::Put { item: current, condition: None });
    match store.transact_write(ops).await {
        Ok(()) => Ok(r),
        // The same report arrived twice at once: the other copy won.
        Err(StoreError::TransactionCanceled { reasons }) if reasons.first() == Some(&CancelReason::ConditionFailed) => {
            let done = store.get(&id_key).await?.as_ref().and_then(report_from).ok_or(ApiError::Conflict("The report", "報告"))?;
            replay(done, &SafetyReportInput { report_id: r.report_id, member_id: r.member_id, status: r.status })
        }
        Err(e) => Err(e.into()),
    }
}

/// A resend returns what was stored; reusing an id for different content is a client bug.
fn replay(done: SafetyReport, input: &SafetyReportInput) -> Result<SafetyReport, ApiError> {
    if done.member_id == input.member_id && done.status == input.status {
        Ok(done)
    } else {
        Err(ApiError::Conflict("This report id", "この報告ID"))
    }
}

pub async fn history(store: &dyn Store, sub: &str, member: &MemberId) -> Result<Vec<SafetyReport>, ApiError> {
    if !household::member_exists(store, sub, member).await? {
        return Err(household::member_not_found());
    }
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let q = Query::partition(keys::resident_partition(sub)).begins_with(keys::safety_log_prefix(member.as_str())).backward().after(cursor);
        let page = store.query(q).await?;
        out.extend(page.items.iter().filter_map(report_from));
        cursor = page.next;
        if cursor.is_none() {
            return Ok(out);
        }
    }
}

/// Open "needs help" reports of the municipality, newest first.
pub async fn help_requests(store: &dyn Store, municipality: &MunicipalityCode) -> Result<Vec<HelpRequest>, ApiError> {
    let page = store.query(Query::partition(keys::help_partition(municipality)).backward().limit(HELP_LIST_LIMIT)).await?;
    Ok(page
        .items
        .iter()
        .filter_map(|i| {
            Some(HelpRequest {
                report_id: i.str("report_id")?.to_owned(),
                member_name: i.str("member_name")?.to_owned(),
                birth_year: i.i64("birth_year").and_then(|y| u16::try_from(y).ok()),
                what: i.str("what")?.to_owned(),
                location: i.str("location")?.to_owned(),
                reported_at: Timestamp(i.i64("reported_at")?),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_store::sqlite::SqliteStore;

    fn input(id: &str, status: SafetyStatus) -> SafetyReportInput {
        SafetyReportInput { report_id: id.into(), member_id: MemberId::myself(), status }
    }

    #[tokio::test]
    async fn help_index_follows_the_latest_report() {
        let s = SqliteStore::in_memory().unwrap();
        let m = MunicipalityCode::parse("041009").unwrap();
        let help = SafetyStatus::NeedsHelp { what: "水がない".into(), location: "自宅 2階".into() };
        report(&s, &m, "r_a", input("rep-00001", help.clone()), Timestamp(1_000)).await.unwrap();
        // A resend is stored once.
        report(&s, &m, "r_a", input("rep-00001", help.clone()), Timestamp(2_000)).await.unwrap();
        let list = help_requests(&s, &m).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].member_name, "本人");
        assert_eq!(history(&s, "r_a", &MemberId::myself()).await.unwrap().len(), 1);
        // Reusing the id for something else is refused.
        let other = report(&s, &m, "r_a", input("rep-00001", SafetyStatus::SafeAtHome), Timestamp(3_000)).await;
        assert!(matches!(other, Err(ApiError::Conflict(..))));
        // Safe now: off the HQ list, history keeps both, newest first.
        report(&s, &m, "r_a", input("rep-00002", SafetyStatus::SafeAtHome), Timestamp(4_000)).await.unwrap();
        assert!(help_requests(&s, &m).await.unwrap().is_empty());
        let h = history(&s, "r_a", &MemberId::myself()).await.unwrap();
        assert_eq!(h.iter().map(|r| r.report_id.as_str()).collect::<Vec<_>>(), vec!["rep-00002", "rep-00001"]);
    }

    #[tokio::test]
    async fn unknown_member_and_shelter() {
        let s = SqliteStore::in_memory().unwrap();
        let m = MunicipalityCode::parse("041009").unwrap();
        let mut i = input("rep-00003", SafetyStatus::SafeAtHome);
        i.member_id = MemberId::parse("m-nobody").unwrap();
        assert!(matches!(report(&s, &m, "r_a", i, Timestamp(1)).await, Err(ApiError::NotFound(..))));
        let at = SafetyStatus::AtShelter { shelter_id: bosai_types::ShelterId::parse("nowhere").unwrap() };
        let r = report(&s, &m, "r_a", input("rep-00004", at), Timestamp(1)).await;
        assert!(matches!(r, Err(ApiError::Invalid { code: "unknown_shelter", .. })));
        assert!(history(&s, "r_a", &MemberId::myself()).await.unwrap().is_empty(), "nothing written");
    }
}

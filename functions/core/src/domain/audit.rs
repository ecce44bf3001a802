//! The audit log (監査ログ): who did what with personal data, and when. Append-only: an entry
//! is only ever created, with a condition that refuses to overwrite one, and no code path
//! updates or deletes it; retention is its own (the purge of incident data leaves it): each
//! entry expires [`AUDIT_RETENTION_DAYS`] after it was written, by DynamoDB TTL.

use crate::domain::csv::cell;
use crate::{keys, ApiError};
use bosai_store::{attr, item::item, Condition, Item, ItemExt, Query, Store, Value};
use bosai_types::audit::{AuditEntry, AuditFilter};
use bosai_types::{MunicipalityCode, Timestamp};

/// How long an audit entry is kept: five years, well past any incident's personal data (the
/// log must outlive what it records reads of) and within what municipalities' rules on records
/// of access to personal information usually ask. Expiry is DynamoDB's TTL (and the embedded
/// store's); a deployment that must keep longer exports the log (`/api/hq/audit`) first.
pub const AUDIT_RETENTION_DAYS: i64 = 5 * 365 + 1;

/// Appends one entry under municipality `m`'s day: `action` by `actor`, with `details` (ids and
/// counts, never names or needs).
pub async fn record<'a>(
    store: &dyn Store,
    m: &MunicipalityCode,
    now: Timestamp,
    action: &str,
    actor: &str,
    details: impl IntoIterator<Item = (&'a str, Value)>,
) -> Result<(), ApiError> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut entry = item(&keys::audit(m, &now.jst_date(), now.millis(), &id))
        .with("action", Value::s(action))
        .with("actor", Value::s(actor))
        .with("at", Value::n(now.millis()))
        .with(attr::TTL, Value::n(now.seconds() + AUDIT_RETENTION_DAYS * 86_400));
    entry.extend(details.into_iter().map(|(k, v)| (k.to_owned(), v)));
    store.put(entry, Some(Condition::absent())).await?;
    Ok(())
}

/// The entries of one day (JST date `YYYY-MM-DD`) of municipality `m`, oldest first.
pub async fn day(store: &dyn Store, m: &MunicipalityCode, date: &str) -> Result<Vec<Item>, ApiError> {
    let pk = keys::audit(m, date, 0, "").pk;
    let items = crate::domain::query_all(store, Query::partition(pk)).await?;
    Ok(items.into_iter().filter(|i| i.str("action").is_some()).collect())
}

fn entry(i: &Item) -> Option<AuditEntry> {
    // The entry's own columns, and its expiry (storage, not something that happened).
    const OWN: [&str; 7] = [attr::PK, attr::SK, attr::TTL, "action", "actor", "at", "shelter"];
    let details = i
        .iter()
        .filter(|(k, _)| !OWN.contains(&k.as_str()))
        .filter_map(|(k, v)| {
            let text = match v {
                Value::S(s) => s.clone(),
                v => v.as_i64().map(|n| n.to_string())?,
            };
            Some((k.clone(), text))
        })
        .collect();
    Some(AuditEntry {
        at: Timestamp(i.i64("at")?),
        action: i.str("action")?.to_owned(),
        actor: i.str("actor").unwrap_or_default().to_owned(),
        shelter: i.str("shelter").map(str::to_owned),
        details,
    })
}

/// The entries of one day (today in Japan unless the filter names one) that match the filter,
/// newest first.
pub async fn list(
    store: &dyn Store,
    m: &MunicipalityCode,
    filter: &AuditFilter,
    now: Timestamp,
) -> Result<Vec<AuditEntry>, ApiError> {
    let date =
        filter.day().map_err(|_| ApiError::invalid("invalid_filter", "日付は 2026-12-03 の形で指定してください。"))?;
    let today = now.jst_date();
    let mut out: Vec<AuditEntry> =
        day(store, m, date.unwrap_or(&today)).await?.iter().filter_map(entry).filter(|e| filter.matches(e)).collect();
    out.reverse();
    Ok(out)
}

/// UTF-8 with a byte-order mark (Excel), formula-safe like the roster's.
pub fn csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("\u{FEFF}日時,操作,実施者,避難所,詳細\r\n");
    for e in entries {
        let details: Vec<String> = e.details.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let row = [
            // In Japan's time, as the log's own screen shows it.
            e.at.jst_second(),
            cell(&e.action),
            cell(&e.actor),
            cell(e.shelter.as_deref().unwrap_or("")),
            cell(&details.join(" ")),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

//! "My data": the resident sees, exports and deletes everything stored about
//! them and their household; deletion is audited.

use crate::domain::{auth, household, safety};
use crate::{keys, ApiError};
use bosai_store::{item::item, ItemExt, Key, Query, Store, Value, WriteOp};
use bosai_types::auth::Role;
use bosai_types::household::{DeleteConfirmation, MyData};
use bosai_types::{MunicipalityCode, Timestamp};

pub async fn export(store: &dyn Store, sub: &str, now: Timestamp) -> Result<MyData, ApiError> {
    let view = household::view(store, sub).await?;
    let mut safety_history = Vec::new();
    for m in &view.members {
        safety_history.extend(safety::history(store, sub, &m.member.id).await?);
    }
    safety_history.sort_by_key(|r| std::cmp::Reverse(r.reported_at));
    Ok(MyData { me: auth::me(store, sub, Role::Resident).await?, members: view.members, safety_history, exported_at: now })
}

pub async fn delete(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    sub: &str,
    confirmation: &DeleteConfirmation,
    now: Timestamp,
) -> Result<(), ApiError> {
    if confirmation.confirm != "delete" {
        return Err(ApiError::invalid(
            "confirmation_required",
            "To delete everything, send {\"confirm\": \"delete\"}.",
            "削除するには確認が必要です。",
        ));
    }
    let items = household::partition(store, sub).await?;
    for current in items.iter().filter(|(sk, _)| sk.starts_with("SAFETY#")).map(|(_, i)| i) {
        safety::forget(store, current).await?;
    }
    let mut ops: Vec<WriteOp> = items.values().filter_map(|i| Key::of(i).ok()).map(WriteOp::Delete).collect();
    ops.extend(items.values().filter_map(safety::help_key).map(WriteOp::Delete));
    ops.extend(crate::domain::notices::forget_subscriptions(&items));
    // Survey answers the resident gave (their totals are anonymous and stay).
    let answers = store.query(Query::gsi1(keys::answers_of(sub))).await?;
    ops.extend(answers.items.iter().filter_map(|i| Key::of(i).ok()).map(WriteOp::Delete));
    let mut removed = ops.len();
    store.batch_write(ops).await?;
    // Every sign-in of theirs ends: no refresh token works afterwards.
    removed += crate::domain::sessions::end_all(store, sub).await?;
    // A tombstone, not personal data: QR codes issued before now are refused at scan time.
    store.put(item(&keys::profile(sub)).with("credentials_revoked_before", Value::n(now.millis())), None).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let audit = item(&keys::audit(municipality, &now.jst_date(), now.millis(), &id))
        .with("action", Value::s("resident_data_deleted"))
        .with("actor", Value::s(sub))
        .with("items_removed", Value::n(removed as i64))
        .with("at", Value::n(now.millis()));
    store.put(audit, None).await?;
    tracing::info!(items = removed, "resident data deleted");
    Ok(())
}

/// The audit trail of one day (for administrators and tests).
pub async fn audit_day(store: &dyn Store, municipality: &MunicipalityCode, date: &str) -> Result<Vec<bosai_store::Item>, ApiError> {
    let key = keys::audit(municipality, date, 0, "");
    Ok(store.query(Query::partition(key.pk)).await?.items.into_iter().filter(|i| i.str("action").is_some()).collect())
}

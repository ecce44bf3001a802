//! Supplies at a shelter: staff count stock and request what is missing; HQ
//! lists open requests; deliveries raise stock and settle requests once each.
//! While a drill is the shelter's municipality's current incident, staff practise on the
//! drill's own lines ([`Space::Drill`]): never in HQ's real requests.

use crate::auth::Principal;
use crate::domain::shelters;
use crate::keys::Space;
use crate::{keys, ApiError};
use bosai_store::{
    attr, item::item, CancelReason, Condition, Item, ItemExt, Query, Store, StoreError, TransactOp, Value,
};
use bosai_types::supplies::{Delivery, StockUpdate, SupplyItem, SupplyLine, SupplyStatus, MAX_QUANTITY};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

const RETRIES: usize = 8;

/// Lost a race for a supply line (another tablet wrote it first): wait a little before reading
/// it again, longer each time and out of step with the others, so ten tablets booking at the
/// same moment do not keep colliding until one runs out of tries.
async fn back_off(attempt: usize) {
    let jitter = (uuid::Uuid::new_v4().as_u128() % (4u128 << attempt.min(6))) as u64;
    tokio::time::sleep(std::time::Duration::from_millis(1 + jitter)).await;
}

/// The shelter's municipality and the space its lines are in now (real, or the current drill's).
async fn authorise(
    store: &dyn Store,
    who: &Principal,
    shelter: &ShelterId,
    now: Timestamp,
) -> Result<(MunicipalityCode, Space), ApiError> {
    let s = shelters::get(store, shelter).await?;
    if !who.may_manage_shelter(shelter, &s.municipality) {
        return Err(ApiError::Forbidden);
    }
    let space = crate::domain::incidents::space_now(store, &s.municipality, now).await?.0;
    Ok((s.municipality, space))
}

fn too_much() -> ApiError {
    ApiError::invalid("invalid_quantity", "数量は0〜1,000,000で入力してください。")
}

/// A stock line as last written, and the condition that it is still so when we write.
/// `version` counts writes: `updated_at` cannot serve, two tablets can write in the same millisecond.
struct Current {
    line: Option<SupplyLine>,
    version: i64,
    unchanged: Condition,
}

async fn current(store: &dyn Store, key: &bosai_store::Key) -> Result<Current, ApiError> {
    let it = store.get(key).await?;
    let unchanged = match it.as_ref().map(|c| c.get("version").cloned()) {
        None => Condition::absent(),
        Some(Some(v)) => Condition::Eq("version".into(), v),
        Some(None) => Condition::And(vec![Condition::present(), Condition::NotExists("version".into())]),
    };
    Ok(Current {
        line: it.as_ref().and_then(line_from),
        version: it.as_ref().and_then(|c| c.i64("version")).unwrap_or(0),
        unchanged,
    })
}

struct Line<'a> {
    m: &'a MunicipalityCode,
    shelter: &'a ShelterId,
    space: &'a Space,
    item: SupplyItem,
}

fn line_item(l: &Line, on_hand: u32, requested: u32, version: i64, now: Timestamp) -> Item {
    let Line { m, shelter, space, item } = *l;
    let code = item.code();
    let mut it = bosai_store::item::item(&keys::supply(shelter, &code, space))
        .with("version", Value::n(version))
        .with("shelter", Value::s(shelter.as_str()))
        .with("code", Value::s(&code))
        .with("on_hand", Value::n(on_hand.into()))
        .with("requested", Value::n(requested.into()))
        .with("updated_at", Value::n(now.millis()));
    // Only open requests are in HQ's index (sparse GSI).
    if requested > 0 {
        it = it
            .with(attr::GSI1_PK, Value::s(keys::supply_requests_of(m, space)))
            .with(attr::GSI1_SK, Value::s(format!("{shelter}#{code}")));
    }
    it
}

fn line_from(i: &Item) -> Option<SupplyLine> {
    let requested = u32::try_from(i.i64("requested")?).ok()?;
    Some(SupplyLine {
        shelter_id: ShelterId::parse(i.str("shelter")?).ok()?,
        item: SupplyItem::parse_code(i.str("code")?)?,
        code: i.str("code")?.to_owned(),
        on_hand: u32::try_from(i.i64("on_hand")?).ok()?,
        requested,
        status: if requested > 0 { SupplyStatus::Requested } else { SupplyStatus::Ok },
        updated_at: Timestamp(i.i64("updated_at").unwrap_or(0)),
    })
}

pub async fn set_stock(
    store: &dyn Store,
    who: &Principal,
    shelter: &ShelterId,
    item: SupplyItem,
    u: StockUpdate,
    now: Timestamp,
) -> Result<SupplyLine, ApiError> {
    if u.on_hand > MAX_QUANTITY || u.requested > MAX_QUANTITY {
        return Err(too_much());
    }
    let (m, space) = authorise(store, who, shelter, now).await?;
    let line = Line { m: &m, shelter, space: &space, item };
    let key = keys::supply(shelter, &item.code(), &space);
    for attempt in 0..RETRIES {
        let c = current(store, &key).await?;
        let it = line_item(&line, u.on_hand, u.requested, c.version + 1, now);
        match store.put(it.clone(), Some(c.unchanged)).await {
            Ok(()) => return line_from(&it).ok_or(ApiError::Unavailable("unreadable supply line".into())),
            // A delivery landed meanwhile; the count is still what staff counted, but the version moved.
            Err(StoreError::ConditionFailed) => back_off(attempt).await,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

pub async fn deliver(
    store: &dyn Store,
    who: &Principal,
    shelter: &ShelterId,
    item: SupplyItem,
    d: &Delivery,
    now: Timestamp,
) -> Result<SupplyLine, ApiError> {
    if !bosai_types::checkin::valid_event_id(&d.delivery_id) {
        return Err(ApiError::invalid("invalid_delivery_id", "納品IDの形式が正しくありません。"));
    }
    if d.quantity == 0 || d.quantity > MAX_QUANTITY {
        return Err(too_much());
    }
    let (m, space) = authorise(store, who, shelter, now).await?;
    let line = Line { m: &m, shelter, space: &space, item };
    let key = keys::supply(shelter, &item.code(), &space);
    for attempt in 0..RETRIES {
        let c = current(store, &key).await?;
        let (on_hand, requested) = c.line.as_ref().map_or((0, 0), |l| (l.on_hand, l.requested));
        let next = line_item(
            &line,
            (on_hand + d.quantity).min(MAX_QUANTITY),
            requested.saturating_sub(d.quantity),
            c.version + 1,
            now,
        );
        let record = item_delivery(shelter, d, &item, now);
        let ops = vec![
            TransactOp::Put { item: record, condition: Some(Condition::absent()) },
            TransactOp::Put { item: next.clone(), condition: Some(c.unchanged) },
        ];
        match store.transact_write(ops).await {
            Ok(()) => return line_from(&next).ok_or(ApiError::Unavailable("unreadable supply line".into())),
            // Delivered before: report the current state, count nothing twice. The id names one
            // delivery of the shelter; sent again with another item or quantity it is a
            // client's mistake (found by schemathesis: another item's line was missing, a 503).
            Err(StoreError::TransactionCanceled { reasons })
                if reasons.first() == Some(&CancelReason::ConditionFailed) =>
            {
                let before = store.get(&keys::delivery(shelter, &d.delivery_id)).await?;
                let same = before.as_ref().is_some_and(|b| {
                    b.str("code") == Some(item.code().as_str()) && b.i64("quantity") == Some(d.quantity.into())
                });
                if !same {
                    return Err(ApiError::Conflict("この納品ID"));
                }
                let now_line = store.get(&key).await?.as_ref().and_then(line_from);
                return now_line.ok_or(ApiError::Unavailable("unreadable supply line".into()));
            }
            Err(StoreError::TransactionCanceled { .. }) => back_off(attempt).await,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

fn item_delivery(shelter: &ShelterId, d: &Delivery, i: &SupplyItem, now: Timestamp) -> Item {
    item(&keys::delivery(shelter, &d.delivery_id))
        .with("code", Value::s(i.code()))
        .with("quantity", Value::n(d.quantity.into()))
        .with("at", Value::n(now.millis()))
}

/// The shelter's lines now: the real ones, or the current drill's.
pub async fn list(
    store: &dyn Store,
    who: &Principal,
    shelter: &ShelterId,
    now: Timestamp,
) -> Result<Vec<SupplyLine>, ApiError> {
    let (_, space) = authorise(store, who, shelter, now).await?;
    let q = Query::partition(keys::shelter(shelter).pk).begins_with(keys::supply_prefix(&space));
    Ok(crate::domain::query_all(store, q).await?.iter().filter_map(line_from).collect())
}

/// Open requests of every shelter in the municipality (real, or a drill's), for HQ.
pub async fn requests(store: &dyn Store, m: &MunicipalityCode, space: &Space) -> Result<Vec<SupplyLine>, ApiError> {
    Ok(crate::domain::query_all(store, Query::gsi1(keys::supply_requests_of(m, space)))
        .await?
        .iter()
        .filter_map(line_from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_store::sqlite::SqliteStore;
    use bosai_types::auth::Role;
    use bosai_types::supplies::DiaperSize;

    #[tokio::test]
    async fn a_delivery_id_sent_again_with_other_content_is_a_conflict() {
        let s = SqliteStore::in_memory().unwrap();
        let now = Timestamp(1_795_300_000_000);
        let sample = crate::seed::demo_shelters(now).remove(0);
        s.put(crate::domain::shelters::to_item(&sample), None).await.unwrap();
        let staff = Principal {
            sub: "st".into(),
            role: Role::ShelterStaff,
            shelters: vec![sample.id.clone()],
            municipality: None,
        };
        let d = Delivery { delivery_id: "truck-0001".into(), quantity: 5 };
        let diapers = SupplyItem::InfantDiaper { size: DiaperSize::M };
        let first = deliver(&s, &staff, &sample.id, diapers, &d, now).await.unwrap();
        assert_eq!(deliver(&s, &staff, &sample.id, diapers, &d, now).await.unwrap(), first, "a resend counts once");
        // The same id for an item that has no line yet used to read that missing line: a 503.
        let other_item =
            deliver(&s, &staff, &sample.id, SupplyItem::AdultDiaper { size: DiaperSize::Xl }, &d, now).await;
        assert!(matches!(other_item, Err(ApiError::Conflict(..))), "{other_item:?}");
        let other_quantity =
            deliver(&s, &staff, &sample.id, diapers, &Delivery { quantity: 6, ..d.clone() }, now).await;
        assert!(matches!(other_quantity, Err(ApiError::Conflict(..))), "{other_quantity:?}");
        let lines = list(&s, &staff, &sample.id, now).await.unwrap();
        assert_eq!(
            lines.iter().map(|l| (l.code.as_str(), l.on_hand)).collect::<Vec<_>>(),
            vec![("infant_diaper-m", 5)]
        );
    }
}

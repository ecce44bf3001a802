//! The resident's profile item (`keys::profile`): what the card said (the basic four, 基本4情報,
//! as stored) and the area they registered. Read by sign-in, the household and notices alike,
//! so it depends on no other part of the domain.

use crate::{keys, ApiError};
use bosai_store::{attr, Condition, ItemExt, Store, StoreError, Update, Value};
use bosai_types::auth::BasicFour;
use bosai_types::surveys::AreaCode;
use bosai_types::Timestamp;
use std::collections::BTreeMap;

/// On the profile: when the resident was warned that their data will go for inactivity (ms).
pub const WARNED_AT: &str = "inactive_warned_at";

/// The month (JST, `yyyy-mm`) the profile is listed under for the inactivity sweep (`activity`).
pub(crate) fn month(t: Timestamp) -> String {
    t.jst_date()[..7].to_owned()
}

/// The profile update of a sign-in at `now`: listed under this month, no warning.
pub fn seen_update(sub: &str, now: Timestamp) -> Update {
    Update::new()
        .set(attr::GSI1_PK, Value::s(keys::active_in(&month(now))))
        .set(attr::GSI1_SK, Value::s(keys::resident_partition(sub)))
        .remove(WARNED_AT)
}

/// A token refresh: moves the profile to this month when it is listed under an earlier one (one
/// conditional write that fails cheaply the rest of the month).
pub async fn seen(store: &dyn Store, sub: &str, now: Timestamp) -> Result<(), ApiError> {
    let here = Value::s(keys::active_in(&month(now)));
    let stale = Condition::And(vec![Condition::Exists(attr::PK.into()), Condition::Ne(attr::GSI1_PK.into(), here)]);
    match store.update(&keys::profile(sub), seen_update(sub, now), Some(stale)).await {
        Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The area the resident registered (住所の地区), if any.
pub async fn registered_area(store: &dyn Store, sub: &str) -> Result<Option<AreaCode>, ApiError> {
    Ok(store.get(&keys::profile(sub)).await?.as_ref().and_then(|p| p.str("area")).and_then(|a| AreaCode::parse(a).ok()))
}

/// Substitute-character positions as stored: "0,3" (empty when every character is certain).
fn positions(p: &[u16]) -> Value {
    Value::s(p.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","))
}

fn positions_of(v: Option<&Value>) -> Vec<u16> {
    v.and_then(Value::as_str).map(|s| s.split(',').filter_map(|i| i.parse().ok()).collect()).unwrap_or_default()
}

pub(crate) fn basic_four_value(b: &BasicFour) -> Value {
    Value::M(BTreeMap::from([
        ("name".into(), Value::s(&b.name)),
        ("name_substituted".into(), positions(&b.name_substituted)),
        ("address".into(), Value::s(&b.address)),
        ("address_substituted".into(), positions(&b.address_substituted)),
        ("date_of_birth".into(), Value::s(&b.date_of_birth)),
        ("sex".into(), Value::s(&b.sex)),
    ]))
}

pub(crate) fn basic_four_of(v: &Value) -> Option<BasicFour> {
    let Value::M(m) = v else { return None };
    let g = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(BasicFour {
        name: g("name")?,
        name_substituted: positions_of(m.get("name_substituted")),
        address: g("address")?,
        address_substituted: positions_of(m.get("address_substituted")),
        date_of_birth: g("date_of_birth")?,
        sex: g("sex")?,
    })
}

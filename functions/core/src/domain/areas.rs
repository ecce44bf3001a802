//! The municipality's areas (地区): residents register in one; notices, surveys and
//! HQ's safety counts go by them.

use crate::{keys, ApiError};
use bosai_store::{attr, ItemExt, Query, Store, Update, Value};
use bosai_types::household::Area;
use bosai_types::surveys::AreaCode;
use bosai_types::MunicipalityCode;

pub async fn list(store: &dyn Store, m: &MunicipalityCode) -> Result<Vec<Area>, ApiError> {
    let item = store.get(&keys::municipality(m)).await?;
    Ok(item.as_ref().and_then(|i| i.str("areas")).and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default())
}

/// Every code names an area of the municipality.
pub async fn check(store: &dyn Store, m: &MunicipalityCode, codes: &[AreaCode]) -> Result<(), ApiError> {
    let known = list(store, m).await?;
    match codes.iter().find(|c| !known.iter().any(|a| &a.code == *c)) {
        None => Ok(()),
        Some(c) => Err(ApiError::invalid("unknown_area", "その地区はありません。一覧から選んでください。")
            .with("area", c.as_str())),
    }
}

/// A municipality's name in Japanese and English (English falls back to Japanese): a served
/// municipality's own, else the municipality list's.
pub async fn municipality_name(store: &dyn Store, m: &MunicipalityCode) -> Result<Option<(String, String)>, ApiError> {
    let item = store.get(&keys::municipality(m)).await?;
    let Some(ja) = item.as_ref().and_then(|i| i.str("name_ja")).map(str::to_owned) else {
        return Ok(crate::domain::municipality_list::listed_name(store, m).await?.map(|n| (n.clone(), n)));
    };
    let item = item.expect("named");
    let en = item.str("name_en").map(str::to_owned).unwrap_or_else(|| ja.clone());
    Ok(Some((ja, en)))
}

/// Whether this deployment serves municipality `code`: its own, or one onboarded since
/// (registered by importing its shelters). A resident of any of them is received at any shelter.
pub async fn serves(store: &dyn Store, own: &MunicipalityCode, code: &str) -> Result<bool, ApiError> {
    if code == own.as_str() {
        return Ok(true);
    }
    let Ok(m) = MunicipalityCode::parse(code) else { return Ok(false) };
    Ok(store.get(&keys::municipality(&m)).await?.is_some())
}

/// Every municipality the deployment serves (registered by [`register`]), by code.
pub async fn served(store: &dyn Store) -> Result<Vec<MunicipalityCode>, ApiError> {
    Ok(served_named(store).await?.into_iter().map(|(c, _)| c).collect())
}

/// [`served`] with each one's stored name, from the same query (the index carries the item).
pub async fn served_named(store: &dyn Store) -> Result<Vec<(MunicipalityCode, Option<String>)>, ApiError> {
    let items = crate::domain::query_all(store, Query::gsi1(keys::MUNICIPALITIES).begins_with("MUNI#")).await?;
    Ok(items
        .iter()
        .filter_map(|i| Some((MunicipalityCode::parse(i.str("code")?).ok()?, i.str("name_ja").map(str::to_owned))))
        .collect())
}

/// Records that the deployment serves `m` (the name only if none is stored yet).
pub async fn register(store: &dyn Store, m: &MunicipalityCode, name_ja: Option<&str>) -> Result<(), ApiError> {
    let mut u = Update::new()
        .set_if_absent("code", Value::s(m.as_str()))
        .set(attr::GSI1_PK, Value::s(keys::MUNICIPALITIES))
        .set(attr::GSI1_SK, Value::s(format!("MUNI#{m}")));
    let listed = match name_ja.filter(|n| !n.is_empty()) {
        Some(n) => Some(n.to_owned()),
        None => crate::domain::municipality_list::listed_name(store, m).await?,
    };
    if let Some(n) = listed {
        u = u.set_if_absent("name_ja", Value::s(n));
    }
    store.update(&keys::municipality(m), u, None).await?;
    Ok(())
}

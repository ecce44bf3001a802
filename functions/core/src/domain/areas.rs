//! The municipality's areas (地区): residents register in one; notices, surveys and
//! HQ's safety counts go by them.

use crate::{keys, ApiError};
use bosai_store::{ItemExt, Store};
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
        Some(c) => Err(ApiError::invalid(
            "unknown_area",
            format!("There is no area '{c}' in this municipality. Choose one from GET /api/areas."),
            "その地区はありません。一覧から選んでください。",
        )),
    }
}

/// A municipality's name in Japanese and English (English falls back to Japanese), if registered.
pub async fn municipality_name(store: &dyn Store, m: &MunicipalityCode) -> Result<Option<(String, String)>, ApiError> {
    let Some(item) = store.get(&keys::municipality(m)).await? else { return Ok(None) };
    let Some(ja) = item.str("name_ja").map(str::to_owned) else { return Ok(None) };
    let en = item.str("name_en").map(str::to_owned).unwrap_or_else(|| ja.clone());
    Ok(Some((ja, en)))
}

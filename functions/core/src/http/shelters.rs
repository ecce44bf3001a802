use super::{ApiPath, AppState};
use crate::domain::shelters;
use crate::ApiError;
use axum::extract::State;
use axum::Json;
use bosai_types::{Shelter, ShelterId};

pub(super) fn shelter_id(raw: &str) -> Result<ShelterId, ApiError> {
    ShelterId::parse(raw).map_err(|_| ApiError::invalid("invalid_shelter_id", "避難所IDの形式が正しくありません。"))
}

/// Public list of a municipality's shelters with congestion (the deployment's own by default).
#[utoipa::path(get, path = "/shelters", tag = "shelters", params(super::extract::MunicipalityQuery),
    responses((status = 200, body = Vec<Shelter>), (status = 400, body = bosai_types::Problem)))]
pub async fn list(
    State(st): State<AppState>,
    super::MunicipalityParam(m): super::MunicipalityParam,
) -> Result<Json<Vec<Shelter>>, ApiError> {
    let m = m.unwrap_or_else(|| st.config.municipality.clone());
    let now = bosai_types::Timestamp(crate::clock::now_millis());
    Ok(Json(st.public.list(st.store.as_ref(), &m, now).await?.as_ref().clone()))
}

#[utoipa::path(get, path = "/shelters/{id}", tag = "shelters",
    params(("id" = String, Path, description = "shelter id, e.g. 041009-aoba-katahira-es")),
    responses((status = 200, body = Shelter), (status = 400, body = bosai_types::Problem), (status = 404, body = bosai_types::Problem)))]
pub async fn get(State(st): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<Shelter>, ApiError> {
    let id = shelter_id(&id)?;
    Ok(Json(shelters::get(st.store.as_ref(), &id).await?.public()))
}

/// Open, close or mark full; optionally change capacity. Staff of this shelter, HQ, admin.
#[utoipa::path(put, path = "/shelters/{id}/status", tag = "shelters", request_body = bosai_types::ShelterStatusUpdate,
    security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path, description = "shelter id")),
    responses((status = 200, body = Shelter), (status = 400, body = bosai_types::Problem), (status = 403, body = bosai_types::Problem)))]
pub async fn set_status(
    State(st): State<AppState>,
    super::principal::ShelterManager(who): super::principal::ShelterManager,
    ApiPath(id): ApiPath<String>,
    super::ApiJson(req): super::ApiJson<bosai_types::ShelterStatusUpdate>,
) -> Result<Json<Shelter>, ApiError> {
    let id = shelter_id(&id)?;
    let now = bosai_types::Timestamp(crate::clock::now_millis());
    Ok(Json(shelters::set_status(st.store.as_ref(), &who, &id, &req, now).await?))
}

/// Set what a shelter has (設備) and, optionally, how many it holds: what the published list does
/// not say. Staff of this shelter, its HQ, its municipality's admin. Sending it again changes nothing.
#[utoipa::path(put, path = "/shelters/{id}/facilities", tag = "shelters", request_body = bosai_types::shelter::ShelterFacilitiesUpdate,
    security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path, description = "shelter id")),
    responses((status = 200, body = Shelter), (status = 400, body = bosai_types::Problem), (status = 403, body = bosai_types::Problem), (status = 404, body = bosai_types::Problem)))]
pub async fn set_facilities(
    State(st): State<AppState>,
    super::principal::ShelterManager(who): super::principal::ShelterManager,
    ApiPath(id): ApiPath<String>,
    super::ApiJson(req): super::ApiJson<bosai_types::shelter::ShelterFacilitiesUpdate>,
) -> Result<Json<Shelter>, ApiError> {
    let id = shelter_id(&id)?;
    let now = bosai_types::Timestamp(crate::clock::now_millis());
    Ok(Json(shelters::set_facilities(st.store.as_ref(), &who, &id, &req, now).await?))
}

super::routes::operations!(list, get, set_status, set_facilities);

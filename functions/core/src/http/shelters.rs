use super::AppState;
use crate::domain::shelters;
use crate::ApiError;
use axum::extract::{Path, State};
use axum::Json;
use bosai_types::{Shelter, ShelterId};

/// Public list of the municipality's shelters with congestion.
#[utoipa::path(get, path = "/api/shelters", tag = "shelters",
    responses((status = 200, body = Vec<Shelter>)))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<Shelter>>, ApiError> {
    Ok(Json(shelters::list(st.store.as_ref(), &st.config.municipality).await?))
}

#[utoipa::path(get, path = "/api/shelters/{id}", tag = "shelters",
    params(("id" = String, Path, description = "shelter id, e.g. aoba-katahira-es")),
    responses((status = 200, body = Shelter), (status = 400, body = bosai_types::Problem), (status = 404, body = bosai_types::Problem)))]
pub async fn get(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<Shelter>, ApiError> {
    let id = ShelterId::parse(&id).map_err(|e| ApiError::invalid("invalid_shelter_id", e.to_string(), "避難所IDの形式が正しくありません。"))?;
    Ok(Json(shelters::get(st.store.as_ref(), &id).await?))
}

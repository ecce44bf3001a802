//! Supplies: stock and requests per shelter, deliveries, and HQ's list of open requests.

use super::principal::{HqOrAdmin, ShelterManager};
use super::{ApiJson, ApiPath, AppState};
use crate::domain::supplies;
use crate::ApiError;
use axum::extract::State;
use axum::Json;
use bosai_types::supplies::{Delivery, StockUpdate, SupplyItem, SupplyLine};
use bosai_types::{Problem, Timestamp};

super::routes::operations!(list, set_stock, deliver, requests);

fn ids(shelter: &str, item: &str) -> Result<(bosai_types::ShelterId, SupplyItem), ApiError> {
    let shelter = super::shelters::shelter_id(shelter)?;
    let item = SupplyItem::parse_code(item)
        .ok_or_else(|| ApiError::invalid("unknown_item", "物資の品目が正しくありません。"))?;
    Ok((shelter, item))
}

fn now() -> Timestamp {
    Timestamp(crate::clock::now_millis())
}

/// Stock and requests of the shelter.
#[utoipa::path(get, path = "/shelters/{id}/supplies", tag = "supplies", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<SupplyLine>), (status = 403, body = Problem)))]
async fn list(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<SupplyLine>>, ApiError> {
    let shelter = super::shelters::shelter_id(&id)?;
    Ok(Json(supplies::list(st.store.as_ref(), &who, &shelter, now()).await?))
}

/// Counted stock and the quantity requested from HQ (0 closes the request).
#[utoipa::path(put, path = "/shelters/{id}/supplies/{item}", tag = "supplies", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path), ("item" = String, Path, description = "catalog code, e.g. infant_diaper-m")), request_body = StockUpdate,
    responses((status = 200, body = SupplyLine), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn set_stock(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath((id, item)): ApiPath<(String, String)>,
    ApiJson(u): ApiJson<StockUpdate>,
) -> Result<Json<SupplyLine>, ApiError> {
    let (shelter, item) = ids(&id, &item)?;
    Ok(Json(supplies::set_stock(st.store.as_ref(), &who, &shelter, item, u, now()).await?))
}

/// A delivery arrived: stock goes up and the request down, once per delivery id.
#[utoipa::path(post, path = "/shelters/{id}/supplies/{item}/deliveries", tag = "supplies", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path), ("item" = String, Path)), request_body = Delivery,
    responses((status = 200, body = SupplyLine), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "this delivery id was used for another item or quantity")))]
async fn deliver(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath((id, item)): ApiPath<(String, String)>,
    ApiJson(d): ApiJson<Delivery>,
) -> Result<Json<SupplyLine>, ApiError> {
    let (shelter, item) = ids(&id, &item)?;
    Ok(Json(supplies::deliver(st.store.as_ref(), &who, &shelter, item, &d, now()).await?))
}

/// Open supply requests of every shelter in the municipality: the current incident's (a
/// drill's while one runs), or `?incident=real` / a drill's id.
#[utoipa::path(get, path = "/hq/supply-requests", tag = "supplies", security(("bearer" = ["HqOrAdmin"])), params(super::hq::IncidentQuery),
    responses((status = 200, body = Vec<SupplyLine>), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such incident of this municipality")))]
async fn requests(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    q: super::hq::IncidentParam,
) -> Result<Json<Vec<SupplyLine>>, ApiError> {
    let m = super::principal::hq_municipality(&p, &st).await?;
    let (space, _) = super::hq::viewed(st.store.as_ref(), &m, q, now()).await?;
    Ok(Json(supplies::requests(st.store.as_ref(), &m, &space).await?))
}

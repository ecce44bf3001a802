//! HQ's dashboard summary.

use super::principal::{HqOrAdmin, PrefectureHqOrAdmin};
use super::routes::{Access, RouteSpec};
use super::AppState;
use crate::domain::hq;
use crate::ApiError;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use bosai_types::hq::{HqSummary, PrefectureSummary};
use bosai_types::{Problem, Timestamp};

pub fn router() -> Router<AppState> {
    Router::new().route("/hq/summary", get(summary)).route("/hq/prefecture", get(prefecture))
}

pub const ROUTES: &[RouteSpec] = &[
    RouteSpec { method: "GET", path: "/api/hq/summary", access: Access::Roles(HqOrAdmin::ROLES) },
    RouteSpec { method: "GET", path: "/api/hq/prefecture", access: Access::Roles(PrefectureHqOrAdmin::ROLES) },
];

#[derive(utoipa::OpenApi)]
#[openapi(paths(summary, prefecture), components(schemas(PrefectureSummary)))]
pub struct Doc;

/// Evacuees per shelter against capacity, their sex, age bands, allergies and other needs,
/// safety reports by area, and open supply requests against stock. Counts only.
#[utoipa::path(get, path = "/api/hq/summary", tag = "hq", security(("bearer" = [])),
    responses((status = 200, body = HqSummary), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn summary(HqOrAdmin(p): HqOrAdmin, State(st): State<AppState>) -> Result<Json<HqSummary>, ApiError> {
    // HQ sees its own municipality (one deployment serves several).
    let m = super::principal::hq_municipality(&p, &st).await?;
    let now = Timestamp(crate::clock::now_millis());
    Ok(Json(hq::summary(st.store.as_ref(), &m, now).await?))
}

/// The prefecture at a glance (県災害対策本部): per municipality, shelters open, people against
/// capacity, evacuees hosted from and away to other municipalities, and the prefecture's
/// headcount by sex, age and needs. Counts only: the prefecture role reads no person.
#[utoipa::path(get, path = "/api/hq/prefecture", tag = "hq", security(("bearer" = [])),
    responses((status = 200, body = PrefectureSummary), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn prefecture(PrefectureHqOrAdmin(p): PrefectureHqOrAdmin, State(st): State<AppState>) -> Result<Json<PrefectureSummary>, ApiError> {
    let pref = p.prefecture(&st.config.municipality).ok_or(ApiError::Forbidden)?;
    let now = Timestamp(crate::clock::now_millis());
    Ok(Json(hq::prefecture_summary(st.store.as_ref(), &pref, now).await?))
}

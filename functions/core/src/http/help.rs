//! HQ's requests for help (救助要請): the list, and HQ's steps on each (対応中, 対応済み).

use super::principal::{hq_municipality, HqOrAdmin};
use super::{ApiJson, ApiPath, AppState};
use crate::clock::now_millis;
use crate::domain::{audit, help_list};
use crate::ApiError;
use axum::extract::State;
use axum::Json;
use bosai_store::Value;
use bosai_types::household::{HelpRequest, HelpState, HelpStateChange};
use bosai_types::{Problem, Timestamp};

super::routes::operations!(help_requests, set_help_state);

fn now() -> Timestamp {
    Timestamp(now_millis())
}

/// Open "needs help" reports of the municipality, newest first, those marked handled (対応済み)
/// last: of the current incident's (a drill's while one runs), or `?incident=real` / a drill's id.
#[utoipa::path(get, path = "/hq/help-requests", tag = "hq", security(("bearer" = ["HqOrAdmin"])), params(super::hq::IncidentQuery),
    responses((status = 200, body = Vec<HelpRequest>), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such incident of this municipality")))]
async fn help_requests(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    q: super::hq::IncidentParam,
) -> Result<Json<Vec<HelpRequest>>, ApiError> {
    let m = hq_municipality(&p, &st).await?;
    let (space, _) = super::hq::viewed(st.store.as_ref(), &m, q, now()).await?;
    let list = help_list::help_requests(st.store.as_ref(), &m, &space).await?;
    // Names and where people are: a read of personal data, audited.
    let details = [("rows", Value::n(list.len() as i64))];
    audit::record(st.store.as_ref(), &m, now(), "help_requests_view", &p.sub, details).await?;
    Ok(Json(list))
}

/// HQ's step on a request: `in_progress` (対応中), `resolved` (対応済み) or back to `open`. The
/// person sees it on their household card. The same step again changes nothing; a request the
/// person has since replaced with another report is not found (reload the list).
#[utoipa::path(put, path = "/hq/help-requests/{report_id}", tag = "hq", security(("bearer" = ["HqOrAdmin"])),
    params(("report_id" = String, Path), super::hq::IncidentQuery), request_body = HelpStateChange,
    responses((status = 200, body = HelpRequest), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such request (or no longer open: the person reported again)")))]
async fn set_help_state(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    ApiPath(report_id): ApiPath<String>,
    q: super::hq::IncidentParam,
    ApiJson(body): ApiJson<HelpStateChange>,
) -> Result<Json<HelpRequest>, ApiError> {
    let m = hq_municipality(&p, &st).await?;
    let (space, _) = super::hq::viewed(st.store.as_ref(), &m, q, now()).await?;
    let r = help_list::set_state(st.store.as_ref(), &m, &space, &report_id, body.state, now()).await?;
    // Who changed what, for the record (the request's id only: no names in the log).
    let state = r.progress.map_or(HelpState::Open, |p| p.state).code();
    let details = [("report_id", Value::s(&report_id)), ("state", Value::s(state))];
    audit::record(st.store.as_ref(), &m, now(), "help_request_state", &p.sub, details).await?;
    Ok(Json(r))
}

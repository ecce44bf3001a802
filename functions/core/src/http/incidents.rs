//! Incidents (災害) and drills (訓練): the public list of open ones (for the 訓練 banner) and
//! HQ's open, close and list.

use super::principal::IncidentCommand;
use super::{ApiJson, ApiPath, AppState};
use crate::clock::now_millis;
use crate::domain::{incidents, lifecycle};
use crate::ApiError;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use bosai_types::auth::Role;
use bosai_types::incident::{Incident, OpenIncident};
use bosai_types::{Problem, Timestamp};

super::routes::operations!(open_now, list, open, close);

/// Incidents and drills open now, in every municipality (names and kinds only): the apps show
/// a 訓練 banner while a drill is their municipality's current incident.
#[utoipa::path(get, path = "/incidents", tag = "incidents", responses((status = 200, body = Vec<Incident>)))]
async fn open_now(State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let open = incidents::open_now(st.store.as_ref(), Timestamp(now_millis())).await?;
    Ok(([(header::CACHE_CONTROL, "public, max-age=30")], Json(open)))
}

/// The incidents and drills HQ may command, newest first, closed ones included.
#[utoipa::path(get, path = "/hq/incidents", tag = "incidents", security(("bearer" = ["IncidentCommand"])),
    responses((status = 200, body = Vec<Incident>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(IncidentCommand(p): IncidentCommand, State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let mut all = incidents::all(st.store.as_ref()).await?;
    all.retain(|i| i.municipalities.iter().any(|m| incidents::may_command(&p, m)));
    all.reverse();
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(all)))
}

/// Open an incident or a drill. Without `municipalities`, HQ's own. A resend with the same
/// `incident_id` answers the incident opened the first time.
#[utoipa::path(post, path = "/hq/incidents", tag = "incidents", security(("bearer" = ["IncidentCommand"])), request_body = OpenIncident,
    responses((status = 200, body = Incident), (status = 400, body = Problem, description = "invalid fields, unknown municipality or area"),
        (status = 403, body = Problem), (status = 409, body = Problem, description = "`incident_id_taken`")))]
async fn open(
    IncidentCommand(p): IncidentCommand,
    State(st): State<AppState>,
    ApiJson(req): ApiJson<OpenIncident>,
) -> Result<Json<Incident>, ApiError> {
    // A municipality's HQ or admin acts for its own; the prefecture and a deployment-wide admin name them.
    let own = match p.role {
        Role::Hq | Role::Admin => p.municipality.clone().or_else(|| Some(st.config.municipality.clone())),
        _ => None,
    };
    Ok(Json(lifecycle::open(st.store.as_ref(), &p, own.as_ref(), &req, Timestamp(now_millis())).await?))
}

/// Close an incident. A drill's personal data (its rosters and check-ins) is deleted now and
/// its counts kept; a real incident's personal data expires after the retention period.
#[utoipa::path(post, path = "/hq/incidents/{id}/close", tag = "incidents", security(("bearer" = ["IncidentCommand"])),
    params(("id" = String, Path)),
    responses((status = 200, body = Incident), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`incident_already_closed`")))]
async fn close(
    IncidentCommand(p): IncidentCommand,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Incident>, ApiError> {
    if !bosai_types::checkin::valid_event_id(&id) {
        return Err(ApiError::NotFound("災害・訓練"));
    }
    Ok(Json(lifecycle::close(st.store.as_ref(), &p, &id, st.config.retention_days, Timestamp(now_millis())).await?))
}

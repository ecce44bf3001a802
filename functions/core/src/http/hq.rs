//! HQ's dashboard summary and the audit log.

use super::principal::{HqOrAdmin, PrefectureHqOrAdmin};
use super::AppState;
use crate::domain::{audit, hq, incidents};
use crate::keys::Space;
use crate::ApiError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use bosai_types::audit::{AuditEntry, AuditFilter};
use bosai_types::hq::{AwayPerson, HqSummary, PrefectureSummary};
use bosai_types::incident::IncidentKind;
use bosai_types::{Problem, Timestamp};

super::routes::operations!(summary, prefecture, away, audit_json, audit_csv);

/// Evacuees per shelter against capacity, their sex, age bands, allergies and other needs,
/// safety reports by area, and open supply requests against stock. Counts only.
#[utoipa::path(get, path = "/hq/summary", tag = "hq", security(("bearer" = ["HqOrAdmin"])), params(IncidentQuery),
    responses((status = 200, body = HqSummary), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such incident of this municipality")))]
async fn summary(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    q: IncidentParam,
) -> Result<Json<HqSummary>, ApiError> {
    // HQ sees its own municipality (one deployment serves several).
    let m = super::principal::hq_municipality(&p, &st).await?;
    let now = Timestamp(crate::clock::now_millis());
    let (space, drill) = viewed(st.store.as_ref(), &m, q, now).await?;
    let mut out = hq::summary(st.store.as_ref(), &m, &space, now).await?;
    out.drill = drill;
    Ok(Json(out))
}

/// `?incident=`: an incident or drill id, or `real` (lists also `all` and `none`). Left out: the
/// incident open now (everything on the notice and survey lists when none is).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct IncidentQuery {
    #[param(max_length = 64)]
    incident: Option<String>,
}

pub(super) type IncidentParam = Result<Query<IncidentQuery>, axum::extract::rejection::QueryRejection>;

/// An HQ list's `?incident=` (`all`, `real`, `none`, an incident id; the incident open now for
/// `m` when left out, everything when none is).
pub(super) async fn list_filter(
    store: &dyn bosai_store::Store,
    m: &bosai_types::MunicipalityCode,
    q: IncidentParam,
) -> Result<incidents::ListFilter, ApiError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let filter = incidents::ListFilter::parse(q.incident.as_deref())?;
    if filter != incidents::ListFilter::Current {
        return Ok(filter);
    }
    let now = Timestamp(crate::clock::now_millis());
    Ok(filter.resolve(&incidents::all(store).await?, m, now))
}

/// What an HQ view of municipality `m` shows: the real data, or a drill's (with the drill). The
/// current incident by default (a drill when one runs and no real incident is open), `real`, or
/// one by id.
pub(super) async fn viewed(
    store: &dyn bosai_store::Store,
    m: &bosai_types::MunicipalityCode,
    q: IncidentParam,
    now: Timestamp,
) -> Result<(Space, Option<bosai_types::incident::Incident>), ApiError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    if q.incident.as_deref().is_some_and(|i| i.chars().count() > 64) {
        return Err(ApiError::invalid("invalid_filter", "災害・訓練の指定が正しくありません。"));
    }
    let drill = match q.incident.as_deref() {
        None | Some("") => incidents::space_now(store, m, now).await?.1,
        Some("real") => None,
        Some(id) => {
            let inc = incidents::get(store, id).await?;
            if !inc.municipalities.contains(m) {
                return Err(ApiError::NotFound("災害・訓練"));
            }
            (inc.kind == IncidentKind::Drill).then_some(inc)
        }
    };
    Ok((drill.as_ref().map_or(Space::Real, |d| Space::Drill(d.id.clone())), drill))
}

/// The prefecture at a glance (県災害対策本部): per municipality, shelters open, people against
/// capacity, evacuees hosted from and away to other municipalities, and the prefecture's
/// headcount by sex, age and needs. Counts only: the prefecture role reads no person.
#[utoipa::path(get, path = "/hq/prefecture", tag = "hq", security(("bearer" = ["PrefectureHqOrAdmin"])),
    responses((status = 200, body = PrefectureSummary), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn prefecture(
    PrefectureHqOrAdmin(p): PrefectureHqOrAdmin,
    State(st): State<AppState>,
) -> Result<Json<PrefectureSummary>, ApiError> {
    let pref = p.prefecture(&st.config.municipality).ok_or(ApiError::Forbidden)?;
    let now = Timestamp(crate::clock::now_millis());
    Ok(Json(hq::prefecture_summary(st.store.as_ref(), &pref, now).await?))
}

/// The municipality's residents checked in at other municipalities' shelters, person by
/// person: name, birth year, shelter, host and since when (no needs). Audited (`away_view`).
#[utoipa::path(get, path = "/hq/away", tag = "hq", security(("bearer" = ["HqOrAdmin"])),
    responses((status = 200, body = Vec<AwayPerson>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn away(HqOrAdmin(p): HqOrAdmin, State(st): State<AppState>) -> Result<Json<Vec<AwayPerson>>, ApiError> {
    let m = super::principal::hq_municipality(&p, &st).await?;
    let list = crate::domain::away::people(st.store.as_ref(), &m).await?;
    let details = [("rows", bosai_store::Value::n(list.len() as i64))];
    audit::record(st.store.as_ref(), &m, Timestamp(crate::clock::now_millis()), "away_view", &p.sub, details).await?;
    Ok(Json(list))
}

type FilterQuery = Result<Query<AuditFilter>, axum::extract::rejection::QueryRejection>;

/// One day of the municipality's audit log, filtered; reading it is itself audited.
async fn audited_log(
    st: &AppState,
    p: &crate::auth::Principal,
    q: FilterQuery,
    action: &str,
) -> Result<Vec<AuditEntry>, ApiError> {
    let Query(f) = q.map_err(|e| {
        ApiError::invalid("invalid_filter", "絞り込みの条件が正しくありません。").with("detail", e.body_text())
    })?;
    let m = super::principal::hq_municipality(p, st).await?;
    let now = Timestamp(crate::clock::now_millis());
    let entries = audit::list(st.store.as_ref(), &m, &f, now).await?;
    let details = [
        ("filter", bosai_store::Value::s(serde_json::to_string(&f).unwrap_or_default())),
        ("rows", bosai_store::Value::n(entries.len() as i64)),
    ];
    audit::record(st.store.as_ref(), &m, now, action, &p.sub, details).await?;
    Ok(entries)
}

/// Who read or changed personal data, when (監査ログ): one day, newest first, by who, what and
/// which shelter. Audited as `audit_view`.
#[utoipa::path(get, path = "/hq/audit", tag = "hq", security(("bearer" = ["HqOrAdmin"])), params(AuditFilter),
    responses((status = 200, body = Vec<AuditEntry>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn audit_json(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    q: FilterQuery,
) -> Result<impl IntoResponse, ApiError> {
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(audited_log(&st, &p, q, "audit_view").await?)))
}

/// The same as CSV (UTF-8 with BOM), audited as `audit_export`.
#[utoipa::path(get, path = "/hq/audit.csv", tag = "hq", security(("bearer" = ["HqOrAdmin"])), params(AuditFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn audit_csv(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    q: FilterQuery,
) -> Result<impl IntoResponse, ApiError> {
    let entries = audited_log(&st, &p, q, "audit_export").await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        audit::csv(&entries),
    ))
}

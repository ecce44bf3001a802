//! Shelter operations: batches of scans from staff devices (also offline ones),
//! the poster code, the roster and its CSV export; and the resident's poster check-in.

use super::principal::{ResidentOnly, ShelterManager};
use super::{ApiJson, ApiPath, AppState};
use crate::auth::Principal;
use crate::clock::{now_millis, now_seconds};
use crate::domain::{checkin, desk, roster, scan_preview, scans, shelters};
use crate::ApiError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use bosai_types::checkin::{
    parse_record, valid_device_id, Location, PosterCheckIn, RecordOutcome, ScanBatch, ScanBatchResult,
    MAX_BATCH_RECORDS,
};
use bosai_types::desk::{DeskClaim, DeskRegistered, DeskRegistration};
use bosai_types::household::HouseholdView;
use bosai_types::roster::{ManualCheckOut, RosterEntry, RosterFilter};
use bosai_types::scan_preview::{ScanPreview, ScanPreviewRequest};
use bosai_types::{MunicipalityCode, Problem, ShelterId, Timestamp};

super::routes::operations!(
    scans,
    scan_preview,
    poster,
    roster_json,
    roster_csv,
    past_rosters,
    manual_check_out,
    delete_desk_person,
    desk_register,
    poster_check_in,
    desk_claim
);

/// The shelter, if this principal may act for it.
async fn managed(st: &AppState, who: &Principal, raw_id: &str) -> Result<ShelterId, ApiError> {
    Ok(managed_in(st, who, raw_id).await?.0)
}

/// [`managed`] with the shelter's municipality.
async fn managed_in(st: &AppState, who: &Principal, raw_id: &str) -> Result<(ShelterId, MunicipalityCode), ApiError> {
    let id = super::shelters::shelter_id(raw_id)?;
    let shelter = shelters::get(st.store.as_ref(), &id).await?;
    if !who.may_manage_shelter(&id, &shelter.municipality) {
        return Err(ApiError::Forbidden);
    }
    Ok((id, shelter.municipality))
}

/// Scans recorded by a staff device, sent when it is online. Each record is
/// answered on its own: stored, duplicate (seen before) or rejected with a reason.
#[utoipa::path(post, path = "/shelters/{id}/scans", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path)), request_body = ScanBatch,
    responses((status = 200, body = ScanBatchResult), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn scans(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(batch): ApiJson<ScanBatch>,
) -> Result<Json<ScanBatchResult>, ApiError> {
    let (shelter, host) = managed_in(&st, &who, &id).await?;
    // Read once per batch: whether each scan is real or a drill's goes by its own time.
    let incidents = crate::domain::incidents::all(st.store.as_ref()).await?;
    let host = scans::Host { shelter: &shelter, municipality: &host, incidents: &incidents };
    if !valid_device_id(&batch.device_id) {
        return Err(ApiError::invalid("invalid_device_id", "端末IDの形式が正しくありません。"));
    }
    if batch.records.len() > MAX_BATCH_RECORDS {
        return Err(ApiError::invalid("batch_too_large", "一度に送れるのは200件までです。"));
    }
    let recorded_by = format!("{}@{}", who.sub, batch.device_id);
    let mut results = Vec::with_capacity(batch.records.len());
    for (index, raw) in batch.records.into_iter().enumerate() {
        let (event_id, record) = parse_record(raw);
        let outcome = match record {
            Err(rejection) => Err(rejection),
            Ok(record) => {
                let now = Timestamp(now_millis());
                scans::apply_scan(
                    st.store.as_ref(),
                    &st.auth,
                    &st.config.municipality,
                    &host,
                    &record,
                    &recorded_by,
                    now,
                )
                .await?
            }
        };
        results.push(checkin::result(index, event_id, outcome));
    }
    Ok(Json(ScanBatchResult { results }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Poster {
    /// Signed shelter code to print as a QR code.
    code: String,
    /// Path the resident's phone opens (prefix with the app's origin).
    path: String,
}

/// The shelter's poster code (print it at the entrance).
#[utoipa::path(get, path = "/shelters/{id}/poster", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path)), responses((status = 200, body = Poster), (status = 403, body = Problem)))]
async fn poster(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = managed(&st, &who, &id).await?;
    // Signed for the shelter's own municipality: a deployment serves several.
    let municipality = shelters::get(st.store.as_ref(), &id).await?.municipality;
    let code = checkin::poster(&st.auth, &municipality, &id, now_seconds()).await?;
    Ok(Json(Poster { path: format!("/c/{code}"), code }))
}

fn filter(q: Result<Query<RosterFilter>, axum::extract::rejection::QueryRejection>) -> Result<RosterFilter, ApiError> {
    q.map(|Query(f)| f).map_err(|e| {
        ApiError::invalid("invalid_filter", "絞り込みの条件が正しくありません。").with("detail", e.body_text())
    })
}

async fn audited_roster(
    st: &AppState,
    who: &Principal,
    id: &str,
    f: &RosterFilter,
    action: &str,
) -> Result<(ShelterId, Vec<RosterEntry>), ApiError> {
    let (shelter, municipality) = managed_in(st, who, id).await?;
    let now = Timestamp(now_millis());
    // During a drill, the drill's roster (the app shows the 訓練 banner).
    let (space, _) = crate::domain::incidents::space_now(st.store.as_ref(), &municipality, now).await?;
    let entries = roster::list(st.store.as_ref(), &shelter, &space, f, now).await?;
    let access = roster::RosterAccess { action, actor: &who.sub, shelter: &shelter, filter: f, rows: entries.len() };
    // In the log of the shelter's municipality, whose HQ reads it.
    roster::audit(st.store.as_ref(), &municipality, access, now).await?;
    Ok((shelter, entries))
}

/// Who a scanned QR code names (names, ages, where each is checked in now), for staff to
/// see before confirming. Checks the code as a scan would; audited like a roster view.
#[utoipa::path(post, path = "/shelters/{id}/scan-preview", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path)), request_body = ScanPreviewRequest,
    responses((status = 200, body = ScanPreview), (status = 400, body = Problem, description = "expired, revoked, another municipality's or not a check-in QR code"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn scan_preview(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ScanPreviewRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let shelter = managed(&st, &who, &id).await?;
    let now = Timestamp(now_millis());
    let preview = scan_preview::preview(
        st.store.as_ref(),
        &st.auth,
        &st.config.municipality,
        &shelter,
        &who.sub,
        &req.credential,
        now,
    )
    .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(preview)))
}

/// People present at the shelter, filtered (audited).
#[utoipa::path(get, path = "/shelters/{id}/roster", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path), RosterFilter), responses((status = 200, body = Vec<RosterEntry>), (status = 403, body = Problem)))]
async fn roster_json(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    q: Result<Query<RosterFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let f = filter(q)?;
    let (_, entries) = audited_roster(&st, &who, &id, &f, "roster_view").await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(entries)))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PastQuery {
    /// One incident's id; every real incident whose records are still kept when left out.
    #[param(max_length = 64)]
    incident: Option<String>,
}

/// Who stayed at the shelter during real incidents, past or current, whose personal data is
/// still kept (name, birth year, sex, home, arrival and departure; no needs). Audited.
#[utoipa::path(get, path = "/shelters/{id}/roster/past", tag = "shelter", security(("bearer" = ["ShelterManager"])), params(("id" = String, Path), PastQuery),
    responses((status = 200, body = Vec<bosai_types::roster::PastRoster>), (status = 400, body = Problem, description = "a drill's (deleted when it ended)"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "the incident's personal data was purged")))]
async fn past_rosters(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    q: Result<Query<PastQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    // Empty is left out, as on HQ's views (schemathesis sent `?incident=`).
    let q = PastQuery { incident: q.map(|Query(q)| q).unwrap_or_default().incident.filter(|i| !i.is_empty()) };
    if q.incident.as_deref().is_some_and(|i| i.chars().count() > 64) {
        return Err(ApiError::invalid("invalid_filter", "災害の指定が正しくありません。"));
    }
    let (shelter, municipality) = managed_in(&st, &who, &id).await?;
    let rosters =
        crate::domain::stays::past_rosters(st.store.as_ref(), &municipality, &shelter, q.incident.as_deref()).await?;
    let rows: usize = rosters.iter().map(|r| r.stays.len()).sum();
    let details = [("shelter", bosai_store::Value::s(shelter.as_str())), ("rows", bosai_store::Value::n(rows as i64))];
    crate::domain::audit::record(
        st.store.as_ref(),
        &municipality,
        Timestamp(now_millis()),
        "past_roster_view",
        &who.sub,
        details,
    )
    .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(rosters)))
}

/// The same roster as CSV (UTF-8 with BOM for Excel), audited as an export.
#[utoipa::path(get, path = "/shelters/{id}/roster.csv", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path), RosterFilter), responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
async fn roster_csv(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    q: Result<Query<RosterFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let f = filter(q)?;
    let (shelter, entries) = audited_roster(&st, &who, &id, &f, "roster_export").await?;
    let disposition = format!("attachment; filename=\"roster-{shelter}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        roster::csv(&entries),
    ))
}

/// Check out someone who left without scanning (audited); a resend is a no-op.
#[utoipa::path(post, path = "/shelters/{id}/roster/{entry}/check-out", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path), ("entry" = String, Path, description = "`entry_id` of the roster row")), request_body = ManualCheckOut,
    responses((status = 200, body = RecordOutcome), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "not on this shelter's roster")))]
async fn manual_check_out(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath((id, entry)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ManualCheckOut>,
) -> Result<Json<RecordOutcome>, ApiError> {
    let (shelter, municipality) = managed_in(&st, &who, &id).await?;
    let now = Timestamp(now_millis());
    Ok(Json(roster::check_out_by_hand(st.store.as_ref(), &municipality, &shelter, &entry, &req, &who.sub, now).await?))
}

/// Delete the record of someone registered at the desk (no card, no phone) who asks for it:
/// off the roster and counters, history and desk entry (audited). Card holders delete their own.
#[utoipa::path(delete, path = "/shelters/{id}/roster/{entry}", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path), ("entry" = String, Path, description = "`entry_id` of the roster row")),
    responses((status = 204, description = "deleted"), (status = 400, body = Problem, description = "a card holder (`not_a_desk_record`)"),
        (status = 403, body = Problem), (status = 404, body = Problem, description = "not on this shelter's roster")))]
async fn delete_desk_person(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath((id, entry)): ApiPath<(String, String)>,
) -> Result<axum::http::StatusCode, ApiError> {
    let (shelter, municipality) = managed_in(&st, &who, &id).await?;
    roster::delete_desk_person(st.store.as_ref(), &municipality, &shelter, &entry, &who.sub, Timestamp(now_millis()))
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The resident scanned a shelter's poster: check them and the chosen members in.
#[utoipa::path(post, path = "/me/checkins", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = PosterCheckIn,
    responses((status = 200, body = Vec<Location>), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn poster_check_in(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(req): ApiJson<PosterCheckIn>,
) -> Result<Json<Vec<Location>>, ApiError> {
    let now = Timestamp(now_millis());
    Ok(Json(checkin::poster_check_in(st.store.as_ref(), &st.auth, &st.config.municipality, &p.sub, &req, now).await?))
}

/// Register people who have no card or phone (unverified), optionally checking them in; returns the QR to print.
#[utoipa::path(post, path = "/shelters/{id}/desk-registrations", tag = "shelter", security(("bearer" = ["ShelterManager"])),
    params(("id" = String, Path)), request_body = DeskRegistration,
    responses((status = 200, body = DeskRegistered), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn desk_register(
    ShelterManager(who): ShelterManager,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(reg): ApiJson<DeskRegistration>,
) -> Result<Json<DeskRegistered>, ApiError> {
    let shelter = managed(&st, &who, &id).await?;
    let now = Timestamp(now_millis());
    Ok(Json(desk::register(st.store.as_ref(), &st.auth, &st.config.municipality, &shelter, &who.sub, &reg, now).await?))
}

/// A card holder claims the desk record they were given: its people join their household.
#[utoipa::path(post, path = "/me/claim", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = DeskClaim,
    responses((status = 200, body = HouseholdView), (status = 400, body = Problem)))]
async fn desk_claim(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(req): ApiJson<DeskClaim>,
) -> Result<Json<HouseholdView>, ApiError> {
    let now = Timestamp(now_millis());
    Ok(Json(desk::claim(st.store.as_ref(), &st.auth, &st.config.municipality, &p.sub, &req, now).await?))
}

//! Resident flows: household, needs, safety, check-in QR, my data.

use super::principal::{resident_municipality, ResidentOnly};
use super::{ApiJson, ApiPath, AppState, DeviceTimesHeaders, MadeAt, MunicipalityParam};
use crate::clock::{now_millis, now_seconds};
use crate::domain::{consent, credential, household, mydata, safety};
use crate::ApiError;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use bosai_types::checkin::{CheckInCredential, CredentialRequest};
use bosai_types::consent::{Consent, ConsentInput};
use bosai_types::household::{
    AreaRegistration, DeleteConfirmation, Home, HomeChoice, HouseholdView, Member, MemberId, MemberInput,
    MunicipalityChoice, MyData,
};
use bosai_types::needs::{Needs, NeedsInput};
use bosai_types::safety::{SafetyReport, SafetyReportInput};
use bosai_types::{Problem, Timestamp};

super::routes::operations!(
    view,
    put_member,
    remove_member,
    put_needs,
    give_consent,
    withdraw_consent,
    report,
    history,
    checkin_credential,
    export,
    delete_me,
    set_area,
    set_home,
    municipalities,
    areas
);

fn member_id(raw: &str) -> Result<MemberId, ApiError> {
    MemberId::parse(raw).map_err(household::household_error)
}

fn now() -> Timestamp {
    Timestamp(now_millis())
}

/// The household with each member's needs and latest safety report.
#[utoipa::path(get, path = "/household", tag = "resident", security(("bearer" = ["ResidentOnly"])),
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem)))]
async fn view(ResidentOnly(p): ResidentOnly, State(st): State<AppState>) -> Result<Json<HouseholdView>, ApiError> {
    Ok(Json(crate::domain::household_view::view(st.store.as_ref(), &p.sub).await?))
}

/// Add or edit a member; the app picks the id, so a retry never adds twice.
#[utoipa::path(put, path = "/household/members/{member_id}", tag = "resident", security(("bearer" = ["ResidentOnly"])),
    params(("member_id" = String, Path), DeviceTimesHeaders), request_body = MemberInput,
    responses((status = 200, body = Member), (status = 400, body = Problem)))]
async fn put_member(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    MadeAt(made): MadeAt,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> Result<Json<Member>, ApiError> {
    Ok(Json(household::put_member(st.store.as_ref(), &p.sub, &member_id(&id)?, input, made).await?))
}

/// Remove a member with their needs and safety reports (idempotent).
#[utoipa::path(delete, path = "/household/members/{member_id}", tag = "resident", security(("bearer" = ["ResidentOnly"])),
    // Any member id but `self`: the resident themself cannot be removed (400 `self_member`).
    params(("member_id" = String, Path, pattern = "^(?:[A-Za-z0-9_-]{1,3}|[A-Za-z0-9_-]{5,40}|[A-Za-rt-z0-9_-][A-Za-z0-9_-]{3}|s[A-Za-df-z0-9_-][A-Za-z0-9_-]{2}|se[A-Za-km-z0-9_-][A-Za-z0-9_-]|sel[A-Za-eg-z0-9_-])$")),
    responses((status = 204, description = "removed"), (status = 400, body = Problem)))]
async fn remove_member(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    crate::domain::erasure::remove_member(st.store.as_ref(), &p.sub, &member_id(&id)?, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replace a member's allergy, dietary, medical and care needs.
#[utoipa::path(put, path = "/household/members/{member_id}/needs", tag = "resident", security(("bearer" = ["ResidentOnly"])),
    params(("member_id" = String, Path), DeviceTimesHeaders), request_body = NeedsInput,
    responses((status = 200, body = Needs), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn put_needs(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    MadeAt(made): MadeAt,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<NeedsInput>,
) -> Result<Json<Needs>, ApiError> {
    Ok(Json(household::put_needs(st.store.as_ref(), &p.sub, &member_id(&id)?, input, made).await?))
}

/// Agree to the collection of allergies, medical and care needs (the text of `version`, shown by
/// the app). Needs are refused without it (400 `consent_required`). Agreeing again is a no-op.
#[utoipa::path(put, path = "/me/consent", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = ConsentInput,
    responses((status = 200, body = Consent), (status = 400, body = Problem, description = "not the current text (`consent_outdated`)")))]
async fn give_consent(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(input): ApiJson<ConsentInput>,
) -> Result<Json<Consent>, ApiError> {
    Ok(Json(consent::give(st.store.as_ref(), &p.sub, &input, now()).await?))
}

/// Withdraw that consent: every member's needs are deleted, also from shelter rosters.
#[utoipa::path(delete, path = "/me/consent", tag = "resident", security(("bearer" = ["ResidentOnly"])), responses((status = 204, description = "withdrawn, needs deleted")))]
async fn withdraw_consent(ResidentOnly(p): ResidentOnly, State(st): State<AppState>) -> Result<StatusCode, ApiError> {
    household::withdraw_consent(st.store.as_ref(), &p.sub).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Report a member's safety status; a resend with the same report id is stored once.
#[utoipa::path(post, path = "/safety", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = SafetyReportInput, params(DeviceTimesHeaders),
    responses((status = 200, body = SafetyReport), (status = 400, body = Problem), (status = 404, body = Problem, description = "no such household member"),
        (status = 409, body = Problem)))]
async fn report(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    MadeAt(made): MadeAt,
    ApiJson(input): ApiJson<SafetyReportInput>,
) -> Result<Json<SafetyReport>, ApiError> {
    let m = resident_municipality(&p, &st).await?;
    Ok(Json(safety::report(st.store.as_ref(), &m, &p.sub, input, made).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    #[param(value_type = MemberId)]
    member_id: String,
}

/// A member's safety reports, newest first.
#[utoipa::path(get, path = "/safety/history", tag = "resident", security(("bearer" = ["ResidentOnly"])), params(HistoryQuery),
    responses((status = 200, body = Vec<SafetyReport>), (status = 404, body = Problem)))]
async fn history(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    q: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<SafetyReport>>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::invalid("invalid_query", "member_id を指定してください。"))?;
    Ok(Json(safety::history(st.store.as_ref(), &p.sub, &member_id(&q.member_id)?).await?))
}

/// A signed check-in credential for the resident's QR code (valid three days, verifiable offline).
#[utoipa::path(post, path = "/me/checkin-credential", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = CredentialRequest,
    responses((status = 200, body = CheckInCredential), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn checkin_credential(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(req): ApiJson<CredentialRequest>,
) -> Result<Json<CheckInCredential>, ApiError> {
    let home = crate::domain::home::municipality_of(st.store.as_ref(), &st.config.municipality, &p.sub).await?;
    let c = credential::issue(st.store.as_ref(), &st.auth, &home, &p.sub, &req.members, now_seconds()).await?;
    Ok(Json(c))
}

/// Everything stored about the resident and their household, as a JSON download.
#[utoipa::path(get, path = "/me/export", tag = "resident", security(("bearer" = ["ResidentOnly"])), responses((status = 200, body = MyData)))]
async fn export(ResidentOnly(p): ResidentOnly, State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let data = mydata::export(st.store.as_ref(), &p.sub, now()).await?;
    Ok((
        [
            (header::CONTENT_DISPOSITION, "attachment; filename=\"bosai-my-data.json\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Json(data),
    ))
}

/// Delete the resident's profile, household, needs, safety reports and survey answers (audited).
#[utoipa::path(delete, path = "/me", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = DeleteConfirmation,
    responses((status = 204, description = "deleted"), (status = 400, body = Problem)))]
async fn delete_me(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(c): ApiJson<DeleteConfirmation>,
) -> Result<StatusCode, ApiError> {
    let m = resident_municipality(&p, &st).await?;
    mydata::delete(st.store.as_ref(), &m, &p.sub, &c, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A municipality's areas, to choose where one lives (and for HQ, whom a notice is for). An
/// unknown or unserved municipality has none.
#[utoipa::path(get, path = "/areas", tag = "resident", params(super::extract::MunicipalityQuery),
    responses((status = 200, body = Vec<bosai_types::household::Area>), (status = 400, body = Problem)))]
async fn areas(
    State(st): State<AppState>,
    MunicipalityParam(m): MunicipalityParam,
) -> Result<Json<Vec<bosai_types::household::Area>>, ApiError> {
    let m = m.unwrap_or_else(|| st.config.municipality.clone());
    Ok(Json(crate::domain::areas::list(st.store.as_ref(), &m).await?))
}

/// Register (or clear with `null`) the area the resident lives in: notices and surveys for
/// the area reach them, and HQ counts their safety reports under it. Sending it again is a no-op.
#[utoipa::path(put, path = "/me/area", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = AreaRegistration,
    responses((status = 204, description = "saved"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn set_area(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(reg): ApiJson<AreaRegistration>,
) -> Result<StatusCode, ApiError> {
    let m = resident_municipality(&p, &st).await?;
    household::set_area(st.store.as_ref(), &m, &p.sub, &reg).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Name (or correct) the resident's home municipality (住所地); the card's address set it if
/// they shared the signing certificate. A check-in QR made afterwards carries it.
#[utoipa::path(put, path = "/me/home", tag = "resident", security(("bearer" = ["ResidentOnly"])), request_body = HomeChoice,
    responses((status = 200, body = Home), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn set_home(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(c): ApiJson<HomeChoice>,
) -> Result<Json<Home>, ApiError> {
    Ok(Json(crate::domain::home::choose(st.store.as_ref(), &st.config.municipality, &p.sub, &c.municipality).await?))
}

/// The municipalities a resident can name as home: the lists of the prefectures served here.
#[utoipa::path(get, path = "/municipalities", tag = "resident", responses((status = 200, body = Vec<MunicipalityChoice>)))]
async fn municipalities(State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let list = crate::domain::home::choices(st.store.as_ref(), &st.config.municipality).await?;
    Ok(([(header::CACHE_CONTROL, "public, max-age=300")], Json(list)))
}

//! Needs surveys (ニーズ調査): HQ defines them, residents answer once per period.

use super::principal::{hq_municipality, resident_municipality, HqOrAdmin, ResidentOnly};
use super::{ApiJson, ApiPath, AppState, DeviceTimesHeaders, MadeAt};
use crate::domain::surveys::{self, ResidentContext};
use crate::ApiError;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use bosai_types::surveys::{MyAnswer, NewSurvey, OpenSurvey, Period, Survey, SurveyAnswer, SurveyId, SurveyTotals};
use bosai_types::{Problem, Timestamp};

super::routes::operations!(create, list_hq, close, totals, open_for_me, answer);

fn now() -> Timestamp {
    Timestamp(crate::clock::now_millis())
}

fn survey_id(raw: &str) -> Result<SurveyId, ApiError> {
    SurveyId::parse(raw).map_err(|_| ApiError::invalid("invalid_survey_id", "調査IDの形式が正しくありません。"))
}

/// Where the resident is: their registered area, the shelter they themself are checked in at
/// and, when it is another municipality's, that municipality (hosting them).
async fn resident_context(
    st: &AppState,
    sub: &str,
    home: &bosai_types::MunicipalityCode,
) -> Result<ResidentContext, ApiError> {
    let me = bosai_types::household::MemberId::myself();
    let here = crate::domain::location::current_location(
        st.store.as_ref(),
        &crate::keys::person_of_resident(sub, me.as_str()),
        &crate::keys::Space::Real,
        &me,
    )
    .await?;
    let area = crate::domain::profile::registered_area(st.store.as_ref(), sub).await?;
    let host = match &here.shelter_id {
        Some(s) => Some(crate::domain::shelters::get(st.store.as_ref(), s).await?.municipality).filter(|m| m != home),
        None => None,
    };
    Ok(ResidentContext { area, checked_in_at: here.shelter_id, host })
}

/// Create a survey for the caller's municipality. The id is chosen by the client: sending the
/// same body again returns the stored survey with 200; the same id with another body is a 400.
#[utoipa::path(post, path = "/hq/surveys", tag = "surveys", request_body = NewSurvey, security(("bearer" = ["HqOrAdmin"])),
    responses((status = 201, body = Survey, description = "created"), (status = 200, body = Survey, description = "already created with this body"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn create(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    ApiJson(req): ApiJson<NewSurvey>,
) -> Result<(StatusCode, Json<Survey>), ApiError> {
    let m = hq_municipality(&p, &st).await?;
    let (survey, created) = surveys::create(st.store.as_ref(), &p, &m, &req, now()).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(survey)))
}

/// Every survey of the municipality, open or not (`Survey::state` tells which), or one
/// incident's (`?incident=` an id), the real ones (`real`), those outside incidents (`none`).
#[utoipa::path(get, path = "/hq/surveys", tag = "surveys", security(("bearer" = ["HqOrAdmin"])), params(super::hq::IncidentQuery),
    responses((status = 200, body = Vec<Survey>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_hq(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    q: super::hq::IncidentParam,
) -> Result<Json<Vec<Survey>>, ApiError> {
    let m = hq_municipality(&p, &st).await?;
    let filter = super::hq::list_filter(st.store.as_ref(), &m, q).await?;
    Ok(Json(surveys::list_for_hq(st.store.as_ref(), &p, &m, &filter).await?))
}

/// Close a survey now; answers are refused from then on. Closing again changes nothing.
#[utoipa::path(post, path = "/hq/surveys/{survey_id}/close", tag = "surveys", security(("bearer" = ["HqOrAdmin"])),
    params(("survey_id" = String, Path)),
    responses((status = 200, body = Survey), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn close(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Survey>, ApiError> {
    let id = survey_id(&id)?;
    let m = hq_municipality(&p, &st).await?;
    Ok(Json(surveys::close(st.store.as_ref(), &p, &m, &id, now()).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TotalsQuery {
    /// "once", or a date YYYY-MM-DD for a daily survey; the current period when left out.
    #[param(value_type = Option<Period>)]
    period: Option<String>,
}

/// Per-question counts for one period.
#[utoipa::path(get, path = "/hq/surveys/{survey_id}/totals", tag = "surveys", security(("bearer" = ["HqOrAdmin"])),
    params(("survey_id" = String, Path), TotalsQuery),
    responses((status = 200, body = SurveyTotals), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn totals(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    q: Result<Query<TotalsQuery>, QueryRejection>,
) -> Result<Json<SurveyTotals>, ApiError> {
    let id = survey_id(&id)?;
    let bad_period = || {
        ApiError::invalid("invalid_period", "period には once または日付（YYYY-MM-DD）を指定するか、省略してください。")
    };
    let Query(q) = q.map_err(|_| bad_period())?;
    let period = q.period.as_deref().map(|s| Period::parse(s).ok_or_else(bad_period)).transpose()?;
    let m = hq_municipality(&p, &st).await?;
    Ok(Json(surveys::totals(st.store.as_ref(), &p, &m, &id, period, now()).await?))
}

/// The surveys open for the signed-in resident now, each with their answer for the current period.
#[utoipa::path(get, path = "/surveys", tag = "surveys", security(("bearer" = ["ResidentOnly"])),
    responses((status = 200, body = Vec<OpenSurvey>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn open_for_me(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
) -> Result<Json<Vec<OpenSurvey>>, ApiError> {
    let m = resident_municipality(&p, &st).await?;
    let who = resident_context(&st, &p.sub, &m).await?;
    Ok(Json(surveys::open_for(st.store.as_ref(), &m, &p.sub, &who, now()).await?))
}

/// Answer, or amend the answer, for the current period. Idempotent: the answer is keyed by
/// survey, period and the signed-in resident, so a resend stores it once and a change replaces it.
#[utoipa::path(put, path = "/surveys/{survey_id}/answer", tag = "surveys", request_body = SurveyAnswer, security(("bearer" = ["ResidentOnly"])),
    params(("survey_id" = String, Path), DeviceTimesHeaders),
    responses((status = 200, body = MyAnswer), (status = 400, body = Problem, description = "invalid answer, survey closed, not open yet or not for this resident"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn answer(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    MadeAt(made): MadeAt,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<SurveyAnswer>,
) -> Result<Json<MyAnswer>, ApiError> {
    let id = survey_id(&id)?;
    let m = resident_municipality(&p, &st).await?;
    let who = resident_context(&st, &p.sub, &m).await?;
    Ok(Json(surveys::answer(st.store.as_ref(), &m, &p.sub, &who, &id, &req, made).await?))
}

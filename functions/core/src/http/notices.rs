//! Notices: HQ saves them, the fan-out pushes them; residents register devices and
//! read the list; anyone opens a notice's landing page.

use super::principal::{hq_municipality, resident_municipality, HqOrAdmin, ResidentOnly};
use super::{ApiJson, ApiPath, AppState};
use crate::domain::{notices, subscriptions};
use crate::ApiError;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::Json;
use bosai_types::notices::{NewNotice, Notice, NoticeId, PushSubscriptionInput, PushUnsubscribe, VapidPublicKey};
use bosai_types::{Problem, Timestamp};

super::routes::operations!(vapid_public_key, subscribe, unsubscribe, create, hq_list, my_list, public);

const LIST_LIMIT: usize = 50;

fn now() -> Timestamp {
    Timestamp(crate::clock::now_millis())
}

fn push(st: &AppState) -> Result<&subscriptions::PushSettings, ApiError> {
    st.push.as_deref().ok_or_else(|| ApiError::Unavailable("push is not configured (BOSAI_VAPID_KEY_FILE)".into()))
}

pub fn notice_id(raw: &str) -> Result<NoticeId, ApiError> {
    NoticeId::parse(raw).map_err(|_| ApiError::invalid("invalid_notice_id", "お知らせIDの形式が正しくありません。"))
}

/// The key browsers need for `pushManager.subscribe` (`applicationServerKey`).
#[utoipa::path(get, path = "/push/vapid-public-key", tag = "notices",
    responses((status = 200, body = VapidPublicKey), (status = 503, body = Problem)))]
async fn vapid_public_key(State(st): State<AppState>) -> Result<Json<VapidPublicKey>, ApiError> {
    Ok(Json(VapidPublicKey { key: push(&st)?.client.vapid().public_key_base64url().to_owned() }))
}

/// Register this device for notices to the resident's area (`PushSubscription.toJSON()`).
/// Sending it again refreshes it.
#[utoipa::path(post, path = "/push/subscriptions", tag = "notices", security(("bearer" = ["ResidentOnly"])), request_body = PushSubscriptionInput,
    responses((status = 204, description = "registered"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn subscribe(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(input): ApiJson<PushSubscriptionInput>,
) -> Result<StatusCode, ApiError> {
    let m = resident_municipality(&p, &st).await?;
    subscriptions::subscribe(st.store.as_ref(), push(&st)?, &m, &p.sub, &input, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop notices to this device. Unknown endpoints are ignored.
#[utoipa::path(delete, path = "/push/subscriptions", tag = "notices", security(("bearer" = ["ResidentOnly"])), request_body = PushUnsubscribe,
    responses((status = 204, description = "removed"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn unsubscribe(
    ResidentOnly(p): ResidentOnly,
    State(st): State<AppState>,
    ApiJson(input): ApiJson<PushUnsubscribe>,
) -> Result<StatusCode, ApiError> {
    subscriptions::unsubscribe(st.store.as_ref(), &p.sub, &input.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Save a notice; it is pushed to the target within seconds. The id is chosen by the client:
/// the same body again returns the stored notice with 200; the same id with another body is a 400.
/// With `replaces`, it corrects that earlier notice (once: 409 when it was corrected already).
#[utoipa::path(post, path = "/hq/notices", tag = "notices", security(("bearer" = ["HqOrAdmin"])), request_body = NewNotice,
    responses((status = 201, body = Notice, description = "saved for sending"), (status = 200, body = Notice, description = "already saved with this body"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "the notice to correct is not there"), (status = 409, body = Problem, description = "that notice was corrected already")))]
async fn create(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    ApiJson(new): ApiJson<NewNotice>,
) -> Result<(StatusCode, Json<Notice>), ApiError> {
    let m = hq_municipality(&p, &st).await?;
    let (notice, created) = notices::create(st.store.as_ref(), &p, &m, &new, now()).await?;
    if let Some(wake) = &st.fanout_wake {
        wake.notify_one();
    }
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(notice)))
}

/// The municipality's notices, newest first, with how their delivery went: all of them, or
/// one incident's (`?incident=` an id), the real ones (`real`) or those outside incidents (`none`).
#[utoipa::path(get, path = "/hq/notices", tag = "notices", security(("bearer" = ["HqOrAdmin"])), params(super::hq::IncidentQuery),
    responses((status = 200, body = Vec<Notice>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn hq_list(
    HqOrAdmin(p): HqOrAdmin,
    State(st): State<AppState>,
    q: super::hq::IncidentParam,
) -> Result<Json<Vec<Notice>>, ApiError> {
    let m = hq_municipality(&p, &st).await?;
    let filter = super::hq::list_filter(st.store.as_ref(), &m, q).await?;
    Ok(Json(notices::of_incident(st.store.as_ref(), &m, &filter, LIST_LIMIT).await?))
}

/// Notices for everyone and for the resident's registered area, and to the evacuees of the
/// shelters their household is at (also another municipality's), newest first.
#[utoipa::path(get, path = "/notices", tag = "notices", security(("bearer" = ["ResidentOnly"])),
    responses((status = 200, body = Vec<Notice>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn my_list(ResidentOnly(p): ResidentOnly, State(st): State<AppState>) -> Result<Json<Vec<Notice>>, ApiError> {
    let m = resident_municipality(&p, &st).await?;
    let area = crate::domain::profile::registered_area(st.store.as_ref(), &p.sub).await?;
    Ok(Json(notices::for_resident(st.store.as_ref(), &m, &p.sub, area.as_ref(), LIST_LIMIT).await?))
}

/// One notice, as its landing page shows it.
#[utoipa::path(get, path = "/notices/{id}", tag = "notices", params(("id" = String, Path)),
    responses((status = 200, body = Notice), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn public(State(st): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<Notice>, ApiError> {
    Ok(Json(notices::public(st.store.as_ref(), &st.config.municipality, &notice_id(&id)?).await?))
}

/// `/n/{code}/{id}`: the page a notification opens. One small HTML response, no script, so
/// it loads on a congested network; cacheable for a minute at the edge.
pub async fn landing_page(
    State(st): State<AppState>,
    axum::extract::Path((code, id)): axum::extract::Path<(String, String)>,
    query: axum::extract::RawQuery,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let display = display(&query);
    match bosai_types::MunicipalityCode::parse(&code) {
        Ok(m) => landing(&st, &m, &id, reader(&query, &headers), display).await,
        Err(_) => landing_not_found(display),
    }
}

/// `/n/{id}`: a notice of the deployment's own municipality (the address notifications had
/// before one deployment served several).
pub async fn own_landing_page(
    State(st): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    query: axum::extract::RawQuery,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let m = st.config.municipality.clone();
    landing(&st, &m, &id, reader(&query, &headers), display(&query)).await
}

/// The app's text size and contrast, which its notices list adds to the address.
fn display(query: &axum::extract::RawQuery) -> crate::landing::Display {
    crate::landing::Display::from_query(query.0.as_deref().unwrap_or(""))
}

/// The reader's language: `?lang=` (a notification adds its device's), else the browser's
/// languages; an unknown code is ignored, not an error (the notice still shows).
fn reader(query: &axum::extract::RawQuery, headers: &axum::http::HeaderMap) -> Option<&'static str> {
    let asked = query.0.as_deref().unwrap_or("").split('&').find_map(|kv| kv.strip_prefix("lang="));
    asked.and_then(bosai_types::localized::language).or_else(|| {
        let accept = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
        bosai_types::localized::code_for_accept_language(accept)
    })
}

// Inline CSS only: nothing else may load or run, and no one may frame it.
const LANDING_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::CACHE_CONTROL, "public, max-age=60"),
    // The language follows the browser's when the address does not name one.
    (header::VARY, "Accept-Language"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
];

fn landing_not_found(display: crate::landing::Display) -> axum::response::Response {
    (StatusCode::NOT_FOUND, LANDING_HEADERS, Html(crate::landing::not_found(display))).into_response()
}

async fn landing(
    st: &AppState,
    m: &bosai_types::MunicipalityCode,
    id: &str,
    reader: Option<&str>,
    display: crate::landing::Display,
) -> axum::response::Response {
    let found = match NoticeId::parse(id) {
        Ok(id) => notices::public(st.store.as_ref(), m, &id).await,
        Err(_) => Err(ApiError::NotFound("お知らせ")),
    };
    match found {
        Ok(n) => {
            // Without the name (store hiccup) the notice itself still shows.
            let name = crate::domain::areas::municipality_name(st.store.as_ref(), m).await.ok().flatten();
            let issuer = name.as_ref().map(|(ja, en)| crate::landing::Issuer { ja, en });
            (LANDING_HEADERS, Html(crate::landing::render(&n, issuer, reader, display))).into_response()
        }
        Err(ApiError::NotFound(..)) => landing_not_found(display),
        Err(e) => e.into_response(),
    }
}

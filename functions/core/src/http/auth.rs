use super::principal::{AdminOnly, ResidentOnly};
use super::{ApiJson, AppState};
use crate::domain::auth;
use crate::ApiError;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use bosai_types::auth::{
    ChallengeRequest, ChallengeResponse, JpkiResult, JpkiSubmission, LogoutRequest, Me, TokenRequest, TokenResponse,
};
use bosai_types::Problem;

/// Start sign-in: a single-use nonce bound to the PWA's PKCE challenge.
#[utoipa::path(post, path = "/auth/challenge", tag = "auth", request_body = ChallengeRequest,
    responses((status = 200, body = ChallengeResponse), (status = 400, body = Problem)))]
pub async fn challenge(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<ChallengeRequest>,
) -> Result<Json<ChallengeResponse>, ApiError> {
    Ok(Json(auth::start_challenge(st.store.as_ref(), &st.auth, req, crate::clock::now_seconds()).await?))
}

/// The companion posts the card's certificates and signatures; returns a one-time code.
#[utoipa::path(post, path = "/auth/jpki", tag = "auth", request_body = JpkiSubmission,
    responses((status = 200, body = JpkiResult), (status = 400, body = Problem)))]
pub async fn jpki(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<JpkiSubmission>,
) -> Result<Json<JpkiResult>, ApiError> {
    Ok(Json(
        auth::submit_jpki(st.store.as_ref(), &st.auth, &st.config.municipality, req, crate::clock::now_seconds())
            .await?,
    ))
}

/// Exchange a code (+ PKCE verifier) or a refresh token for tokens.
#[utoipa::path(post, path = "/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 400, body = Problem)))]
pub async fn token(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let tokens = auth::exchange(st.store.as_ref(), &st.auth, req, crate::clock::now_seconds()).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(tokens)))
}

/// Sign out everywhere this sign-in reached (revokes the refresh-token family).
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses((status = 204, description = "signed out")))]
pub async fn logout(State(st): State<AppState>, ApiJson(req): ApiJson<LogoutRequest>) -> Result<StatusCode, ApiError> {
    crate::domain::sessions::logout(st.store.as_ref(), &req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Public keys that verify our tokens (two during a rotation).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", responses((status = 200, description = "JWK set")))]
pub async fn jwks(State(st): State<AppState>) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "public, max-age=300")], Json(st.auth.tokens.jwks().clone()))
}

/// The signed-in resident's identity as stored (basic four only if they shared them).
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = ["ResidentOnly"])),
    responses((status = 200, body = Me), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn me(State(st): State<AppState>, ResidentOnly(p): ResidentOnly) -> Result<Json<Me>, ApiError> {
    Ok(Json(auth::me(st.store.as_ref(), &p.sub, p.role).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardRenewal {
    /// Serial (hex) of the resident's previous user-authentication certificate.
    #[schema(schema_with = serial)]
    pub old_serial: String,
    /// Serial (hex) of the renewed certificate.
    #[schema(schema_with = serial)]
    pub new_serial: String,
    /// The old certificate's CA (`auth-g2`, …), needed only when two generations know the serial.
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$")]
    pub old_ca: Option<String>,
    /// The new certificate's CA; by default the newest current user-authentication root.
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$")]
    pub new_ca: Option<String>,
}

/// A certificate serial as `parse_hex` reads it: 1-32 bytes in hex (an even number of
/// digits), optionally after `0x`, with surrounding whitespace trimmed.
fn serial() -> utoipa::openapi::schema::Object {
    use bosai_types::schema::{string, WHITESPACE};
    string("certificate serial in hex: 1-32 bytes, optionally prefixed with 0x")
        .pattern(Some(format!("^[{WHITESPACE}]*(?:0x)*(?:[0-9A-Fa-f]{{2}}){{1,32}}[{WHITESPACE}]*$")))
        .examples(["0a1b2c3d"])
        .build()
}

/// Link a renewed card to the same resident (from J-LIS's old/new serial link).
#[utoipa::path(post, path = "/admin/card-renewals", tag = "admin", request_body = CardRenewal, security(("bearer" = ["AdminOnly"])),
    responses((status = 204, description = "linked"), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn card_renewal(
    State(st): State<AppState>,
    AdminOnly(admin): AdminOnly,
    ApiJson(req): ApiJson<CardRenewal>,
) -> Result<StatusCode, ApiError> {
    let renewal = auth::CardRenewalRequest {
        old_serial: &req.old_serial,
        new_serial: &req.new_serial,
        old_ca: req.old_ca.as_deref(),
        new_ca: req.new_ca.as_deref(),
    };
    auth::link_renewed_card(st.store.as_ref(), &st.auth, &renewal, crate::clock::now_seconds()).await?;
    // Who linked a resident's new card (no serial numbers in the log), in the admin's municipality's log.
    let m = admin.municipality.clone().unwrap_or_else(|| st.config.municipality.clone());
    let now = bosai_types::Timestamp(crate::clock::now_millis());
    crate::domain::audit::record(st.store.as_ref(), &m, now, "card_renewal", &admin.sub, []).await?;
    Ok(StatusCode::NO_CONTENT)
}

super::routes::operations!(challenge, jpki, token, logout, me, card_renewal);

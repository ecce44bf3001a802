//! Staff and HQ sign-in through the organisation's OpenID Provider (authorization code +
//! PKCE): where to send the browser, and the callback's code traded for our own token.

use super::{ApiJson, AppState};
use crate::domain::staff_accounts;
use crate::oidc::OidcError;
use crate::ApiError;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use bosai_types::staff::{StaffSession, StaffSignInStart, StaffTokenRequest};
use bosai_types::{Problem, Timestamp};

super::routes::operations!(start, token);

/// Where the staff app sends someone to sign in: the provider's authorization endpoint and
/// our client id (the app adds state, nonce and the PKCE challenge).
#[utoipa::path(get, path = "/auth/staff/start", tag = "auth",
    responses((status = 200, body = StaffSignInStart), (status = 404, body = Problem, description = "staff sign-in is not configured"),
              (status = 502, body = Problem, description = "the identity provider cannot be reached")))]
async fn start(State(st): State<AppState>) -> Result<Json<StaffSignInStart>, ApiError> {
    let oidc = st.auth.oidc.as_ref().ok_or(OidcError::NotConfigured)?;
    Ok(Json(oidc.start(crate::clock::now_seconds()).await?))
}

/// The provider sent the staff member back with a code: we trade it (with the PKCE verifier)
/// at the provider, check the ID token (signature, issuer, audience, expiry, nonce), and
/// answer with our own short-lived token for the role the account's staff record grants.
#[utoipa::path(post, path = "/auth/staff/token", tag = "auth", request_body = StaffTokenRequest,
    responses((status = 200, body = StaffSession), (status = 400, body = Problem, description = "the code or the ID token did not check out"),
              (status = 403, body = Problem, description = "signed in, but no staff record for this account"),
              (status = 404, body = Problem, description = "staff sign-in is not configured"),
              (status = 502, body = Problem, description = "the identity provider cannot be reached")))]
async fn token(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<StaffTokenRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let now = Timestamp(crate::clock::now_millis());
    let session = staff_accounts::sign_in(st.store.as_ref(), &st.auth, &req, now).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(session)))
}

//! Endpoints anyone may call (no token): sign-in, the public lists, the push key.

use super::{query, Call, Ignored, Public};
use bosai_types::auth::{ChallengeRequest, ChallengeResponse, LogoutRequest, TokenRequest, TokenResponse};
use bosai_types::household::{Area, MunicipalityChoice};
use bosai_types::incident::Incident;
use bosai_types::notices::VapidPublicKey;
use bosai_types::{Health, Shelter};

/// `POST /api/auth/challenge`: the card sign-in's PKCE challenge; answers where the companion is.
pub fn challenge(req: &ChallengeRequest) -> Call<Public, ChallengeResponse> {
    Call::new("POST", "/api/auth/challenge".into()).with(req)
}

/// `POST /api/auth/token`: a code or a refresh token for the resident's tokens.
pub fn token(req: &TokenRequest) -> Call<Public, TokenResponse> {
    Call::new("POST", "/api/auth/token".into()).with(req)
}

/// `POST /api/auth/logout`: the refresh token revoked.
pub fn logout(req: &LogoutRequest) -> Call<Public, Ignored> {
    Call::new("POST", "/api/auth/logout".into()).with(req)
}

/// `GET /api/shelters`: a municipality's shelters (the deployment's own when `None`).
pub fn shelters(municipality: Option<&str>) -> Call<Public, Vec<Shelter>> {
    Call::new("GET", format!("/api/shelters{}", query(&[("municipality", municipality.unwrap_or(""))])))
}

/// `GET /api/shelters/{id}`: one shelter as the public sees it.
pub fn shelter(id: &str) -> Call<Public, Shelter> {
    Call::new("GET", format!("/api/shelters/{id}"))
}

/// `GET /api/municipalities`: the municipalities of the served prefectures.
pub fn municipalities() -> Call<Public, Vec<MunicipalityChoice>> {
    Call::new("GET", "/api/municipalities".into())
}

/// `GET /api/areas`: a municipality's areas (the deployment's own when `None`).
pub fn areas(municipality: Option<&str>) -> Call<Public, Vec<Area>> {
    Call::new("GET", format!("/api/areas{}", query(&[("municipality", municipality.unwrap_or(""))])))
}

/// `GET /api/incidents`: the incidents (and drills) open now.
pub fn incidents() -> Call<Public, Vec<Incident>> {
    Call::new("GET", "/api/incidents".into())
}

/// `GET /api/push/vapid-public-key`: the `applicationServerKey` for subscribing.
pub fn vapid_public_key() -> Call<Public, VapidPublicKey> {
    Call::new("GET", "/api/push/vapid-public-key".into())
}

/// `GET /api/health`.
#[allow(dead_code)]
pub fn health() -> Call<Public, Health> {
    Call::new("GET", "/api/health".into())
}

/// `GET /.well-known/jwks.json`: the keys a staff device checks check-in codes with offline.
#[cfg(feature = "staff")]
pub fn jwks() -> Call<Public, Ignored> {
    Call::new("GET", "/.well-known/jwks.json".into())
}

/// `GET /api/auth/staff/start`: where staff sign in (their organisation's identity provider).
#[cfg(feature = "staff")]
pub fn staff_sign_in_start() -> Call<Public, bosai_types::staff::StaffSignInStart> {
    Call::new("GET", "/api/auth/staff/start".into())
}

/// `POST /api/auth/staff/token`: the identity provider's code for a staff token.
#[cfg(feature = "staff")]
pub fn staff_token(req: &bosai_types::staff::StaffTokenRequest) -> Call<Public, bosai_types::staff::StaffSession> {
    Call::new("POST", "/api/auth/staff/token".into()).with(req)
}

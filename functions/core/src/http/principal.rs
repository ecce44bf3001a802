//! Bearer-token extractors. Each route admits the roles of the extractor it takes, and names
//! that extractor in its OpenAPI security requirement; the document lists the roles
//! ([`guard_roles`]) and a test walks the matrix.

use super::AppState;
use crate::auth::Principal;
use crate::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use bosai_types::auth::Role;
use bosai_types::MunicipalityCode;

/// Any valid token.
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let header =
            parts.headers.get(axum::http::header::AUTHORIZATION).ok_or(ApiError::Unauthorized("no token".into()))?;
        let value = header.to_str().map_err(|_| ApiError::Unauthorized("unreadable Authorization header".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .ok_or(ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into()))?;
        let p = st
            .auth
            .tokens
            .verify(token.trim(), crate::clock::now_seconds())
            .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
        Ok(Authenticated(p))
    }
}

async fn with_roles(parts: &mut Parts, st: &AppState, roles: &[Role]) -> Result<Principal, ApiError> {
    let Authenticated(p) = Authenticated::from_request_parts(parts, st).await?;
    if roles.contains(&p.role) {
        Ok(p)
    } else {
        Err(ApiError::Forbidden)
    }
}

macro_rules! role_guard {
    ($name:ident, $doc:literal, [$($role:ident),+]) => {
        #[doc = $doc]
        pub struct $name(pub Principal);
        impl $name {
            pub const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;
            async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
                with_roles(parts, st, Self::ROLES).await.map($name)
            }
        }
    };
}

role_guard!(ResidentOnly, "A signed-in resident.", [Resident]);
role_guard!(
    ShelterManager,
    "Staff, HQ or admin; the shelter scope is checked by the domain.",
    [ShelterStaff, Hq, Admin]
);
role_guard!(AdminOnly, "Platform administrators.", [Admin]);
role_guard!(
    PrefectureHqOrAdmin,
    "The prefecture's HQ (its own prefecture) or a deployment-wide admin.",
    [PrefectureHq, Admin]
);
role_guard!(
    IncidentCommand,
    "HQ of a municipality or prefecture, or an admin: opens and closes incidents it commands.",
    [Hq, PrefectureHq, Admin]
);
role_guard!(HqOrAdmin, "Disaster HQ (its own municipality, checked by the handler) or admin.", [Hq, Admin]);

/// The roles of the guard an operation names in its security requirement.
pub fn guard_roles(guard: &str) -> Option<&'static [Role]> {
    Some(match guard {
        "ResidentOnly" => ResidentOnly::ROLES,
        "ShelterManager" => ShelterManager::ROLES,
        "AdminOnly" => AdminOnly::ROLES,
        "PrefectureHqOrAdmin" => PrefectureHqOrAdmin::ROLES,
        "IncidentCommand" => IncidentCommand::ROLES,
        "HqOrAdmin" => HqOrAdmin::ROLES,
        _ => return None,
    })
}

/// The municipality an HQ or admin acts for: its token's, or for a deployment-wide admin (no
/// municipality) the deployment's own. One the deployment does not serve, or the caller may not
/// read, is refused.
pub async fn hq_municipality(p: &Principal, st: &AppState) -> Result<MunicipalityCode, ApiError> {
    let m = p.municipality.clone().unwrap_or_else(|| st.config.municipality.clone());
    let served = crate::domain::areas::serves(st.store.as_ref(), &st.config.municipality, m.as_str()).await?;
    if !p.may_read_municipality(&m) || !served {
        return Err(ApiError::Forbidden);
    }
    Ok(m)
}

/// The municipality that acts for a resident: their home (住所地) when served here, else the
/// deployment's own (`home::acting_for`). Its notices, surveys, areas and HQ are theirs.
pub async fn resident_municipality(p: &Principal, st: &AppState) -> Result<MunicipalityCode, ApiError> {
    crate::domain::home::acting_for(st.store.as_ref(), &st.config.municipality, &p.sub).await
}

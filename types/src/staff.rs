//! Staff and HQ sign-in through the organisation's OpenID Provider, and the staff
//! records (職員アカウント) that say what each IdP account may do here.

use crate::auth::Role;
use serde::{Deserialize, Serialize};

/// Where the staff app sends someone to sign in (authorization code + PKCE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSignInStart {
    /// The provider's authorization endpoint, from its discovery document.
    pub authorization_endpoint: String,
    pub client_id: String,
    /// Space-separated scopes to ask for (`openid profile`).
    pub scope: String,
    /// The provider's sign-out page, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
}

/// What the staff app posts after the provider sent it back with `?code=&state=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffTokenRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2048))]
    pub code: String,
    /// The PKCE code verifier (RFC 7636): 43-128 unreserved characters.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9._~-]{43,128}$"))]
    pub code_verifier: String,
    /// The redirect URI the authorization request named; one of the deployment's.
    #[cfg_attr(feature = "openapi", schema(max_length = 2048))]
    pub redirect_uri: String,
    /// The nonce the authorization request carried; the ID token must repeat it.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{22,128}$"))]
    pub nonce: String,
}

/// A staff sign-in: our own short-lived access token, no refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSession {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: String,
    pub expires_in: i64,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shelters: Vec<String>,
    /// The display name the staff record holds (shown on the device, never in the token).
    pub name: String,
}

/// Roles a staff record can grant (residents sign in with their card only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// 避難所職員: the assigned shelters (mutual-aid staff may be assigned another town's).
    ShelterStaff,
    /// 災害対策本部: the whole municipality.
    Hq,
    /// 管理者: imports and staff records of the municipality.
    Admin,
    /// 県災害対策本部: counts over the prefecture (the record's municipality is the prefecture's code).
    PrefectureHq,
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Role {
        match r {
            StaffRole::ShelterStaff => Role::ShelterStaff,
            StaffRole::Hq => Role::Hq,
            StaffRole::Admin => Role::Admin,
            StaffRole::PrefectureHq => Role::PrefectureHq,
        }
    }
}

/// An IdP account's role here, kept by the municipality's admin (not taken from IdP claims).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffAccount {
    /// The provider's `sub` for this person.
    pub subject: String,
    pub name: String,
    pub role: StaffRole,
    pub municipality: String,
    #[serde(default)]
    pub shelters: Vec<String>,
}

/// The body of `PUT …/staff/{subject}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffAccountInput {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    pub role: StaffRole,
    /// Required for shelter staff, empty otherwise.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub shelters: Vec<String>,
}

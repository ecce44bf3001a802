//! Sign-in with the My Number Card (JPKI, 公的個人認証) via the companion app,
//! modelled on OAuth 2.0 authorization code + PKCE.

use serde::{Deserialize, Serialize};

/// Who a token speaks for. Staff and HQ tokens carry their scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 住民
    Resident,
    /// 避難所職員, scoped to shelters
    ShelterStaff,
    /// 災害対策本部, scoped to a municipality
    Hq,
    Admin,
    /// 県災害対策本部, scoped to a prefecture (its code in `municipality`): counts over every
    /// municipality, never a person.
    PrefectureHq,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Resident, Role::ShelterStaff, Role::Hq, Role::Admin, Role::PrefectureHq];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::ShelterStaff => "shelter_staff",
            Role::Hq => "hq",
            Role::Admin => "admin",
            Role::PrefectureHq => "prefecture_hq",
        }
    }
}

/// Claims of our access tokens. No personal data: `sub` is a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub role: Role,
    /// Shelters a `shelter_staff` token may act for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shelters: Vec<String>,
    /// Municipality of an `hq` token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChallengeRequest {
    /// BASE64URL(SHA-256(code_verifier)), 43 characters.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{43}$"))]
    pub code_challenge: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = s256))]
    pub code_challenge_method: String,
    /// Where the companion returns the resident with `?code=`; must be one of the allowed URLs.
    pub redirect_uri: String,
}

#[cfg(feature = "openapi")]
fn s256() -> utoipa::openapi::schema::Object {
    crate::schema::constant("S256", "Only \"S256\".")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChallengeResponse {
    /// Random single-use value the card signs (base64url, 32 bytes).
    pub nonce: String,
    pub expires_at: crate::Timestamp,
    /// Deep link that opens the companion app with this challenge.
    pub companion_url: String,
}

/// What the companion posts after reading the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JpkiSubmission {
    pub nonce: String,
    /// 利用者証明用電子証明書, DER, base64.
    pub auth_certificate: String,
    /// SHA256withRSA signature over the nonce's UTF-8 bytes by the card's user-authentication key, base64.
    pub auth_signature: String,
    /// CA certificates between the card certificate and the trust anchor, DER base64 (at most 4).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 4))]
    pub intermediates: Vec<String>,
    /// 署名用電子証明書 (optional, with the resident's consent): carries the basic four items.
    #[serde(default)]
    pub signing_certificate: Option<String>,
    /// Signature over the nonce by the signing key, proving the certificate is the presenter's.
    #[serde(default)]
    pub signing_signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JpkiResult {
    /// One-time authorization code, valid for two minutes.
    pub code: String,
    /// `redirect_uri?code=…` for the companion to open.
    pub redirect_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "grant_type", rename_all = "snake_case")]
pub enum TokenRequest {
    AuthorizationCode {
        code: String,
        /// The PKCE code verifier (RFC 7636): 43-128 unreserved characters.
        #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9._~-]{43,128}$"))]
        code_verifier: String,
    },
    RefreshToken {
        refresh_token: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Rotating refresh token: each use returns a new one; reusing an old one signs the resident out everywhere.
    pub refresh_token: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoutRequest {
    pub refresh_token: String,
}

/// The basic four items (基本4情報) from the signing certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BasicFour {
    pub name: String,
    /// Positions (0-based, in characters) in `name` where J-LIS put a substitute character
    /// (代替文字) for one outside the card's character set (外字): the name as read is not
    /// certain there, and staff must confirm it by sight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_substituted: Vec<u16>,
    pub address: String,
    /// Substitute-character positions in `address`, as for the name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_substituted: Vec<u16>,
    /// YYYY-MM-DD
    pub date_of_birth: String,
    /// As on the card (住民基本台帳の区分): 1 male, 2 female, 3 unknown (不明).
    pub sex: String,
}

/// Sex as the card records it. `3` is 不明 (not known to the register), not "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardSex {
    Male,
    Female,
    Unknown,
}

impl BasicFour {
    /// Whether every character of the name is the real one (no 代替文字).
    pub fn name_is_certain(&self) -> bool {
        self.name_substituted.is_empty() && !self.name.contains('〓')
    }

    pub fn address_is_certain(&self) -> bool {
        self.address_substituted.is_empty() && !self.address.contains('〓')
    }

    pub fn card_sex(&self) -> CardSex {
        match self.sex.as_str() {
            "1" => CardSex::Male,
            "2" => CardSex::Female,
            _ => CardSex::Unknown,
        }
    }
}

/// `GET /api/me`: what the platform knows about the signed-in resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub sub: String,
    pub role: Role,
    pub basic_four: Option<BasicFour>,
    pub verified_at: Option<crate::Timestamp>,
    /// The registered area (residents only).
    #[serde(default)]
    pub area: Option<crate::surveys::AreaCode>,
    /// The home municipality (residents only): from the card's address or the resident's choice.
    #[serde(default)]
    pub home: Option<crate::household::Home>,
    /// Consent to collecting allergies, medical and care needs (residents only).
    #[serde(default)]
    pub consent: Option<crate::consent::Consent>,
}

/// PKCE (RFC 7636) code verifier rules: 43–128 unreserved characters.
pub fn valid_code_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// A S256 code challenge is base64url without padding of 32 bytes: 43 characters.
pub fn valid_code_challenge(c: &str) -> bool {
    c.len() == 43 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

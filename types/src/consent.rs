//! Consent to collecting sensitive personal data (要配慮個人情報: allergies, medical and care
//! needs). The app shows the text of [`SENSITIVE_DATA_CONSENT_VERSION`]; the server stores which
//! version was agreed to and when, and refuses needs without it.

use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// The version of the consent text the app shows. A new text gets a new version, and residents
/// are asked again before they next enter needs.
pub const SENSITIVE_DATA_CONSENT_VERSION: &str = "2026-12";

/// `PUT /api/me/consent`: the resident agrees to the text of `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentInput {
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub version: String,
}

/// The resident's stored consent (in `GET /api/me` and "export my data").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    pub version: String,
    pub given_at: Timestamp,
}

impl Consent {
    /// Agreed to the text the app shows now.
    pub fn is_current(&self) -> bool {
        self.version == SENSITIVE_DATA_CONSENT_VERSION
    }
}

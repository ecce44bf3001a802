use serde::{Deserialize, Serialize};

/// Every API error body: a stable machine `code` and a message a person can act on,
/// in English and Japanese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub code: String,
    pub message: String,
    pub message_ja: String,
}

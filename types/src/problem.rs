use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every API error body: a stable machine `code`, its parameters, and a message a person can act
/// on, in Japanese (for API users). Apps render their own text from `code` and `params` in the
/// reader's language (the catalogs' `problem_<code>` and `error_<reason>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub code: String,
    /// What the code needs to be explained, e.g. `reason`: which rule a field broke
    /// (`bad_name`, `birth_out_of_range`). Left out when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// In Japanese.
    pub message: String,
}

//! The audit log (監査ログ) as HQ and administrators read it.

use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry: who did what, when; `details` holds ids, counts and filters, never names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub at: Timestamp,
    pub action: String,
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelter: Option<String>,
    #[serde(default)]
    pub details: BTreeMap<String, String>,
}

/// Query string of `GET /api/hq/audit` and its CSV: one JST day (default today), narrowed by who,
/// what and which shelter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AuditFilter {
    /// `YYYY-MM-DD` (JST).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub date: Option<String>,
    /// The staff member or resident id that acted (exact).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub actor: Option<String>,
    /// e.g. `roster_view`, `roster_export`, `manual_check_out`, `resident_data_deleted`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(max_length = 64))]
    pub action: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(max_length = 80))]
    pub shelter: Option<String>,
}

impl AuditFilter {
    pub fn matches(&self, e: &AuditEntry) -> bool {
        let want =
            |f: &Option<String>, v: Option<&str>| f.as_deref().filter(|s| !s.is_empty()).is_none_or(|f| Some(f) == v);
        want(&self.actor, Some(&e.actor))
            && want(&self.action, Some(&e.action))
            && want(&self.shelter, e.shelter.as_deref())
    }

    /// A well-formed day, if one was given (and every field within its documented length).
    pub fn day(&self) -> Result<Option<&str>, &'static str> {
        let long = |f: &Option<String>, max: usize| f.as_deref().is_some_and(|s| s.chars().count() > max);
        if long(&self.actor, 200) || long(&self.action, 64) || long(&self.shelter, 80) {
            return Err("actor is at most 200 characters, action 64, shelter 80");
        }
        match self.date.as_deref() {
            None => Ok(None),
            Some(d)
                if d.len() == 10
                    && d.as_bytes()[4] == b'-'
                    && d.as_bytes()[7] == b'-'
                    && d.bytes().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit()) =>
            {
                Ok(Some(d))
            }
            Some(_) => Err("date must be YYYY-MM-DD"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_actor_action_and_shelter() {
        let e = AuditEntry {
            at: Timestamp(1),
            action: "roster_view".into(),
            actor: "staff-1".into(),
            shelter: Some("s1".into()),
            details: BTreeMap::new(),
        };
        assert!(AuditFilter::default().matches(&e));
        assert!(AuditFilter { action: Some("roster_view".into()), shelter: Some("s1".into()), ..Default::default() }
            .matches(&e));
        assert!(!AuditFilter { actor: Some("staff-2".into()), ..Default::default() }.matches(&e));
        assert!(!AuditFilter { shelter: Some("s2".into()), ..Default::default() }.matches(&e));
        assert!(
            AuditFilter { action: Some(String::new()), ..Default::default() }.matches(&e),
            "an empty field is no filter"
        );
        assert_eq!(AuditFilter { date: Some("2026-12-03".into()), ..Default::default() }.day(), Ok(Some("2026-12-03")));
        assert!(AuditFilter { date: Some("2026-1-03".into()), ..Default::default() }.day().is_err());
        assert!(AuditFilter { date: Some("2026/12/03".into()), ..Default::default() }.day().is_err());
    }
}

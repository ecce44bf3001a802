//! Safety status (安否): per member, with the time of report; history is kept.

use crate::household::MemberId;
use crate::{ShelterId, Timestamp};
use serde::{Deserialize, Serialize};

pub const MAX_PLACE_CHARS: usize = 100;
pub const MAX_HELP_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum SafetyStatus {
    /// 在宅避難
    SafeAtHome,
    AtShelter {
        shelter_id: ShelterId,
    },
    /// Relatives, a car, the workplace…
    Elsewhere {
        #[cfg_attr(feature = "openapi", schema(schema_with = place_schema))]
        place: String,
    },
    /// 要救助・支援: what is needed and where.
    NeedsHelp {
        #[cfg_attr(feature = "openapi", schema(schema_with = help_schema))]
        what: String,
        #[cfg_attr(feature = "openapi", schema(schema_with = help_schema))]
        location: String,
    },
}

#[cfg(feature = "openapi")]
fn place_schema() -> utoipa::openapi::schema::Object {
    crate::schema::trimmed(MAX_PLACE_CHARS, false, "1-100 characters once trimmed")
}

#[cfg(feature = "openapi")]
fn help_schema() -> utoipa::openapi::schema::Object {
    crate::schema::trimmed(MAX_HELP_CHARS, false, "1-200 characters once trimmed")
}

impl SafetyStatus {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SafeAtHome => "safe_at_home",
            Self::AtShelter { .. } => "at_shelter",
            Self::Elsewhere { .. } => "elsewhere",
            Self::NeedsHelp { .. } => "needs_help",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafetyError {
    #[error("the place must be 1-100 characters")]
    BadPlace,
    #[error("say what help is needed and where (1-200 characters each)")]
    BadHelp,
    #[error("report id must be 8-64 characters of A-Z, a-z, 0-9, '-' and '_'")]
    BadReportId,
}

impl SafetyError {
    /// Stable for clients: the problem's `reason`, and the app's catalog key `error_<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadPlace => "bad_place",
            Self::BadHelp => "bad_help",
            Self::BadReportId => "bad_report_id",
        }
    }
    pub fn message_ja(&self) -> &'static str {
        match self {
            Self::BadPlace => "いる場所を1〜100文字で入力してください。",
            Self::BadHelp => "必要な支援と場所をそれぞれ1〜200文字で入力してください。",
            Self::BadReportId => "報告IDの形式が正しくありません。",
        }
    }
}

/// `POST /api/safety`: `report_id` is chosen by the app, so a resend is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SafetyReportInput {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub report_id: String,
    pub member_id: MemberId,
    pub status: SafetyStatus,
}

fn text_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n > 0 && n <= max
}

impl SafetyReportInput {
    pub fn validate(&self) -> Result<(), SafetyError> {
        let id_ok = (8..=64).contains(&self.report_id.len())
            && self.report_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(SafetyError::BadReportId);
        }
        match &self.status {
            SafetyStatus::Elsewhere { place } if !text_ok(place, MAX_PLACE_CHARS) => Err(SafetyError::BadPlace),
            SafetyStatus::NeedsHelp { what, location }
                if !text_ok(what, MAX_HELP_CHARS) || !text_ok(location, MAX_HELP_CHARS) =>
            {
                Err(SafetyError::BadHelp)
            }
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyReport {
    pub report_id: String,
    pub member_id: MemberId,
    pub status: SafetyStatus,
    /// When the person reported it on their phone (see [`crate::made`]); reports are ordered by it.
    pub reported_at: Timestamp,
    /// When the server received it: later than `reported_at` when it waited offline.
    #[serde(default)]
    pub received_at: Option<Timestamp>,
    /// How far the phone's clock was off, when it was off by more than two minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_ms: Option<i64>,
    /// Made during a drill (訓練): the drill's name. Not a real report; deleted with the drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: SafetyStatus) -> SafetyReportInput {
        SafetyReportInput { report_id: "r-12345678".into(), member_id: MemberId::myself(), status }
    }

    #[test]
    fn safety_rules() {
        assert!(report(SafetyStatus::SafeAtHome).validate().is_ok());
        assert_eq!(report(SafetyStatus::Elsewhere { place: " ".into() }).validate(), Err(SafetyError::BadPlace));
        let help = SafetyStatus::NeedsHelp { what: "足をけがした".into(), location: "".into() };
        assert_eq!(report(help).validate(), Err(SafetyError::BadHelp));
        let mut r = report(SafetyStatus::SafeAtHome);
        r.report_id = "short".into();
        assert_eq!(r.validate(), Err(SafetyError::BadReportId));
        let json = r#"{"report_id":"r-12345678","member_id":"self","status":{"status":"at_shelter","shelter_id":"041009-aoba-katahira-es"}}"#;
        assert!(serde_json::from_str::<SafetyReportInput>(json).is_ok());
        let bad = r#"{"report_id":"r-12345678","member_id":"self","status":{"status":"on_the_moon"}}"#;
        assert!(serde_json::from_str::<SafetyReportInput>(bad).is_err());
    }
}

//! Safety status (安否): per member, with the time of report; history is kept.

use crate::household::MemberId;
use crate::{ShelterId, Timestamp};
use serde::{Deserialize, Serialize};

pub const MAX_PLACE_CHARS: usize = 100;
pub const MAX_HELP_CHARS: usize = 200;

/// On the wire `{"status": "at_shelter", "shelter_id": "…"}`: the kind in `status`, its fields
/// beside it, nothing else. Serialized by serde's derive; read by hand (below).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        /// A number HQ may call back on (任意), given with the request: digits only, `+` first
        /// for a number abroad ([`phone_number`] reads what the resident typed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(pattern = r"^\+?[0-9]{10,15}$"))]
        phone: Option<String>,
    },
}

/// The phone number a resident typed, as stored: full-width digits and any dash or space
/// allowed and dropped (`０９０－１２３４－５６７８` → `09012345678`), `+` only first; 10–15
/// digits. Blank is no number.
pub fn phone_number(typed: &str) -> Result<Option<String>, SafetyError> {
    let mut out = String::new();
    for (i, c) in typed.trim().chars().map(crate::typed::fold_wide).enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push('+'),
            '-' | ' ' | '(' | ')' => {}
            _ => return Err(SafetyError::BadPhone),
        }
    }
    match out.trim_start_matches('+').len() {
        0 => Ok(None),
        10..=15 => Ok(Some(out)),
        _ => Err(SafetyError::BadPhone),
    }
}

#[cfg(feature = "openapi")]
fn place_schema() -> utoipa::openapi::schema::Object {
    crate::schema::trimmed(MAX_PLACE_CHARS, false, "1-100 characters once trimmed")
}

#[cfg(feature = "openapi")]
fn help_schema() -> utoipa::openapi::schema::Object {
    crate::schema::trimmed(MAX_HELP_CHARS, false, "1-200 characters once trimmed")
}

/// Read as one flat object, not by serde's derive for an internally tagged enum: that buffers the
/// whole object in serde's `Content` first, which took 8.5 KB of the resident's first download
/// for this one type. The derive's rules, kept: a known `status`; a struct variant's own fields,
/// and no other field (`deny_unknown_fields`); a unit variant (`safe_at_home`) ignores any other
/// field, as serde's internally tagged unit variants do (the OpenAPI document says so).
impl<'de> Deserialize<'de> for SafetyStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(StatusVisitor)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusKind {
    SafeAtHome,
    AtShelter,
    Elsewhere,
    NeedsHelp,
}

struct StatusVisitor;

impl<'de> serde::de::Visitor<'de> for StatusVisitor {
    type Value = SafetyStatus;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a safety status: {\"status\": …} and its fields")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SafetyStatus, A::Error> {
        use serde::de::Error;
        const FIELDS: &[&str] = &["status", "shelter_id", "place", "what", "location", "phone"];
        let (mut status, mut shelter_id, mut place, mut what, mut location) = (None, None, None, None, None);
        // `phone` may be absent or null (no number): given only when a number is.
        let mut phone: Option<Option<String>> = None;
        // The first field that is no field of any kind (refused by every struct variant).
        let mut unknown: Option<String> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "status" => status = Some(map.next_value::<StatusKind>()?),
                "shelter_id" => shelter_id = Some(map.next_value::<ShelterId>()?),
                "place" => place = Some(map.next_value::<String>()?),
                "what" => what = Some(map.next_value::<String>()?),
                "location" => location = Some(map.next_value::<String>()?),
                "phone" => phone = Some(map.next_value::<Option<String>>()?),
                other => {
                    unknown.get_or_insert_with(|| other.to_owned());
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let status = status.ok_or_else(|| A::Error::missing_field("status"))?;
        let given = [("shelter_id", shelter_id.is_some()), ("place", place.is_some())].into_iter().chain([
            ("what", what.is_some()),
            ("location", location.is_some()),
            ("phone", phone.is_some()),
        ]);
        // A struct variant refuses another kind's field as it refuses any unknown name.
        let only = |own: &[&str]| -> Result<(), A::Error> {
            let other = given.clone().find(|(f, set)| *set && !own.contains(f)).map(|(f, _)| f.to_owned());
            match other.or(unknown.clone()) {
                Some(f) => Err(A::Error::unknown_field(&f, FIELDS)),
                None => Ok(()),
            }
        };
        fn need<T, E: serde::de::Error>(v: Option<T>, f: &'static str) -> Result<T, E> {
            v.ok_or_else(|| E::missing_field(f))
        }
        Ok(match status {
            StatusKind::SafeAtHome => SafetyStatus::SafeAtHome,
            StatusKind::AtShelter => {
                only(&["shelter_id"])?;
                SafetyStatus::AtShelter { shelter_id: need(shelter_id, "shelter_id")? }
            }
            StatusKind::Elsewhere => {
                only(&["place"])?;
                SafetyStatus::Elsewhere { place: need(place, "place")? }
            }
            StatusKind::NeedsHelp => {
                only(&["what", "location", "phone"])?;
                SafetyStatus::NeedsHelp {
                    what: need(what, "what")?,
                    location: need(location, "location")?,
                    phone: phone.flatten(),
                }
            }
        })
    }
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
    #[error("a phone number is 10-15 digits, '+' first for a number abroad")]
    BadPhone,
}

impl SafetyError {
    /// Stable for clients: the problem's `reason`, and the app's catalog key `error_<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadPlace => "bad_place",
            Self::BadHelp => "bad_help",
            Self::BadReportId => "bad_report_id",
            Self::BadPhone => "bad_phone",
        }
    }
    pub fn message_ja(&self) -> &'static str {
        match self {
            Self::BadPlace => "いる場所を1〜100文字で入力してください。",
            Self::BadHelp => "必要な支援と場所をそれぞれ1〜200文字で入力してください。",
            Self::BadReportId => "報告IDの形式が正しくありません。",
            Self::BadPhone => "電話番号は数字10〜15けたで入力してください（例: 090-1234-5678）。",
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
            SafetyStatus::NeedsHelp { what, location, .. }
                if !text_ok(what, MAX_HELP_CHARS) || !text_ok(location, MAX_HELP_CHARS) =>
            {
                Err(SafetyError::BadHelp)
            }
            // Stored as `phone_number` makes it, nothing else.
            SafetyStatus::NeedsHelp { phone: Some(p), .. } if phone_number(p).ok().flatten().as_ref() != Some(p) => {
                Err(SafetyError::BadPhone)
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

    /// The hand-written reader keeps the derive's rules: every kind round-trips; an unknown
    /// status, a field of another kind, an unknown field and a missing field are refused by a
    /// struct variant; a value of the wrong type is refused.
    #[test]
    fn a_status_reads_as_the_derive_did() {
        let all = [
            SafetyStatus::SafeAtHome,
            SafetyStatus::AtShelter { shelter_id: ShelterId::parse("041009-aoba").unwrap() },
            SafetyStatus::Elsewhere { place: "実家".into() },
            SafetyStatus::NeedsHelp { what: "足をけがした".into(), location: "自宅2階".into(), phone: None },
            SafetyStatus::NeedsHelp {
                what: "足をけがした".into(),
                location: "自宅2階".into(),
                phone: Some("09012345678".into()),
            },
        ];
        for s in all {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<SafetyStatus>(&json).unwrap(), s, "{json}");
        }
        let read = |j: &str| serde_json::from_str::<SafetyStatus>(j).map_err(|e| e.to_string());
        assert_eq!(
            read(r#"{"place":"実家","status":"elsewhere"}"#),
            Ok(SafetyStatus::Elsewhere { place: "実家".into() })
        );
        assert!(read(r#"{"status":"lost"}"#).unwrap_err().contains("unknown variant"));
        assert!(read(r#"{"status":"elsewhere","place":"x","what":"y"}"#).unwrap_err().contains("unknown field `what`"));
        // A unit variant ignores other fields, as serde's internally tagged unit variants do.
        assert_eq!(read(r#"{"status":"safe_at_home","place":"x"}"#), Ok(SafetyStatus::SafeAtHome));
        assert!(read(r#"{"status":"at_shelter","shelter_id":"041009-aoba","color":1}"#)
            .unwrap_err()
            .contains("unknown field"));
        assert!(read(r#"{"status":"needs_help","what":"水"}"#).unwrap_err().contains("missing field `location`"));
        // A request without a number, or with `null`, is one without (as before the field).
        let no_phone = SafetyStatus::NeedsHelp { what: "水".into(), location: "自宅".into(), phone: None };
        assert_eq!(read(r#"{"status":"needs_help","what":"水","location":"自宅","phone":null}"#), Ok(no_phone));
        assert!(read(r#"{"status":"elsewhere","place":"x","phone":"09012345678"}"#)
            .unwrap_err()
            .contains("unknown field `phone`"));
        assert!(read(r#"{"status":"at_shelter"}"#).unwrap_err().contains("missing field `shelter_id`"));
        assert!(read(r#"{"shelter_id":"041009-aoba"}"#).unwrap_err().contains("missing field `status`"));
        assert!(read(r#"{"status":"at_shelter","shelter_id":"NOT AN ID"}"#).is_err());
    }

    fn report(status: SafetyStatus) -> SafetyReportInput {
        SafetyReportInput { report_id: "r-12345678".into(), member_id: MemberId::myself(), status }
    }

    #[test]
    fn safety_rules() {
        assert!(report(SafetyStatus::SafeAtHome).validate().is_ok());
        assert_eq!(report(SafetyStatus::Elsewhere { place: " ".into() }).validate(), Err(SafetyError::BadPlace));
        let help = SafetyStatus::NeedsHelp { what: "足をけがした".into(), location: "".into(), phone: None };
        assert_eq!(report(help).validate(), Err(SafetyError::BadHelp));
        let help = |phone: &str| SafetyStatus::NeedsHelp {
            what: "足をけがした".into(),
            location: "自宅".into(),
            phone: Some(phone.into()),
        };
        assert!(report(help("09012345678")).validate().is_ok());
        assert!(report(help("+818012345678")).validate().is_ok());
        // Only the stored form: the app sends what `phone_number` made of the typing.
        for bad in ["090-1234-5678", "110", "", "0901234567x", "1+9012345678"] {
            assert_eq!(report(help(bad)).validate(), Err(SafetyError::BadPhone), "{bad}");
        }
    }

    /// What residents type on a phone's keyboard or a Japanese IME, read as one number.
    #[test]
    fn a_typed_phone_number_is_read() {
        let ok = |t: &str| phone_number(t).unwrap();
        assert_eq!(ok("090-1234-5678"), Some("09012345678".into()));
        assert_eq!(ok("０９０－１２３４－５６７８"), Some("09012345678".into()));
        assert_eq!(ok("０２２ー２１４ー８１１１"), Some("0222148111".into()));
        assert_eq!(ok(" (022) 214 8111 "), Some("0222148111".into()));
        assert_eq!(ok("+81 90 1234 5678"), Some("+819012345678".into()));
        assert_eq!(ok("  "), None);
        for bad in ["119", "090-1234-56", "090 1234 5678 ext 2", "81+9012345678", "0901234567890123"] {
            assert_eq!(phone_number(bad), Err(SafetyError::BadPhone), "{bad}");
        }
        let mut r = report(SafetyStatus::SafeAtHome);
        r.report_id = "short".into();
        assert_eq!(r.validate(), Err(SafetyError::BadReportId));
        let json = r#"{"report_id":"r-12345678","member_id":"self","status":{"status":"at_shelter","shelter_id":"041009-aoba-katahira-es"}}"#;
        assert!(serde_json::from_str::<SafetyReportInput>(json).is_ok());
        let bad = r#"{"report_id":"r-12345678","member_id":"self","status":{"status":"on_the_moon"}}"#;
        assert!(serde_json::from_str::<SafetyReportInput>(bad).is_err());
    }
}

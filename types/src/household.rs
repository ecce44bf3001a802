//! Household (世帯): the signed-in resident and accompanying members, who may
//! have no phone or card (children, elderly).

use crate::Timestamp;
use serde::{Deserialize, Serialize};

pub const MAX_MEMBERS: usize = 20;
pub const MAX_NAME_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HouseholdError {
    #[error("member id must be 1-40 characters of A-Z, a-z, 0-9, '-' and '_'")]
    BadMemberId,
    #[error("the name must be 1-40 characters")]
    BadName,
    #[error("the birth date must be a real date (YYYY or YYYY-MM-DD) between 1900 and today")]
    BadBirthDate,
    #[error("a household has at most 20 members")]
    TooManyMembers,
    #[error("the resident themself cannot be removed or given another relationship")]
    SelfMember,
}

impl HouseholdError {
    /// Stable for clients: the problem's `reason`, and the app's catalog key `error_<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadMemberId => "bad_member_id",
            Self::BadName => "bad_name",
            Self::BadBirthDate => "bad_birth_date",
            Self::TooManyMembers => "too_many_members",
            Self::SelfMember => "self_member",
        }
    }
    pub fn message_ja(&self) -> &'static str {
        match self {
            Self::BadMemberId => "メンバーIDの形式が正しくありません。",
            Self::BadName => "名前は1〜40文字で入力してください。",
            Self::BadBirthDate => "生年月日（または生まれた年）を正しく入力してください。",
            Self::TooManyMembers => "世帯に登録できるのは20人までです。",
            Self::SelfMember => "本人は削除したり続柄を変えたりできません。",
        }
    }
}

/// Chosen by the app when a member is added, so an offline retry never adds twice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(pattern = "^[A-Za-z0-9_-]{1,40}$", example = "self"))]
#[serde(try_from = "String", into = "String")]
pub struct MemberId(String);

impl MemberId {
    /// The resident themself.
    pub const SELF: &'static str = "self";
    pub fn parse(s: &str) -> Result<Self, HouseholdError> {
        let ok =
            !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(HouseholdError::BadMemberId)
        }
    }
    pub fn myself() -> Self {
        Self(Self::SELF.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_self(&self) -> bool {
        self.0 == Self::SELF
    }
}

impl TryFrom<String> for MemberId {
    type Error = HouseholdError;
    fn try_from(s: String) -> Result<Self, HouseholdError> {
        Self::parse(&s)
    }
}
impl From<MemberId> for String {
    fn from(v: MemberId) -> String {
        v.0
    }
}
impl std::fmt::Display for MemberId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    Other,
    /// 回答しない
    NoAnswer,
}

/// 続柄
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    #[serde(rename = "self")]
    Myself,
    Spouse,
    Child,
    Parent,
    Grandparent,
    Grandchild,
    Sibling,
    OtherRelative,
    Other,
}

/// A birth year alone (common for elderly relatives) or a full date, as `YYYY` or `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BirthDate {
    year: u16,
    month_day: Option<(u8, u8)>,
}

impl BirthDate {
    pub fn parse(s: &str) -> Result<Self, HouseholdError> {
        let bad = HouseholdError::BadBirthDate;
        let num = |p: &str, len: usize| -> Result<u16, HouseholdError> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| bad.clone())
            } else {
                Err(bad.clone())
            }
        };
        let parts: Vec<&str> = s.split('-').collect();
        let d = match parts.as_slice() {
            [y] => Self { year: num(y, 4)?, month_day: None },
            [_, _, _] => {
                let d = crate::time::JstDate::parse(s).ok_or(bad)?;
                Self { year: d.year as u16, month_day: Some((d.month, d.day)) }
            }
            _ => return Err(bad),
        };
        if d.year < 1900 {
            return Err(HouseholdError::BadBirthDate);
        }
        Ok(d)
    }
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Not after `today` (`YYYY-MM-DD` in JST, as [`crate::Timestamp::jst_date`] gives).
    pub fn not_after(&self, today: &str) -> bool {
        self.to_string().as_str() <= today
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.month_day {
            None => write!(f, "{:04}", self.year),
            Some((m, d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
        }
    }
}

impl TryFrom<String> for BirthDate {
    type Error = HouseholdError;
    fn try_from(s: String) -> Result<Self, HouseholdError> {
        Self::parse(&s)
    }
}
impl From<BirthDate> for String {
    fn from(v: BirthDate) -> String {
        v.to_string()
    }
}

/// What the app sends to add or edit a member (`PUT /api/household/members/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    #[cfg_attr(feature = "openapi", schema(schema_with = name_schema))]
    pub display_name: String,
    /// `YYYY` or `YYYY-MM-DD`, from 1900 and not after today in Japan (which the pattern
    /// cannot say, nor which days February has).
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(19[0-9]{2}|[2-9][0-9]{3})(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?$", example = "1980-04-01"))]
    pub birth: BirthDate,
    pub sex: Sex,
    pub relationship: Relationship,
}

/// A member's name as [`MemberInput::validate`] and the desk registration accept it.
#[cfg(feature = "openapi")]
pub(crate) fn name_schema() -> utoipa::openapi::schema::Object {
    crate::schema::trimmed(MAX_NAME_CHARS, true, "1-40 characters once trimmed, no control characters")
}

impl MemberInput {
    /// Checks that need no stored state; `today` is the JST date.
    pub fn validate(&self, id: &MemberId, today: &str) -> Result<(), HouseholdError> {
        let n = self.display_name.trim().chars().count();
        if n == 0 || n > MAX_NAME_CHARS || self.display_name.chars().any(char::is_control) {
            return Err(HouseholdError::BadName);
        }
        if !self.birth.not_after(today) {
            return Err(HouseholdError::BadBirthDate);
        }
        if id.is_self() != (self.relationship == Relationship::Myself) {
            return Err(HouseholdError::SelfMember);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: MemberId,
    pub display_name: String,
    /// `YYYY` or `YYYY-MM-DD`; None only for the resident themself before they enter it
    /// (taken from the card when they shared the basic four items).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1980-04-01"))]
    pub birth: Option<BirthDate>,
    pub sex: Sex,
    pub relationship: Relationship,
    pub updated_at: Timestamp,
    /// The name came from the card with substitute characters (代替文字 for 外字): staff
    /// confirm it by sight. Cleared once the resident saves their own name.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub name_unconfirmed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_state_codes_are_the_wire_names() {
        for s in HelpState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.code()));
            assert_eq!(HelpState::from_code(s.code()), Some(s));
        }
        assert_eq!(HelpState::from_code("done"), None);
    }

    #[test]
    fn birth_dates() {
        assert_eq!(BirthDate::parse("1980").unwrap().to_string(), "1980");
        assert_eq!(BirthDate::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in ["2023-02-29", "1980-13-01", "1980-00-10", "1980-1-1", "80", "1899", "abcd", "1980-04-31", ""] {
            assert!(BirthDate::parse(bad).is_err(), "{bad}");
        }
        let d = BirthDate::parse("2026-11-23").unwrap();
        assert!(d.not_after("2026-11-23") && !d.not_after("2026-11-22"));
        assert!(!BirthDate::parse("2027").unwrap().not_after("2026-11-22"));
    }

    #[test]
    fn member_rules() {
        let input = |name: &str, rel| MemberInput {
            display_name: name.into(),
            birth: BirthDate::parse("2015").unwrap(),
            sex: Sex::NoAnswer,
            relationship: rel,
        };
        let child = MemberId::parse("m-1").unwrap();
        assert!(input("はな", Relationship::Child).validate(&child, "2026-11-22").is_ok());
        assert_eq!(input("  ", Relationship::Child).validate(&child, "2026-11-22"), Err(HouseholdError::BadName));
        assert_eq!(
            input(&"あ".repeat(41), Relationship::Child).validate(&child, "2026-11-22"),
            Err(HouseholdError::BadName)
        );
        assert_eq!(input("x", Relationship::Myself).validate(&child, "2026-11-22"), Err(HouseholdError::SelfMember));
        assert_eq!(
            input("x", Relationship::Child).validate(&MemberId::myself(), "2026-11-22"),
            Err(HouseholdError::SelfMember)
        );
        assert!(MemberId::parse("a/b").is_err());
    }
}

/// `GET /api/household`: everything the resident screens need, in one call for a bad network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdView {
    pub members: Vec<MemberView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub member: Member,
    pub needs: Option<crate::needs::Needs>,
    /// The latest safety report.
    pub safety: Option<crate::safety::SafetyReport>,
    /// The shelter the member is checked in at (受付済み), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in: Option<crate::checkin::Location>,
    /// When the latest report asks for help: where HQ is with it, once someone has taken it up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<HelpProgress>,
}

/// `DELETE /api/me` must say so explicitly: `{"confirm": "delete"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteConfirmation {
    #[cfg_attr(feature = "openapi", schema(schema_with = delete_confirmation))]
    pub confirm: String,
}

#[cfg(feature = "openapi")]
fn delete_confirmation() -> utoipa::openapi::schema::Object {
    crate::schema::constant("delete", "the word `delete`, as confirmation")
}

/// `GET /api/me/export`: everything stored about the resident and their household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyData {
    pub me: crate::auth::Me,
    pub members: Vec<MemberView>,
    pub safety_history: Vec<crate::safety::SafetyReport>,
    /// Every check-in and check-out of the household, newest first.
    #[serde(default)]
    pub check_ins: Vec<CheckInRecord>,
    /// The resident's survey answers, every period.
    #[serde(default)]
    pub survey_answers: Vec<crate::surveys::MyAnswer>,
    /// The devices that receive notices for the resident.
    #[serde(default)]
    pub notification_devices: Vec<NotificationDevice>,
    pub exported_at: Timestamp,
}

/// A device registered for notifications, as "export my data" lists it. Its push address and keys
/// are what lets anyone send to it, so the export names the push service, not the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationDevice {
    /// The browser's push service, e.g. `fcm.googleapis.com`.
    pub push_service: String,
    /// The language its notifications come in (a code of `localized::LANGUAGES`); absent: Japanese and English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub registered_at: Timestamp,
}

/// One check-in or check-out of a member, as "export my data" lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInRecord {
    pub member_id: MemberId,
    pub kind: crate::checkin::EventKind,
    pub shelter_id: crate::ShelterId,
    /// The shelter's name when exported (empty if it no longer exists).
    pub shelter_name: String,
    pub at: Timestamp,
}

/// `GET /api/hq/help-requests`: open "needs help" reports for HQ (no card data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HelpRequest {
    pub report_id: String,
    pub member_name: String,
    pub birth_year: Option<u16>,
    pub what: String,
    pub location: String,
    /// The area (地区) the resident registered, when they asked: where "自宅" is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<crate::surveys::AreaCode>,
    /// The number the person gave to be called back on, if they gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// When it was made on the phone; `received_at` when it reached the server.
    pub reported_at: Timestamp,
    #[serde(default)]
    pub received_at: Option<Timestamp>,
    /// Checked in at a shelter since the request (scanned there): HQ may no longer need to go
    /// where it says. The request stays listed until HQ marks it handled or the person reports again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in: Option<HelpCheckedIn>,
    /// Where HQ is with it, and since when (absent while nobody has taken it up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<HelpProgress>,
}

/// Where HQ is with a request for help (救助要請の対応状況). A new "needs help" report from the
/// person starts over as a new request; any other report closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HelpState {
    /// 未対応: nobody has taken it up yet.
    Open,
    /// 対応中: someone at HQ is on it (calling back, a team sent).
    InProgress,
    /// 対応済み: done; HQ's list keeps it apart, the person sees it.
    Resolved,
}

impl HelpState {
    pub const ALL: [HelpState; 3] = [HelpState::Open, HelpState::InProgress, HelpState::Resolved];

    /// As the API writes it (`in_progress`), also what the store keeps and the page marks.
    pub fn code(self) -> &'static str {
        match self {
            HelpState::Open => "open",
            HelpState::InProgress => "in_progress",
            HelpState::Resolved => "resolved",
        }
    }

    pub fn from_code(code: &str) -> Option<HelpState> {
        HelpState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// HQ's latest step on a request for help, and when it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HelpProgress {
    pub state: HelpState,
    pub at: Timestamp,
}

/// `PUT /api/hq/help-requests/{report_id}`: HQ's step on a request (the same step again changes nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HelpStateChange {
    pub state: HelpState,
}

/// Where and since when the person who asked for help is checked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HelpCheckedIn {
    pub shelter_id: crate::ShelterId,
    /// The shelter's name (empty if it no longer exists).
    pub shelter_name: String,
    pub since: Timestamp,
}

/// `PUT /api/me/area`: the area of the municipality the resident lives in (住所の地区).
/// Notices and surveys for that area reach them; HQ counts safety reports by it. `null` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AreaRegistration {
    // Required even when null: a body without it is a mistake, not a request to clear.
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub area: Option<crate::surveys::AreaCode>,
}

/// An area (地区) of the municipality residents register in and notices target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Area {
    pub code: crate::surveys::AreaCode,
    pub name_ja: String,
    pub name_en: String,
}

/// Where the resident's home municipality (住所地) came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HomeSource {
    /// Read from the address on the card's signing certificate (基本4情報).
    Card,
    /// Chosen (or corrected) by the resident; a later card read does not override it.
    Chosen,
}

/// The resident's home municipality: the shelter they reach counts them under it, and its HQ
/// sees where its residents are (広域避難).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Home {
    pub municipality: crate::MunicipalityCode,
    pub name_ja: String,
    pub source: HomeSource,
}

/// `PUT /api/me/home`: the resident's choice or correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HomeChoice {
    /// 全国地方公共団体コード, one of `GET /api/municipalities`.
    pub municipality: crate::MunicipalityCode,
}

/// A municipality a resident can name as home: every one of the served prefectures' lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityChoice {
    pub municipality: crate::MunicipalityCode,
    pub name_ja: String,
    /// Reading in full-width katakana (empty when the list has none), for sorting, search and
    /// furigana.
    pub kana: String,
    /// In Latin letters as the address base registry writes it (`Ishinomaki-shi`), for readers
    /// of other languages; empty when unknown.
    #[serde(default)]
    pub name_en: String,
    /// Whether this deployment runs shelters there.
    pub served: bool,
}

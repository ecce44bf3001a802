//! The evacuee roster (避難者名簿) of a shelter, for its own staff only.

use crate::needs::{AllergenCode, CareNeed, DietaryNeed, MedicalNeed, NeedsInput, NursingCareLevel};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// 年齢区分: under 15 / 15–64 / 65 and over, as in Japanese population statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    Child,
    Adult,
    Elderly,
    Unknown,
}

impl AgeBand {
    pub fn of(birth_year: Option<u16>, this_year: u16) -> Self {
        match birth_year.map(|y| this_year.saturating_sub(y)) {
            None => Self::Unknown,
            Some(a) if a < 15 => Self::Child,
            Some(a) if a < 65 => Self::Adult,
            Some(_) => Self::Elderly,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Child => "年少（0〜14歳）",
            Self::Adult => "15〜64歳",
            Self::Elderly => "65歳以上",
            Self::Unknown => "不明",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterEntry {
    /// Names this stay on the roster for actions on it (check-out by hand); opaque, not the
    /// person's id.
    #[serde(default)]
    pub entry_id: String,
    pub name: String,
    pub birth_year: Option<u16>,
    pub age_band: AgeBand,
    pub sex: String,
    pub allergens: Vec<AllergenCode>,
    pub other_allergies: String,
    pub dietary: Vec<DietaryNeed>,
    pub medical: Vec<MedicalNeed>,
    pub care: Vec<CareNeed>,
    /// The resident's own words about medical needs (for staff: medicines, devices, doctor).
    #[serde(default)]
    pub medical_note: String,
    /// 要介護度 / 要支援, when registered.
    #[serde(default)]
    pub nursing_care_level: Option<NursingCareLevel>,
    pub checked_in_at: Timestamp,
    /// "card" (the card holder, signed in with My Number Card), "family" (a member the card holder
    /// registered: not checked by a card) or "desk" (registered by staff, unverified).
    pub source: String,
    /// The name as read from the card has substitute characters (外字): confirm it by sight.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub name_unconfirmed: bool,
}

/// Query string of the roster and its CSV export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct RosterFilter {
    pub allergen: Option<AllergenCode>,
    pub care: Option<CareNeed>,
    pub age_band: Option<AgeBand>,
    /// Part of the name.
    pub q: Option<String>,
}

impl RosterFilter {
    pub fn matches(&self, e: &RosterEntry) -> bool {
        self.allergen.is_none_or(|a| e.allergens.contains(&a))
            && self.care.is_none_or(|c| e.care.contains(&c))
            && self.age_band.is_none_or(|b| e.age_band == b)
            && self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).is_none_or(|q| e.name.contains(q))
    }
}

impl RosterEntry {
    pub fn needs(&self) -> NeedsInput {
        NeedsInput {
            allergens: self.allergens.clone(),
            other_allergies: self.other_allergies.clone(),
            dietary: self.dietary.clone(),
            medical: self.medical.clone(),
            medical_note: self.medical_note.clone(),
            care: self.care.clone(),
            nursing_care_level: self.nursing_care_level,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn age_bands_and_filters() {
        assert_eq!(AgeBand::of(Some(2015), 2026), AgeBand::Child);
        assert_eq!(AgeBand::of(Some(2011), 2026), AgeBand::Adult);
        assert_eq!(AgeBand::of(Some(1961), 2026), AgeBand::Elderly);
        assert_eq!(AgeBand::of(None, 2026), AgeBand::Unknown);
        let e = RosterEntry {
            entry_id: String::new(),
            name: "防災 はな".into(),
            birth_year: Some(2018),
            age_band: AgeBand::Child,
            sex: "female".into(),
            allergens: vec![AllergenCode::Egg],
            other_allergies: String::new(),
            dietary: vec![],
            medical: vec![],
            care: vec![],
            medical_note: String::new(),
            nursing_care_level: None,
            checked_in_at: Timestamp(0),
            source: "card".into(),
            name_unconfirmed: false,
        };
        assert!(RosterFilter { allergen: Some(AllergenCode::Egg), q: Some("はな".into()), ..Default::default() }
            .matches(&e));
        assert!(!RosterFilter { allergen: Some(AllergenCode::Milk), ..Default::default() }.matches(&e));
        assert!(!RosterFilter { age_band: Some(AgeBand::Elderly), ..Default::default() }.matches(&e));
        assert!(RosterFilter { q: Some(" ".into()), ..Default::default() }.matches(&e));
    }
}

/// `POST /api/shelters/{id}/roster/{entry_id}/check-out`: staff check out someone who left
/// without scanning (audited). The app-chosen `event_id` makes a resend a no-op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManualCheckOut {
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 64, pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub event_id: String,
}

/// Someone who stayed at a shelter during a past (or current) real incident: the roster of that
/// incident, kept until its personal data is purged (罹災証明, inquiries). No needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastStay {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<u16>,
    pub sex: String,
    /// The home municipality's code, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// The first check-in recorded here during the incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived_at: Option<Timestamp>,
    /// The last check-out, when it came after the last check-in (else still here at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<Timestamp>,
}

/// One real incident's roster at a shelter (`GET /api/shelters/{id}/roster/past`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastRoster {
    pub incident_id: String,
    pub incident_name: String,
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// When its personal data (this list) will be deleted, once the incident is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data_until: Option<Timestamp>,
    pub stays: Vec<PastStay>,
}

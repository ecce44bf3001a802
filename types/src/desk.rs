//! Desk registration (窓口登録) for people with no card or phone: staff enter
//! them, mark them unverified and hand out a printed QR; a card holder can claim
//! the record later.

use crate::household::{HouseholdError, Sex};
use crate::needs::{NeedsError, NeedsInput};
use serde::{Deserialize, Serialize};

pub const MAX_DESK_PEOPLE: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeskPerson {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::household::name_schema))]
    pub name: String,
    /// From 1900, not after the current year in Japan (a bound that moves with the clock, so
    /// the schema gives the type's instead).
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1900, maximum = 65535))]
    pub birth_year: Option<u16>,
    pub sex: Sex,
    #[serde(default)]
    pub needs: NeedsInput,
}

/// `POST /api/shelters/{id}/desk-registrations`. The registration id is chosen by
/// the staff device, so a resend (or an offline retry) registers once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeskRegistration {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub registration_id: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub people: Vec<DeskPerson>,
    /// Also check them in at this shelter now (event id = registration id).
    #[serde(default)]
    pub check_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    #[error("registration id must be 8-64 characters of A-Z, a-z, 0-9, '-' and '_'")]
    BadId,
    #[error("register 1 to 20 people at once")]
    BadCount,
    #[error(transparent)]
    Person(#[from] HouseholdError),
    #[error(transparent)]
    Needs(#[from] NeedsError),
}

impl DeskError {
    /// Stable for clients: the problem's `reason` (a person's or needs' own reason inside).
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadId => "bad_registration_id",
            Self::BadCount => "bad_count",
            Self::Person(e) => e.code(),
            Self::Needs(e) => e.code(),
        }
    }
    pub fn message_ja(&self) -> &'static str {
        match self {
            Self::BadId => "登録IDの形式が正しくありません。",
            Self::BadCount => "一度に登録できるのは1〜20人です。",
            Self::Person(e) => e.message_ja(),
            Self::Needs(e) => e.message_ja(),
        }
    }
}

impl DeskRegistration {
    /// `this_year` in Japan, for the birth year check.
    pub fn validate(&self, this_year: u16) -> Result<(), DeskError> {
        let id_ok = (8..=64).contains(&self.registration_id.len())
            && self.registration_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(DeskError::BadId);
        }
        if self.people.is_empty() || self.people.len() > MAX_DESK_PEOPLE {
            return Err(DeskError::BadCount);
        }
        for p in &self.people {
            let n = p.name.trim().chars().count();
            if n == 0 || n > crate::household::MAX_NAME_CHARS || p.name.chars().any(char::is_control) {
                return Err(HouseholdError::BadName.into());
            }
            if p.birth_year.is_some_and(|y| y < 1900 || y > this_year) {
                return Err(HouseholdError::BadBirthDate.into());
            }
            p.needs.validate()?;
        }
        Ok(())
    }
}

/// The printed QR for the person (or family) registered at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskRegistered {
    pub registration_id: String,
    /// Check-in credential to print as a QR code (same format as residents').
    pub credential: String,
    pub expires_at: crate::Timestamp,
}

/// `POST /api/me/claim`: a card holder takes over a desk record they were given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeskClaim {
    pub credential: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn desk_rules() {
        let p = DeskPerson {
            name: "山田 トメ".into(),
            birth_year: Some(1940),
            sex: Sex::Female,
            needs: NeedsInput::default(),
        };
        let mut r =
            DeskRegistration { registration_id: "desk-00000001".into(), people: vec![p.clone()], check_in: true };
        assert!(r.validate(2026).is_ok());
        r.people[0].birth_year = Some(2030);
        assert_eq!(r.validate(2026), Err(DeskError::Person(HouseholdError::BadBirthDate)));
        r.people = vec![];
        assert_eq!(r.validate(2026), Err(DeskError::BadCount));
        r.people = vec![p];
        r.registration_id = "x".into();
        assert_eq!(r.validate(2026), Err(DeskError::BadId));
    }
}

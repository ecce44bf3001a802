//! Who a scanned check-in QR code names, for staff to see before they confirm
//! (`POST /api/shelters/{id}/scan-preview`). Names and ages, never ids on screen.

use crate::checkin::Location;
use crate::household::MemberId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScanPreviewRequest {
    /// The QR code's text, as scanned.
    #[cfg_attr(feature = "openapi", schema(max_length = 4096))]
    pub credential: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanPreview {
    /// The card holder (`self`) first, then the family in the QR code's order.
    pub people: Vec<PreviewPerson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewPerson {
    /// For choosing who checks in; not shown.
    pub member_id: MemberId,
    pub name: String,
    /// Age this year, from the birth year, when known.
    pub age: Option<u16>,
    /// The name has substitute characters (外字): confirm it on the card.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub name_unconfirmed: bool,
    /// Where the person is checked in now, if anywhere (here: already checked in).
    pub checked_in: Option<Location>,
}

/// 「本人＋家族2人」: what staff see offline, when names cannot be looked up.
pub fn headcount_ja(members: &[String]) -> String {
    let holder = members.iter().any(|m| m == MemberId::SELF);
    let family = members.iter().filter(|m| *m != MemberId::SELF).count();
    match (holder, family) {
        (true, 0) => "本人".into(),
        (true, n) => format!("本人＋家族{n}人"),
        // A desk slip names no card holder.
        (false, n) => format!("{n}人"),
    }
}

pub fn headcount_en(members: &[String]) -> String {
    let holder = members.iter().any(|m| m == MemberId::SELF);
    let family = members.iter().filter(|m| *m != MemberId::SELF).count();
    match (holder, family) {
        (true, 0) => "The card holder".into(),
        (true, 1) => "The card holder + 1 family member".into(),
        (true, n) => format!("The card holder + {n} family members"),
        (false, 1) => "1 person".into(),
        (false, n) => format!("{n} people"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headcounts() {
        let v = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(headcount_ja(&v(&["self", "m-a", "m-b"])), "本人＋家族2人");
        assert_eq!(headcount_ja(&v(&["self"])), "本人");
        assert_eq!(headcount_ja(&v(&["p0", "p1"])), "2人");
        assert_eq!(headcount_en(&v(&["self", "m-a"])), "The card holder + 1 family member");
    }
}

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

impl PreviewPerson {
    /// Checked in at shelter `here` now.
    pub fn is_here(&self, here: &str) -> bool {
        self.checked_in.as_ref().and_then(|c| c.shelter_id.as_ref()).is_some_and(|s| s.as_str() == here)
    }

    /// Whether a `kind` scan at `here` changes anything for this person: checking in someone
    /// already checked in here, or out someone who is not, records nothing staff should be told
    /// was done, so the confirmation leaves them unticked.
    pub fn changed_by(&self, here: &str, kind: crate::checkin::EventKind) -> bool {
        match kind {
            crate::checkin::EventKind::CheckIn => !self.is_here(here),
            crate::checkin::EventKind::CheckOut => self.is_here(here),
        }
    }
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

    #[test]
    fn a_scan_changes_only_who_it_moves() {
        use crate::checkin::EventKind::{CheckIn, CheckOut};
        let at = |shelter: Option<&str>| PreviewPerson {
            member_id: MemberId::myself(),
            name: "防災 太郎".into(),
            age: None,
            name_unconfirmed: false,
            checked_in: Some(Location {
                member_id: MemberId::myself(),
                shelter_id: shelter.map(|s| crate::ShelterId::parse(s).unwrap()),
                since: crate::Timestamp(0),
                drill: false,
            }),
        };
        let nowhere = PreviewPerson { checked_in: None, ..at(None) };
        let (here, elsewhere, left) = (at(Some("041009-a")), at(Some("041009-b")), at(None));
        assert!(!here.changed_by("041009-a", CheckIn), "already checked in here");
        assert!(here.changed_by("041009-a", CheckOut));
        for p in [&elsewhere, &left, &nowhere] {
            assert!(p.changed_by("041009-a", CheckIn), "{:?} moves here", p.checked_in);
            assert!(!p.changed_by("041009-a", CheckOut), "{:?} is not here to leave", p.checked_in);
        }
    }
}

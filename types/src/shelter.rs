use crate::{GeoPoint, MunicipalityCode, ShelterId, Timestamp};
use serde::{Deserialize, Serialize};

/// Facilities shown in the shelter list (設備).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Facility {
    BarrierFree,
    Pets,
    Charging,
    Water,
    Toilets,
    InfantRoom,
}

impl Facility {
    pub const ALL: [Facility; 6] =
        [Self::BarrierFree, Self::Pets, Self::Charging, Self::Water, Self::Toilets, Self::InfantRoom];
    pub fn label(self, ja: bool) -> &'static str {
        match (self, ja) {
            (Self::BarrierFree, true) => "バリアフリー",
            (Self::BarrierFree, false) => "Barrier-free",
            (Self::Pets, true) => "ペット可",
            (Self::Pets, false) => "Pets allowed",
            (Self::Charging, true) => "充電できる",
            (Self::Charging, false) => "Phone charging",
            (Self::Water, true) => "給水",
            (Self::Water, false) => "Drinking water",
            (Self::Toilets, true) => "トイレ",
            (Self::Toilets, false) => "Toilets",
            (Self::InfantRoom, true) => "授乳室",
            (Self::InfantRoom, false) => "Nursing room",
        }
    }
}

/// Opening state set by shelter staff (開設状況).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShelterStatus {
    Open,
    Closed,
    Full,
}

/// Congestion shown to residents (混雑度), derived from occupancy and capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Congestion {
    Closed,
    Low,
    Moderate,
    High,
    Full,
}

impl Congestion {
    /// Staff can declare a shelter full before the head count reaches capacity
    /// (a flooded wing, no more blankets), so their status wins over arithmetic.
    pub fn of(status: ShelterStatus, occupancy: u32, capacity: u32) -> Self {
        match status {
            ShelterStatus::Closed => Self::Closed,
            ShelterStatus::Full => Self::Full,
            ShelterStatus::Open if capacity == 0 || occupancy >= capacity => Self::Full,
            ShelterStatus::Open => match occupancy as u64 * 100 / capacity as u64 {
                0..=49 => Self::Low,
                50..=79 => Self::Moderate,
                _ => Self::High,
            },
        }
    }
}

/// A designated shelter (指定避難所) as residents and staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shelter {
    pub id: ShelterId,
    pub municipality: MunicipalityCode,
    pub name_ja: String,
    pub name_en: String,
    pub address_ja: String,
    pub location: GeoPoint,
    pub capacity: u32,
    pub occupancy: u32,
    pub status: ShelterStatus,
    pub congestion: Congestion,
    pub facilities: Vec<Facility>,
    /// 指定避難所, 指定緊急避難場所 or both (from the imported open data).
    #[serde(default)]
    pub kind: crate::shelter_import::ShelterKind,
    /// The hazards it is designated for (empty: not stated).
    #[serde(default)]
    pub hazards: Vec<crate::shelter_import::Hazard>,
    pub updated_at: Timestamp,
    /// 1 or 2 people (publicly 「少数」): the public views withhold the count (`occupancy` 0) so
    /// no one is singled out; the shelter's staff and HQ see the number.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub few: bool,
}

impl Shelter {
    /// Counts below this are shown as 「少数」 outside the shelter's staff and HQ.
    pub const FEW_BELOW: u32 = 3;

    /// As the public sees it.
    pub fn public(mut self) -> Self {
        if (1..Self::FEW_BELOW).contains(&self.occupancy) {
            self.occupancy = 0;
            self.few = true;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn congestion_levels() {
        use ShelterStatus::*;
        assert_eq!(Congestion::of(Open, 0, 100), Congestion::Low);
        assert_eq!(Congestion::of(Open, 49, 100), Congestion::Low);
        assert_eq!(Congestion::of(Open, 50, 100), Congestion::Moderate);
        assert_eq!(Congestion::of(Open, 80, 100), Congestion::High);
        assert_eq!(Congestion::of(Open, 100, 100), Congestion::Full);
        assert_eq!(Congestion::of(Open, 3, 0), Congestion::Full);
        assert_eq!(Congestion::of(Full, 10, 100), Congestion::Full);
        assert_eq!(Congestion::of(Closed, 0, 100), Congestion::Closed);
    }

    #[test]
    fn the_public_never_sees_one_or_two_people_counted() {
        let s = |occupancy| Shelter {
            id: ShelterId::parse("041009-x").unwrap(),
            municipality: MunicipalityCode::parse("041009").unwrap(),
            name_ja: String::new(),
            name_en: String::new(),
            address_ja: String::new(),
            location: GeoPoint::new(38.0, 140.0).unwrap(),
            capacity: 100,
            occupancy,
            status: ShelterStatus::Open,
            congestion: Congestion::Low,
            facilities: vec![],
            kind: Default::default(),
            hazards: vec![],
            updated_at: Timestamp(0),
            few: false,
        };
        assert_eq!((s(0).public().occupancy, s(0).public().few), (0, false));
        for n in [1, 2] {
            assert_eq!((s(n).public().occupancy, s(n).public().few), (0, true), "{n}");
        }
        assert_eq!((s(3).public().occupancy, s(3).public().few), (3, false));
    }
}

/// Staff change a shelter's state and capacity (開設・満員・閉鎖).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShelterStatusUpdate {
    pub status: ShelterStatus,
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub capacity: Option<u32>,
}

/// The administrator corrects what a shelter has and holds (設備・収容人数), what the published
/// list does not say. Sending it again changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShelterFacilitiesUpdate {
    /// Every facility the shelter has now (an empty list: none).
    pub facilities: Vec<Facility>,
    /// Left out: unchanged.
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub capacity: Option<u32>,
}

/// Larger than any real shelter; anything above is a typing mistake.
pub const MAX_CAPACITY: u32 = 100_000;

impl ShelterStatusUpdate {
    pub fn validate(&self) -> Result<(), &'static str> {
        match self.capacity {
            Some(c) if c == 0 || c > MAX_CAPACITY => Err("capacity must be between 1 and 100000"),
            _ => Ok(()),
        }
    }
}

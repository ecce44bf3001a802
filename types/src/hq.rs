//! HQ's dashboard summary (本部集計): who is in the shelters, what they need,
//! and how residents reported their safety, by area. Counts only, no names.

use crate::needs::{AllergenCode, CareNeed, DietaryNeed, MedicalNeed};
use crate::supplies::SupplyItem;
use crate::surveys::AreaCode;
use crate::{Congestion, ShelterId, ShelterStatus, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 年齢区分: the bands food orders and care planning use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// 未就学 0–5
    Under6,
    /// 6–12
    Child,
    /// 13–17
    Teen,
    /// 18–64
    Adult,
    /// 65–74
    Senior,
    /// 75+ (後期高齢者)
    Over75,
    /// No birth year was given.
    Unknown,
}

impl AgeBand {
    pub const ALL: [AgeBand; 7] = [
        AgeBand::Under6,
        AgeBand::Child,
        AgeBand::Teen,
        AgeBand::Adult,
        AgeBand::Senior,
        AgeBand::Over75,
        AgeBand::Unknown,
    ];

    /// By birth year alone (often all that is known of an elderly relative): the age
    /// this person reaches in `this_year`.
    pub fn of(birth_year: Option<u16>, this_year: i32) -> AgeBand {
        let Some(y) = birth_year else { return AgeBand::Unknown };
        match this_year - i32::from(y) {
            i32::MIN..=5 => AgeBand::Under6,
            6..=12 => AgeBand::Child,
            13..=17 => AgeBand::Teen,
            18..=64 => AgeBand::Adult,
            65..=74 => AgeBand::Senior,
            _ => AgeBand::Over75,
        }
    }
}

/// 男女別
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SexCounts {
    pub female: u32,
    pub male: u32,
    pub other: u32,
    pub no_answer: u32,
}

/// The people present somewhere, broken down as HQ orders food and care.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Headcount {
    pub people: u32,
    pub by_sex: SexCounts,
    /// Every band, zeros included, in [`AgeBand::ALL`] order.
    pub by_age: BTreeMap<AgeBand, u32>,
    /// Only codes somebody has.
    pub allergens: BTreeMap<AllergenCode, u32>,
    pub dietary: BTreeMap<DietaryNeed, u32>,
    pub medical: BTreeMap<MedicalNeed, u32>,
    pub care: BTreeMap<CareNeed, u32>,
    /// By home municipality (住所地, 全国地方公共団体コード): evacuees from other towns show here
    /// (広域避難). People counted before this existed are in no entry.
    #[serde(default)]
    pub by_home: BTreeMap<String, u32>,
}

impl Headcount {
    pub fn add(&mut self, other: &Headcount) {
        fn merge<K: Ord + Copy>(into: &mut BTreeMap<K, u32>, from: &BTreeMap<K, u32>) {
            for (k, v) in from {
                *into.entry(*k).or_default() += v;
            }
        }
        self.people += other.people;
        self.by_sex.female += other.by_sex.female;
        self.by_sex.male += other.by_sex.male;
        self.by_sex.other += other.by_sex.other;
        self.by_sex.no_answer += other.by_sex.no_answer;
        merge(&mut self.by_age, &other.by_age);
        merge(&mut self.allergens, &other.allergens);
        merge(&mut self.dietary, &other.dietary);
        merge(&mut self.medical, &other.medical);
        merge(&mut self.care, &other.care);
        for (k, v) in &other.by_home {
            *self.by_home.entry(k.clone()).or_default() += v;
        }
    }
}

/// One shelter on the dashboard: occupancy against capacity and who is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShelterSummary {
    pub shelter_id: ShelterId,
    pub name_ja: String,
    pub name_en: String,
    pub status: ShelterStatus,
    pub capacity: u32,
    pub occupancy: u32,
    pub congestion: Congestion,
    pub headcount: Headcount,
}

/// 安否の集計: the latest report of each person, counted by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyCounts {
    pub safe_at_home: u32,
    pub at_shelter: u32,
    pub elsewhere: u32,
    pub needs_help: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaSafety {
    /// None: residents who have not registered an area.
    pub area: Option<AreaCode>,
    pub counts: SafetyCounts,
}

/// One supply item across all shelters: what was asked for against what is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplyTotal {
    pub item: SupplyItem,
    pub code: String,
    pub requested: u32,
    pub on_hand: u32,
    /// Shelters with an open request for it.
    pub shelters: u32,
}

/// `GET /api/hq/summary`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HqSummary {
    pub generated_at: Timestamp,
    pub capacity: u64,
    pub occupancy: u64,
    /// Everyone present in any shelter.
    pub totals: Headcount,
    /// Ordered by id.
    pub shelters: Vec<ShelterSummary>,
    /// Ordered by area; unregistered last.
    pub safety: Vec<AreaSafety>,
    /// Items with open requests, most requested first.
    pub supplies: Vec<SupplyTotal>,
    /// Evacuees from other municipalities in this municipality's shelters, by home municipality.
    #[serde(default)]
    pub hosted: Vec<MunicipalityCount>,
    /// This municipality's residents in other municipalities' shelters, by host municipality.
    #[serde(default)]
    pub away: Vec<MunicipalityCount>,
    /// These are a drill's counts (訓練), not the real ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<crate::incident::Incident>,
}

/// People counted per municipality (wide-area evacuation, 広域避難).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityCount {
    /// 全国地方公共団体コード.
    pub municipality: String,
    /// As registered (the code when no name is).
    pub name_ja: String,
    pub people: u32,
}

/// One of the municipality's residents checked in at another municipality's shelter (広域避難),
/// for its HQ: who and where, no needs (those are for the host shelter's staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwayPerson {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<u16>,
    pub shelter_id: crate::ShelterId,
    pub shelter_name_ja: String,
    /// The host municipality's code and name.
    pub host: String,
    pub host_name_ja: String,
    pub checked_in_at: crate::Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_by_birth_year() {
        let at = |y| AgeBand::of(Some(y), 2026);
        assert_eq!(at(2026), AgeBand::Under6);
        assert_eq!(at(2021), AgeBand::Under6);
        assert_eq!(at(2020), AgeBand::Child);
        assert_eq!(at(2014), AgeBand::Child);
        assert_eq!(at(2013), AgeBand::Teen);
        assert_eq!(at(2009), AgeBand::Teen);
        assert_eq!(at(2008), AgeBand::Adult);
        assert_eq!(at(1962), AgeBand::Adult);
        assert_eq!(at(1961), AgeBand::Senior);
        assert_eq!(at(1952), AgeBand::Senior);
        assert_eq!(at(1951), AgeBand::Over75);
        assert_eq!(AgeBand::of(None, 2026), AgeBand::Unknown);
        // A birth year after "now" (clock skew) is a baby, not an error.
        assert_eq!(at(2027), AgeBand::Under6);
    }

    #[test]
    fn headcounts_add_up() {
        let mut a = Headcount { people: 2, ..Default::default() };
        a.by_sex.female = 2;
        a.allergens.insert(AllergenCode::Egg, 1);
        let mut b = Headcount { people: 1, ..Default::default() };
        b.by_sex.male = 1;
        b.allergens.insert(AllergenCode::Egg, 1);
        b.allergens.insert(AllergenCode::Milk, 1);
        a.add(&b);
        assert_eq!(a.people, 3);
        assert_eq!((a.by_sex.female, a.by_sex.male), (2, 1));
        assert_eq!(a.allergens.get(&AllergenCode::Egg), Some(&2));
        assert_eq!(a.allergens.get(&AllergenCode::Milk), Some(&1));
    }
}

/// `GET /api/hq/prefecture`: the prefecture HQ's (県災害対策本部) view. Counts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrefectureSummary {
    pub generated_at: Timestamp,
    /// The prefecture's own code (宮城県 040002).
    pub prefecture: String,
    pub capacity: u64,
    pub occupancy: u64,
    /// Everyone present in any shelter of the prefecture: sex, age bands, needs.
    pub totals: Headcount,
    /// Every municipality with shelters, by code.
    pub municipalities: Vec<MunicipalityTotals>,
}

/// One municipality's line of the prefecture summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityTotals {
    pub municipality: String,
    pub name_ja: String,
    /// Shelters listed (retired ones only while people are still there).
    pub shelters: u32,
    pub open: u32,
    pub capacity: u64,
    pub occupancy: u64,
    /// People from other municipalities in its shelters.
    pub hosted: u32,
    /// Its residents in other municipalities' shelters (of any prefecture this deployment serves).
    pub away: u32,
}

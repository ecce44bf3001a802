//! Loading shelters from the open data municipalities already publish (避難所データの取込み):
//! the Digital Agency's 自治体標準オープンデータセット (指定避難所一覧, 指定緊急避難場所一覧) and
//! GSI's 指定緊急避難場所・指定避難所データ. The report is what the admin screen previews and
//! what an apply answers; see docs/prefecture.md.

use crate::ShelterId;
use serde::{Deserialize, Serialize};

/// What a place is designated as under the Disaster Countermeasures Basic Act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShelterKind {
    /// 指定避難所: where people stay.
    #[default]
    Shelter,
    /// 指定緊急避難場所: where people flee to first, for the hazards it is designated for.
    EvacuationSite,
    /// Both designations.
    Both,
}

/// The eight hazards a 指定緊急避難場所 is designated for (災害種別).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    Flood,
    Landslide,
    StormSurge,
    Earthquake,
    Tsunami,
    LargeFire,
    InlandFlood,
    Volcano,
}

impl Hazard {
    pub const ALL: [Hazard; 8] = [
        Self::Flood,
        Self::Landslide,
        Self::StormSurge,
        Self::Earthquake,
        Self::Tsunami,
        Self::LargeFire,
        Self::InlandFlood,
        Self::Volcano,
    ];

    /// The column name both publishers use (the open data set prefixes it with `災害種別_`).
    pub fn column_ja(self) -> &'static str {
        match self {
            Self::Flood => "洪水",
            Self::Landslide => "崖崩れ、土石流及び地滑り",
            Self::StormSurge => "高潮",
            Self::Earthquake => "地震",
            Self::Tsunami => "津波",
            Self::LargeFire => "大規模な火事",
            Self::InlandFlood => "内水氾濫",
            Self::Volcano => "火山現象",
        }
    }

    pub fn label(self, ja: bool) -> &'static str {
        match (self, ja) {
            (Self::Landslide, true) => "土砂災害",
            (_, true) => self.column_ja(),
            (Self::Flood, false) => "Flood",
            (Self::Landslide, false) => "Landslide",
            (Self::StormSurge, false) => "Storm surge",
            (Self::Earthquake, false) => "Earthquake",
            (Self::Tsunami, false) => "Tsunami",
            (Self::LargeFire, false) => "Large fire",
            (Self::InlandFlood, false) => "Inland flooding",
            (Self::Volcano, false) => "Volcano",
        }
    }
}

/// Which published layout a file has, recognised from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// 自治体標準オープンデータセット「指定避難所一覧」.
    OpenDataShelters,
    /// 自治体標準オープンデータセット「指定緊急避難場所一覧」.
    OpenDataEvacuationSites,
    /// 国土地理院「指定避難所データ」.
    GsiShelters,
    /// 国土地理院「指定緊急避難場所データ」.
    GsiEvacuationSites,
}

impl ImportFormat {
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::OpenDataShelters => "自治体標準オープンデータセット 指定避難所一覧",
            Self::OpenDataEvacuationSites => "自治体標準オープンデータセット 指定緊急避難場所一覧",
            Self::GsiShelters => "国土地理院 指定避難所データ",
            Self::GsiEvacuationSites => "国土地理院 指定緊急避難場所データ",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 with a byte order mark (what Excel writes as "CSV UTF-8").
    Utf8Bom,
    /// Shift_JIS as Windows writes it (CP932).
    ShiftJis,
}

/// One problem in the file: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowProblem {
    /// Line in the file (1 = the header), as a spreadsheet numbers it.
    pub line: u32,
    /// The column's name in the header, when the problem is in one cell.
    pub column: Option<String>,
    pub reason: String,
    pub reason_ja: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    New,
    Updated,
    Unchanged,
    /// In the store but no longer in the file: hidden from residents, closed, kept with its history.
    Retired,
    /// Retired earlier and in the file again.
    Restored,
}

/// What an import does (preview) or did (apply) to one shelter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShelterChange {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: ShelterId,
    pub name_ja: String,
    pub change: ChangeKind,
    /// The fields an update changes (`name_ja`, `address_ja`, `location`, `capacity`, …).
    #[serde(default)]
    pub fields: Vec<String>,
    /// People checked in now (a retired shelter keeps them until staff check them out).
    pub occupancy: u32,
}

/// The answer to an import: preview (`applied: false`) or the result of applying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShelterImportReport {
    pub municipality: String,
    pub format: ImportFormat,
    pub encoding: TextEncoding,
    /// Data rows read (the header not counted).
    pub rows: u32,
    /// Any error means nothing is imported.
    pub errors: Vec<RowProblem>,
    /// Imported anyway, but worth a look (a blank capacity, people in a retired shelter).
    pub warnings: Vec<RowProblem>,
    pub changes: Vec<ShelterChange>,
    pub applied: bool,
}

impl ShelterImportReport {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.change == kind).count()
    }
}

/// What an area import (地区・町丁目の取込み) would change, or changed when `applied`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaImportReport {
    pub encoding: TextEncoding,
    /// Data rows read (header excluded).
    pub rows: u32,
    /// Areas the municipality has after the import.
    pub areas: u32,
    /// New area codes.
    pub added: Vec<String>,
    /// Codes whose name changed.
    pub renamed: Vec<String>,
    /// Codes no longer in the file: removed from the list residents choose from (a resident
    /// registered there keeps the code until they choose again).
    pub removed: Vec<String>,
    /// Rows of other municipalities in a prefecture-wide file, skipped.
    pub skipped_other_municipality: u32,
    /// Rows with a 廃止日 (abolished areas), skipped.
    pub skipped_abolished: u32,
    pub errors: Vec<RowProblem>,
    pub applied: bool,
}

/// What a municipality-list import (全国地方公共団体コードの取込み) would change, or changed
/// when `applied`. Only the importer's prefecture is kept from a whole-country file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityListReport {
    pub encoding: TextEncoding,
    /// Data rows read (header excluded).
    pub rows: u32,
    /// Municipalities (and the prefecture's own row) of the prefecture in the file.
    pub municipalities: u32,
    /// Codes not listed before.
    pub added: Vec<String>,
    /// Codes whose name changed.
    pub renamed: Vec<String>,
    /// Rows of other prefectures, abolished codes and designated-city wards, skipped.
    pub skipped_other: u32,
    pub errors: Vec<RowProblem>,
    pub applied: bool,
}

//! Supplies (物資) at a shelter: stock on hand, what is requested, deliveries.

use crate::needs::AllergenCode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// Catalog items. Allergy-free meals and diapers carry what they are free of or their size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum SupplyItem {
    DrinkingWater,
    Food,
    /// アレルギー対応食, free of this allergen.
    AllergyFreeMeal {
        free_of: AllergenCode,
    },
    Blanket,
    InfantDiaper {
        size: DiaperSize,
    },
    AdultDiaper {
        size: DiaperSize,
    },
    InfantFormula,
    Medicine,
    ToiletPaper,
    PortableToilet,
    SanitaryProducts,
    PhoneCharger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiaperSize {
    Newborn,
    S,
    M,
    L,
    Xl,
}

impl DiaperSize {
    /// Baby diapers: 新生児 to ビッグ.
    pub const INFANT: [DiaperSize; 5] =
        [DiaperSize::Newborn, DiaperSize::S, DiaperSize::M, DiaperSize::L, DiaperSize::Xl];
    /// Adult diapers come in S to LL; there is no newborn size.
    pub const ADULT: [DiaperSize; 4] = [DiaperSize::S, DiaperSize::M, DiaperSize::L, DiaperSize::Xl];

    /// The sizes a kind of diaper comes in.
    pub fn sizes(adult: bool) -> &'static [DiaperSize] {
        if adult {
            &Self::ADULT
        } else {
            &Self::INFANT
        }
    }

    /// The size as printed on the packs (the supplies list and the needs survey both use it).
    pub fn label(self, adult: bool, ja: bool) -> &'static str {
        match (self, adult, ja) {
            (Self::Newborn, _, true) => "新生児",
            (Self::Newborn, _, false) => "newborn",
            (Self::S, ..) => "S",
            (Self::M, ..) => "M",
            (Self::L, ..) => "L",
            (Self::Xl, false, true) => "ビッグ",
            (Self::Xl, true, true) => "LL",
            (Self::Xl, _, false) => "XL",
        }
    }

    /// `newborn`, `s` … `xl`: the code in item codes and survey option ids.
    pub fn code(self) -> &'static str {
        match self {
            Self::Newborn => "newborn",
            Self::S => "s",
            Self::M => "m",
            Self::L => "l",
            Self::Xl => "xl",
        }
    }
}

impl SupplyItem {
    /// The whole catalog: the plain items, an allergy-free meal per allergen of
    /// [`crate::needs::ALLERGENS`] and the diapers in every size (the API's `{item}` codes).
    pub fn all() -> Vec<SupplyItem> {
        use SupplyItem::*;
        let mut all = vec![
            DrinkingWater,
            Food,
            Blanket,
            InfantFormula,
            Medicine,
            ToiletPaper,
            PortableToilet,
            SanitaryProducts,
            PhoneCharger,
        ];
        all.extend(crate::needs::ALLERGENS.iter().map(|a| AllergyFreeMeal { free_of: a.code }));
        all.extend(DiaperSize::INFANT.map(|size| InfantDiaper { size }));
        all.extend(DiaperSize::ADULT.map(|size| AdultDiaper { size }));
        all
    }

    /// A stable key-safe code, e.g. `allergy_free_meal-egg`, `infant_diaper-m`.
    pub fn code(&self) -> String {
        match self {
            Self::AllergyFreeMeal { free_of } => format!("allergy_free_meal-{}", name(free_of)),
            Self::InfantDiaper { size } => format!("infant_diaper-{}", name(size)),
            Self::AdultDiaper { size } => format!("adult_diaper-{}", name(size)),
            other => name(other),
        }
    }

    pub fn parse_code(code: &str) -> Option<Self> {
        let (head, tail) = code.split_once('-').map_or((code, None), |(h, t)| (h, Some(t)));
        let mut v = serde_json::json!({ "item": head });
        match (head, tail) {
            ("allergy_free_meal", Some(t)) => v["free_of"] = t.into(),
            ("infant_diaper" | "adult_diaper", Some(t)) => v["size"] = t.into(),
            (_, None) => {}
            _ => return None,
        }
        // Only sizes that exist: no newborn adult diapers.
        serde_json::from_value(v).ok().filter(|i: &SupplyItem| i.code() == code).filter(|i| match i {
            Self::AdultDiaper { size } => DiaperSize::ADULT.contains(size),
            _ => true,
        })
    }
}

/// The snake_case name serde gives a unit variant, or the `item` tag of an item.
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(o)) => o.get("item").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

/// Larger than any real stock; anything above is a typing mistake.
pub const MAX_QUANTITY: u32 = 1_000_000;

/// `PUT /api/shelters/{id}/supplies/{item}`: counted stock and the quantity requested from HQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StockUpdate {
    #[serde(deserialize_with = "crate::whole::deserialize")]
    #[cfg_attr(feature = "openapi", schema(maximum = 1000000))]
    pub on_hand: u32,
    #[serde(deserialize_with = "crate::whole::deserialize")]
    #[cfg_attr(feature = "openapi", schema(maximum = 1000000))]
    pub requested: u32,
}

/// `POST /api/shelters/{id}/supplies/{item}/deliveries`: the id makes a resend count once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub delivery_id: String,
    #[serde(deserialize_with = "crate::whole::deserialize")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000000))]
    pub quantity: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupplyStatus {
    /// Nothing outstanding.
    Ok,
    /// Requested from HQ, not (fully) delivered yet.
    Requested,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplyLine {
    pub shelter_id: crate::ShelterId,
    pub item: SupplyItem,
    pub code: String,
    pub on_hand: u32,
    pub requested: u32,
    pub status: SupplyStatus,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn codes_roundtrip() {
        let items = [
            SupplyItem::DrinkingWater,
            SupplyItem::AllergyFreeMeal { free_of: AllergenCode::Egg },
            SupplyItem::InfantDiaper { size: DiaperSize::M },
            SupplyItem::AdultDiaper { size: DiaperSize::Xl },
            SupplyItem::PhoneCharger,
        ];
        for i in items {
            assert_eq!(SupplyItem::parse_code(&i.code()), Some(i), "{}", i.code());
        }
        assert_eq!(
            SupplyItem::AllergyFreeMeal { free_of: AllergenCode::SalmonRoe }.code(),
            "allergy_free_meal-salmon_roe"
        );
        for bad in [
            "",
            "gold",
            "infant_diaper",
            "infant_diaper-xxl",
            "adult_diaper-newborn",
            "drinking_water-m",
            "allergy_free_meal-uranium",
        ] {
            assert_eq!(SupplyItem::parse_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_catalog_lists_every_item_once() {
        use SupplyItem::*;
        // A new variant fails to compile here until it is counted (and listed in `all`).
        let expected = |i: &SupplyItem| match i {
            DrinkingWater | Food | Blanket | InfantFormula | Medicine | ToiletPaper | PortableToilet
            | SanitaryProducts | PhoneCharger => 1,
            AllergyFreeMeal { .. } => crate::needs::ALLERGENS.len(),
            InfantDiaper { .. } => DiaperSize::INFANT.len(),
            AdultDiaper { .. } => DiaperSize::ADULT.len(),
        };
        let all = SupplyItem::all();
        for i in &all {
            let same_kind = all.iter().filter(|j| std::mem::discriminant(*j) == std::mem::discriminant(i)).count();
            assert_eq!(same_kind, expected(i), "{}", i.code());
            assert_eq!(SupplyItem::parse_code(&i.code()), Some(*i), "{}", i.code());
        }
        let mut codes: Vec<String> = all.iter().map(SupplyItem::code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}

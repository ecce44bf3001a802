//! The supply catalog as staff see it: groups for the eye, names, units and codes of each item.

use crate::i18n::{fill, Lang, StaffTr};
use bosai_types::needs::ALLERGENS;
use bosai_types::supplies::{DiaperSize, SupplyItem};

// ---- catalog ---------------------------------------------------------------------

pub(crate) struct Group {
    pub(crate) id: &'static str,
    pub(crate) name: fn(&StaffTr) -> &'static str,
    pub(crate) items: Vec<SupplyItem>,
    /// Shown folded (the 20 recommended allergens).
    pub(crate) more: Vec<SupplyItem>,
}

pub(crate) fn groups() -> Vec<Group> {
    use SupplyItem::*;
    let meals = |mandatory: bool| {
        ALLERGENS.iter().filter(|a| a.mandatory == mandatory).map(|a| AllergyFreeMeal { free_of: a.code }).collect()
    };
    let g = |id, name, items: Vec<SupplyItem>| Group { id, name, items, more: vec![] };
    vec![
        g("water", |s| s.supplies_group_water, vec![DrinkingWater, Food]),
        Group { more: meals(false), ..g("allergy", |s| s.supplies_group_allergy, meals(true)) },
        g(
            "baby",
            |s| s.supplies_group_baby,
            [InfantFormula].into_iter().chain(DiaperSize::INFANT.map(|size| InfantDiaper { size })).collect(),
        ),
        g(
            "care",
            |s| s.supplies_group_care,
            DiaperSize::ADULT.map(|size| AdultDiaper { size }).into_iter().chain([SanitaryProducts]).collect(),
        ),
        g("toilet", |s| s.supplies_group_toilet, vec![ToiletPaper, PortableToilet]),
        g("other", |s| s.supplies_group_other, vec![Blanket, Medicine, PhoneCharger]),
    ]
}

/// The name in its group's table.
pub(crate) fn short_name(item: SupplyItem, l: Lang) -> String {
    match item {
        SupplyItem::AllergyFreeMeal { free_of } => {
            fill(l.staff().supplies_catalog_allergen_free, &[("allergen", crate::shelter::allergen_label(free_of, l))])
        }
        _ => name(item, l),
    }
}

/// The full name (editor heading, messages).
pub(crate) fn name(item: SupplyItem, l: Lang) -> String {
    use SupplyItem::*;
    match item {
        AllergyFreeMeal { free_of } => fill(
            l.staff().supplies_catalog_allergy_free_meals,
            &[("allergen", crate::shelter::allergen_label(free_of, l))],
        ),
        InfantDiaper { size: s } => {
            format!("{} {}", l.staff().supplies_catalog_baby_diapers, s.label(false, l.is_ja()))
        }
        AdultDiaper { size: s } => format!("{} {}", l.staff().supplies_catalog_adult_diapers, s.label(true, l.is_ja())),
        DrinkingWater => l.staff().supplies_catalog_drinking_water.into(),
        Food => l.staff().supplies_catalog_food.into(),
        Blanket => l.staff().supplies_catalog_blankets.into(),
        InfantFormula => l.staff().supplies_catalog_infant_formula_powder_liquid.into(),
        Medicine => l.staff().supplies_catalog_medicine_first_aid.into(),
        ToiletPaper => l.staff().supplies_catalog_toilet_paper.into(),
        PortableToilet => l.staff().supplies_catalog_portable_toilets.into(),
        SanitaryProducts => l.staff().supplies_catalog_sanitary_products.into(),
        PhoneCharger => l.staff().supplies_catalog_phone_chargers.into(),
    }
}

/// The full name of the catalog item with this code (HQ's totals name items by code).
pub(crate) fn name_of_code(code_: &str, l: Lang) -> Option<String> {
    groups().into_iter().flat_map(|g| g.items.into_iter().chain(g.more)).find(|i| code(*i) == code_).map(|i| name(i, l))
}

/// The counting unit the form asks for (the API counts, it has no units).
pub(crate) fn unit(item: SupplyItem, l: Lang) -> &'static str {
    use SupplyItem::*;
    match item {
        DrinkingWater => l.staff().supplies_catalog_bottles,
        Food | AllergyFreeMeal { .. } => l.staff().supplies_catalog_meals,
        Blanket => l.staff().supplies_catalog_blankets_2,
        InfantDiaper { .. } | AdultDiaper { .. } => l.staff().supplies_catalog_diapers,
        ToiletPaper => l.staff().supplies_catalog_rolls,
        PortableToilet => l.staff().supplies_catalog_uses,
        InfantFormula | SanitaryProducts => l.staff().supplies_catalog_packs,
        Medicine | PhoneCharger => l.staff().supplies_catalog_pieces,
    }
}

/// The item's catalog code, `SupplyItem::code()` spelt out here: that one goes through
/// `serde_json::Value`, which the panel does not otherwise need in the wasm (the unit test
/// below keeps the two equal).
pub(crate) fn code(item: SupplyItem) -> String {
    use SupplyItem::*;
    let size = DiaperSize::code;
    let fixed = match item {
        AllergyFreeMeal { free_of } => {
            return format!(
                "allergy_free_meal-{}",
                serde_json::to_string(&free_of).unwrap_or_default().trim_matches('"')
            )
        }
        InfantDiaper { size: s } => return format!("infant_diaper-{}", size(s)),
        AdultDiaper { size: s } => return format!("adult_diaper-{}", size(s)),
        DrinkingWater => "drinking_water",
        Food => "food",
        Blanket => "blanket",
        InfantFormula => "infant_formula",
        Medicine => "medicine",
        ToiletPaper => "toilet_paper",
        PortableToilet => "portable_toilet",
        SanitaryProducts => "sanitary_products",
        PhoneCharger => "phone_charger",
    };
    fixed.to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_qty("120"), Ok(120));
        assert_eq!(parse_qty(" １，２００ "), Ok(1200));
        assert_eq!(parse_qty("1,000,000"), Ok(1_000_000));
        assert_eq!(parse_qty("0"), Ok(0));
        assert_eq!(parse_qty(""), Err(QtyError::Empty));
        assert_eq!(parse_qty("-5"), Err(QtyError::Negative));
        assert_eq!(parse_qty("－５"), Err(QtyError::Negative));
        assert_eq!(parse_qty("1000001"), Err(QtyError::TooLarge));
        assert_eq!(parse_qty("99999999999999999999999"), Err(QtyError::TooLarge));
        assert_eq!(parse_qty("1.5"), Err(QtyError::NotNumber));
        assert_eq!(parse_qty("abc"), Err(QtyError::NotNumber));
        assert_eq!(parse_qty("-"), Err(QtyError::NotNumber));
    }

    #[test]
    fn catalog_covers_every_item_once() {
        let all: Vec<SupplyItem> = groups().into_iter().flat_map(|g| g.items.into_iter().chain(g.more)).collect();
        // 2 + 28 + (formula + 5 baby sizes) + (4 adult sizes + sanitary) + 2 + 3
        assert_eq!(all.len(), 46);
        assert_eq!(all.len(), SupplyItem::all().len(), "the panel lists the whole catalog");
        let mut codes: Vec<String> = all.iter().map(|i| code(*i)).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 46);
        for i in all {
            assert_eq!(code(i), i.code(), "the app's codes are the API's");
        }
    }

    #[test]
    fn hq_names_items_by_code() {
        assert_eq!(name_of_code("infant_diaper-m", Lang::Ja).as_deref(), Some("乳児用おむつ M"));
        assert_eq!(name_of_code("allergy_free_meal-egg", Lang::En).as_deref(), Some("Allergy-free meals (Egg-free)"));
        assert_eq!(name_of_code("no-such-item", Lang::Ja), None);
    }
}

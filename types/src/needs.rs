//! Allergy, dietary, medical and care needs (事前登録). Sensitive personal
//! information (要配慮個人情報): only the owner and staff of the shelter a member
//! is checked in at may read it.

use crate::Timestamp;
use serde::{Deserialize, Serialize};

pub const MAX_NOTE_CHARS: usize = 200;

/// The 28 allergens of Japanese food labelling rules: 8 mandatory (特定原材料)
/// and 20 recommended (特定原材料に準ずるもの), as revised in 2024/2025
/// (walnut mandatory; macadamia nut added and matsutake removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AllergenCode {
    Shrimp,
    Crab,
    Walnut,
    Wheat,
    Buckwheat,
    Egg,
    Milk,
    Peanut,
    Almond,
    Abalone,
    Squid,
    SalmonRoe,
    Orange,
    Cashew,
    Kiwi,
    Beef,
    Sesame,
    Salmon,
    Mackerel,
    Soybean,
    Chicken,
    Banana,
    Pork,
    Macadamia,
    Peach,
    Yam,
    Apple,
    Gelatin,
}

/// One catalog row: code, Japanese name, English name, mandatory labelling.
pub struct AllergenInfo {
    pub code: AllergenCode,
    pub ja: &'static str,
    pub en: &'static str,
    pub mandatory: bool,
}

macro_rules! catalog {
    ($($code:ident $ja:literal $en:literal $m:literal),* $(,)?) => {
        pub const ALLERGENS: &[AllergenInfo] = &[$(AllergenInfo { code: AllergenCode::$code, ja: $ja, en: $en, mandatory: $m }),*];
    };
}

catalog!(
    Shrimp "えび" "Shrimp" true, Crab "かに" "Crab" true, Walnut "くるみ" "Walnut" true, Wheat "小麦" "Wheat" true,
    Buckwheat "そば" "Buckwheat" true, Egg "卵" "Egg" true, Milk "乳" "Milk" true, Peanut "落花生" "Peanut" true,
    Almond "アーモンド" "Almond" false, Abalone "あわび" "Abalone" false, Squid "いか" "Squid" false,
    SalmonRoe "いくら" "Salmon roe" false, Orange "オレンジ" "Orange" false, Cashew "カシューナッツ" "Cashew nut" false,
    Kiwi "キウイフルーツ" "Kiwi fruit" false, Beef "牛肉" "Beef" false, Sesame "ごま" "Sesame" false,
    Salmon "さけ" "Salmon" false, Mackerel "さば" "Mackerel" false, Soybean "大豆" "Soybean" false,
    Chicken "鶏肉" "Chicken" false, Banana "バナナ" "Banana" false, Pork "豚肉" "Pork" false,
    Macadamia "マカダミアナッツ" "Macadamia nut" false, Peach "もも" "Peach" false, Yam "やまいも" "Yam" false,
    Apple "りんご" "Apple" false, Gelatin "ゼラチン" "Gelatin" false,
);

impl AllergenCode {
    pub fn info(self) -> &'static AllergenInfo {
        ALLERGENS.iter().find(|a| a.code == self).expect("every code is in the catalog")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DietaryNeed {
    Halal,
    Vegetarian,
    Vegan,
    /// やわらかい食事
    SoftFood,
    /// 刻み・ペースト食
    PureedFood,
    /// 粉ミルク
    InfantFormulaPowder,
    /// 液体ミルク
    InfantFormulaLiquid,
    /// 離乳食
    BabyFood,
    LowSalt,
    /// 糖尿病食
    Diabetic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MedicalNeed {
    /// 人工透析
    Dialysis,
    /// 在宅酸素
    HomeOxygen,
    /// 人工呼吸器
    Ventilator,
    Insulin,
    /// 常用薬
    RegularMedication,
    /// ストーマ
    Stoma,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CareNeed {
    Wheelchair,
    VisualImpairment,
    HearingImpairment,
    Pregnancy,
    Infant,
    Dementia,
    IntellectualDisability,
}

impl CareNeed {
    /// Every care need, in the order forms and roster filters list them.
    pub const ALL: [CareNeed; 7] = [
        CareNeed::Wheelchair,
        CareNeed::VisualImpairment,
        CareNeed::HearingImpairment,
        CareNeed::Pregnancy,
        CareNeed::Infant,
        CareNeed::Dementia,
        CareNeed::IntellectualDisability,
    ];
}

/// 要支援・要介護度
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NursingCareLevel {
    Support1,
    Support2,
    Care1,
    Care2,
    Care3,
    Care4,
    Care5,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NeedsError {
    #[error("notes must be at most 200 characters")]
    NoteTooLong,
    #[error("a value appears twice in one list")]
    Duplicate,
}

impl NeedsError {
    /// Stable for clients: the problem's `reason`, and the app's catalog key `error_<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoteTooLong => "note_too_long",
            Self::Duplicate => "duplicate",
        }
    }
    pub fn message_ja(&self) -> &'static str {
        match self {
            Self::NoteTooLong => "自由記入は200文字以内で入力してください。",
            Self::Duplicate => "同じ項目が重複しています。",
        }
    }
}

/// `PUT /api/household/members/{id}/needs`: the whole registration, replacing the previous one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NeedsInput {
    // Lists are documented as sets (`uniqueItems`): `validate` refuses a value given twice.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeSet<AllergenCode>))]
    pub allergens: Vec<AllergenCode>,
    /// Allergies outside the 28 (free text).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub other_allergies: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeSet<DietaryNeed>))]
    pub dietary: Vec<DietaryNeed>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeSet<MedicalNeed>))]
    pub medical: Vec<MedicalNeed>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub medical_note: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeSet<CareNeed>))]
    pub care: Vec<CareNeed>,
    #[serde(default)]
    pub nursing_care_level: Option<NursingCareLevel>,
}

/// No value twice. Each list holds codes of a small enum, so a repeat shows within its first
/// few dozen items and this stops there, however long the list: comparing each with those before
/// it needs no sort, whose code (one per list type) was ~12 KB of the member page's wasm.
fn unique<T: PartialEq>(v: &[T]) -> bool {
    v.iter().enumerate().all(|(i, x)| !v[..i].contains(x))
}

impl NeedsInput {
    pub fn validate(&self) -> Result<(), NeedsError> {
        for note in [&self.other_allergies, &self.medical_note] {
            if note.chars().count() > MAX_NOTE_CHARS {
                return Err(NeedsError::NoteTooLong);
            }
        }
        if !(unique(&self.allergens) && unique(&self.dietary) && unique(&self.medical) && unique(&self.care)) {
            return Err(NeedsError::Duplicate);
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The stored registration: every field of [`NeedsInput`] and when it was saved, in one flat
/// object. Serialized by serde's derive; read by hand (below).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Needs {
    #[serde(flatten)]
    pub needs: NeedsInput,
    pub updated_at: Timestamp,
}

/// Read as one flat object, not by serde's derive for a `flatten`ed field: that buffers the whole
/// object in serde's `Content` first (8 KB of the resident's first download, in every household
/// member read). The same rules: `NeedsInput`'s fields with their defaults, `updated_at`, nothing
/// else. A field added to `NeedsInput` does not compile here until it is added to `Wire`.
impl<'de> Deserialize<'de> for Needs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            #[serde(default)]
            allergens: Vec<AllergenCode>,
            #[serde(default)]
            other_allergies: String,
            #[serde(default)]
            dietary: Vec<DietaryNeed>,
            #[serde(default)]
            medical: Vec<MedicalNeed>,
            #[serde(default)]
            medical_note: String,
            #[serde(default)]
            care: Vec<CareNeed>,
            #[serde(default)]
            nursing_care_level: Option<NursingCareLevel>,
            updated_at: Timestamp,
        }
        let w = Wire::deserialize(d)?;
        let needs = NeedsInput {
            allergens: w.allergens,
            other_allergies: w.other_allergies,
            dietary: w.dietary,
            medical: w.medical,
            medical_note: w.medical_note,
            care: w.care,
            nursing_care_level: w.nursing_care_level,
        };
        Ok(Needs { needs, updated_at: w.updated_at })
    }
}

// Not derived: utoipa documents a flattened field as `allOf: [NeedsInput, {updated_at}]`, and
// NeedsInput refuses unknown fields (`additionalProperties: false`), so no object could match —
// every stored needs body failed its own schema (found by schemathesis). One flat object instead.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Needs {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{Object, Schema};
        use utoipa::openapi::RefOr;
        let mut object = match <NeedsInput as utoipa::PartialSchema>::schema() {
            RefOr::T(Schema::Object(o)) => o,
            _ => Object::new(),
        };
        object.additional_properties = None;
        object.description = Some("A member's needs as stored, with the time they were saved.".into());
        object.properties.insert("updated_at".into(), utoipa::openapi::Ref::from_schema_name("Timestamp").into());
        object.required.push("updated_at".into());
        object.into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Needs {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <NeedsInput as utoipa::ToSchema>::schemas(schemas);
        schemas.push(("Timestamp".into(), <Timestamp as utoipa::PartialSchema>::schema()));
        <Timestamp as utoipa::ToSchema>::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written reader of `Needs` keeps the flat form: everything round-trips, fields
    /// left out take their defaults, an unknown field or a missing `updated_at` is refused.
    #[test]
    fn stored_needs_read_as_the_derive_did() {
        let full = Needs {
            needs: NeedsInput {
                allergens: vec![AllergenCode::Egg, AllergenCode::Milk],
                other_allergies: "キウイ".into(),
                dietary: vec![DietaryNeed::Halal],
                medical: vec![MedicalNeed::Dialysis],
                medical_note: "週3回".into(),
                care: vec![CareNeed::Wheelchair],
                nursing_care_level: Some(NursingCareLevel::Care2),
            },
            updated_at: Timestamp(1_733_000_000_000),
        };
        let json = serde_json::to_string(&full).unwrap();
        assert!(json.contains("\"allergens\"") && !json.contains("\"needs\""), "flat: {json}");
        assert_eq!(serde_json::from_str::<Needs>(&json).unwrap(), full);
        let read = |j: &str| serde_json::from_str::<Needs>(j).map_err(|e| e.to_string());
        assert_eq!(read(r#"{"updated_at":5}"#), Ok(Needs { needs: NeedsInput::default(), updated_at: Timestamp(5) }));
        assert!(read(r#"{"updated_at":5,"blood_type":"A"}"#).unwrap_err().contains("unknown field"));
        assert!(read(r#"{"allergens":["egg"]}"#).unwrap_err().contains("missing field `updated_at`"));
        assert!(read(r#"{"updated_at":5,"allergens":["chocolate"]}"#).is_err());
    }

    #[test]
    fn every_care_need_is_listed_once() {
        // A new variant fails to compile here until it is placed in ALL.
        let index = |c: CareNeed| match c {
            CareNeed::Wheelchair => 0,
            CareNeed::VisualImpairment => 1,
            CareNeed::HearingImpairment => 2,
            CareNeed::Pregnancy => 3,
            CareNeed::Infant => 4,
            CareNeed::Dementia => 5,
            CareNeed::IntellectualDisability => 6,
        };
        for (i, c) in CareNeed::ALL.iter().enumerate() {
            assert_eq!(index(*c), i);
        }
    }

    #[test]
    fn catalog_has_28_with_8_mandatory() {
        assert_eq!(ALLERGENS.len(), 28);
        assert_eq!(ALLERGENS.iter().filter(|a| a.mandatory).count(), 8);
        let mut codes: Vec<_> = ALLERGENS.iter().map(|a| a.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 28);
        assert_eq!(AllergenCode::Walnut.info().ja, "くるみ");
        assert!(AllergenCode::Walnut.info().mandatory);
    }

    #[test]
    fn unknown_allergen_is_a_parse_error() {
        let e = serde_json::from_str::<NeedsInput>(r#"{"allergens":["uranium"]}"#).unwrap_err();
        assert!(e.to_string().contains("unknown variant"), "{e}");
        assert!(serde_json::from_str::<NeedsInput>(r#"{"allergens":["egg","milk"]}"#).is_ok());
    }

    #[test]
    fn needs_rules() {
        let mut n = NeedsInput { allergens: vec![AllergenCode::Egg, AllergenCode::Egg], ..Default::default() };
        assert_eq!(n.validate(), Err(NeedsError::Duplicate));
        n.allergens = vec![AllergenCode::Egg];
        n.other_allergies = "x".repeat(201);
        assert_eq!(n.validate(), Err(NeedsError::NoteTooLong));
        n.other_allergies = "ラテックス".into();
        assert!(n.validate().is_ok());
    }
}

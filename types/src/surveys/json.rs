//! The survey enums read from JSON flat: one struct with every variant's fields, then a check
//! that those given belong to the `type`. The JSON is the one `#[serde(tag = "type")]` writes and
//! the OpenAPI document describes; serde's own reader of a tagged enum first copies the whole
//! object into a buffer, which took ~35 KB of the survey page's wasm for these three enums.
//! Like serde's, the messages name a field that is missing or does not belong to the `type`.

use super::{AnswerValue, AreaCode, ChoiceOption, OptionId, QuestionKind, SurveyScope};
use crate::localized::Localized;
use crate::ShelterId;
use serde::{Deserialize, Deserializer};

/// A field that may be left out but, if given, is not `null` (as in the tagged enum).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `present` for a whole number (`crate::whole`).
fn present_whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    crate::whole::deserialize(d).map(Some)
}

fn required<T>(name: &str, v: Option<T>) -> Result<T, String> {
    v.ok_or_else(|| format!("missing field `{name}`"))
}

/// Refuses the first of `fields` (name, given) that was given: it belongs to another `type`.
fn absent(fields: &[(&str, bool)]) -> Result<(), String> {
    match fields.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(format!("unknown field `{name}`")),
        None => Ok(()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum KindType {
    SingleChoice,
    MultipleChoice,
    Number,
    FreeText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct QuestionKindJson {
    #[serde(rename = "type")]
    kind: KindType,
    #[serde(default, deserialize_with = "present")]
    options: Option<Vec<ChoiceOption>>,
    #[serde(default, deserialize_with = "present")]
    allow_other: Option<bool>,
    #[serde(default, deserialize_with = "present_whole")]
    min: Option<i32>,
    #[serde(default, deserialize_with = "present_whole")]
    max: Option<i32>,
    #[serde(default)]
    unit: Option<Box<Localized>>,
}

impl TryFrom<QuestionKindJson> for QuestionKind {
    type Error = String;
    fn try_from(j: QuestionKindJson) -> Result<Self, String> {
        let QuestionKindJson { kind, options, allow_other, min, max, unit } = j;
        let (o, a, n, x, u) = (options.is_some(), allow_other.is_some(), min.is_some(), max.is_some(), unit.is_some());
        Ok(match kind {
            KindType::SingleChoice => {
                absent(&[("allow_other", a), ("min", n), ("max", x), ("unit", u)])?;
                QuestionKind::SingleChoice { options: required("options", options)? }
            }
            KindType::MultipleChoice => {
                absent(&[("min", n), ("max", x), ("unit", u)])?;
                QuestionKind::MultipleChoice {
                    options: required("options", options)?,
                    allow_other: allow_other.unwrap_or(false),
                }
            }
            KindType::Number => {
                absent(&[("options", o), ("allow_other", a)])?;
                QuestionKind::Number { min: required("min", min)?, max: required("max", max)?, unit }
            }
            KindType::FreeText => {
                absent(&[("options", o), ("allow_other", a), ("min", n), ("max", x), ("unit", u)])?;
                QuestionKind::FreeText
            }
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ScopeType {
    All,
    Areas,
    Shelters,
    Evacuees,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SurveyScopeJson {
    #[serde(rename = "type")]
    kind: ScopeType,
    #[serde(default, deserialize_with = "present")]
    areas: Option<Vec<AreaCode>>,
    #[serde(default, deserialize_with = "present")]
    shelters: Option<Vec<ShelterId>>,
}

impl TryFrom<SurveyScopeJson> for SurveyScope {
    type Error = String;
    fn try_from(j: SurveyScopeJson) -> Result<Self, String> {
        let SurveyScopeJson { kind, areas, shelters } = j;
        let (a, s) = (areas.is_some(), shelters.is_some());
        Ok(match kind {
            ScopeType::All => {
                absent(&[("areas", a), ("shelters", s)])?;
                SurveyScope::All
            }
            ScopeType::Evacuees => {
                absent(&[("areas", a), ("shelters", s)])?;
                SurveyScope::Evacuees
            }
            ScopeType::Areas => {
                absent(&[("shelters", s)])?;
                SurveyScope::Areas { areas: required("areas", areas)? }
            }
            ScopeType::Shelters => {
                absent(&[("areas", a)])?;
                SurveyScope::Shelters { shelters: required("shelters", shelters)? }
            }
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswerValueJson {
    #[serde(rename = "type")]
    kind: KindType,
    #[serde(default, deserialize_with = "present")]
    option: Option<OptionId>,
    #[serde(default, deserialize_with = "present")]
    options: Option<Vec<OptionId>>,
    #[serde(default)]
    other: Option<String>,
    #[serde(default, deserialize_with = "present_whole")]
    value: Option<i32>,
    #[serde(default, deserialize_with = "present")]
    text: Option<String>,
}

impl TryFrom<AnswerValueJson> for AnswerValue {
    type Error = String;
    fn try_from(j: AnswerValueJson) -> Result<Self, String> {
        let AnswerValueJson { kind, option, options, other, value, text } = j;
        let (one, many, oth, v, t) =
            (option.is_some(), options.is_some(), other.is_some(), value.is_some(), text.is_some());
        Ok(match kind {
            KindType::SingleChoice => {
                absent(&[("options", many), ("other", oth), ("value", v), ("text", t)])?;
                AnswerValue::SingleChoice { option: required("option", option)? }
            }
            KindType::MultipleChoice => {
                absent(&[("option", one), ("value", v), ("text", t)])?;
                AnswerValue::MultipleChoice { options: options.unwrap_or_default(), other }
            }
            KindType::Number => {
                absent(&[("option", one), ("options", many), ("other", oth), ("text", t)])?;
                AnswerValue::Number { value: required("value", value)? }
            }
            KindType::FreeText => {
                absent(&[("option", one), ("options", many), ("other", oth), ("value", v)])?;
                AnswerValue::FreeText { text: required("text", text)? }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use serde_json::json;

    fn read<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    fn label(ja: &str) -> Localized {
        serde_json::from_value(json!({ "ja": ja })).unwrap()
    }

    /// What serde writes for every variant reads back as the same value.
    #[test]
    fn every_variant_reads_back_what_is_written() {
        let options = vec![ChoiceOption { id: OptionId::parse("water").unwrap(), label: label("水") }];
        let kinds = [
            QuestionKind::SingleChoice { options: options.clone() },
            QuestionKind::MultipleChoice { options, allow_other: true },
            QuestionKind::Number { min: 0, max: 99, unit: Some(Box::new(label("枚"))) },
            QuestionKind::Number { min: -5, max: 5, unit: None },
            QuestionKind::FreeText,
        ];
        for k in kinds {
            assert_eq!(read::<QuestionKind>(serde_json::to_value(&k).unwrap()), Ok(k));
        }
        let scopes = [
            SurveyScope::All,
            SurveyScope::Areas { areas: vec![AreaCode::parse("aoba-1").unwrap()] },
            SurveyScope::Shelters { shelters: vec![ShelterId::parse("041009-aoba").unwrap()] },
            SurveyScope::Evacuees,
        ];
        for s in scopes {
            assert_eq!(read::<SurveyScope>(serde_json::to_value(&s).unwrap()), Ok(s));
        }
        let answers = [
            AnswerValue::SingleChoice { option: OptionId::parse("water").unwrap() },
            AnswerValue::MultipleChoice { options: vec![OptionId::parse("a").unwrap()], other: Some("毛布".into()) },
            AnswerValue::MultipleChoice { options: vec![], other: None },
            AnswerValue::Number { value: 6 },
            AnswerValue::FreeText { text: "咳が出る".into() },
        ];
        for a in answers {
            assert_eq!(read::<AnswerValue>(serde_json::to_value(&a).unwrap()), Ok(a));
        }
    }

    #[test]
    fn defaults_and_whole_numbers_as_before() {
        let k = read::<QuestionKind>(json!({"type": "multiple_choice", "options": []})).unwrap();
        assert_eq!(k, QuestionKind::MultipleChoice { options: vec![], allow_other: false });
        let n = read::<QuestionKind>(json!({"min": 1.0, "type": "number", "max": 300.0})).unwrap();
        assert_eq!(n, QuestionKind::Number { min: 1, max: 300, unit: None });
        let a = read::<AnswerValue>(json!({"type": "multiple_choice"})).unwrap();
        assert_eq!(a, AnswerValue::MultipleChoice { options: vec![], other: None });
    }

    #[test]
    fn a_field_of_another_type_missing_or_null_is_refused_by_name() {
        let e = read::<QuestionKind>(json!({"type": "free_text", "min": 1})).unwrap_err();
        assert!(e.contains("unknown field `min`"), "{e}");
        let e = read::<QuestionKind>(json!({"type": "number", "min": 1})).unwrap_err();
        assert!(e.contains("missing field `max`"), "{e}");
        let e = read::<QuestionKind>(json!({"type": "single_choice", "options": null})).unwrap_err();
        assert!(e.contains("invalid type: null"), "{e}");
        let e = read::<QuestionKind>(json!({"type": "number", "min": 1.5, "max": 2})).unwrap_err();
        assert!(e.contains("1.5"), "{e}");
        let e = read::<QuestionKind>(json!({"type": "ranking", "options": []})).unwrap_err();
        assert!(e.contains("unknown variant `ranking`"), "{e}");
        let e = read::<QuestionKind>(json!({"options": []})).unwrap_err();
        assert!(e.contains("missing field `type`"), "{e}");
        let e = read::<QuestionKind>(json!({"type": "free_text", "colour": "red"})).unwrap_err();
        assert!(e.contains("unknown field `colour`"), "{e}");

        let e = read::<SurveyScope>(json!({"type": "all", "areas": ["a"]})).unwrap_err();
        assert!(e.contains("unknown field `areas`"), "{e}");
        let e = read::<SurveyScope>(json!({"type": "shelters"})).unwrap_err();
        assert!(e.contains("missing field `shelters`"), "{e}");

        let e = read::<AnswerValue>(json!({"type": "single_choice", "value": 3, "option": "a"})).unwrap_err();
        assert!(e.contains("unknown field `value`"), "{e}");
        let e = read::<AnswerValue>(json!({"type": "free_text"})).unwrap_err();
        assert!(e.contains("missing field `text`"), "{e}");
        let e = read::<AnswerValue>(json!({"type": "number", "value": null})).unwrap_err();
        assert!(e.contains("null"), "{e}");
    }
}

//! Text HQ writes once and residents read in their language: Japanese (required) and, when HQ adds
//! them, やさしい日本語 (easy Japanese), English and the languages of foreign residents. A reader
//! gets their language when present, else easy Japanese, else (reading another language than
//! Japanese) English, else Japanese.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::Serialize;

/// The language codes text may carry, as the app's catalogs name them (`app/i18n/languages.json`,
/// same order; a test of the app keeps the two lists equal).
pub const LANGUAGES: [&str; 11] = ["ja", "ja-easy", "en", "zh-Hans", "zh-Hant", "ko", "vi", "tl", "pt", "ne", "id"];

/// `code` as one of [`LANGUAGES`] (with its static lifetime), if it is one.
pub fn language(code: &str) -> Option<&'static str> {
    LANGUAGES.into_iter().find(|l| *l == code)
}

/// What a reader falls back to when their language is missing (the guideline's order).
pub const EASY_JAPANESE: &str = "ja-easy";

/// The language code for a BCP 47 tag as browsers send it (`vi-VN` → `vi`, `zh-TW` → `zh-Hant`,
/// `fil` → `tl`); `None` for a language without a catalog.
pub fn code_for_tag(tag: &str) -> Option<&'static str> {
    let tag = tag.trim().to_ascii_lowercase();
    let mut subtags = tag.split(['-', '_']);
    Some(match subtags.next().unwrap_or_default() {
        "ja" => "ja",
        "en" => "en",
        "zh" if subtags.any(|sub| matches!(sub, "tw" | "hk" | "mo" | "hant")) => "zh-Hant",
        "zh" => "zh-Hans",
        "ko" => "ko",
        "vi" => "vi",
        "tl" | "fil" => "tl",
        "pt" => "pt",
        "ne" => "ne",
        "id" | "in" => "id",
        _ => return None,
    })
}

/// The first language of an `Accept-Language` header (by quality, then order) that has a code.
pub fn code_for_accept_language(header: &str) -> Option<&'static str> {
    let mut tags: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut p = part.split(';');
            let tag = p.next()?.trim();
            let q = p.find_map(|x| x.trim().strip_prefix("q=")?.parse::<f32>().ok()).unwrap_or(1.0);
            (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().find_map(|(_, _, t)| code_for_tag(t))
}

/// Text in Japanese and, optionally, other languages. Japanese is required; an empty language is
/// absent (falls back). On the wire each language is a key named by its code (`"ja-easy"`,
/// `"zh-Hans"`, …); `en` is always written, for clients that know only `ja` and `en`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// (Read by the hand-written `Deserialize` below; the attribute tells the OpenAPI schema.)
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub ja: String,
    #[serde(default)]
    pub en: String,
    #[serde(default, rename = "ja-easy", skip_serializing_if = "String::is_empty")]
    pub ja_easy: String,
    #[serde(default, rename = "zh-Hans", skip_serializing_if = "String::is_empty")]
    pub zh_hans: String,
    #[serde(default, rename = "zh-Hant", skip_serializing_if = "String::is_empty")]
    pub zh_hant: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ko: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vi: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tl: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pt: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ne: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
}

/// Read by hand as a map of language codes: the same JSON as the derived reader (an unknown,
/// repeated or missing `ja` key refused by name), in a fifth of its wasm (every page with HQ's
/// texts carries it).
impl<'de> Deserialize<'de> for Localized {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Texts;
        impl<'de> Visitor<'de> for Texts {
            type Value = Localized;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of texts keyed by language code, `ja` required")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Localized, A::Error> {
                let mut out = Localized::default();
                let mut seen = 0u16;
                while let Some(code) = map.next_key::<String>()? {
                    let Some(i) = LANGUAGES.iter().position(|l| *l == code) else {
                        return Err(de::Error::unknown_field(&code, &LANGUAGES));
                    };
                    if seen & (1 << i) != 0 {
                        return Err(de::Error::duplicate_field(LANGUAGES[i]));
                    }
                    seen |= 1 << i;
                    *out.slot_mut(LANGUAGES[i]).expect("a language of LANGUAGES") = map.next_value()?;
                }
                if seen & 1 == 0 {
                    // (`ja` is LANGUAGES[0])
                    return Err(de::Error::missing_field("ja"));
                }
                Ok(out)
            }
        }
        d.deserialize_map(Texts)
    }
}

impl Localized {
    pub fn new(ja: &str, en: &str) -> Self {
        Self { ja: ja.into(), en: en.into(), ..Self::default() }
    }

    /// The text of language `code` as stored (maybe empty); `None` for a code not in [`LANGUAGES`].
    pub fn slot(&self, code: &str) -> Option<&String> {
        Some(match code {
            "ja" => &self.ja,
            "ja-easy" => &self.ja_easy,
            "en" => &self.en,
            "zh-Hans" => &self.zh_hans,
            "zh-Hant" => &self.zh_hant,
            "ko" => &self.ko,
            "vi" => &self.vi,
            "tl" => &self.tl,
            "pt" => &self.pt,
            "ne" => &self.ne,
            "id" => &self.id,
            _ => return None,
        })
    }

    pub fn slot_mut(&mut self, code: &str) -> Option<&mut String> {
        Some(match code {
            "ja" => &mut self.ja,
            "ja-easy" => &mut self.ja_easy,
            "en" => &mut self.en,
            "zh-Hans" => &mut self.zh_hans,
            "zh-Hant" => &mut self.zh_hant,
            "ko" => &mut self.ko,
            "vi" => &mut self.vi,
            "tl" => &mut self.tl,
            "pt" => &mut self.pt,
            "ne" => &mut self.ne,
            "id" => &mut self.id,
            _ => return None,
        })
    }

    /// Language `code`'s text, when written (not blank).
    pub fn text(&self, code: &str) -> Option<&str> {
        self.slot(code).map(String::as_str).filter(|s| !s.trim().is_empty())
    }

    /// The language a reader of `code` is shown, and its text: theirs when written, else easy
    /// Japanese, else English for a reader of another language than Japanese (who chose, say,
    /// Vietnamese reads English more often than kanji: the templates HQ starts surveys from have
    /// no Vietnamese), else Japanese.
    pub fn resolve(&self, code: &str) -> (&'static str, &str) {
        let english = (!code.starts_with("ja")).then_some("en");
        [Some(code), Some(EASY_JAPANESE), english]
            .into_iter()
            .flatten()
            .find_map(|c| Some((language(c)?, self.text(c)?)))
            .unwrap_or(("ja", &self.ja))
    }

    /// The text a reader of `code` is shown (see [`Localized::resolve`]).
    pub fn get(&self, code: &str) -> &str {
        self.resolve(code).1
    }

    /// Every written language, in [`LANGUAGES`] order, with its text.
    pub fn written(&self) -> impl Iterator<Item = (&'static str, &str)> {
        LANGUAGES.into_iter().filter_map(|c| Some((c, self.text(c)?)))
    }

    /// Japanese and what a reader of `code` is shown (nothing else): a push message stays small.
    pub fn for_reader(&self, code: &str) -> Localized {
        let (shown, text) = self.resolve(code);
        let mut out = Localized::new(&self.ja, "");
        if let Some(s) = out.slot_mut(shown) {
            *s = text.to_owned();
        }
        out
    }

    /// The longest language, in characters.
    pub fn longest(&self) -> usize {
        LANGUAGES.iter().filter_map(|c| self.slot(c)).map(|s| s.chars().count()).max().unwrap_or(0)
    }

    /// Some language's text holds a character `bad` refuses.
    pub fn any_char(&self, bad: impl Fn(char) -> bool) -> bool {
        LANGUAGES.iter().filter_map(|c| self.slot(c)).any(|s| s.chars().any(&bad))
    }
}

/// A [`Localized`] text as `check_text` accepts it with this limit: the Japanese not blank,
/// each language at most `max` characters.
#[cfg(feature = "openapi")]
pub(crate) fn schema(max: usize, nullable: bool) -> utoipa::openapi::schema::Object {
    use crate::schema::{not_blank_pattern, string};
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, SchemaType, Type};
    let types =
        if nullable { SchemaType::from_iter([Type::Object, Type::Null]) } else { SchemaType::new(Type::Object) };
    let mut o = ObjectBuilder::new().schema_type(types).description(Some(format!(
        "Japanese (required, not blank) and, optionally, other languages by code (empty: easy Japanese, \
         else Japanese is shown), each at most {max} characters"
    )));
    for code in LANGUAGES {
        let s = string(code).max_length(Some(max));
        o = o.property(code, if code == "ja" { s.pattern(Some(not_blank_pattern())) } else { s });
    }
    o.required("ja")
        .additional_properties(Some(AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(false)))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_gets_their_language_else_easy_japanese_else_english_else_japanese() {
        let mut t = Localized::new("避難指示", "");
        assert_eq!(t.resolve("vi"), ("ja", "避難指示"));
        assert_eq!(t.resolve("en"), ("ja", "避難指示"), "empty English falls back");
        t.en = "Evacuation order".into();
        assert_eq!(t.resolve("vi"), ("en", "Evacuation order"), "English before Japanese for a Vietnamese reader");
        assert_eq!(t.resolve("ja-easy"), ("ja", "避難指示"), "Japanese for a reader of easy Japanese");
        assert_eq!(t.resolve("ja"), ("ja", "避難指示"));
        t.en = String::new();
        t.ja_easy = "にげて ください".into();
        assert_eq!(t.resolve("vi"), ("ja-easy", "にげて ください"));
        t.vi = "Hãy lánh nạn".into();
        assert_eq!(t.resolve("vi"), ("vi", "Hãy lánh nạn"));
        assert_eq!(t.resolve("xx"), ("ja-easy", "にげて ください"), "an unknown code is no language");
        assert_eq!(t.written().map(|(c, _)| c).collect::<Vec<_>>(), ["ja", "ja-easy", "vi"]);
        let small = t.for_reader("ko");
        assert_eq!((small.ja.as_str(), small.ja_easy.as_str(), small.vi.as_str()), ("避難指示", "にげて ください", ""));
    }

    #[test]
    fn browser_languages_map_to_codes() {
        assert_eq!(code_for_tag("zh-Hant-HK"), Some("zh-Hant"));
        assert_eq!(code_for_tag("zh-CN"), Some("zh-Hans"));
        assert_eq!(code_for_tag("fil-PH"), Some("tl"));
        assert_eq!(code_for_tag("my-MM"), None, "no Burmese catalog yet");
        assert_eq!(code_for_accept_language("my-MM,vi;q=0.9,en;q=0.8"), Some("vi"));
        assert_eq!(code_for_accept_language("en;q=0.5, pt-BR"), Some("pt"), "quality before order");
        assert_eq!(code_for_accept_language("ko;q=0, fr"), None);
        assert_eq!(code_for_accept_language(""), None);
    }

    #[test]
    fn languages_are_keys_named_by_their_codes() {
        let t: Localized =
            serde_json::from_str(r#"{"ja":"給水","zh-Hans":"供水","ja-easy":"みず"}"#).expect("codes as keys");
        assert_eq!((t.zh_hans.as_str(), t.ja_easy.as_str(), t.en.as_str()), ("供水", "みず", ""));
        let back = serde_json::to_value(&t).unwrap();
        assert_eq!(back, serde_json::json!({"ja": "給水", "en": "", "ja-easy": "みず", "zh-Hans": "供水"}));
        let refused = |json: &str| serde_json::from_str::<Localized>(json).unwrap_err().to_string();
        assert!(refused(r#"{"ja":"給水","fr":"eau"}"#).contains("unknown field `fr`"), "unknown language");
        assert!(refused(r#"{"en":"water"}"#).contains("missing field `ja`"));
        assert!(refused(r#"{"ja":"給水","ko":"급수","ko":"물"}"#).contains("duplicate field `ko`"));
        assert!(refused(r#"{"ja":"給水","en":null}"#).contains("invalid type: null"));
        assert!(refused(r#"["給水"]"#).contains("invalid type: sequence"));
        for code in LANGUAGES {
            let mut t = Localized::default();
            *t.slot_mut(code).unwrap() = code.into();
            assert_eq!(serde_json::to_value(&t).unwrap()[code], code, "{code} is written under its code");
        }
    }
}

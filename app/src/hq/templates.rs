//! Starting a notice from a template (避難指示, 高齢者等避難, 給水; `app/i18n/templates`): the text in
//! every catalog language at once, with what only HQ knows (the areas, the place, the time) put in
//! from the form's fields, or left as 「〇〇」 / `[place]` to be written over. A notice still
//! holding a blank is refused before the confirmation step.

use crate::i18n::{fill, Lang, NoticeTemplate, NOTICE_TEMPLATES};
use bosai_types::notices::{NoticeError, NoticeLevel, MAX_NOTICE_TITLE_CHARS};
use bosai_types::surveys::Localized;

/// The placeholders of the templates.
const NAMES: [&str; 3] = ["area", "place", "time"];

/// What a language shows where HQ must write (Japanese ones: 〇〇; the others: `[place]`).
fn blanks(code: &str) -> [&'static str; 3] {
    if code.starts_with("ja") {
        ["〇〇地区", "〇〇", "〇時"]
    } else {
        ["[area]", "[place]", "[time]"]
    }
}

pub(crate) fn template(id: &str) -> Option<&'static NoticeTemplate> {
    NOTICE_TEMPLATES.iter().find(|t| t.id == id)
}

/// How urgent the template's notice is.
pub(crate) fn template_level(id: &str) -> NoticeLevel {
    match id {
        "evacuation_order" => NoticeLevel::Emergency,
        "elderly_evacuation" => NoticeLevel::Warning,
        _ => NoticeLevel::Info,
    }
}

pub(crate) fn template_label(id: &str, l: Lang) -> &'static str {
    match id {
        "evacuation_order" => l.hq().templates_evacuation_order,
        "elderly_evacuation" => l.hq().templates_older_people_others_evacuate,
        "water" => l.hq().templates_water_supply,
        _ => "",
    }
}

/// What HQ put in the template's fields; empty: the blank stays.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Blanks {
    /// The areas chosen, named in Japanese and in English (romanised: every other language).
    pub areas: Option<(String, String)>,
    pub place: String,
    pub time: String,
}

/// Title and message in every language of the template, the blanks filled where HQ gave them.
pub(crate) fn template_texts(t: &NoticeTemplate, given: &Blanks) -> (Localized, Localized) {
    let (mut title, mut body) = (Localized::default(), Localized::default());
    for (code, t_text, b_text) in t.texts {
        let japanese = code.starts_with("ja");
        let area = given.areas.as_ref().map(|(ja, en)| if japanese { ja } else { en });
        let values: Vec<(&str, &str)> = NAMES
            .iter()
            .zip(blanks(code))
            .zip([area.map(String::as_str), Some(given.place.trim()), Some(given.time.trim())])
            .map(|((name, blank), v)| (*name, v.filter(|v| !v.is_empty()).unwrap_or(blank)))
            .collect();
        if let Some(s) = title.slot_mut(code) {
            *s = fill(t_text, &values);
            // Areas that make the title too long are left to the message, which names them:
            // an evacuation order must not wait for someone to shorten its Nepali title.
            if s.chars().count() > MAX_NOTICE_TITLE_CHARS && area.is_some() {
                let without: Vec<(&str, &str)> =
                    values.iter().map(|&(n, v)| (n, if n == "area" { "" } else { v })).collect();
                *s = fill(t_text, &without)
                    .trim_end_matches(|c: char| c.is_whitespace() || "–-—:：、,".contains(c))
                    .into();
            }
        }
        if let Some(s) = body.slot_mut(code) {
            *s = fill(b_text, &values);
        }
    }
    (title, body)
}

/// A template's blank (in any language's form) is still in `s`.
pub(crate) fn has_blank(s: &str) -> bool {
    ["ja", "en"].iter().flat_map(|c| blanks(c)).any(|b| s.contains(b))
}

/// A blank of a template left in the title or the message, in any language.
pub(crate) fn unfilled(title: &Localized, body: &Localized) -> Option<NoticeError> {
    let blank = |t: &Localized| t.written().any(|(_, s)| has_blank(s));
    let code = if blank(title) {
        "invalid_title"
    } else if blank(body) {
        "invalid_body"
    } else {
        return None;
    };
    Some(NoticeError {
        code,
        ja: "テンプレートの「〇〇」や「〇時」を、地区・場所・時刻に書き換えてください（ほかの言語の [place] なども）。".into(),
        en: "Replace the template's blanks ([area], [place], [time], 〇〇) with the real area, place and time, in every language.".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_leaves_blanks_until_given() {
        let t = template("water").unwrap();
        let (title, body) = template_texts(t, &Blanks::default());
        assert!(title.ja.contains("〇〇") && body.ja.contains("〇時") && body.en.contains("[time]"), "{body:?}");
        assert_eq!(unfilled(&title, &body).map(|e| e.code), Some("invalid_title"));
        let given = Blanks { place: "片平小学校".into(), time: "14:00".into(), ..Blanks::default() };
        let (title, body) = template_texts(t, &given);
        assert!(unfilled(&title, &body).is_none(), "{title:?} {body:?}");
        assert!(body.vi.contains("片平小学校") && body.vi.contains("14:00"), "{}", body.vi);
        let mut edited = body.clone();
        edited.ne.push_str(" [place]");
        assert_eq!(unfilled(&title, &edited).map(|e| e.code), Some("invalid_body"), "a blank in any language");
    }

    #[test]
    fn areas_too_long_for_a_title_are_left_to_the_message() {
        let names =
            ("上杉・北山、片平・一番町".to_string(), "Kamisugi and Kitayama, Katahira and Ichibancho".to_string());
        for id in ["evacuation_order", "elderly_evacuation"] {
            let given = Blanks { areas: Some(names.clone()), ..Blanks::default() };
            let (title, body) = template_texts(template(id).unwrap(), &given);
            assert!(title.longest() <= MAX_NOTICE_TITLE_CHARS, "{id}: {title:?}");
            assert!(unfilled(&title, &body).is_none(), "{id}: {title:?}");
            // Where they fit, the title names them; the message always does.
            assert!(title.ja.contains("片平・一番町"), "{id}: {}", title.ja);
            assert!(!title.en.contains("Katahira") && !title.en.ends_with(' '), "{id}: {}", title.en);
            for (code, text) in body.written() {
                let name = if code.starts_with("ja") { &names.0 } else { &names.1 };
                assert!(text.contains(name.as_str()), "{id} {code}: {text}");
            }
        }
    }

    #[test]
    fn every_language_is_filled_and_easy_japanese_has_its_furigana_in_brackets() {
        let t = template("evacuation_order").unwrap();
        let given = Blanks { areas: Some(("青葉区".into(), "Aoba-ku".into())), ..Blanks::default() };
        let (title, body) = template_texts(t, &given);
        assert_eq!(title.written().count(), Lang::ALL.len(), "{title:?}");
        assert!(
            title.ja.contains("青葉区") && title.en.contains("Aoba-ku") && title.ko.contains("Aoba-ku"),
            "{title:?}"
        );
        assert!(title.ja_easy.contains("避難指示（ひなんしじ）") && !body.ja_easy.contains('['), "{title:?}");
        assert!(title.longest() <= bosai_types::notices::MAX_NOTICE_TITLE_CHARS, "{title:?}");
        assert!(body.longest() <= bosai_types::notices::MAX_NOTICE_BODY_CHARS, "{body:?}");
        assert_eq!(template_level("evacuation_order"), NoticeLevel::Emergency);
        assert!(
            NOTICE_TEMPLATES.iter().all(|t| !template_label(t.id, Lang::Ja).is_empty()),
            "every template has a name"
        );
    }
}

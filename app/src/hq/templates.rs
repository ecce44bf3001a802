//! Starting a notice from a template (避難指示, 高齢者等避難, 給水; `app/i18n/templates`): the text in
//! Japanese and English, with what only HQ knows (where, what time) left as 「〇〇」 / `[place]` to be
//! written over. A notice still holding one is refused before the confirmation step.

use crate::i18n::{fill, Lang, NoticeTemplate, NOTICE_TEMPLATES};
use bosai_types::notices::{NoticeError, NoticeLevel};

/// What HQ must write over, per placeholder (Japanese, English).
const BLANKS: [(&str, &str, &str); 3] =
    [("area", "〇〇地区", "[area]"), ("place", "〇〇", "[place]"), ("time", "〇時", "[time]")];

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
        "evacuation_order" => l.pick("避難指示", "Evacuation order"),
        "elderly_evacuation" => l.pick("高齢者等避難", "Older people and others: evacuate"),
        "water" => l.pick("給水", "Water supply"),
        _ => "",
    }
}

/// Title and message in Japanese, then in English: the areas chosen put in (when there are), the
/// rest blank.
pub(crate) fn template_texts(t: &NoticeTemplate, areas: Option<(String, String)>) -> [String; 4] {
    let values = |en: bool| -> Vec<(&'static str, String)> {
        BLANKS
            .iter()
            .map(|(name, ja, e)| {
                let chosen =
                    areas.as_ref().filter(|_| *name == "area").map(|(a_ja, a_en)| if en { a_en } else { a_ja });
                (*name, chosen.cloned().unwrap_or_else(|| (if en { *e } else { *ja }).to_owned()))
            })
            .collect()
    };
    let put = |s: &str, en: bool| {
        let v = values(en);
        fill(s, &v.iter().map(|(n, x)| (*n, x.as_str())).collect::<Vec<_>>())
    };
    [put(t.title_ja, false), put(t.body_ja, false), put(t.title_en, true), put(t.body_en, true)]
}

/// A blank of a template left in the title or the message (Japanese and English, in that order).
pub(crate) fn unfilled(title_ja: &str, body_ja: &str, title_en: &str, body_en: &str) -> Option<NoticeError> {
    let blank = |s: &str| BLANKS.iter().any(|(_, ja, en)| s.contains(ja) || s.contains(en));
    let code = if blank(title_ja) || blank(title_en) {
        "invalid_title"
    } else if blank(body_ja) || blank(body_en) {
        "invalid_body"
    } else {
        return None;
    };
    Some(NoticeError {
        code,
        ja: "テンプレートの「〇〇」や「〇時」を、地区・場所・時刻に書き換えてください。".into(),
        en: "Replace the template's blanks ([area], [place], [time], 〇〇) with the real area, place and time.".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_leaves_blanks_until_written_over() {
        let t = template("water").unwrap();
        let [title_ja, body_ja, title_en, body_en] = template_texts(t, None);
        assert!(
            title_ja.contains("〇〇") && body_ja.contains("〇時") && body_en.contains("[time]"),
            "{body_ja} {body_en}"
        );
        assert_eq!(unfilled(&title_ja, &body_ja, &title_en, &body_en).map(|e| e.code), Some("invalid_title"));
        let filled = |s: &str| {
            s.replace("〇〇", "片平小学校")
                .replace("〇時", "14時")
                .replace("[place]", "Katahira ES")
                .replace("[time]", "14:00")
        };
        assert!(unfilled(&filled(&title_ja), &filled(&body_ja), &filled(&title_en), &filled(&body_en)).is_none());
    }

    #[test]
    fn the_areas_chosen_are_put_in() {
        let t = template("evacuation_order").unwrap();
        let [title_ja, _, title_en, _] = template_texts(t, Some(("青葉区".into(), "Aoba-ku".into())));
        assert!(title_ja.contains("青葉区") && title_en.contains("Aoba-ku"), "{title_ja} / {title_en}");
        assert_eq!(template_level("evacuation_order"), NoticeLevel::Emergency);
        assert!(
            NOTICE_TEMPLATES.iter().all(|t| !template_label(t.id, Lang::Ja).is_empty()),
            "every template has a name"
        );
    }
}

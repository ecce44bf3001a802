//! The texts of a notice being written: a title and a message in Japanese (required), English, and,
//! folded away until HQ opens them, easy Japanese and the languages of foreign residents. Residents
//! read their language when it is written, else easy Japanese, else Japanese.

use crate::i18n::{fill, Lang};
use bosai_types::localized::LANGUAGES;
use bosai_types::notices::{NoticeError, MAX_NOTICE_BODY_CHARS, MAX_NOTICE_TITLE_CHARS};
use bosai_types::surveys::Localized;
use leptos::prelude::*;

/// Which of a notice's two texts a field edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Title,
    Body,
}

impl Part {
    fn max(self) -> usize {
        match self {
            Part::Title => MAX_NOTICE_TITLE_CHARS,
            Part::Body => MAX_NOTICE_BODY_CHARS,
        }
    }

    /// The code a refusal of this text carries.
    fn error_code(self) -> &'static str {
        match self {
            Part::Title => "invalid_title",
            Part::Body => "invalid_body",
        }
    }

    /// The field's id: `n-title-ja`, `n-body-zh-Hans`, ….
    pub(crate) fn field_id(self, code: &str) -> String {
        match self {
            Part::Title => format!("n-title-{code}"),
            Part::Body => format!("n-body-{code}"),
        }
    }

    fn label(self, code: &'static str, l: Lang) -> String {
        let part = match self {
            Part::Title => l.hq().compose_part_title,
            Part::Body => l.hq().compose_part_body,
        };
        let name = Lang::from_code(code).map_or(code, Lang::name);
        let template = match code {
            "ja" => l.hq().compose_field_in_japanese,
            "en" => l.hq().compose_field_in_english,
            _ => l.hq().compose_field_in_language,
        };
        fill(template, &[("part", part), ("language", name)])
    }
}

/// Whether language `code`'s text is what a refusal of this part is about: the Japanese missing,
/// too long, a line break in a title, a control character, a template's blank left.
pub(crate) fn at_fault(part: Part, code: &str, t: &Localized) -> bool {
    let s = t.slot(code).map_or("", |s| s.trim());
    (code == "ja" && s.is_empty())
        || s.chars().count() > part.max()
        || s.chars().any(|c| c.is_control() && !(c == '\n' && part == Part::Body))
        || super::has_blank(s)
}

/// The field to focus on a refusal of this part: the first at fault (Japanese when none is: the
/// message is below it).
pub(crate) fn first_at_fault(part: Part, t: &Localized) -> String {
    part.field_id(LANGUAGES.into_iter().find(|c| at_fault(part, c, t)).unwrap_or("ja"))
}

/// This field holds what the refusal on show is about (it stops being marked once corrected).
/// Reads the signals: call it inside a reactive closure.
fn faulty(part: Part, code: &str, text: RwSignal<Localized>, invalid: RwSignal<Option<NoticeError>>) -> bool {
    invalid.with(|e| e.as_ref().is_some_and(|e| e.code == part.error_code())) && text.with(|t| at_fault(part, code, t))
}

/// Every language's text trimmed, as it is sent.
pub(crate) fn trimmed(t: &Localized) -> Localized {
    let mut out = Localized::default();
    for code in LANGUAGES {
        if let (Some(to), Some(from)) = (out.slot_mut(code), t.slot(code)) {
            *to = from.trim().to_owned();
        }
    }
    out
}

/// One language's field of one text, with a live character count (as the server counts).
pub(crate) fn text_field(
    lang: RwSignal<Lang>,
    part: Part,
    code: &'static str,
    text: RwSignal<Localized>,
    invalid: RwSignal<Option<NoticeError>>,
) -> impl IntoView {
    let (id, max) = (part.field_id(code), part.max());
    let error_here = Signal::derive(move || faulty(part, code, text, invalid));
    let count_id = format!("{id}-count");
    let described = {
        let c = count_id.clone();
        move || if error_here.get() { format!("{c} notice-error") } else { c.clone() }
    };
    let value = move || text.with(|t| t.slot(code).cloned().unwrap_or_default());
    let set = move |ev| {
        let v = event_target_value(&ev);
        text.update(|t| {
            if let Some(s) = t.slot_mut(code) {
                *s = v;
            }
        })
    };
    let chars = move || text.with(|t| t.slot(code).map_or(0, |s| s.chars().count()));
    let count = move || {
        let (n, l) = (chars(), lang.get());
        let (n, over, max) = (n.to_string(), n.saturating_sub(max), max.to_string());
        match over {
            0 => fill(l.hq().compose_characters, &[("n", &n), ("max", &max)]),
            o => fill(l.hq().compose_characters_over, &[("n", &n), ("max", &max), ("over", &o.to_string())]),
        }
    };
    // The text's own language, for screen readers, spelling and input methods.
    let written_in = Lang::from_code(code).map_or("ja", Lang::html_lang);
    let invalid = move || error_here.get().then_some("true");
    let over = move || chars() > max;
    let input = match part {
        Part::Body => view! {
            <textarea id=id.clone() rows="5" lang=written_in aria-describedby=described.clone() aria-invalid=invalid
                prop:value=value on:input=set></textarea>
        }
        .into_any(),
        Part::Title => view! {
            <input id=id.clone() type="text" autocomplete="off" lang=written_in aria-describedby=described.clone()
                aria-invalid=invalid prop:value=value on:input=set/>
        }
        .into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{move || part.label(code, lang.get())}</label>
            {input}
            <span id=count_id class="hint counter" class:over=over>{count}</span>
        </div>
    }
}

/// Easy Japanese and the languages of foreign residents, folded away: open when any is written
/// (a template fills them all) or holds what a refusal is about.
#[component]
pub(crate) fn OtherLanguages(
    lang: RwSignal<Lang>,
    title: RwSignal<Localized>,
    body: RwSignal<Localized>,
    invalid: RwSignal<Option<NoticeError>>,
) -> impl IntoView {
    let others = LANGUAGES.into_iter().filter(|c| !matches!(*c, "ja" | "en"));
    let error_here = move || {
        LANGUAGES
            .into_iter()
            .filter(|c| !matches!(*c, "ja" | "en"))
            .any(|c| faulty(Part::Title, c, title, invalid) || faulty(Part::Body, c, body, invalid))
    };
    let written = move || {
        let any = |t: &Localized| t.written().any(|(c, _)| !matches!(c, "ja" | "en"));
        title.with(any) || body.with(any)
    };
    let count = move || {
        let n = LANGUAGES
            .iter()
            .filter(|c| !matches!(**c, "ja" | "en"))
            .filter(|c| title.with(|t| t.text(c).is_some()) || body.with(|b| b.text(c).is_some()))
            .count();
        let l = lang.get();
        fill(l.hq().compose_other_languages_written, &[("n", &n.to_string())])
    };
    view! {
        <details class="notice-languages" prop:open=move || written() || error_here()>
            <summary>{count}</summary>
            <p class="hint">{move || lang.get().hq().notice_text_residents_read_their_language}</p>
            {others.map(|code| view! {
                <fieldset class="notice-language">
                    <legend lang=Lang::from_code(code).map_or("ja", Lang::html_lang)>{Lang::from_code(code).map_or(code, Lang::name)}</legend>
                    {text_field(lang, Part::Title, code, title, invalid)}
                    {text_field(lang, Part::Body, code, body, invalid)}
                </fieldset>
            }).collect_view()}
        </details>
    }
}

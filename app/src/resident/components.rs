//! What the resident's screens share: the menu, the outbox bar, sign-in and fetch states, check boxes, labels.

use crate::api::{self, ApiError};
use crate::i18n::{tx, Lang};
use crate::resident::{self, Invalid};
use crate::use_lang;
use bosai_types::household::{MemberView, Relationship, Sex};
use bosai_types::localized::Localized;
use bosai_types::needs::{DietaryNeed, MedicalNeed, NursingCareLevel};
use bosai_types::safety::SafetyStatus;
use bosai_types::ShelterId;
use leptos::prelude::*;
use leptos_router::components::A;
use serde::{de::DeserializeOwned, Serialize};

pub(crate) const SEXES: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Other, Sex::NoAnswer];

pub(crate) const RELATIONSHIPS: [Relationship; 8] = [
    Relationship::Spouse,
    Relationship::Child,
    Relationship::Parent,
    Relationship::Grandparent,
    Relationship::Grandchild,
    Relationship::Sibling,
    Relationship::OtherRelative,
    Relationship::Other,
];

pub(crate) const DIETARY: [DietaryNeed; 10] = [
    DietaryNeed::SoftFood,
    DietaryNeed::PureedFood,
    DietaryNeed::InfantFormulaPowder,
    DietaryNeed::InfantFormulaLiquid,
    DietaryNeed::BabyFood,
    DietaryNeed::LowSalt,
    DietaryNeed::Diabetic,
    DietaryNeed::Halal,
    DietaryNeed::Vegetarian,
    DietaryNeed::Vegan,
];

pub(crate) const MEDICAL: [MedicalNeed; 6] = [
    MedicalNeed::Dialysis,
    MedicalNeed::HomeOxygen,
    MedicalNeed::Ventilator,
    MedicalNeed::Insulin,
    MedicalNeed::RegularMedication,
    MedicalNeed::Stoma,
];

pub(crate) const NURSING: [NursingCareLevel; 7] = [
    NursingCareLevel::Support1,
    NursingCareLevel::Support2,
    NursingCareLevel::Care1,
    NursingCareLevel::Care2,
    NursingCareLevel::Care3,
    NursingCareLevel::Care4,
    NursingCareLevel::Care5,
];

pub(crate) const KINDS: [&str; 4] = ["safe_at_home", "at_shelter", "elsewhere", "needs_help"];

/// The wire name of an enum value ("child", "care3").
pub(crate) fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default().trim_matches('"').to_string()
}

pub(crate) fn from_code<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_str(&format!("\"{s}\"")).ok()
}

pub(crate) fn toggle<T: PartialEq + Copy>(v: &mut Vec<T>, x: T, on: bool) {
    v.retain(|y| *y != x);
    if on {
        v.push(x);
    }
}

pub(crate) fn find(id: &str) -> Option<MemberView> {
    resident::state().shown.with_untracked(|v| v.as_ref()?.members.iter().find(|m| m.member.id.as_str() == id).cloned())
}

// ---- shared pieces --------------------------------------------------------

#[component]
pub fn ResidentNav() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    view! {
        <nav class="res-nav" aria-label=move || t().res_menu>
            <ul>
                <li><A href="/household">{tx(lang, |t| t.nav_household)}</A></li>
                <li><A href="/checkin">{tx(lang, |t| t.nav_checkin)}</A></li>
                <li><A href="/surveys">{tx(lang, |t| t.nav_surveys)}</A></li>
                <li><A href="/notices">{tx(lang, |t| t.nav_notices)}</A></li>
                <li><A href="/mydata">{tx(lang, |t| t.nav_mydata)}</A></li>
            </ul>
        </nav>
    }
}

/// Pending writes and rejected ones, on every page.
#[component]
pub fn OutboxStatus() -> impl IntoView {
    let lang = use_lang();
    let s = resident::signals();
    let pending = move || {
        let n = s.pending.with(Vec::len);
        let t = lang.get().tr();
        (n > 0).then(|| {
            view! {
                <p class="pending-bar">
                    <strong class="pending-count">{lang.get().plural(t.pending_n, n as f64)}</strong>" "{t.pending_explain}
                </p>
            }
        })
    };
    let rejected = move || {
        let l = lang.get();
        let r = s.rejected.get();
        (!r.is_empty()).then(|| {
            view! {
                <div class="banner rejected" role="alert">
                    <ul>
                        {r.iter().map(|(_, e)| view! { <li>{l.tr().failed_prefix}": "{e.message(l)}</li> }).collect_view()}
                    </ul>
                    <button type="button" class="btn btn-secondary" on:click=move |_| s.rejected.set(Vec::new())>
                        {l.tr().dismiss}
                    </button>
                </div>
            }
        })
    };
    view! {
        <div class="outbox" role="status">{pending}</div>
        {rejected}
    }
}

pub(crate) fn signed_out(lang: RwSignal<Lang>, title: fn(&crate::i18n::Tr) -> &'static str) -> AnyView {
    view! {
        <h1>{move || title(lang.get().tr())}</h1>
        <p class="banner" role="alert">{move || lang.get().tr().need_signin}</p>
        <p><A href="/" attr:class="btn">{move || lang.get().tr().back_home}</A></p>
    }
    .into_any()
}

/// Offline / error banner and the time of the saved copy (of the household, or of the surveys).
#[component]
pub(crate) fn FetchState(#[prop(optional)] surveys: bool) -> impl IntoView {
    let lang = use_lang();
    let s = resident::state();
    view! {
        {move || {
            let cached = if surveys { s.surveys.with(Option::is_some) } else { s.saved.with(Option::is_some) };
            Some(crate::pages::error_banner(lang.get(), &s.error.get()?, cached))
        }}
        <p class="updated">
            {move || {
                let at = if surveys { s.surveys.with(|v| v.as_ref().map(|v| v.saved_at)) } else { s.saved.with(|v| v.as_ref().map(|v| v.saved_at)) };
                let l = lang.get();
                at.map(|at| format!("{}: {}", l.tr().last_updated, l.format_time(at)))
            }}
        </p>
    }
}

pub(crate) fn pending_badge(lang: Lang, n: usize) -> Option<impl IntoView> {
    (n > 0).then(|| view! { <p class="pending">{lang.tr().pending_badge}</p> })
}

/// Text HQ wrote (a survey's, a notice's) as a reader of `l` is shown it: in `l` when HQ wrote
/// it, else in the language it falls back to, with that language's tag, so a screen reader
/// reads Japanese in a Japanese voice on a Vietnamese phone.
pub(crate) fn written(text: &Localized, l: Lang) -> (&'static str, String) {
    let (code, s) = text.resolve(l.code());
    (Lang::from_code(code).map_or("ja", Lang::html_lang), s.to_owned())
}

/// `written` as a view.
pub(crate) fn hq_text(text: &Localized, l: Lang) -> impl IntoView {
    let (tag, s) = written(text, l);
    view! { <span lang=tag>{s}</span> }
}

/// Why a send failed, in the reader's language (one render code for every form).
pub(crate) fn failure(lang: RwSignal<Lang>, failed: RwSignal<Option<ApiError>>) -> impl IntoView {
    move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })
}

/// What the form refused before sending (one render code for every form).
pub(crate) fn refusal(lang: RwSignal<Lang>, invalid: RwSignal<Option<Invalid>>) -> impl IntoView {
    move || invalid.get().map(|e| view! { <p class="field-error" role="alert">{e.message(lang.get())}</p> })
}

/// The status line after a submit: while the write waits on this phone it says so, and only
/// once the server has it the real confirmation (offline is not "received"). The outbox sends
/// oldest first, so while anything is queued the write just made is too.
pub(crate) fn submitted_status(
    lang: RwSignal<Lang>,
    done: RwSignal<bool>,
    sent: fn(&crate::i18n::Tr) -> &'static str,
) -> impl IntoView {
    // (While anything is queued the pending bar shows, and app.css turns this line from the
    // green of "received" to the bar's colour: no code of its own on every form's page.)
    move || {
        done.get().then(|| {
            let l = lang.get();
            if resident::state().pending.with(|p| !p.is_empty()) {
                l.tr().outbox_saved_here
            } else {
                sent(l.tr())
            }
        })
    }
}

pub(crate) fn shelter_name(id: &ShelterId, l: Lang) -> String {
    api::shelter_name(id.as_str(), l)
}

pub(crate) fn status_text(st: &SafetyStatus, l: Lang) -> String {
    let kind = l.safety_kind(st.kind());
    match st {
        SafetyStatus::SafeAtHome => kind.into(),
        SafetyStatus::AtShelter { shelter_id } => format!("{kind}: {}", shelter_name(shelter_id, l)),
        SafetyStatus::Elsewhere { place } => format!("{kind}: {place}"),
        // The call-back number too: the form is emptied once sent, and this is where he checks it.
        SafetyStatus::NeedsHelp { what, location, phone: Some(p) } => format!("{kind}: {what} / {location} / ☎ {p}"),
        SafetyStatus::NeedsHelp { what, location, .. } => format!("{kind}: {what} / {location}"),
    }
}

pub(crate) fn find_tracked(id: &str) -> Option<MemberView> {
    resident::state().shown.with(|v| v.as_ref()?.members.iter().find(|m| m.member.id.as_str() == id).cloned())
}

/// A labelled check box; the label is reactive text or a fixed name.
pub(crate) fn check_box(
    label: impl IntoView + 'static,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    set: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=checked on:change=move |ev| set(event_target_checked(&ev))/>
            <span>{label}</span>
        </label>
    }
}

// ---- my data --------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_hq_wrote_carries_the_language_it_is_shown_in() {
        let mut text = Localized::new("給水車が来ます", "");
        // Written in Japanese only: the Japanese is shown, marked Japanese.
        assert_eq!(written(&text, Lang::Vi), ("ja", "給水車が来ます".to_owned()));
        // In English too: a Vietnamese reader gets the English, marked English.
        text.en = "A water truck is coming".into();
        assert_eq!(written(&text, Lang::Vi), ("en", "A water truck is coming".to_owned()));
        assert_eq!(written(&text, Lang::JaEasy), ("ja", "給水車が来ます".to_owned()));
        *text.slot_mut("vi").unwrap() = "Xe chở nước sắp đến".into();
        assert_eq!(written(&text, Lang::Vi), ("vi", "Xe chở nước sắp đến".to_owned()));
        assert_eq!(written(&text, Lang::En), ("en", "A water truck is coming".to_owned()));
        *text.slot_mut("pt").unwrap() = "Um caminhão-pipa está chegando".into();
        assert_eq!(written(&text, Lang::Pt).0, "pt-BR");
    }
}

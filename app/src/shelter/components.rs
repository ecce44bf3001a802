//! What the staff screen's parts share: codes of enums, labels, focus, error banner, printing one part.

use crate::api::ApiError;
use crate::i18n::Lang;
use bosai_types::needs::{AllergenCode, ALLERGENS};
use bosai_types::roster::AgeBand;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The wire name of an enum value ("wheelchair").
pub(crate) fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default().trim_matches('"').to_string()
}

pub(crate) fn from_code<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_str(&format!("\"{s}\"")).ok()
}

pub(crate) fn allergen_label(c: AllergenCode, l: Lang) -> &'static str {
    ALLERGENS.iter().find(|a| a.code == c).map(|a| if l.is_ja() { a.ja } else { a.en }).unwrap_or("?")
}

pub(crate) fn age_band(b: AgeBand, l: Lang) -> &'static str {
    match b {
        AgeBand::Child => l.staff().components_child_0_14,
        AgeBand::Adult => l.staff().components_15_64,
        AgeBand::Elderly => l.staff().components_65_over,
        AgeBand::Unknown => l.staff().components_unknown,
    }
}

pub(crate) use crate::dom::focus;

pub(crate) fn err_banner(e: ApiError, l: Lang) -> impl IntoView {
    let text = match e.status() {
        Some(401) => l.staff().common_staff_token_has_expired.to_string(),
        Some(403) => l.staff().common_you_may_not_act.to_string(),
        _ => e.message(l),
    };
    view! { <p class="banner" role="alert">{text}</p> }
}

/// Marks one printable block and opens the print dialog (print CSS shows only it).
pub(crate) fn print_only(id: &str) {
    for other in ["desk-print", "poster-print"] {
        if let Some(el) = document().get_element_by_id(other) {
            let _ = el.class_list().remove_1("printing");
        }
    }
    if let Some(el) = document().get_element_by_id(id) {
        let _ = el.class_list().add_1("printing");
    }
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

// ---- sign-in -------------------------------------------------------------------

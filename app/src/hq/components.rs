//! What the HQ screen's parts share: the HQ token and its requests, error banners, focus, counts in words.

use crate::api::ApiError;
use crate::dom;
use crate::i18n::Lang;
use crate::staff;
use leptos::prelude::*;

/// Separate from the shelter staff token: one device may hold both.
pub(crate) const TOKEN_KEY: &str = "bosai.hq.token";

/// How often the sent list is re-read while a notice is still being sent.
pub(crate) const POLL_MS: i32 = 3_000;

/// In this tab only, like the staff token (shared devices).
pub(crate) fn token() -> Option<String> {
    dom::storage_remove(TOKEN_KEY); // from versions that kept it in localStorage
    dom::tab_get(TOKEN_KEY)
}

pub fn save_token(token: &str) {
    dom::tab_set(TOKEN_KEY, token.trim());
}

pub(crate) fn sign_out() {
    dom::tab_remove(TOKEN_KEY);
}

/// A usable HQ token: readable, for HQ (or admin), not expired. The server checks it for real.
pub(crate) fn check_token(raw: &str, l: Lang) -> Result<(), &'static str> {
    match staff::decode_token(raw) {
        None => Err(l.hq().components_not_token_paste_all),
        Some(c) if !matches!(c.role.as_str(), "hq" | "admin" | "prefecture_hq") => {
            Err(l.hq().components_not_hq_token_it)
        }
        Some(c) if c.exp * 1000 < dom::now().millis() => Err(l.hq().components_token_has_expired),
        Some(_) => Ok(()),
    }
}

pub(crate) fn error_text(e: &ApiError, l: Lang) -> String {
    match e.status() {
        Some(401) => l.hq().components_hq_token_has_expired.to_string(),
        Some(403) => l.hq().components_you_may_not_do.to_string(),
        _ => e.message(l),
    }
}

pub(crate) fn banner(e: &ApiError, l: Lang) -> impl IntoView {
    view! { <p class="banner" role="alert">{error_text(e, l)}</p> }
}

pub(crate) use crate::dom::focus;

pub(crate) fn people(n: impl std::fmt::Display, l: Lang) -> String {
    crate::i18n::fill(l.hq().common_people_count, &[("n", &n.to_string())])
}

// ---- sign-in -------------------------------------------------------------------------

//! Choosing the language: a list in the header (each name in its own language), remembered on
//! this device, and on a first visit an offer of the browser's language.

use super::{ensure, offer_from_browser, Lang, JA};
use crate::{use_lang, Bundle};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The languages a bundle offers: the staff and HQ screens are written in Japanese and English.
pub fn offered(bundle: Bundle) -> &'static [Lang] {
    match bundle {
        Bundle::Resident => Lang::ALL,
        Bundle::Staff => &[Lang::Ja, Lang::En],
    }
}

/// The language a bundle starts in for a stored choice (a resident's Vietnamese is English on
/// the staff screens).
pub fn start_language(bundle: Bundle, stored: Option<Lang>) -> Lang {
    match stored {
        Some(l) if offered(bundle).contains(&l) => l,
        Some(l) if l.is_ja() => Lang::Ja,
        Some(_) => Lang::En,
        None => Lang::Ja,
    }
}

#[component]
pub fn LanguageChooser(bundle: Bundle) -> impl IntoView {
    let lang = use_lang();
    let failed = RwSignal::new(false);
    let choose = move |ev| {
        let Some(l) = Lang::from_code(&event_target_value(&ev)) else { return };
        spawn_local(async move {
            match ensure(l).await {
                Ok(()) => {
                    l.save();
                    failed.set(false);
                    lang.set(l);
                }
                Err(_) => {
                    failed.set(true);
                    // Put the list back on the language still shown.
                    lang.update(|_| {});
                }
            }
        });
    };
    view! {
        <div class="lang-choice">
            <label for="lang-select"><span class="globe" aria-hidden="true"></span><span class="sr-only">{move || lang.get().tr().language_label}</span></label>
            <select id="lang-select" class="lang-select" on:change=choose prop:value=move || lang.get().code()>
                {offered(bundle).iter().map(|l| view! { <option value=l.code() lang=l.html_lang()>{l.name()}</option> }).collect_view()}
            </select>
            {move || failed.get().then(|| view! { <p class="banner" role="alert">{lang.get().tr().err_network}</p> })}
        </div>
    }
}

/// On a first visit from a browser set to a language the app has: the offer, in that language,
/// to switch; keeping Japanese is remembered too, so it is asked once.
#[component]
pub fn LanguageOffer() -> impl IntoView {
    let lang = use_lang();
    let offer = RwSignal::new(None::<Lang>);
    if let Some(l) = offer_from_browser() {
        spawn_local(async move {
            if ensure(l).await.is_ok() {
                offer.set(Some(l));
            }
        });
    }
    move || {
        offer.get().map(|o| {
            let t = o.tr();
            view! {
                <div class="lang-offer" role="region" aria-label=o.name() lang=o.html_lang()>
                    <p>{t.language_offer}</p>
                    <button type="button" class="btn" on:click=move |_| {
                        o.save();
                        lang.set(o);
                        offer.set(None);
                    }>{o.name()}</button>
                    " "
                    <button type="button" class="btn btn-secondary" on:click=move |_| {
                        lang.get_untracked().save();
                        offer.set(None);
                    }><span>{t.language_keep}" / "<span lang="ja">{JA.language_keep}</span></span></button>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_screens_start_in_japanese_or_english() {
        assert_eq!(start_language(Bundle::Staff, Some(Lang::Vi)), Lang::En);
        assert_eq!(start_language(Bundle::Staff, Some(Lang::JaEasy)), Lang::Ja);
        assert_eq!(start_language(Bundle::Staff, Some(Lang::En)), Lang::En);
        assert_eq!(start_language(Bundle::Resident, Some(Lang::Vi)), Lang::Vi);
        assert_eq!(start_language(Bundle::Resident, None), Lang::Ja);
    }
}

//! 「お住まいの市区町村」 (住所地): read from the card's address when the resident shared it,
//! otherwise chosen here, and correctable. A shelter in another town counts them under it.

use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::{tx, Lang};
use crate::resident::failure;
use crate::session;
use crate::use_lang;
use bosai_types::household::{Home, HomeChoice, HomeSource, MunicipalityChoice};
use bosai_types::MunicipalityCode;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A town as listed for the reader: its name, with its reading in hiragana for やさしい日本語 and
/// in Latin letters for other languages (石巻市 — Ishinomaki-shi), as a list option holds no ruby.
pub(crate) fn choice_label(c: &MunicipalityChoice, l: Lang) -> String {
    let hiragana = || {
        c.kana
            .chars()
            .map(|k| if ('ァ'..='ヶ').contains(&k) { char::from_u32(k as u32 - 0x60).unwrap_or(k) } else { k })
    };
    match l {
        Lang::Ja => c.name_ja.clone(),
        Lang::JaEasy if !c.kana.is_empty() => format!("{}（{}）", c.name_ja, hiragana().collect::<String>()),
        _ if !l.is_ja() && !c.name_en.is_empty() => format!("{} — {}", c.name_ja, c.name_en),
        _ => c.name_ja.clone(),
    }
}

/// Forgotten with the rest of the resident's keys at sign-out (`resident::forget_local`).
const HOME_KEY: &str = "bosai.res.home.v1";

fn saved_home() -> Option<Home> {
    dom::storage_get(HOME_KEY).and_then(|s| serde_json::from_str(&s).ok())
}

fn keep_home(home: Option<&Home>) {
    match home.and_then(|h| serde_json::to_string(h).ok()) {
        Some(json) => dom::storage_set(HOME_KEY, &json),
        None => dom::storage_remove(HOME_KEY),
    }
}

#[component]
pub fn HomePicker() -> impl IntoView {
    let lang = use_lang();
    let choices = RwSignal::new(api::saved_municipalities());
    // The device's copy first: offline, the page still shows the home it had (not "not chosen").
    let home = RwSignal::new(saved_home());
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    spawn_local(async move {
        if let Ok(s) = api::municipalities().await {
            choices.set(s.data);
        }
        match session::me().await {
            Ok(me) => {
                keep_home(me.home.as_ref());
                home.set(me.home);
            }
            Err(e) if e.is_offline() => {}
            Err(e) => failed.set(Some(e)),
        }
        loaded.set(true);
    });

    let change = move |ev| {
        let Ok(municipality) = MunicipalityCode::parse(&event_target_value(&ev)) else {
            return;
        };
        let body = HomeChoice { municipality };
        saved.set(false);
        failed.set(None);
        busy.set(true);
        spawn_local(async move {
            // Shown as saved only once the server has it; on failure the select goes back.
            match api::resident::set_home(&body).send().await {
                Ok(h) => {
                    keep_home(Some(&h));
                    home.set(Some(h));
                    saved.set(true);
                }
                Err(e) => {
                    home.update(|_| {});
                    failed.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let current = move || home.with(|h| h.as_ref().map(|h| h.municipality.to_string()).unwrap_or_default());
    let options = move || {
        choices.with(|list| {
            list.iter()
                .map(|c| {
                    let code = c.municipality.to_string();
                    let c2 = code.clone();
                    view! { <option value=code prop:selected=move || current() == c2>{choice_label(c, lang.get())}</option> }
                })
                .collect_view()
        })
    };
    let hint = move || {
        let l = lang.get();
        match home.with(|h| h.as_ref().map(|h| h.source)) {
            Some(HomeSource::Card) => l.tr().home_from_card,
            Some(HomeSource::Chosen) => l.tr().home_chosen,
            None => l.tr().home_please_choose,
        }
    };
    view! {
        <div class="form home-field">
            <div class="field">
                <label for="my-home">{tx(lang, |t| t.home_label)}</label>
                <select id="my-home" aria-describedby="my-home-hint" on:change=change
                    disabled=move || busy.get() || (!loaded.get() && choices.with(Vec::is_empty))>
                    <option value="" disabled=true prop:selected=move || current().is_empty()>
                        {tx(lang, |t| t.home_not_chosen)}
                    </option>
                    {options}
                </select>
                <span id="my-home-hint" class="hint">{hint}</span>
            </div>
            // A home this deployment does not serve: who reads their reports instead.
            {move || {
                let code = current();
                let not_served = choices.with(|l| l.iter().any(|c| !c.served && c.municipality.as_str() == code));
                not_served.then(|| view! { <p class="hint home-not-served">{tx(lang, |t| t.home_not_served)}</p> })
            }}
            <p class="done" role="status">
                {move || saved.get().then(|| lang.get().tr().home_saved)}
            </p>
            {failure(lang, failed)}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_town_reads_in_the_readers_script() {
        let c = MunicipalityChoice {
            municipality: bosai_types::MunicipalityCode::parse("042021").unwrap(),
            name_ja: "石巻市".into(),
            kana: "イシノマキシ".into(),
            name_en: "Ishinomaki-shi".into(),
            served: true,
        };
        assert_eq!(choice_label(&c, Lang::Ja), "石巻市");
        assert_eq!(choice_label(&c, Lang::JaEasy), "石巻市（いしのまきし）");
        assert_eq!(choice_label(&c, Lang::Vi), "石巻市 — Ishinomaki-shi");
        let unread = MunicipalityChoice { kana: String::new(), name_en: String::new(), ..c };
        assert_eq!(choice_label(&unread, Lang::JaEasy), "石巻市");
        assert_eq!(choice_label(&unread, Lang::En), "石巻市");
    }
}

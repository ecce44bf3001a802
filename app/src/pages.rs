use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::{furigana, tx, Lang, Tr};
use crate::resident::{choice_label, failure, ResidentNav};
use crate::session;
use crate::shelter_card::shelter_card;
use crate::use_lang;
use bosai_types::household::MunicipalityChoice;
use bosai_types::{GeoPoint, Shelter};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The device's position, if the resident allows it.
async fn locate() -> Option<GeoPoint> {
    let geo = web_sys::window()?.navigator().geolocation().ok()?;
    let p = js_sys::Promise::new(&mut |ok, err| {
        let _ = geo.get_current_position_with_error_callback(&ok, Some(&err));
    });
    let pos = JsFuture::from(p).await.ok()?;
    // Read through Reflect: web-sys has GeolocationPosition only behind its unstable-API flag.
    let coords = js_sys::Reflect::get(&pos, &"coords".into()).ok()?;
    let get = |k: &str| js_sys::Reflect::get(&coords, &k.into()).ok()?.as_f64();
    GeoPoint::new(get("latitude")?, get("longitude")?).ok()
}

/// Resident home: the shelter list, live when online, the saved copy otherwise.
#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let saved = RwSignal::new(api::saved_shelters());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // Sorting by distance: only after the resident asks (the browser then asks for permission).
    let here = RwSignal::new(None::<GeoPoint>);
    let locating = RwSignal::new(false);
    let geo_failed = RwSignal::new(false);
    let sort_near = move |_| {
        locating.set(true);
        geo_failed.set(false);
        spawn_local(async move {
            let p = locate().await;
            geo_failed.set(p.is_none());
            here.set(p);
            locating.set(false);
        });
    };

    let refresh = move || reload_into(saved, error, busy, api::shelters());
    refresh();
    // Several served municipalities: whose shelters to list (the next town's, when fleeing there).
    let towns = RwSignal::new(served(api::saved_municipalities()));
    spawn_local(async move {
        if let Ok(s) = api::municipalities().await {
            towns.set(served(s.data));
        }
    });
    let of = RwSignal::new(
        dom::storage_get(api::SHELTERS_OF_KEY)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| api::MUNICIPALITY.to_owned()),
    );
    let choose_town = move |ev| {
        let code = event_target_value(&ev);
        dom::storage_set(api::SHELTERS_OF_KEY, &code);
        of.set(code);
        refresh();
    };
    let town_picker = move || {
        (towns.with(Vec::len) > 1).then(|| {
            let l = lang.get();
            let options = towns
                .get()
                .into_iter()
                .map(|m| {
                    let (code, name) = (m.municipality.to_string(), choice_label(&m, l));
                    let c = code.clone();
                    view! { <option value=code prop:selected=move || of.with(|o| *o == c)>{name}</option> }
                })
                .collect_view();
            view! {
                <div class="field">
                    <label for="shelters-of">{tx(lang, |t| t.municipality_label)}</label>
                    <select id="shelters-of" on:change=choose_town>{options}</select>
                </div>
            }
        })
    };

    let banner = move || Some(error_banner(lang.get(), &error.get()?, saved.with(Option::is_some)));

    let list = move || {
        let l = lang.get();
        saved.with(|s| match s {
            None if busy.get() => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            None => ().into_any(),
            Some(s) if s.data.is_empty() => view! { <p class="muted">{l.tr().empty}</p> }.into_any(),
            Some(s) => {
                let mut rows: Vec<(&Shelter, Option<f64>)> =
                    s.data.iter().map(|sh| (sh, here.get().map(|p| p.distance_m(&sh.location)))).collect();
                if here.get().is_some() {
                    rows.sort_by(|a, b| a.1.unwrap_or(0.0).total_cmp(&b.1.unwrap_or(0.0)));
                }
                view! {
                    <ul class="shelters">
                        {rows.into_iter().map(|(sh, d)| shelter_card(sh, d, l)).collect_view()}
                    </ul>
                }
                .into_any()
            }
        })
    };

    view! {
        <h1>{tx(lang, |t| t.home_title)}</h1>
        <p class="lead">{tx(lang, |t| t.home_lead)}</p>
        <crate::incidents::DrillBanner municipality=of reader=crate::incidents::Reader::Resident/>
        <Account/>
        {banner}
        <section aria-labelledby="shelters-h">
            <div class="section-head">
                <h2 id="shelters-h">{tx(lang, |t| t.shelters_heading)}</h2>
                <button type="button" class="btn" on:click=move |_| refresh() disabled=move || busy.get()>
                    {move || furigana(if busy.get() { t().loading } else { t().reload })}
                </button>
            </div>
            <div class="sort">
                <button type="button" class="btn btn-secondary" on:click=sort_near
                    aria-pressed=move || if here.get().is_some() { "true" } else { "false" }
                    disabled=move || locating.get()>
                    {move || furigana(if locating.get() { t().locating } else { t().sort_near })}
                </button>
                {move || geo_failed.get().then(|| view! { <p class="banner" role="alert">{t().geo_failed}</p> })}
            </div>
            {town_picker}
            {updated_line(lang, saved)}
            {list}
        </section>
    }
}

/// The served municipalities, by code and name.
fn served(list: Vec<MunicipalityChoice>) -> Vec<MunicipalityChoice> {
    list.into_iter().filter(|m| m.served).collect()
}

/// Sign-in entry when signed out; who is signed in, and sign-out, when signed in.
#[component]
fn Account() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let signed_in = RwSignal::new(session::load().is_some());
    // None until /api/me answers; then the name, if the resident shared it.
    let name = RwSignal::new(None::<Option<String>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    if signed_in.get_untracked() {
        spawn_local(async move {
            match session::me().await {
                Ok(me) => name.set(Some(me.basic_four.map(|b| b.name))),
                // Offline: stay signed in with the neutral label.
                Err(e) if e.is_offline() => name.set(Some(None)),
                Err(e) => error.set(Some(e)),
            }
            // A refresh that failed with invalid_grant has signed us out.
            signed_in.set(session::load().is_some());
            // Just signed in (or back): fetch the household and send anything queued, unless
            // the app's start or a page has begun that already.
            #[cfg(feature = "resident")] // (the staff bundle has no resident pages)
            if signed_in.get_untracked() {
                crate::later::sync_household(true).await;
            }
        });
    }

    let sign_in = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if let Err(e) = session::start().await {
                error.set(Some(e));
            }
            // Reset even on success: a deep link to the native app leaves this page open.
            busy.set(false);
        });
    };
    let sign_out = move |_| {
        busy.set(true);
        spawn_local(async move {
            session::sign_out().await;
            #[cfg(feature = "resident")]
            crate::later::forget_resident().await.await;
            name.set(None);
            error.set(None);
            signed_in.set(false);
            busy.set(false);
            // The sign-out button is gone: keep keyboard focus in the same place.
            request_animation_frame(|| focus_id("signin"));
        });
    };

    let body = move || {
        if signed_in.get() {
            let who = name.get().map(|n| match n {
                Some(n) => view! { <span class="who" lang="ja">{n}</span> }.into_any(),
                None => view! { <span class="who">{t().signed_in_anon}</span> }.into_any(),
            });
            view! {
                <p class="account-state"><span class="label">{t().signed_in}</span>{who}</p>
                <ResidentNav/>
                <button type="button" class="btn btn-secondary" on:click=sign_out disabled=move || busy.get()>
                    {t().sign_out}
                </button>
            }
            .into_any()
        } else {
            view! {
                <p class="account-explain">{t().signin_explain}</p>
                <button type="button" id="signin" class="btn btn-wide" on:click=sign_in disabled=move || busy.get()>
                    {move || if busy.get() { t().signin_opening } else { t().signin_button }}
                </button>
            }
            .into_any()
        }
    };
    view! {
        <div class="account">
            {body}
            {failure(lang, error)}
        </div>
    }
}

fn focus_id(id: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

/// The companion returns here with `?code=`: exchange it, then go home signed in.
#[component]
pub fn AuthCallback() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let code = use_query_map().read_untracked().get("code");
    let error = RwSignal::new(None::<ApiError>);
    let navigate = use_navigate();

    let exchange = move || {
        let (code, navigate) = (code.clone(), navigate.clone());
        error.set(None);
        spawn_local(async move {
            match session::finish(code).await {
                // replace: Back must not return to a spent code.
                Ok(()) => navigate("/", NavigateOptions { replace: true, ..Default::default() }),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    exchange();
    // A code is single-use: after any answer from the server, start over; after a
    // network failure the request may never have arrived, so exchange again.
    let retry = move |_| match error.get_untracked() {
        Some(ApiError::Network) => exchange(),
        _ => spawn_local(async move {
            if let Err(e) = session::start().await {
                error.set(Some(e));
            }
        }),
    };

    view! {
        <h1>{tx(lang, |t| t.callback_title)}</h1>
        {move || match error.get() {
            None => view! { <p role="status">{t().callback_pending}</p> }.into_any(),
            Some(e) => view! {
                <p class="banner" role="alert">{e.message(lang.get())}</p>
                <div class="actions">
                    <button type="button" class="btn" on:click=retry.clone()>{t().try_again}</button>
                    <A href="/" attr:class="btn btn-secondary">{t().back_home}</A>
                </div>
            }
            .into_any(),
        }}
    }
}

/// Heading and one paragraph.
#[component]
fn Placeholder(title: fn(&Tr) -> &'static str, lead: fn(&Tr) -> &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <h1>{move || title(lang.get().tr())}</h1>
        <p class="lead">{move || lead(lang.get().tr())}</p>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Placeholder title=|t| t.not_found_title lead=|t| t.not_found_lead/>
        <p><A href="/" attr:class="btn">{move || lang.get().tr().back_home}</A></p>
    }
}

/// The banner over something kept on the device: offline with a saved copy says that the
/// saved copy is shown; any other error is shown as it is.
pub(crate) fn error_banner(l: Lang, e: &crate::api::ApiError, have_saved: bool) -> impl IntoView {
    let text = if e.is_offline() && have_saved { l.tr().offline_cached.to_string() } else { e.message(l) };
    view! { <p class="banner" role="alert">{text}</p> }
}

/// Reads into a list kept on the device: the fresh copy replaces it, an error keeps it
/// (shown under [`error_banner`]); `busy` while the read is out.
pub(crate) fn reload_into<T: Send + Sync + 'static>(
    saved: RwSignal<Option<T>>,
    error: RwSignal<Option<ApiError>>,
    busy: RwSignal<bool>,
    read: impl std::future::Future<Output = Result<T, ApiError>> + 'static,
) {
    busy.set(true);
    spawn_local(async move {
        match read.await {
            Ok(fresh) => {
                saved.set(Some(fresh));
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        }
        busy.set(false);
    });
}

/// When the copy kept on the device was read ("最終更新"), announced politely as it changes.
pub(crate) fn updated_line<T: Send + Sync + 'static>(
    lang: RwSignal<Lang>,
    saved: RwSignal<Option<api::Saved<T>>>,
) -> impl IntoView {
    view! {
        <p class="updated" aria-live="polite">
            {move || saved.with(|s| s.as_ref().map(|s| {
                let l = lang.get();
                format!("{}: {}", l.tr().last_updated, l.format_time(s.saved_at))
            }))}
        </p>
    }
}

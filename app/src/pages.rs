use crate::api::{self, ApiError};
use crate::i18n::{Lang, Tr};
use crate::use_lang;
use bosai_types::{Congestion, Shelter};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// Resident home: the shelter list, live when online, the saved copy otherwise.
#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let saved = RwSignal::new(api::saved_shelters());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let refresh = move || {
        busy.set(true);
        spawn_local(async move {
            match api::shelters().await {
                Ok(list) => {
                    saved.set(Some(api::save_shelters(list)));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    refresh();

    let banner = move || {
        let e = error.get()?;
        let l = lang.get();
        let text = if e.is_offline() && saved.with(Option::is_some) {
            l.tr().offline_cached.to_string()
        } else {
            e.message(l)
        };
        Some(view! { <p class="banner" role="alert">{text}</p> })
    };

    let list = move || {
        let l = lang.get();
        saved.with(|s| match s {
            None if busy.get() => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            None => ().into_any(),
            Some(s) if s.data.is_empty() => view! { <p class="muted">{l.tr().empty}</p> }.into_any(),
            Some(s) => view! {
                <ul class="shelters">
                    {s.data.iter().map(|sh| shelter_card(sh, l)).collect_view()}
                </ul>
            }
            .into_any(),
        })
    };

    view! {
        <h1>{move || t().home_title}</h1>
        <p class="lead">{move || t().home_lead}</p>
        {banner}
        <section aria-labelledby="shelters-h">
            <div class="section-head">
                <h2 id="shelters-h">{move || t().shelters_heading}</h2>
                <button type="button" class="btn" on:click=move |_| refresh() disabled=move || busy.get()>
                    {move || if busy.get() { t().loading } else { t().reload }}
                </button>
            </div>
            <p class="updated" aria-live="polite">
                {move || saved.with(|s| s.as_ref().map(|s| {
                    let l = lang.get();
                    format!("{}: {}", l.tr().last_updated, l.format_time(s.saved_at))
                }))}
            </p>
            {list}
        </section>
    }
}

fn congestion_class(c: Congestion) -> &'static str {
    match c {
        Congestion::Low => "badge c-low",
        Congestion::Moderate => "badge c-moderate",
        Congestion::High => "badge c-high",
        Congestion::Full => "badge c-full",
        Congestion::Closed => "badge c-closed",
    }
}

fn shelter_card(s: &Shelter, lang: Lang) -> impl IntoView {
    let (t, ja) = (lang.tr(), lang.is_ja());
    let name = if ja || s.name_en.is_empty() { s.name_ja.clone() } else { s.name_en.clone() };
    let map = format!(
        "https://www.google.com/maps/search/?api=1&query={},{}",
        s.location.lat(),
        s.location.lon()
    );
    let facilities = if s.facilities.is_empty() {
        view! { <p class="muted">{t.no_facilities}</p> }.into_any()
    } else {
        view! {
            <ul class="chips">
                {s.facilities.iter().map(|f| view! { <li>{f.label(ja)}</li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <li class="card">
            <h3>{name}</h3>
            // The address exists only in Japanese; mark it so screen readers read it right.
            <p class="addr" lang="ja"><span class="sr-only">{t.address}": "</span>{s.address_ja.clone()}</p>
            <dl class="facts">
                <div>
                    <dt>{t.congestion}</dt>
                    <dd>
                        <span class=congestion_class(s.congestion)>{lang.congestion(s.congestion)}</span>
                        " "
                        <span class="count">{(t.people)(s.occupancy, s.capacity)}</span>
                    </dd>
                </div>
                <div>
                    <dt>{t.status}</dt>
                    <dd>{lang.status(s.status)}</dd>
                </div>
            </dl>
            <h4 class="sub">{t.facilities}</h4>
            {facilities}
            <a class="btn btn-secondary" href=map target="_blank" rel="noopener">{t.map}</a>
        </li>
    }
}

/// Heading and one paragraph; the audience pages start like this until their issues land.
#[component]
fn Placeholder(title: fn(&Tr) -> &'static str, lead: fn(&Tr) -> &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <h1>{move || title(lang.get().tr())}</h1>
        <p class="lead">{move || lead(lang.get().tr())}</p>
    }
}

#[component]
pub fn ShelterStaff() -> impl IntoView {
    view! { <Placeholder title=|t| t.shelter_title lead=|t| t.shelter_lead/> }
}

#[component]
pub fn Hq() -> impl IntoView {
    view! { <Placeholder title=|t| t.hq_title lead=|t| t.hq_lead/> }
}

#[component]
pub fn Notice() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <Placeholder title=|t| t.notice_title lead=|t| t.notice_lead/>
        <p>{move || lang.get().tr().notice_id}": " <code>{id}</code></p>
        <p><A href="/" attr:class="btn">{move || lang.get().tr().back_home}</A></p>
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

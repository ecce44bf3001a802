//! Notices (お知らせ) on the resident's side: the area they live in (which notices reach
//! them), notifications on this device (Web Push, `push.rs`), and the list of notices, each
//! opening its server-rendered landing page `/n/{id}` (a full page load, no app needed).

use crate::api::{self, ApiError, Saved};
use crate::dom;
use crate::i18n::{tx, Lang};
use crate::push::{self, PushError};
use crate::resident::{failure, hq_text, signed_out, ResidentNav};
use crate::session;
use crate::use_lang;
use bosai_types::household::{Area, AreaRegistration};
use bosai_types::notices::{NoticeId, NoticeLevel};
use bosai_types::surveys::AreaCode;
use bosai_types::surveys::Localized;
use bosai_types::Timestamp;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

/// The municipality's areas (public; kept for offline).
const AREAS_KEY: &str = "bosai.areas.v1";
/// The resident's registered area code ("" for none), as last known.
const MY_AREA_KEY: &str = "bosai.res.area.v1";
/// The last `GET /api/notices`.
const NOTICES_KEY: &str = "bosai.res.notices.v1";

pub fn area_name(areas: &[Area], code: &str, l: Lang) -> String {
    areas
        .iter()
        .find(|a| a.code.as_str() == code)
        .map(|a| if l.is_ja() || a.name_en.is_empty() { a.name_ja.clone() } else { a.name_en.clone() })
        .unwrap_or_else(|| code.to_string())
}

pub fn level_class(l: NoticeLevel) -> &'static str {
    match l {
        NoticeLevel::Info => "badge lvl-info",
        NoticeLevel::Warning => "badge lvl-warning",
        NoticeLevel::Emergency => "badge lvl-emergency",
    }
}

// ---- the area -------------------------------------------------------------------

/// 「お住まいの地区」: saved at once on change (`PUT /api/me/area`); the current one from `/api/me`.
#[component]
pub fn AreaPicker(#[prop(optional)] on_saved: Option<Callback<()>>) -> impl IntoView {
    let lang = use_lang();
    let areas = RwSignal::new(api::load_saved::<Vec<Area>>(AREAS_KEY).map(|s| s.data).unwrap_or_default());
    let mine = RwSignal::new(dom::storage_get(MY_AREA_KEY));
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // Some(true): saved an area; Some(false): cleared it.
    let done = RwSignal::new(None::<bool>);
    let failed = RwSignal::new(None::<ApiError>);
    spawn_local(async move {
        // The areas are the resident's home municipality's (the deployment's own when none).
        let mut of = None;
        match session::me().await {
            Ok(me) => {
                let code = me.area.map(|a| a.to_string()).unwrap_or_default();
                dom::storage_set(MY_AREA_KEY, &code);
                mine.set(Some(code));
                if let Some(h) = me.home {
                    of = Some(h.municipality.to_string());
                }
            }
            Err(e) if e.is_offline() => {}
            Err(e) => failed.set(Some(e)),
        }
        if let Ok(s) = api::public::areas(of.as_deref()).saved(AREAS_KEY).await {
            areas.set(s.data);
        }
        loaded.set(true);
    });

    let change = move |ev| {
        let code = event_target_value(&ev);
        let before = mine.get_untracked();
        mine.set(Some(code.clone()));
        done.set(None);
        failed.set(None);
        let area = if code.is_empty() { None } else { AreaCode::parse(&code).ok() };
        let body = AreaRegistration { area };
        busy.set(true);
        spawn_local(async move {
            match api::resident::set_area(&body).done().await {
                Ok(_) => {
                    dom::storage_set(MY_AREA_KEY, &code);
                    done.set(Some(!code.is_empty()));
                    if let Some(cb) = on_saved {
                        cb.run(());
                    }
                }
                Err(e) => {
                    mine.set(before);
                    failed.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let options = move || {
        let l = lang.get();
        areas.with(|list| {
            list.iter()
                .map(|a| {
                    let code = a.code.to_string();
                    let c = code.clone();
                    let name = if l.is_ja() || a.name_en.is_empty() { a.name_ja.clone() } else { a.name_en.clone() };
                    view! { <option value=code prop:selected=move || mine.with(|m| m.as_deref() == Some(c.as_str()))>{name}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <div class="form area-field">
            <div class="field">
                <label for="my-area">{tx(lang, |t| t.area_label)}</label>
                <select id="my-area" aria-describedby="my-area-hint" on:change=change
                    disabled=move || busy.get() || (!loaded.get() && mine.with(Option::is_none))>
                    <option value="" prop:selected=move || mine.with(|m| m.as_deref().is_none_or(str::is_empty))>
                        {tx(lang, |t| t.area_none)}
                    </option>
                    {options}
                </select>
                <span id="my-area-hint" class="hint">{tx(lang, |t| t.area_hint)}</span>
            </div>
            <p class="done" role="status">
                {move || done.get().map(|set| { let t = lang.get().tr(); if set { t.area_saved } else { t.area_cleared } })}
            </p>
            {failure(lang, failed)}
        </div>
    }
}

// ---- notifications ------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PushNote {
    On,
    Off,
    Unsupported,
    Denied,
    Failed,
}

/// 「お知らせを通知で受け取る」: a switch for this device's push subscription.
#[component]
pub fn PushToggle() -> impl IntoView {
    let lang = use_lang();
    // None while checking the browser's state.
    let on = RwSignal::new(None::<bool>);
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<PushNote>);
    let failed = RwSignal::new(None::<ApiError>);
    if !push::supported() {
        on.set(Some(false));
        note.set(Some(PushNote::Unsupported));
    } else {
        if push::denied() {
            note.set(Some(PushNote::Denied));
        }
        spawn_local(async move { on.set(Some(push::is_on().await)) });
    }
    let change = move |ev| {
        let want = event_target_checked(&ev);
        busy.set(true);
        note.set(None);
        failed.set(None);
        spawn_local(async move {
            if want {
                match push::turn_on(lang.get_untracked()).await {
                    Ok(()) => {
                        on.set(Some(true));
                        note.set(Some(PushNote::On));
                    }
                    Err(e) => {
                        on.set(Some(false));
                        match e {
                            PushError::Unsupported => note.set(Some(PushNote::Unsupported)),
                            PushError::Denied => note.set(Some(PushNote::Denied)),
                            PushError::Api(e) if !e.is_offline() => failed.set(Some(e)),
                            PushError::Failed | PushError::Api(_) => note.set(Some(PushNote::Failed)),
                        }
                    }
                }
            } else {
                push::turn_off().await;
                on.set(Some(false));
                note.set(Some(PushNote::Off));
            }
            busy.set(false);
        });
    };
    let status = move || {
        let t = lang.get().tr();
        match (on.get(), note.get()) {
            (None, _) => Some(t.push_checking),
            (_, Some(PushNote::On)) => Some(t.push_on),
            (_, Some(PushNote::Off)) => Some(t.push_off),
            _ => None,
        }
    };
    let problem = move || {
        let l = lang.get();
        let t = l.tr();
        let text = match note.get() {
            Some(PushNote::Unsupported) => t.push_unsupported.to_string(),
            Some(PushNote::Denied) => t.push_denied.to_string(),
            Some(PushNote::Failed) => t.push_failed.to_string(),
            _ => failed.get()?.message(l),
        };
        Some(view! { <p class="banner push-problem" role="alert">{text}</p> })
    };
    view! {
        <div class="form push-field">
            <label class="check switch">
                <input id="push-toggle" type="checkbox" role="switch" aria-describedby="push-hint"
                    prop:checked=move || on.get() == Some(true)
                    disabled=move || busy.get() || on.get().is_none() || note.get() == Some(PushNote::Unsupported)
                    on:change=change/>
                <span>{tx(lang, |t| t.push_label)}</span>
            </label>
            <span id="push-hint" class="hint">{tx(lang, |t| t.push_hint)}</span>
            <p class="done push-state" role="status">{status}</p>
            {problem}
        </div>
    }
}

// ---- the list -------------------------------------------------------------------------

/// A notice of `GET /api/notices` as the list shows it (`bosai_types::notices::Notice` without
/// its target: reading that tagged enum would add ~10 KB to the residents' wasm).
#[derive(Debug, Clone, Deserialize)]
struct NoticeRow {
    id: NoticeId,
    /// Whose HQ sent it: the landing page is `/n/{municipality}/{id}`.
    municipality: String,
    level: NoticeLevel,
    title: Localized,
    created_at: Timestamp,
    /// Sent during a drill (訓練).
    #[serde(default)]
    drill: Option<String>,
    /// A correction (訂正) of an earlier notice.
    #[serde(default)]
    replaces: Option<NoticeId>,
    /// Corrected by a later notice: read that one.
    #[serde(default)]
    replaced_by: Option<NoticeId>,
}

fn notice_item(n: &NoticeRow, l: Lang) -> impl IntoView {
    view! {
        <li class="card notice" class:replaced=n.replaced_by.is_some() data-notice=n.id.to_string()>
            <p class="meta">
                <span class=level_class(n.level)>{l.notice_level(n.level)}</span>" "
                <span class="when">{l.format_time(n.created_at)}</span>
                {n.drill.is_some().then(|| crate::incidents::drill_tag(l))}
                {n.replaces.is_some().then(|| view! { " "<span class="fix-tag">{l.tr().notice_correction}</span> })}
                {n.replaced_by.is_some().then(|| view! { " "<span class="fix-tag corrected">{l.tr().notice_corrected}</span> })}
                // HQ wrote it in Japanese only: said before the reader opens it.
                {(!l.is_ja() && n.title.resolve(l.code()).0 == "ja").then(|| view! { " "<span class="only-ja">{l.tr().notice_japanese_only}</span> })}
            </p>
            // The landing page is served by the server, outside the app: a full page load.
            <h3><a href=format!("/n/{}/{}?lang={}{}", n.municipality, n.id, l.code(), crate::display::as_query()) rel="external">{hq_text(&n.title, l)}</a></h3>
        </li>
    }
}

/// `/notices`: the area, notifications, and the notices for this resident.
#[component]
pub fn Notices() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, |t| t.notices_title);
    }
    let saved = RwSignal::new(api::load_saved::<Vec<NoticeRow>>(NOTICES_KEY));
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let load = move || {
        crate::pages::reload_into(saved, error, busy, async {
            let text = api::resident::notices().text().await?;
            api::keep_saved::<Vec<NoticeRow>>(NOTICES_KEY, &text)
        })
    };
    load();
    let banner = move || Some(crate::pages::error_banner(lang.get(), &error.get()?, saved.with(Option::is_some)));
    let list = move || {
        let l = lang.get();
        saved.with(|s: &Option<Saved<Vec<NoticeRow>>>| match s {
            None => view! { <p class="muted">{if busy.get() { l.tr().loading } else { "" }}</p> }.into_any(),
            Some(s) if s.data.is_empty() => view! { <p>{l.tr().notices_none}</p> }.into_any(),
            Some(s) => {
                view! { <ul class="notices">{s.data.iter().map(|n| notice_item(n, l)).collect_view()}</ul> }.into_any()
            }
        })
    };
    view! {
        <h1>{tx(lang, |t| t.notices_title)}</h1>
        <ResidentNav/>
        <p class="lead">{tx(lang, |t| t.notices_lead)}</p>
        <section class="panel" aria-labelledby="notice-settings-h">
            <h2 id="notice-settings-h">{tx(lang, |t| t.notices_settings)}</h2>
            <AreaPicker on_saved=Callback::new(move |()| load())/>
            <PushToggle/>
        </section>
        <section aria-labelledby="notice-list-h">
            <div class="section-head">
                <h2 id="notice-list-h">{tx(lang, |t| t.notices_list)}</h2>
                <button type="button" class="btn" on:click=move |_| load() disabled=move || busy.get()>
                    {move || if busy.get() { lang.get().tr().loading } else { lang.get().tr().reload }}
                </button>
            </div>
            {banner}
            {crate::pages::updated_line(lang, saved)}
            {list}
        </section>
    }
    .into_any()
}

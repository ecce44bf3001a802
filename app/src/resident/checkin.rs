//! The check-in QR (受付QR), kept for offline use, and the shelter poster's check-in (/c/…).

use super::*;
use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::tx;
use crate::resident::{self};
use crate::session;
use crate::use_lang;
use bosai_types::checkin::CredentialRequest;
use bosai_types::household::MemberId;
use bosai_types::Timestamp;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

pub(crate) const CHECKIN_KEY: &str = "bosai.res.checkin.v1";

/// The last credential and who it names, so the QR shows offline until it expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CachedCredential {
    pub(crate) credential: String,
    pub(crate) expires_at: Timestamp,
    pub(crate) members: Vec<MemberId>,
    pub(crate) names: Vec<String>,
}

pub fn qr_data_url(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build();
    Some(format!("data:image/svg+xml,{}", js_sys::encode_uri_component(&svg)))
}

pub(crate) async fn issue(members: Vec<MemberId>) -> Result<CachedCredential, ApiError> {
    let c = api::resident::checkin_credential(&CredentialRequest { members: members.clone() }).send().await?;
    let names = members.iter().filter_map(|m| find(m.as_str()).map(|v| v.member.display_name)).collect();
    let cached = CachedCredential { credential: c.credential, expires_at: c.expires_at, members, names };
    if let Ok(json) = serde_json::to_string(&cached) {
        dom::storage_set(CHECKIN_KEY, &json);
    }
    Ok(cached)
}

pub(crate) fn online() -> bool {
    web_sys::window().is_some_and(|w| w.navigator().on_line())
}

#[component]
pub fn CheckIn() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, |t| t.checkin_title);
    }
    let t = move || lang.get().tr();
    let s = resident::state();
    resident::refresh();
    let cached =
        RwSignal::new(dom::storage_get(CHECKIN_KEY).and_then(|j| serde_json::from_str::<CachedCredential>(&j).ok()));
    let chosen = RwSignal::new(cached.with_untracked(|c| c.as_ref().map(|c| c.members.clone())));
    let failed = RwSignal::new(None::<ApiError>);
    let none_chosen = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let create = move |members: Vec<MemberId>, quiet: bool| {
        busy.set(true);
        spawn_local(async move {
            match issue(members).await {
                Ok(c) => {
                    cached.set(Some(c));
                    failed.set(None);
                }
                Err(e) if quiet && e.is_offline() => {}
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    // Online: renew the saved one (same people) so it never runs out while the phone has signal.
    if let Some(members) = chosen.get_untracked() {
        if online() {
            create(members, true);
        }
    }
    let members = move || s.shown.with(|v| v.as_ref().map(|v| v.members.clone()).unwrap_or_default());
    let is_chosen = move |id: &MemberId| {
        chosen.with(|c| match c {
            Some(c) => c.contains(id),
            None => true, // everyone until the resident chooses
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let list: Vec<MemberId> = members().into_iter().map(|m| m.member.id).filter(|id| is_chosen(id)).collect();
        none_chosen.set(list.is_empty());
        if !list.is_empty() {
            chosen.set(Some(list.clone()));
            create(list, false);
        }
    };

    let qr = move || {
        let l = lang.get();
        let c = cached.get()?;
        if c.expires_at <= dom::now() {
            return Some(view! { <p class="banner" role="alert">{l.tr().checkin_expired}</p> }.into_any());
        }
        let url = qr_data_url(&c.credential)?;
        let ids = c.members.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",");
        Some(
            view! {
                <figure class="qr">
                    <img class="qr-img" src=url alt=l.tr().checkin_qr_alt data-credential=c.credential.clone()
                        data-members=ids/>
                    <figcaption>
                        <ul class="qr-names">{c.names.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
                        <p class="qr-expiry">{l.tr().expires}": "{l.format_time(c.expires_at)}</p>
                    </figcaption>
                </figure>
            }
            .into_any(),
        )
    };

    view! {
        <h1>{tx(lang, |t| t.checkin_title)}</h1>
        <ResidentNav/>
        <p class="lead">{tx(lang, |t| t.checkin_lead)}</p>
        {qr}
        <form class="form panel" on:submit=on_submit novalidate>
            <fieldset>
                <legend>{tx(lang, |t| t.checkin_who)}</legend>
                <div class="checks">
                    {move || members().into_iter().map(|m| {
                        let id = StoredValue::new(m.member.id.clone());
                        let name = m.member.display_name.clone();
                        check_box(name, move || is_chosen(&id.get_value()), move |on| {
                            let all: Vec<MemberId> = members().into_iter().map(|m| m.member.id).collect();
                            chosen.update(|c| {
                                let mut list = c.take().unwrap_or_else(|| all.clone());
                                let me = id.get_value();
                                list.retain(|x| *x != me);
                                if on {
                                    list.push(me);
                                }
                                // Keep the household's order.
                                *c = Some(all.into_iter().filter(|x| list.contains(x)).collect());
                            });
                        })
                    }).collect_view()}
                </div>
            </fieldset>
            {move || none_chosen.get().then(|| view! { <p class="field-error" role="alert">{t().choose_one}</p> })}
            {failure(lang, failed)}
            <button type="submit" class="btn btn-wide" disabled=move || busy.get()>{tx(lang, |t| t.checkin_show)}</button>
        </form>
    }
    .into_any()
}

/// The resident scanned a shelter's poster: choose who is here, check them in.
#[component]
pub fn PosterCheckIn() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return view! {
            <h1>{tx(lang, |t| t.poster_title)}</h1>
            <p class="banner" role="alert">{move || lang.get().tr().need_signin}</p>
            <p><A href="/" attr:class="btn">{move || lang.get().tr().back_home}</A></p>
        }
        .into_any();
    }
    let code = use_params_map().read_untracked().get("code").unwrap_or_default();
    let s = resident::state();
    resident::refresh();
    let chosen = RwSignal::new(None::<Vec<MemberId>>);
    let failed = RwSignal::new(None::<ApiError>);
    let none_chosen = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<usize>);
    // One event id per visit: a retry after a lost answer checks in once.
    let event_id = StoredValue::new({
        let mut b = [0u8; 12];
        if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = c.get_random_values_with_u8_array(&mut b);
        }
        format!("pc-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
    });
    let members = move || s.shown.with(|v| v.as_ref().map(|v| v.members.clone()).unwrap_or_default());
    let is_chosen = move |id: &MemberId| chosen.with(|c| c.as_ref().is_none_or(|c| c.contains(id)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let list: Vec<MemberId> = members().into_iter().map(|m| m.member.id).filter(|id| is_chosen(id)).collect();
        none_chosen.set(list.is_empty());
        if list.is_empty() {
            return;
        }
        let n = list.len();
        let body =
            bosai_types::checkin::PosterCheckIn { poster: code.clone(), event_id: event_id.get_value(), members: list };
        busy.set(true);
        spawn_local(async move {
            match api::resident::check_in_at_poster(&body).done().await {
                Ok(_) => {
                    failed.set(None);
                    done.set(Some(n));
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let t = move || lang.get().tr();
    view! {
        <h1>{tx(lang, |t| t.poster_title)}</h1>
        <ResidentNav/>
        {move || match done.get() {
            Some(n) => {
                let l = lang.get();
                view! { <p class="done-big poster-done" role="status">{l.plural(l.tr().poster_done, n as f64)}</p> }.into_any()
            }
            None => view! {
                <form class="form panel" on:submit=on_submit.clone() novalidate>
                    <fieldset>
                        <legend>{move || t().checkin_who}</legend>
                        <div class="checks">
                            {move || members().into_iter().map(|m| {
                                let id = StoredValue::new(m.member.id.clone());
                                check_box(m.member.display_name.clone(), move || is_chosen(&id.get_value()), move |on| {
                                    let all: Vec<MemberId> = members().into_iter().map(|m| m.member.id).collect();
                                    chosen.update(|c| {
                                        let mut list = c.take().unwrap_or_else(|| all.clone());
                                        let me = id.get_value();
                                        list.retain(|x| *x != me);
                                        if on {
                                            list.push(me);
                                        }
                                        *c = Some(all.into_iter().filter(|x| list.contains(x)).collect());
                                    });
                                })
                            }).collect_view()}
                        </div>
                    </fieldset>
                    {move || none_chosen.get().then(|| view! { <p class="field-error" role="alert">{t().choose_one}</p> })}
                    {failure(lang, failed)}
                    <button type="submit" class="btn btn-wide" disabled=move || busy.get()>{tx(lang, |t| t.poster_submit)}</button>
                </form>
            }.into_any(),
        }}
    }
    .into_any()
}

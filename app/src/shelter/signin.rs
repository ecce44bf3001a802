//! `/shelter`: sign-in (the organisation's IdP, or a pasted token) and the signed-in home that holds the parts.

use super::*;
use crate::api::shelter_name;
use crate::api::{self};
use crate::dom;
use crate::i18n::Lang;
use crate::staff::{self};
use crate::use_lang;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ShelterStaff() -> impl IntoView {
    let lang = use_lang();
    let signed_in = RwSignal::new(staff::token().and_then(|t| staff::decode_token(&t)).is_some());
    move || {
        if signed_in.get() {
            view! { <StaffHome signed_in/> }.into_any()
        } else {
            // Its own chunk: a signed-in shelter device never downloads the sign-in.
            view! { {Suspend::new(crate::later::staff_sign_in(signed_in, lang))} }.into_any()
        }
    }
}

#[component]
pub(crate) fn StaffSignIn(signed_in: RwSignal<bool>, lang: RwSignal<Lang>) -> impl IntoView {
    let t = move || lang.get();
    let token = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let raw = token.get_untracked();
        match staff::decode_token(&raw) {
            None => error.set(Some(l.staff().signin_not_token_paste_all)),
            Some(c) if c.shelters.is_empty() => error.set(Some(l.staff().signin_token_names_no_shelter)),
            Some(c) if c.exp * 1000 < dom::now().millis() => error.set(Some(l.staff().signin_token_has_expired)),
            Some(_) => {
                staff::save_token(&raw);
                signed_in.set(true);
            }
        }
    };
    view! {
        <h1>{move || t().staff().signin_shelter_staff_sign_in}</h1>
        <crate::shelter::OrganisationSignIn/>
        <details class="panel">
        <summary>{move || t().staff().signin_sign_in_with_token}</summary>
        <p class="lead">{move || t().staff().signin_paste_staff_token_issued}</p>
        <form class="form" on:submit=submit novalidate>
            <div class="field">
                <label for="staff-token">{move || t().staff().signin_staff_token}</label>
                <textarea id="staff-token" rows="4" autocomplete="off" spellcheck="false"
                    prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))></textarea>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="btn btn-wide">{move || t().staff().signin_sign_with_token}</button>
        </form>
        </details>
    }
}

// ---- home ------------------------------------------------------------------------

#[component]
pub(crate) fn StaffHome(signed_in: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let s = staff::state();
    let claims = staff::token().and_then(|t| staff::decode_token(&t)).unwrap_or(staff::StaffClaims {
        sub: String::new(),
        role: String::new(),
        shelters: vec![],
        exp: 0,
        municipality: None,
    });
    let shelter = RwSignal::new(staff::shelter().unwrap_or_default());
    // Names for display (and cached for offline).
    let names_ready = RwSignal::new(0u32);
    spawn_local(async move {
        if api::shelters().await.is_ok() {
            names_ready.update(|n| *n += 1);
        }
    });
    let shelters = claims.shelters.clone();
    let chooser = move || {
        names_ready.track();
        let l = lang.get();
        if shelters.len() > 1 {
            view! {
                <div class="field">
                    <label for="staff-shelter">{l.staff().signin_your_shelter}</label>
                    <select id="staff-shelter" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        staff::choose_shelter(&v);
                        shelter.set(v);
                    }>
                        {shelters.iter().map(|id| {
                            let sel = *id == shelter.get_untracked();
                            view! { <option value=id.clone() selected=sel>{shelter_name(id, l)}</option> }
                        }).collect_view()}
                    </select>
                </div>
            }
            .into_any()
        } else {
            view! { <p class="staff-shelter"><span class="label">{l.staff().signin_your_shelter}</span>" "<strong>{shelter_name(&shelter.get(), l)}</strong></p> }.into_any()
        }
    };
    let sign_out = move |_| {
        // Waiting scans stay on this device (sent at the next sign-in): asked, not lost silently.
        let n = s.pending.with_untracked(Vec::len);
        if n > 0 {
            let ask = crate::i18n::fill(lang.get_untracked().staff().signin_sign_out_pending, &[("n", &n.to_string())]);
            if !crate::dom::confirm(&ask) {
                return;
            }
        }
        staff::sign_out();
        signed_in.set(false);
    };
    let pending = move || {
        // Not "0 waiting" before the queue on this device has been read.
        if !s.pending_loaded.get() {
            return String::new();
        }
        let n = s.pending.with(Vec::len).to_string();
        crate::i18n::fill(lang.get().staff().signin_pending_n, &[("n", &n)])
    };
    // The queue kept while offline, sent once the connection is back: said, with how many (it
    // used to go from 2 to 0 without a word).
    let held = RwSignal::new(0usize);
    let sent_back = RwSignal::new(None::<usize>);
    Effect::new(move |_| {
        let n = s.pending.with(Vec::len);
        if !s.online.get() {
            held.set(n.max(held.get_untracked()));
            sent_back.set(None);
        } else if n > 0 && held.get_untracked() == 0 {
            // New scans online: the message was about the earlier ones.
            sent_back.set(None);
        } else if n == 0 && s.online.get() && held.get_untracked() > 0 && s.blocked.with(Option::is_none) {
            sent_back.set(Some(held.get_untracked()));
            held.set(0);
        }
    });
    let status_line = move || {
        let l = lang.get();
        let text = if !s.online.get() {
            l.staff().signin_offline_scans_are_kept.to_string()
        } else if let Some(e) = s.blocked.get() {
            match e.status() {
                Some(401) => l.staff().signin_cannot_send_staff_token.to_string(),
                _ => format!("{}: {}", l.staff().signin_could_not_send_retrying, e.message(l)),
            }
        } else if s.syncing.get() {
            l.staff().common_sending.to_string()
        } else if let Some(n) = sent_back.get() {
            crate::i18n::fill(l.staff().signin_sent_after_offline, &[("n", &n.to_string())])
        } else {
            String::new()
        };
        (!text.is_empty()).then(|| view! { <p class="hint sync-state">{text}</p> })
    };

    view! {
        <h1>{move || t().staff().signin_shelter_staff}</h1>
        <crate::incidents::DrillBanner municipality=Signal::derive(move || crate::incidents::municipality_of_shelter(&shelter.get())) reader=crate::incidents::Reader::Staff/>
        <div class="panel staff-bar">
            {chooser}
            <p class="scan-pending" role="status" aria-live="polite"><strong>{pending}</strong></p>
            <div role="status">{status_line}</div>
            <button type="button" class="btn btn-secondary" on:click=sign_out>{move || t().staff().signin_staff_sign_out}</button>
        </div>
        <nav class="staff-nav" aria-label=move || t().staff().signin_staff_menu>
            <ul>
                <li><a href="#scan-h">{move || t().staff().signin_scan}</a></li>
                <li><a href="#desk-h">{move || t().staff().signin_desk_registration}</a></li>
                <li><a href="#roster-h">{move || t().staff().signin_roster}</a></li>
                <li><a href="#supplies-h">{move || t().staff().signin_supplies}</a></li>
                <li><a href="#status-h">{move || t().staff().signin_status}</a></li>
                <li><a href="#poster-h">{move || t().staff().signin_poster}</a></li>
            </ul>
        </nav>
        {move || { let id = shelter.get(); view! {
            <Scan shelter=id.clone()/>
            <Problems/>
            // The rest of the screen (the queue's export and import first) is a chunk of its own,
            // fetched as soon as the scan shows.
            <Suspense fallback=move || view! { <p class="muted">{move || t().staff().common_loading}</p> }>
                {Suspend::new(crate::later::shelter_sections(id))}
            </Suspense>
        } }}
    }
}

// ---- scanning ----------------------------------------------------------------------

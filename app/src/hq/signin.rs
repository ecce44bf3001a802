//! `/hq`: sign-in (the organisation's IdP, or a pasted token) and the signed-in home that holds the parts.

use crate::api::{self, ApiError};
use crate::i18n::th;
use crate::staff;
use crate::use_lang;
use bosai_types::household::{Area, HelpRequest};
use bosai_types::supplies::SupplyLine;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Separate from the shelter staff token: one device may hold both.
use super::*;

#[component]
pub fn Hq() -> impl IntoView {
    let lang = use_lang();
    let signed_in = RwSignal::new(token().is_some_and(|t| check_token(&t, lang.get_untracked()).is_ok()));
    move || {
        let prefecture = token().and_then(|t| staff::decode_token(&t)).is_some_and(|c| c.role == "prefecture_hq");
        if signed_in.get() && prefecture {
            view! { <crate::hq::PrefectureHome signed_in/> }.into_any()
        } else if signed_in.get() {
            view! { <HqHome signed_in/> }.into_any()
        } else {
            view! { <HqSignIn signed_in/> }.into_any()
        }
    }
}

#[component]
pub(crate) fn HqSignIn(signed_in: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let raw = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = raw.get_untracked();
        match check_token(&value, lang.get_untracked()) {
            Err(e) => {
                error.set(Some(e));
                focus("hq-token");
            }
            Ok(()) => {
                save_token(&value);
                signed_in.set(true);
            }
        }
    };
    view! {
        <h1>{th(lang, |h| h.signin_disaster_hq_sign_in)}</h1>
        <crate::shelter::OrganisationSignIn/>
        <details class="panel">
        <summary>{th(lang, |h| h.signin_sign_in_with_token)}</summary>
        <p class="lead">{th(lang, |h| h.signin_paste_hq_token_issued)}</p>
        <form class="form" on:submit=submit novalidate>
            <div class="field">
                <label for="hq-token">{th(lang, |h| h.signin_hq_token)}</label>
                <textarea id="hq-token" rows="4" autocomplete="off" spellcheck="false"
                    aria-invalid=move || error.get().map(|_| "true")
                    prop:value=move || raw.get() on:input=move |ev| raw.set(event_target_value(&ev))></textarea>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="btn btn-wide">{th(lang, |h| h.signin_sign_with_token)}</button>
        </form>
        </details>
    }
}

// ---- home ----------------------------------------------------------------------------

#[component]
pub(crate) fn HqHome(signed_in: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let areas = RwSignal::new(Vec::<Area>::new());
    let summary = RwSignal::new(None::<Summary>);
    let help = RwSignal::new(None::<Vec<HelpRequest>>);
    // Which shelter asks for what (the summary has the totals per item).
    let supply_lines = RwSignal::new(Vec::<SupplyLine>::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // Bumped after a notice is sent: the sent list reloads.
    let sent = RwSignal::new(0u32);
    // Whose counts the summary shows: the current incident's (None), the real ones ("real") or
    // a drill's (its id, also after it ended, for the review).
    let viewing = RwSignal::new(None::<String>);
    // The sent notice being corrected (訂正): the sent list picks it, the composer writes it.
    let correcting = RwSignal::new(None::<bosai_types::notices::Notice>);

    // The areas of the HQ's own municipality (the token says which; one deployment serves several).
    let own = token().and_then(|t| staff::decode_token(&t)).and_then(|c| c.municipality);
    spawn_local(async move {
        if let Ok(a) = api::public::areas(own.as_deref()).send().await {
            areas.set(a);
        }
    });
    let refresh = move || {
        busy.set(true);
        spawn_local(async move {
            // The help list follows the summary: the same incident's.
            let incident = viewing.get_untracked();
            let s = api::hq::summary::<Summary>(incident.as_deref()).send().await;
            let h = api::hq::help_requests(incident.as_deref()).send().await;
            let lines = api::hq::supply_requests(incident.as_deref()).send().await;
            supply_lines.set(lines.unwrap_or_default());
            let mut err = None;
            match s {
                Ok(s) => summary.set(Some(s)),
                Err(e) => err = Some(e),
            }
            match h {
                Ok(h) => help.set(Some(h)),
                Err(e) => err = err.or(Some(e)),
            }
            error.set(err);
            busy.set(false);
        });
    };
    refresh();
    let sign_out = move |_| {
        sign_out();
        signed_in.set(false);
    };
    // Municipality administrators also load their shelters here.
    let admin =
        token().and_then(|t| staff::decode_token(&t).filter(|c| c.role == "admin").map(|c| (t, c.municipality)));

    view! {
        <h1>{th(lang, |h| h.common_disaster_hq)}</h1>
        <div class="panel staff-bar">
            <p>{th(lang, |h| h.signin_see_every_shelter_glance)}</p>
            <button type="button" class="btn btn-secondary" on:click=sign_out>{th(lang, |h| h.common_hq_sign_out)}</button>
        </div>
        <nav class="staff-nav" aria-label=th(lang, |h| h.signin_hq_menu)>
            <ul>
                <li><a href="#summary-h">{th(lang, |h| h.signin_shelters)}</a></li>
                <li><a href="#incidents-h">{th(lang, |h| h.common_disasters_drills)}</a></li>
                <li><a href="#compose-h">{th(lang, |h| h.common_send_notice)}</a></li>
                <li><a href="#sent-h">{th(lang, |h| h.signin_sent_notices)}</a></li>
                <li><a href="#help-h">{th(lang, |h| h.signin_help_requests)}</a></li>
                <li><a href="#surveys-h">{th(lang, |h| h.surveys_heading)}</a></li>
                <li><a href="#audit-h">{th(lang, |h| h.common_audit_log)}</a></li>
                {admin.is_some().then(|| view! {
                    <li><a href="#import-h">{th(lang, |h| h.common_import_shelters)}</a></li>
                    <li><a href="#area-import-h">{th(lang, |h| h.signin_import_areas)}</a></li>
                    <li><a href="#municipality-list-h">{th(lang, |h| h.signin_import_municipality_list)}</a></li>
                    <li><a href="#facilities-h">{th(lang, |h| h.common_facilities_capacity)}</a></li>
                    <li><a href="#staff-h">{th(lang, |h| h.common_staff_accounts)}</a></li>
                })}
            </ul>
        </nav>
        {move || error.get().map(|e| banner(&e, lang.get()))}
        {move || viewing.get().map(|_| view! {
            <p><button type="button" class="btn btn-secondary" on:click=move |_| { viewing.set(None); refresh(); }>
                {th(lang, |h| h.signin_back_current_summary)}
            </button></p>
        })}
        <SummaryView summary areas help supply_lines busy refresh=Callback::new(move |()| refresh())/>
        <super::IncidentsPanel on_change=Callback::new(move |()| refresh())
            sheltered=Signal::derive(move || summary.with(|s| s.as_ref().filter(|s| s.drill.is_none()).map_or(0, |s| s.occupancy)))
            on_view=Callback::new(move |id: Option<String>| {
                viewing.set(id);
                refresh();
                super::scroll_to("summary-h");
            })/>
        <Composer areas sent correcting/>
        <SentList areas sent viewing correcting/>
        <HelpList help areas viewing/>
        <SurveyResults areas/>
        <crate::hq::AuditLog/>
        {admin.map(|(token, municipality)| view! {
            <crate::admin_pages::ShelterImport token=token.clone() municipality=municipality.clone()/>
            <crate::admin_pages::AreaImport token=token.clone() municipality=municipality.clone()/>
            <crate::admin_pages::MunicipalityListImport token=token.clone() municipality=municipality.clone()/>
            <crate::admin_facilities::ShelterFacilities token=token.clone() municipality=municipality.clone()/>
            <crate::admin_staff::StaffRecords token municipality/>
        })}
    }
}

// ---- summary ---------------------------------------------------------------------------

//! The shelter's status and capacity.

use super::*;
use crate::api::{self, ApiError};
use crate::i18n::fill;
use crate::use_lang;
use bosai_types::{Shelter, ShelterStatus, ShelterStatusUpdate};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub(crate) fn Status(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    // The form starts from the shelter as last known on this device, then as the server has it
    // now (unless staff have begun typing).
    let saved = api::saved_shelters().and_then(|s| s.data.into_iter().find(|s| s.id.as_str() == shelter));
    let status = RwSignal::new(saved.as_ref().map(|s| s.status).unwrap_or(ShelterStatus::Open));
    let capacity = RwSignal::new(saved.as_ref().map(|s| s.capacity.to_string()).unwrap_or_default());
    let occupancy = RwSignal::new(saved.as_ref().map_or(0, |s| s.occupancy));
    let touched = StoredValue::new(false);
    let id = shelter.clone();
    spawn_local(async move {
        if let Ok(s) = api::public::shelter(&id).send().await {
            occupancy.set(s.occupancy);
            // (The section may be gone by now: a disposed value reads as touched, never panics.)
            if !touched.try_get_value().unwrap_or(true) {
                status.set(s.status);
                capacity.set(s.capacity.to_string());
            }
        }
    });
    let result = RwSignal::new(None::<Result<Shelter, ApiError>>);
    let busy = RwSignal::new(false);
    // A capacity below the people checked in now (a typo: 3 for 300) would show residents a
    // full shelter: said first, sent on the second press of the same number.
    let below = RwSignal::new(None::<(u32, u32)>);
    let closing = RwSignal::new(None::<u32>);
    let shelter = StoredValue::new(shelter);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let cap = capacity.get_untracked();
        let upd = ShelterStatusUpdate { status: status.get_untracked(), capacity: cap.trim().parse().ok() };
        if !cap.trim().is_empty() && (upd.capacity.is_none() || upd.validate().is_err()) {
            result.set(Some(Err(ApiError::Problem {
                status: 400,
                problem: bosai_types::Problem {
                    code: "invalid_capacity".into(),
                    params: Default::default(),
                    message: "定員は1〜100000の数字で入力してください。".into(),
                },
            })));
            return;
        }
        let present = occupancy.get_untracked();
        let warn = upd.capacity.filter(|c| *c < present).map(|c| (c, present));
        if warn.is_some() && below.get_untracked() != warn {
            result.set(None);
            below.set(warn);
            return;
        }
        below.set(None);
        // Closing over people checked in (they are still there, or check-outs are missing):
        // residents would read "not open". Said first, sent on the second press.
        if upd.status == ShelterStatus::Closed && present > 0 && closing.get_untracked() != Some(present) {
            result.set(None);
            closing.set(Some(present));
            return;
        }
        closing.set(None);
        busy.set(true);
        spawn_local(async move {
            let r = api::shelter::set_status(&shelter.get_value(), &upd).send().await;
            if let Ok(s) = &r {
                occupancy.set(s.occupancy);
            }
            result.set(Some(r));
            busy.set(false);
        });
    };
    view! {
        <section class="panel" aria-labelledby="status-h">
            <h2 id="status-h">{move || t().staff().status_status_capacity}</h2>
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="st-status">{move || t().staff().common_status}</label>
                    <select id="st-status" on:change=move |ev| { touched.set_value(true); if let Some(x) = from_code::<ShelterStatus>(&event_target_value(&ev)) { status.set(x) } closing.set(None) }>
                        {[ShelterStatus::Open, ShelterStatus::Full, ShelterStatus::Closed].into_iter().map(|x| view! {
                            <option value=code(&x) selected=move || status.get() == x>{move || lang.get().status(x)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="st-capacity">{move || t().staff().status_capacity_people}</label>
                    <input id="st-capacity" type="text" inputmode="numeric" autocomplete="off" prop:value=move || capacity.get() on:input=move |ev| { touched.set_value(true); capacity.set(event_target_value(&ev)); below.set(None) }/>
                </div>
                {move || below.get().map(|(c, n)| view! {
                    <p class="field-error" role="alert">{fill(t().staff().status_capacity_below_present, &[("capacity", &c.to_string()), ("occupancy", &n.to_string())])}</p>
                })}
                {move || closing.get().map(|n| view! {
                    <p class="field-error" role="alert">{fill(t().staff().status_closing_with_people, &[("occupancy", &n.to_string()), ("status", t().status(ShelterStatus::Closed))])}</p>
                })}
                <button type="submit" class="btn" disabled=move || busy.get()>{move || t().staff().status_update}</button>
            </form>
            {move || {
                let l = lang.get();
                result.get().map(|r| match r {
                    Ok(s) => view! { <p class="done status-done" role="status">{l.staff().status_updated}": "{l.status(s.status)}" · "{fill(l.staff().status_occupancy_of_capacity, &[("occupancy", &s.occupancy.to_string()), ("capacity", &s.capacity.to_string())])}</p> }.into_any(),
                    Err(e) => err_banner(e, l).into_any(),
                })
            }}
        </section>
    }
}

// ---- poster --------------------------------------------------------------------------------

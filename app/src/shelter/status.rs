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
    let current = api::saved_shelters().and_then(|s| s.data.into_iter().find(|s| s.id.as_str() == shelter));
    let status = RwSignal::new(current.as_ref().map(|s| s.status).unwrap_or(ShelterStatus::Open));
    let capacity = RwSignal::new(current.as_ref().map(|s| s.capacity.to_string()).unwrap_or_default());
    let result = RwSignal::new(None::<Result<Shelter, ApiError>>);
    let busy = RwSignal::new(false);
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
        busy.set(true);
        spawn_local(async move {
            result.set(Some(api::shelter::set_status(&shelter.get_value(), &upd).send().await));
            busy.set(false);
        });
    };
    view! {
        <section class="panel" aria-labelledby="status-h">
            <h2 id="status-h">{move || t().staff().status_status_capacity}</h2>
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="st-status">{move || t().staff().common_status}</label>
                    <select id="st-status" on:change=move |ev| { if let Some(x) = from_code::<ShelterStatus>(&event_target_value(&ev)) { status.set(x) } }>
                        {[ShelterStatus::Open, ShelterStatus::Full, ShelterStatus::Closed].into_iter().map(|x| view! {
                            <option value=code(&x) selected=move || status.get() == x>{move || lang.get().status(x)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="st-capacity">{move || t().staff().status_capacity_people}</label>
                    <input id="st-capacity" type="text" inputmode="numeric" autocomplete="off" prop:value=move || capacity.get() on:input=move |ev| capacity.set(event_target_value(&ev))/>
                </div>
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

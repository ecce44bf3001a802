//! The administrator's 「設備と定員」 on `/hq`: what a shelter has and holds, which the
//! published list does not say. Choose a shelter, tick its facilities, correct the capacity,
//! save (`PUT /api/shelters/{id}/facilities`). Shown as saved only once the server has it.

use crate::api::{self, ApiError};
use crate::i18n::th;
use crate::use_lang;
use bosai_types::shelter::ShelterFacilitiesUpdate;
use bosai_types::{Facility, Shelter};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn facility_id(f: Facility) -> String {
    format!("facility-{}", serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
}

#[component]
pub fn ShelterFacilities(token: String, municipality: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let token = StoredValue::new(token);
    let shelters = RwSignal::new(Vec::<Shelter>::new());
    let chosen = RwSignal::new(None::<Shelter>);
    let ticked = RwSignal::new(Vec::<Facility>::new());
    let capacity = RwSignal::new(String::new());
    let (busy, saved, error) = (RwSignal::new(false), RwSignal::new(false), RwSignal::new(None::<String>));
    let failed = move |e: ApiError| error.set(Some(e.message(lang.get_untracked())));
    spawn_local(async move {
        match api::public::shelters(municipality.as_deref()).send().await {
            Ok(list) => shelters.set(list),
            Err(e) => failed(e),
        }
    });
    let show = move |s: Shelter| {
        ticked.set(s.facilities.clone());
        capacity.set(s.capacity.to_string());
        chosen.set(Some(s));
    };
    let choose = move |ev| {
        let id = event_target_value(&ev);
        saved.set(false);
        error.set(None);
        if let Some(s) = shelters.with_untracked(|l| l.iter().find(|s| s.id.as_str() == id).cloned()) {
            show(s);
        }
    };
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(s) = chosen.get_untracked() else { return };
        let Ok(cap) = capacity.get_untracked().trim().parse::<u32>() else {
            error.set(Some(lang.get_untracked().hq().admin_facilities_enter_capacity_from_1.into()));
            return;
        };
        let call = api::hq::set_facilities(
            s.id.as_str(),
            &ShelterFacilitiesUpdate { facilities: ticked.get_untracked(), capacity: Some(cap) },
        );
        busy.set(true);
        saved.set(false);
        error.set(None);
        spawn_local(async move {
            match call.send_with_token(&token.get_value()).await {
                Ok(updated) => {
                    shelters.update(|l| l.iter_mut().filter(|x| x.id == updated.id).for_each(|x| *x = updated.clone()));
                    show(updated);
                    saved.set(true);
                }
                Err(e) => failed(e),
            }
            busy.set(false);
        });
    };
    let options = move || {
        let l = lang.get();
        shelters.with(|list| {
            list.iter()
                .map(|s| {
                    let name = if l.is_ja() || s.name_en.is_empty() { s.name_ja.clone() } else { s.name_en.clone() };
                    view! { <option value=s.id.to_string()>{name}</option> }
                })
                .collect_view()
        })
    };
    let boxes = move || {
        let l = lang.get();
        Facility::ALL
            .into_iter()
            .map(|f| {
                let id = facility_id(f);
                let checked = move || ticked.with(|t| t.contains(&f));
                let toggle = move |_| {
                    ticked.update(|t| {
                        if let Some(i) = t.iter().position(|x| *x == f) {
                            t.remove(i);
                        } else {
                            t.push(f);
                        }
                    })
                };
                view! {
                    <label class="check">
                        <input type="checkbox" id=id prop:checked=checked on:change=toggle/>
                        {f.label(l.is_ja())}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel" aria-labelledby="facilities-h">
            <h2 id="facilities-h">{th(lang, |h| h.common_facilities_capacity)}</h2>
            <p>{th(lang, |h| h.admin_facilities_correct_facilities_real_capacity)}</p>
            <div class="form">
                <div class="field">
                    <label for="facilities-shelter">{th(lang, |h| h.common_shelter)}</label>
                    <select id="facilities-shelter" on:change=choose>
                        <option value="" disabled=true selected=true>{th(lang, |h| h.admin_facilities_choose_one)}</option>
                        {options}
                    </select>
                </div>
            </div>
            {move || chosen.get().map(|_| view! {
                <form class="form" on:submit=save>
                    <fieldset>
                        <legend>{th(lang, |h| h.admin_facilities_facilities)}</legend>
                        {boxes}
                    </fieldset>
                    <div class="field">
                        <label for="facilities-capacity">{th(lang, |h| h.admin_facilities_capacity_people)}</label>
                        <input id="facilities-capacity" type="number" inputmode="numeric" min="1" max="100000" required=true
                            prop:value=move || capacity.get() on:input=move |ev| capacity.set(event_target_value(&ev))/>
                    </div>
                    <button type="submit" class="btn" id="facilities-save" disabled=move || busy.get()>{th(lang, |h| h.admin_facilities_save)}</button>
                </form>
            })}
            <p class="done" role="status">{move || saved.get().then(|| lang.get().hq().admin_facilities_saved)}</p>
            {move || error.get().map(|e| view! { <p class="banner" role="alert">{e}</p> })}
        </section>
    }
}

//! The evacuee roster (名簿): filters, CSV, staff check-out.

use super::*;
use crate::api::{self, ApiError};
use crate::birth::this_year;
use crate::i18n::{fill, Lang};
use crate::staff::{self};
use crate::use_lang;
use bosai_types::household::Sex;
use bosai_types::needs::{CareNeed, ALLERGENS};
use bosai_types::roster::{AgeBand, RosterEntry};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub(crate) fn Roster(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let allergen = RwSignal::new(String::new());
    let care = RwSignal::new(String::new());
    let band = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let rows = RwSignal::new(None::<Vec<RosterEntry>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let shelter = StoredValue::new(shelter);

    let query = move || {
        let (a, c, b, text) = (allergen.get_untracked(), care.get_untracked(), band.get_untracked(), q.get_untracked());
        api::query(&[("allergen", &a), ("care", &c), ("age_band", &b), ("q", text.trim())])
    };
    let load = move || {
        busy.set(true);
        spawn_local(async move {
            match api::shelter::roster(&shelter.get_value(), &query()).send().await {
                Ok(v) => {
                    rows.set(Some(v));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        load();
    };
    // An action on one person of the roster, after a confirmation; then the roster is read
    // again. Offline it fails with the usual banner: nothing is assumed done.
    let act = move |ask: String, call: api::Call<api::Staff, api::Ignored>, said: String| {
        if !crate::dom::confirm(&ask) {
            return;
        }
        done.set(None);
        spawn_local(async move {
            match call.done().await {
                Ok(_) => {
                    done.set(Some(said));
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Someone who left without scanning out (退所の手動記録), audited by the server.
    let check_out = move |entry: String, name: String| {
        let l = lang.get_untracked();
        let (ask, said) = (
            fill(l.staff().roster_check_out_ask, &[("name", &name)]),
            fill(l.staff().roster_checked_out, &[("name", &name)]),
        );
        act(ask, api::shelter::check_out(&shelter.get_value(), &entry, &staff::new_event_id()), said);
    };
    // A person registered at the desk asks for their record to be deleted (they have no phone to
    // do it themselves); audited by the server.
    let delete_desk = move |entry: String, name: String| {
        let l = lang.get_untracked();
        let (ask, said) = (
            fill(l.staff().roster_delete_desk_ask, &[("name", &name)]),
            fill(l.staff().roster_desk_deleted, &[("name", &name)]),
        );
        act(ask, api::shelter::delete_desk_registration(&shelter.get_value(), &entry), said);
    };
    let csv = move |_| {
        spawn_local(async move {
            let id = shelter.get_value();
            let path = api::shelter::roster_csv(&id, &query()).path;
            if let Err(e) = staff::download_authed(&path, &format!("roster-{id}.csv")).await {
                error.set(Some(e));
            }
        });
    };
    let select = move |id: &'static str,
                       label: fn(Lang) -> &'static str,
                       sig: RwSignal<String>,
                       options: Vec<(String, String)>| {
        view! {
            <div class="field">
                <label for=id>{move || label(lang.get())}</label>
                <select id=id on:change=move |ev| sig.set(event_target_value(&ev))>
                    <option value="">{move || lang.get().staff().roster_all}</option>
                    {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    let table = move || {
        let l = lang.get();
        if let Some(e) = error.get() {
            return err_banner(e, l).into_any();
        }
        let Some(v) = rows.get() else { return ().into_any() };
        if v.is_empty() {
            return view! { <p class="muted">{l.staff().roster_nobody_matches}</p> }.into_any();
        }
        view! {
            <p class="roster-count" role="status">{l.plural(l.staff().common_people_n, v.len() as f64)}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=l.staff().roster_table_region>
            <table class="roster cards">
                <thead><tr>
                    <th scope="col">{l.staff().common_name}</th>
                    <th scope="col">{l.staff().roster_age}</th>
                    <th scope="col">{l.staff().common_sex}</th>
                    <th scope="col">{l.staff().roster_allergies}</th>
                    <th scope="col">{l.staff().roster_care_medical}</th>
                    <th scope="col">{l.staff().roster_checked_in}</th>
                    <th scope="col">{l.staff().roster_verified}</th>
                </tr></thead>
                <tbody>
                    {v.into_iter().map(|e| {
                        let mut allergies: Vec<String> = e.allergens.iter().map(|a| allergen_label(*a, l).to_string()).collect();
                        if !e.other_allergies.is_empty() {
                            allergies.push(e.other_allergies.clone());
                        }
                        let mut needs: Vec<&str> = e.care.iter().map(|c| l.care(*c)).collect();
                        needs.extend(e.medical.iter().map(|m| l.medical(*m)));
                        needs.extend(e.dietary.iter().map(|d| l.dietary(*d)));
                        // 要介護度 and the resident's own medical note: entered for the staff who look after them.
                        if let Some(level) = e.nursing_care_level {
                            needs.push(l.nursing(level));
                        }
                        let note = (!e.medical_note.trim().is_empty()).then(|| e.medical_note.clone());
                        let age = e.birth_year.map(|y| this_year().saturating_sub(y));
                        let sex = from_code::<Sex>(&e.sex).map(|s| l.sex(s)).unwrap_or("");
                        let desk = e.source == "desk";
                        view! {
                            <tr class="roster-row" data-source=e.source.clone()>
                                <td class="r-name">{e.name.clone()}{e.name_unconfirmed.then(|| view! {
                                    <span class="flag name-unconfirmed">{l.staff().common_special_characters_check_card}</span>
                                })}</td>
                                // Each cell's label shows where a row is a card (a phone).
                                <td class="r-age" data-label=l.staff().roster_age>{age.map(|a| fill(l.staff().roster_age_years, &[("age", &a.to_string())]))}" "<span class="muted">{age_band(e.age_band, l)}</span></td>
                                <td data-label=l.staff().common_sex>{sex}</td>
                                <td class="r-allergy" data-label=l.staff().roster_allergies>{(!allergies.is_empty()).then(|| view! { <span class="flag">{allergies.join("・")}</span> })}</td>
                                <td class="r-care" data-label=l.staff().roster_care_medical>{needs.join("・")}{note.map(|n| view! {
                                    <p class="r-note"><span class="r-note-label">{l.staff().roster_medical_note}</span>{n}</p>
                                })}</td>
                                <td data-label=l.staff().roster_checked_in>{l.format_time(e.checked_in_at)}</td>
                                <td class="r-verified" data-label=l.staff().roster_verified>{match e.source.as_str() {
                                    "desk" => l.staff().roster_desk_unverified,
                                    "family" => l.staff().roster_card_family,
                                    _ => l.staff().roster_card_verified,
                                }}{
                                    // Someone who left without scanning out: recorded here, after a confirmation.
                                    let (entry, name) = (e.entry_id.clone(), e.name.clone());
                                    let label = fill(l.staff().roster_check_out_label, &[("name", &name)]);
                                    let remove = desk.then(|| {
                                        let (entry, name) = (entry.clone(), name.clone());
                                        let label = fill(l.staff().roster_delete_desk_label, &[("name", &name)]);
                                        view! {
                                            <button type="button" class="btn btn-secondary btn-inline check-out delete-desk" aria-label=label
                                                on:click=move |_| delete_desk(entry.clone(), name.clone())>{l.staff().roster_delete_record}</button>
                                        }
                                    });
                                    view! {
                                        <button type="button" class="btn btn-secondary btn-inline check-out" aria-label=label
                                            on:click=move |_| check_out(entry.clone(), name.clone())>{l.staff().roster_check_out}</button>
                                        {remove}
                                    }
                                }</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        }
        .into_any()
    };
    let l0 = lang.get_untracked();
    view! {
        <section class="panel" aria-labelledby="roster-h">
            <h2 id="roster-h">{move || t().staff().roster_evacuee_roster}</h2>
            <p class="hint">{move || t().staff().roster_viewing_exporting_roster_logged}</p>
            <form class="form roster-filter" on:submit=submit>
                {select("f-allergen", |l| l.staff().roster_allergy, allergen, ALLERGENS.iter().map(|a| (code(&a.code), (if l0.is_ja() { a.ja } else { a.en }).to_string())).collect())}
                {select("f-care", |l| l.staff().roster_care_need, care, CareNeed::ALL.iter().map(|c| (code(c), l0.care(*c).to_string())).collect())}
                {select("f-age", |l| l.staff().roster_age_band, band, [AgeBand::Child, AgeBand::Adult, AgeBand::Elderly].iter().map(|b| (code(b), age_band(*b, l0).to_string())).collect())}
                <div class="field">
                    <label for="f-q">{move || t().staff().roster_search_by_name}</label>
                    <input id="f-q" type="text" autocomplete="off" prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev))/>
                </div>
                <div class="actions">
                    <button type="submit" class="btn" disabled=move || busy.get()>{move || t().staff().roster_show_roster}</button>
                    <button type="button" class="btn btn-secondary" on:click=csv>{move || t().staff().roster_download_csv}</button>
                </div>
            </form>
            // What a check-out or deletion by hand did, once the server has it (always there, so
            // a screen reader announces it; the row just vanished before).
            <p class="done" id="roster-done" role="status">{move || done.get()}</p>
            {table}
        </section>
    }
}

// ---- status -------------------------------------------------------------------------------

//! 過去の災害の名簿 on the shelter staff view: who stayed at this shelter during each real
//! incident whose records are still kept (also those who left), for 罹災証明 and inquiries.
//! Read only when staff ask (each read is in the audit log); names, birth years and times, no
//! needs.

use crate::api::{self, ApiError};
use crate::i18n::{fill, Lang};
use crate::use_lang;
use bosai_types::roster::PastRoster;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn PastRosters(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let rosters = RwSignal::new(None::<Vec<PastRoster>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let shelter = StoredValue::new(shelter);
    let load = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::shelter::past_rosters(&shelter.get_value()).send().await {
                Ok(r) => {
                    rosters.set(Some(r));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let shown = move || {
        let l = lang.get();
        rosters.get().map(|list| {
            if list.is_empty() {
                return view! { <p class="muted">{l.staff().past_roster_no_incident_with_records}</p> }.into_any();
            }
            list.into_iter().map(|r| one(r, l)).collect_view().into_any()
        })
    };
    view! {
        <section class="panel" aria-labelledby="past-roster-h">
            <h2 id="past-roster-h">{move || lang.get().staff().past_roster_rosters_past_incidents}</h2>
            <p class="hint">{move || lang.get().staff().past_roster_who_was_shelter_during}</p>
            <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=load>
                {move || lang.get().staff().past_roster_show_past_rosters}
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.message(lang.get())}</p> })}
            {shown}
        </section>
    }
}

fn one(r: PastRoster, l: Lang) -> impl IntoView {
    let period = match r.closed_at {
        Some(c) => format!("{} – {}", l.format_time(r.started_at), l.format_time(c)),
        None => format!("{} –", l.format_time(r.started_at)),
    };
    let until = r.personal_data_until.map(|u| fill(l.staff().past_roster_deleted_on, &[("time", &l.format_time(u))]));
    let people = r.stays.len();
    view! {
        <div class="past-roster" data-incident=r.incident_id.clone()>
            <h3>{r.incident_name.clone()}</h3>
            <p class="meta">{period}{until.map(|u| format!(" · {u}"))}" · "{l.plural(l.staff().common_people_n, people as f64)}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=format!("{} {}", r.incident_name, l.staff().past_roster_roster)>
                <table class="roster">
                    <thead><tr>
                        <th scope="col">{l.staff().common_name}</th>
                        <th scope="col">{l.staff().past_roster_born}</th>
                        <th scope="col">{l.staff().past_roster_arrived}</th>
                        <th scope="col">{l.staff().past_roster_left}</th>
                    </tr></thead>
                    <tbody>
                        {r.stays.into_iter().map(|s| view! {
                            <tr>
                                <td>{s.name}</td>
                                <td>{s.birth_year.map(|y| y.to_string()).unwrap_or_default()}</td>
                                <td>{s.arrived_at.map(|t| l.format_time(t)).unwrap_or_default()}</td>
                                <td>{s.left_at.map(|t| l.format_time(t)).unwrap_or_else(|| l.staff().past_roster_stayed.to_string())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}

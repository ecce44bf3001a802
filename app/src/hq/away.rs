//! 他の市町村に避難中の住民 on the HQ page: the municipality's residents checked in at other
//! municipalities' shelters, by name, read only when HQ asks (each read is in the audit log).

use crate::api;
use crate::hq::banner;
use crate::use_lang;
use bosai_types::hq::AwayPerson;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A button that loads the list, then the list as a table.
#[component]
pub fn AwayList() -> impl IntoView {
    let lang = use_lang();
    let list = RwSignal::new(None::<Vec<AwayPerson>>);
    let error = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let load = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::hq::away().send().await {
                Ok(l) => {
                    list.set(Some(l));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let rows = move || {
        let l = lang.get();
        list.get().map(|people| {
            if people.is_empty() {
                return view! { <p class="muted">{l.hq().away_nobody_now}</p> }.into_any();
            }
            view! {
                <table class="away-list">
                    <caption class="sr-only">{l.hq().away_residents_sheltering_elsewhere}</caption>
                    <thead><tr>
                        <th scope="col">{l.hq().common_name}</th>
                        <th scope="col">{l.hq().away_born}</th>
                        <th scope="col">{l.hq().away_where}</th>
                        <th scope="col">{l.hq().away_since}</th>
                    </tr></thead>
                    <tbody>
                        {people.into_iter().map(|p| view! {
                            <tr>
                                <td>{p.name}</td>
                                <td>{p.birth_year.map(|y| y.to_string()).unwrap_or_default()}</td>
                                <td>{format!("{} {}", p.host_name_ja, p.shelter_name_ja)}</td>
                                <td>{l.format_time(p.checked_in_at)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        })
    };
    view! {
        <div class="away">
            <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=load>
                {move || match list.with(Option::is_some) {
                    false => lang.get().hq().away_list_them_by_name,
                    true => lang.get().hq().away_refresh_list,
                }}
            </button>
            {move || error.get().map(|e| banner(&e, lang.get()))}
            {rows}
        </div>
    }
}

//! `/hq` for the prefecture's HQ (県災害対策本部): every municipality of the prefecture in
//! counts — shelters open, people against capacity, evacuees hosted and away — and the
//! prefecture's totals. No person is shown: the prefecture role reads counts only.

use crate::api;
use crate::api::ApiError;
use crate::hq::banner;
use crate::i18n::th;
use crate::use_lang;
use bosai_types::hq::PrefectureSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn PrefectureHome(signed_in: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let summary = RwSignal::new(None::<PrefectureSummary>);
    let error = RwSignal::new(None::<ApiError>);
    let load = move || {
        spawn_local(async move {
            match api::hq::prefecture().send().await {
                Ok(s) => {
                    summary.set(Some(s));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let rows = move || {
        summary.with(|s| {
            s.iter()
                .flat_map(|s| s.municipalities.iter())
                .map(|m| {
                    view! {
                        <tr>
                            <th scope="row">{m.name_ja.clone()}</th>
                            <td class="num">{format!("{} / {}", m.open, m.shelters)}</td>
                            <td class="num">{format!("{} / {}", m.occupancy, m.capacity)}</td>
                            <td class="num">{m.hosted}</td>
                            <td class="num">{m.away}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let total = move || {
        summary.with(|s| {
            s.as_ref().map(|s| {
                let l = lang.get();
                crate::i18n::fill(
                    l.hq().prefecture_people_in_shelters,
                    &[("occupancy", &s.occupancy.to_string()), ("capacity", &s.capacity.to_string())],
                )
            })
        })
    };
    view! {
        <h1>{th(lang, |h| h.common_prefecture_hq)}</h1>
        <div class="panel staff-bar">
            <p>{th(lang, |h| h.prefecture_each_municipality_prefecture_numbers)}</p>
            <button type="button" class="btn btn-secondary" on:click=move |_| load()>{th(lang, |h| h.prefecture_refresh)}</button>
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                crate::hq::sign_out();
                signed_in.set(false);
            }>{th(lang, |h| h.common_hq_sign_out)}</button>
        </div>
        {move || error.get().map(|e| banner(&e, lang.get()))}
        <section class="panel" aria-labelledby="pref-h">
            <h2 id="pref-h">{th(lang, |h| h.prefecture_by_municipality)}</h2>
            <p id="pref-total" class="lead">{total}</p>
            // When these numbers were counted: a screen left open says how old it is.
            <p class="updated" id="pref-generated" aria-live="polite">
                {move || summary.with(|s| s.as_ref().map(|s| {
                    let l = lang.get();
                    format!("{}: {}", l.hq().summary_as, l.format_time(s.generated_at))
                }))}
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=th(lang, |h| h.prefecture_table_region)>
                <table class="hq-table" id="pref-municipalities">
                    <caption>{th(lang, |h| h.prefecture_by_municipality)}</caption>
                    <thead><tr>
                        <th scope="col">{th(lang, |h| h.prefecture_municipality)}</th>
                        <th scope="col" class="num">{th(lang, |h| h.prefecture_open_shelters)}</th>
                        <th scope="col" class="num">{th(lang, |h| h.prefecture_people_capacity)}</th>
                        <th scope="col" class="num">{th(lang, |h| h.prefecture_hosted_from_elsewhere)}</th>
                        <th scope="col" class="num">{th(lang, |h| h.prefecture_away_elsewhere)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

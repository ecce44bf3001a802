//! `/hq` for the prefecture's HQ (県災害対策本部): every municipality of the prefecture in
//! counts — shelters open, people against capacity, evacuees hosted and away — and the
//! prefecture's totals. No person is shown: the prefecture role reads counts only.

use crate::api;
use crate::api::ApiError;
use crate::hq::banner;
use crate::i18n::tp;
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
                if l.is_ja() {
                    format!("県内の避難者 {}人（定員 {}人）", s.occupancy, s.capacity)
                } else {
                    format!("{} people in the prefecture's shelters (capacity {})", s.occupancy, s.capacity)
                }
            })
        })
    };
    view! {
        <h1>{tp(lang, "県災害対策本部", "Prefecture HQ")}</h1>
        <div class="panel staff-bar">
            <p>{tp(lang, "県内の市町村ごとの避難状況です（人数のみ）。", "Each municipality of the prefecture, in numbers only.")}</p>
            <button type="button" class="btn btn-secondary" on:click=move |_| load()>{tp(lang, "更新", "Refresh")}</button>
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                crate::hq::sign_out();
                signed_in.set(false);
            }>{tp(lang, "本部のサインアウト", "HQ sign-out")}</button>
        </div>
        {move || error.get().map(|e| banner(&e, lang.get()))}
        <section class="panel" aria-labelledby="pref-h">
            <h2 id="pref-h">{tp(lang, "市町村別の避難状況", "By municipality")}</h2>
            <p id="pref-total" class="lead">{total}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=tp(lang, "市町村別の避難状況", "By municipality")>
                <table class="hq-table" id="pref-municipalities">
                    <caption>{tp(lang, "市町村別の避難状況", "By municipality")}</caption>
                    <thead><tr>
                        <th scope="col">{tp(lang, "市町村", "Municipality")}</th>
                        <th scope="col" class="num">{tp(lang, "開設中 / 避難所", "Open / shelters")}</th>
                        <th scope="col" class="num">{tp(lang, "避難者 / 定員", "People / capacity")}</th>
                        <th scope="col" class="num">{tp(lang, "他の市町村から受け入れ", "Hosted from elsewhere")}</th>
                        <th scope="col" class="num">{tp(lang, "他の市町村へ避難", "Away elsewhere")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

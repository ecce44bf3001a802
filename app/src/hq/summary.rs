//! The municipality's summary (集計): people against capacity, who they are, allergies for food orders, care needs, safety by area, supply requests against stock.

use crate::i18n::{fill, th, Lang};
use crate::resident::area_name;
use crate::shelter_card::congestion_class;
use crate::use_lang;
use bosai_types::household::{Area, HelpRequest};
use bosai_types::hq::{AgeBand, AreaSafety, Headcount, MunicipalityCount, ShelterSummary};
use bosai_types::needs::ALLERGENS;
use bosai_types::supplies::SupplyLine;
use bosai_types::{ShelterStatus, Timestamp};
use leptos::prelude::*;
use serde::Deserialize;

/// Separate from the shelter staff token: one device may hold both.
use super::*;

/// `GET /api/hq/summary` as this screen reads it: `bosai_types::hq::HqSummary` except the
/// supply lines, read by item code (deserialising the tagged `SupplyItem` enum costs ~24 KB
/// of wasm; the supplies panel does the same).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Summary {
    pub(crate) generated_at: Timestamp,
    pub(crate) capacity: u64,
    pub(crate) occupancy: u64,
    pub(crate) totals: Headcount,
    pub(crate) shelters: Vec<ShelterSummary>,
    pub(crate) safety: Vec<AreaSafety>,
    pub(crate) supplies: Vec<SupplyRow>,
    #[serde(default)]
    pub(crate) hosted: Vec<MunicipalityCount>,
    #[serde(default)]
    pub(crate) away: Vec<MunicipalityCount>,
    /// The drill whose counts these are (訓練), if any.
    #[serde(default)]
    pub(crate) drill: Option<bosai_types::incident::Incident>,
}

/// Wide-area evacuation (広域避難): 「仙台市 2人、…」.
pub(crate) fn municipality_line(list: &[MunicipalityCount], l: Lang) -> String {
    list.iter().map(|c| format!("{} {}", c.name_ja, people(c.people, l))).collect::<Vec<_>>().join(l.hq().common_text)
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SupplyRow {
    pub(crate) code: String,
    pub(crate) requested: u32,
    pub(crate) on_hand: u32,
    pub(crate) shelters: u32,
}

pub(crate) fn age_label(b: AgeBand, l: Lang) -> &'static str {
    match b {
        AgeBand::Under6 => l.hq().summary_0_5,
        AgeBand::Child => l.hq().summary_6_12,
        AgeBand::Teen => l.hq().summary_13_17,
        AgeBand::Adult => l.hq().summary_18_64,
        AgeBand::Senior => l.hq().summary_65_74,
        AgeBand::Over75 => l.hq().summary_75_over,
        AgeBand::Unknown => l.hq().summary_age_unknown,
    }
}

pub(crate) fn allergen_label(code: bosai_types::needs::AllergenCode, l: Lang) -> &'static str {
    let a = code.info();
    l.pick(a.ja, a.en)
}

pub(crate) fn shelter_name(s: &ShelterSummary, l: Lang) -> String {
    if l.is_ja() || s.name_en.is_empty() {
        s.name_ja.clone()
    } else {
        s.name_en.clone()
    }
}

pub(crate) fn age(h: &Headcount, b: AgeBand) -> u32 {
    h.by_age.get(&b).copied().unwrap_or(0)
}

/// "label n・label n" of the non-zero counts, or "なし".
pub(crate) fn counts_line(items: Vec<(&'static str, u32)>, l: Lang) -> String {
    let parts: Vec<String> = items.into_iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{k} {n}")).collect();
    if parts.is_empty() {
        l.hq().summary_none.to_string()
    } else {
        parts.join(l.hq().common_text_2)
    }
}

pub(crate) fn sex_line(h: &Headcount, l: Lang) -> String {
    let s = &h.by_sex;
    fill(
        l.hq().summary_sex_counts,
        &[
            ("female", &s.female.to_string()),
            ("male", &s.male.to_string()),
            ("other", &s.other.to_string()),
            ("no_answer", &s.no_answer.to_string()),
        ],
    )
}

/// Every need someone has: care, medical, diet (labels shared with the resident's form).
pub(crate) fn needs_rows(h: &Headcount, l: Lang) -> Vec<(&'static str, u32)> {
    let mut rows: Vec<(&'static str, u32)> = h.care.iter().map(|(k, n)| (l.care(*k), *n)).collect();
    rows.extend(h.medical.iter().map(|(k, n)| (l.medical(*k), *n)));
    rows.extend(h.dietary.iter().map(|(k, n)| (l.dietary(*k), *n)));
    rows
}

/// Allergens in the catalogue's order (the 8 mandatory first), only those someone has.
pub(crate) fn allergen_rows(h: &Headcount, l: Lang) -> Vec<(&'static str, u32)> {
    ALLERGENS
        .iter()
        .filter_map(|a| h.allergens.get(&a.code).filter(|n| **n > 0).map(|n| (allergen_label(a.code, l), *n)))
        .collect()
}

/// A captioned table; with no rows, the caption as a heading and a line saying so instead.
pub(crate) fn table_or_none(
    id: &'static str,
    caption: &'static str,
    none: &'static str,
    empty: bool,
    head: impl IntoView + 'static,
    rows: impl IntoView + 'static,
) -> AnyView {
    if empty {
        return view! {
            <h3 class="sub" id=id>{caption}</h3>
            <p class="muted">{none}</p>
        }
        .into_any();
    }
    // Scrolls sideways on a phone: reachable by keyboard, named for screen readers.
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=caption>
            <table class="hq-table" id=id>
                <caption>{caption}</caption>
                <thead>{head}</thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A two-column table: what, and how many people.
pub(crate) fn count_table(
    id: &'static str,
    caption: &'static str,
    what: &'static str,
    rows: Vec<(&'static str, u32)>,
    l: Lang,
) -> AnyView {
    let empty = rows.is_empty();
    let head = view! { <tr><th scope="col">{what}</th><th scope="col" class="num">{l.hq().summary_people}</th></tr> };
    let body = rows
        .into_iter()
        .map(|(k, n)| view! { <tr><th scope="row">{k}</th><td class="num">{n}</td></tr> })
        .collect_view();
    table_or_none(id, caption, l.hq().summary_nobody, empty, head, body)
}

pub(crate) fn breakdown(s: &ShelterSummary, l: Lang) -> impl IntoView {
    let h = &s.headcount;
    let ages = AgeBand::ALL.iter().map(|b| (age_label(*b, l), age(h, *b))).collect();
    view! {
        <details class="hq-details">
            <summary>{l.hq().summary_details}<span class="sr-only">": "{shelter_name(s, l)}</span></summary>
            <dl class="facts">
                <div><dt>{l.hq().summary_status}</dt><dd>{l.status(s.status)}</dd></div>
                <div><dt>{l.hq().summary_sex}</dt><dd>{sex_line(h, l)}</dd></div>
                <div><dt>{l.hq().summary_age}</dt><dd>{counts_line(ages, l)}</dd></div>
                <div><dt>{l.hq().summary_allergies}</dt><dd>{counts_line(allergen_rows(h, l), l)}</dd></div>
                <div><dt>{l.hq().summary_needs}</dt><dd>{counts_line(needs_rows(h, l), l)}</dd></div>
            </dl>
        </details>
    }
}

pub(crate) fn shelters_table(s: &Summary, l: Lang) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=l.hq().summary_each_shelter>
            <table class="hq-table hq-shelters" id="hq-shelters">
                <caption>{l.hq().summary_each_shelter}</caption>
                <thead>
                    <tr>
                        <th scope="col">{l.hq().common_shelter}</th>
                        <th scope="col" class="num">{l.hq().summary_people_capacity}</th>
                        <th scope="col">{l.hq().summary_congestion}</th>
                    </tr>
                </thead>
                <tbody>
                    {s.shelters.iter().map(|sh| view! {
                        <tr data-shelter=sh.shelter_id.to_string()>
                            <th scope="row">{shelter_name(sh, l)}</th>
                            <td class="num occupancy">{format!("{} / {}", sh.occupancy, sh.capacity)}</td>
                            <td><span class=congestion_class(sh.congestion)>{l.congestion(sh.congestion)}</span></td>
                        </tr>
                        <tr class="hq-more" data-details=sh.shelter_id.to_string()>
                            <td colspan="3">{breakdown(sh, l)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

pub(crate) fn safety_table(s: &Summary, areas: &[Area], l: Lang) -> AnyView {
    let caption = l.hq().summary_safety_by_area_each;
    let head = view! {
        <tr>
            <th scope="col">{l.hq().summary_area}</th>
            <th scope="col" class="num">{l.hq().summary_safe_home}</th>
            <th scope="col" class="num">{l.hq().summary_at_shelter}</th>
            <th scope="col" class="num">{l.hq().summary_elsewhere}</th>
            <th scope="col" class="num">{l.hq().summary_need_help}</th>
        </tr>
    };
    let rows = s
        .safety
        .iter()
        .map(|a| {
            let name = match &a.area {
                Some(code) => area_name(areas, code.as_str(), l),
                None => l.hq().summary_no_area_registered.to_string(),
            };
            let c = &a.counts;
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td class="num">{c.safe_at_home}</td>
                    <td class="num">{c.at_shelter}</td>
                    <td class="num">{c.elsewhere}</td>
                    <td class="num">{c.needs_help}</td>
                </tr>
            }
        })
        .collect_view();
    table_or_none("hq-safety", caption, l.hq().summary_no_safety_reports_yet, s.safety.is_empty(), head, rows)
}

pub(crate) fn supplies_table(s: &Summary, lines: &[SupplyLine], l: Lang) -> AnyView {
    let caption = l.hq().summary_supplies_requested_stock_all;
    let head = view! {
        <tr>
            <th scope="col">{l.hq().summary_item}</th>
            <th scope="col" class="num">{l.hq().summary_requested}</th>
            <th scope="col" class="num">{l.hq().summary_in_stock}</th>
            <th scope="col" class="num">{l.hq().summary_shelters_asking}</th>
        </tr>
    };
    let rows = s
        .supplies
        .iter()
        .map(|r| {
            view! {
                <tr data-item=r.code.clone()>
                    <th scope="row">
                        {crate::shelter::name_of_code(&r.code, l).unwrap_or_else(|| r.code.clone())}
                        // Which shelters ask: where the next truck goes.
                        <ul class="supply-who">
                            {lines.iter().filter(|x| x.code == r.code && x.requested > 0).map(|x| {
                                let shelter = s.shelters.iter().find(|h| h.shelter_id == x.shelter_id).map_or_else(
                                    || x.shelter_id.to_string(),
                                    |h| if l.is_ja() || h.name_en.is_empty() { h.name_ja.clone() } else { h.name_en.clone() },
                                );
                                let text = fill(l.hq().summary_supply_at, &[("shelter", &shelter), ("requested", &x.requested.to_string()), ("on_hand", &x.on_hand.to_string())]);
                                view! { <li data-shelter=x.shelter_id.to_string()>{text}</li> }
                            }).collect_view()}
                        </ul>
                    </th>
                    <td class="num">{r.requested}</td>
                    <td class="num">{r.on_hand}</td>
                    <td class="num">{r.shelters}</td>
                </tr>
            }
        })
        .collect_view();
    table_or_none("hq-supplies", caption, l.hq().summary_no_open_supply_requests, s.supplies.is_empty(), head, rows)
}

pub(crate) fn totals(s: &Summary, help: Option<usize>, l: Lang) -> impl IntoView {
    let h = &s.totals;
    let pct = (s.occupancy * 100).checked_div(s.capacity).unwrap_or(0);
    let open = s.shelters.iter().filter(|x| x.status != ShelterStatus::Closed).count();
    let elderly = age(h, AgeBand::Senior) + age(h, AgeBand::Over75);
    view! {
        <dl class="facts hq-totals">
            <div>
                <dt>{l.hq().summary_people_shelters_all}</dt>
                <dd id="hq-total-people">
                    <strong class="big">{people(s.occupancy, l)}</strong>
                    {fill(l.hq().summary_of_capacity, &[("capacity", &s.capacity.to_string()), ("percent", &pct.to_string())])}
                </dd>
            </div>
            <div>
                <dt>{l.hq().summary_shelters_open}</dt>
                <dd>{fill(l.hq().summary_open_of_shelters, &[("open", &open.to_string()), ("total", &s.shelters.len().to_string())])}</dd>
            </div>
            <div><dt>{l.hq().summary_sex}</dt><dd>{sex_line(h, l)}</dd></div>
            <div><dt>{l.hq().summary_young_children_0_5}</dt><dd>{people(age(h, AgeBand::Under6), l)}</dd></div>
            <div><dt>{l.hq().summary_older_people_65}</dt><dd>{people(elderly, l)}</dd></div>
            {(!s.hosted.is_empty()).then(|| view! {
                <div><dt>{l.hq().summary_hosted_from_other_municipalities}</dt><dd id="hq-hosted">{municipality_line(&s.hosted, l)}</dd></div>
            })}
            {(!s.away.is_empty()).then(|| view! {
                <div><dt>{l.hq().summary_our_residents_sheltering_elsewhere}</dt><dd id="hq-away">
                    {municipality_line(&s.away, l)}
                    // Names only on request, and never a drill's (the list is of real stays).
                    {s.drill.is_none().then(|| view! { <crate::hq::AwayList/> })}
                </dd></div>
            })}
            {help.map(|n| view! {
                <div><dt>{l.hq().summary_open_help_requests}</dt><dd><a href="#help-h">{fill(l.hq().summary_help_requests_count, &[("n", &n.to_string())])}</a></dd></div>
            })}
        </dl>
    }
}

#[component]
pub(crate) fn SummaryView(
    summary: RwSignal<Option<Summary>>,
    areas: RwSignal<Vec<Area>>,
    help: RwSignal<Option<Vec<HelpRequest>>>,
    supply_lines: RwSignal<Vec<SupplyLine>>,
    busy: RwSignal<bool>,
    refresh: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let body = move || {
        let l = lang.get();
        summary.with(|s| match s {
            None => view! { <p class="muted">{if busy.get() { l.tr().loading } else { "" }}</p> }.into_any(),
            Some(s) => {
                let ages = AgeBand::ALL.iter().map(|b| (age_label(*b, l), age(&s.totals, *b))).collect();
                view! {
                    {s.drill.clone().map(|drill| view! { <crate::incidents::DrillNotice drill reader=crate::incidents::Reader::Staff/> })}
                    {totals(s, help.with(|h| h.as_deref().map(super::to_act_on)), l)}
                    {shelters_table(s, l)}
                    {count_table("hq-allergens", l.hq().summary_people_with_allergies_food,
                        l.hq().summary_allergen, allergen_rows(&s.totals, l), l)}
                    {count_table("hq-needs", l.hq().summary_people_with_care_medical,
                        l.hq().summary_need, needs_rows(&s.totals, l), l)}
                    {count_table("hq-ages", l.hq().summary_people_by_age_all, l.hq().summary_age, ages, l)}
                    {areas.with(|a| safety_table(s, a, l))}
                    {supply_lines.with(|lines| supplies_table(s, lines, l))}
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="panel hq-summary" aria-labelledby="summary-h">
            <div class="section-head">
                <h2 id="summary-h">{th(lang, |h| h.summary_shelter_summary)}</h2>
                <button type="button" class="btn" id="hq-refresh" on:click=move |_| refresh.run(()) disabled=move || busy.get()>
                    {move || if busy.get() { lang.get().tr().loading } else { lang.get().tr().reload }}
                </button>
            </div>
            <p class="updated" id="hq-generated" aria-live="polite">
                {move || summary.with(|s| s.as_ref().map(|s| {
                    let l = lang.get();
                    format!("{}: {}", l.hq().summary_as, l.format_time(s.generated_at))
                }))}
            </p>
            {body}
        </section>
    }
}

// ---- composing a notice ------------------------------------------------------------------

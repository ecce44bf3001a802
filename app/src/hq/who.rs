//! Who a notice reaches or a survey asks (対象): everyone in the municipality, everyone at its
//! shelters (from other towns too), or the areas chosen. One picker for both forms.

use crate::i18n::{th, HqTr, Lang};
use crate::use_lang;
use bosai_types::household::Area;
use bosai_types::surveys::AreaCode;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    All,
    Evacuees,
    Areas,
}

/// Who is reached, in words, for the confirmation and the sent list: the choice's label, or the
/// chosen areas' names.
pub(crate) fn in_words(reach: Reach, codes: &[AreaCode], areas: &[Area], l: Lang) -> String {
    match reach {
        Reach::All => l.hq().compose_everyone_whole_city.to_string(),
        Reach::Evacuees => l.hq().compose_everyone_our_shelters_also.to_string(),
        Reach::Areas => codes
            .iter()
            .map(|c| crate::resident::area_name(areas, c.as_str(), l))
            .collect::<Vec<_>>()
            .join(l.hq().common_text),
    }
}

/// The areas chosen, in the order the areas are listed.
pub(crate) fn picked(areas: RwSignal<Vec<Area>>, chosen: RwSignal<Vec<AreaCode>>) -> Vec<AreaCode> {
    let picked = chosen.get_untracked();
    areas.with_untracked(|a| a.iter().map(|a| a.code.clone()).filter(|c| picked.contains(c)).collect())
}

/// The three choices, then the areas' boxes while "choose areas" is on. `form` prefixes the
/// inputs' names (`{form}-target`, `{form}-area`) and the areas choice's id (`{form}-target-areas`,
/// where a refusal puts the focus).
#[component]
pub(crate) fn WhoPicker(
    form: &'static str,
    areas: RwSignal<Vec<Area>>,
    reach: RwSignal<Reach>,
    chosen: RwSignal<Vec<AreaCode>>,
    areas_label: fn(&HqTr) -> &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let radio = move |r: Reach, label: fn(&HqTr) -> &'static str| {
        let id = (r == Reach::Areas).then(|| format!("{form}-target-areas"));
        view! {
            <label class="check">
                <input type="radio" name=format!("{form}-target") id=id prop:checked=move || reach.get() == r on:change=move |_| reach.set(r)/>
                <span>{th(lang, label)}</span>
            </label>
        }
    };
    let area_boxes = move || {
        let l = lang.get();
        areas.with(|list| {
            list.iter()
                .map(|a| {
                    let code = a.code.clone();
                    let (c1, c2) = (code.clone(), code.clone());
                    let name = if l.is_ja() || a.name_en.is_empty() { a.name_ja.clone() } else { a.name_en.clone() };
                    view! {
                        <label class="check">
                            <input type="checkbox" name=format!("{form}-area") value=code.to_string()
                                prop:checked=move || chosen.with(|c| c.contains(&c1))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let c = c2.clone();
                                    chosen.update(|v| { v.retain(|x| *x != c); if on { v.push(c); } });
                                }/>
                            <span>{name}</span>
                        </label>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="checks radios">
            {radio(Reach::All, |h| h.compose_everyone_whole_city)}
            {radio(Reach::Evacuees, |h| h.compose_everyone_our_shelters_also)}
            {radio(Reach::Areas, |h| h.compose_choose_areas)}
        </div>
        <div class="checks" hidden=move || reach.get() != Reach::Areas role="group" aria-label=th(lang, areas_label)>
            {area_boxes}
        </div>
    }
}

//! HQ's incidents panel: those open and past, open a new one (a drill or a disaster), close one.

use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::{fill, th, Lang};
use crate::use_lang;
use bosai_types::incident::{Incident, IncidentKind, OpenIncident};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn kind_label(k: IncidentKind, l: Lang) -> &'static str {
    match k {
        IncidentKind::Real => l.hq().incidents_disaster,
        IncidentKind::Drill => l.hq().incidents_drill,
    }
}

fn when(t: bosai_types::Timestamp, l: Lang) -> String {
    l.format_time(t)
}

/// HQ's incidents: those open and past, open a new one (a drill or a disaster), close one.
#[component]
pub fn IncidentsPanel(
    on_change: Callback<()>,
    on_view: Callback<Option<String>>,
    /// People in the municipality's shelters now (real counts): starting a drill over them is asked twice.
    sheltered: Signal<u64>,
) -> impl IntoView {
    let lang = use_lang();
    let list = RwSignal::new(None::<Vec<Incident>>);
    let error = RwSignal::new(None::<ApiError>);
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(IncidentKind::Drill);
    let busy = RwSignal::new(false);
    // A mistake the app catches before sending.
    let local = RwSignal::new(None::<&'static str>);
    let load = move || {
        spawn_local(async move {
            match api::hq::incidents().send().await {
                Ok(v) => list.set(Some(v)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let send = move |call: api::Call<api::Hq, api::Ignored>| {
        busy.set(true);
        spawn_local(async move {
            match call.done().await {
                Ok(_) => {
                    error.set(None);
                    name.set(String::new());
                    load();
                    on_change.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local.set(None);
        let req = OpenIncident {
            incident_id: crate::resident::random_id("inc-", 20),
            name: name.get_untracked().trim().to_owned(),
            kind: kind.get_untracked(),
            municipalities: vec![],
            areas: vec![],
            started_at: None,
        };
        if let Err(m) = req.validate(dom::now()) {
            let l = lang.get_untracked();
            local.set(Some(l.pick("名前を1〜80文字で入力してください。", m)));
            dom::focus("incident-name");
            return;
        }
        // Asked first, with what it changes: a drill turns every shelter's reception into the
        // drill's (deleted at its end), also for anyone arriving for real meanwhile.
        let l = lang.get_untracked();
        let mut question = match req.kind {
            IncidentKind::Drill => fill(l.hq().incidents_start_drill_ask, &[("name", &req.name)]),
            IncidentKind::Real => fill(l.hq().incidents_start_real_ask, &[("name", &req.name)]),
        };
        let n = sheltered.get_untracked();
        if req.kind == IncidentKind::Drill && n > 0 {
            question = format!("{question}\n\n{}", fill(l.hq().incidents_start_drill_people, &[("n", &n.to_string())]));
        }
        if dom::confirm(&question) {
            send(api::hq::open_incident(&req));
        }
    };
    let close = move |i: Incident| {
        let l = lang.get_untracked();
        let question = match i.kind {
            IncidentKind::Drill => l.hq().incidents_close_drill_ask,
            IncidentKind::Real => l.hq().incidents_close_real_ask,
        };
        let question = fill(question, &[("name", &i.name)]);
        if crate::dom::confirm(&question) {
            send(api::hq::close_incident(&i.id));
        }
    };
    let rows = move || {
        let l = lang.get();
        let v = list.get()?;
        if v.is_empty() {
            return Some(view! { <p class="muted">{l.hq().incidents_none_yet}</p> }.into_any());
        }
        Some(
            view! {
                <ul class="incidents">
                    {v.into_iter().map(|i| {
                        let start = when(i.started_at, l);
                        let state = match i.closed_at {
                            None => fill(l.hq().incidents_open_since, &[("start", &start)]),
                            Some(c) => fill(l.hq().incidents_ran_from_to, &[("start", &start), ("end", &when(c, l))]),
                        };
                        // Once deleted, how many (a count, no names); until then, how long they are kept.
                        let kept = match (i.purged_at, i.purged_items, i.personal_data_until) {
                            (Some(_), Some(n), _) => Some(l.plural(l.hq().incidents_records_deleted_n, n as f64)),
                            (None, _, Some(t)) => Some(fill(l.hq().incidents_records_kept_until, &[("time", &when(t, l))])),
                            _ => None,
                        };
                        let open = i.is_open();
                        let drill = i.kind == IncidentKind::Drill;
                        let label = fill(l.hq().incidents_close_named, &[("name", &i.name)]);
                        view! {
                            <li class="incident">
                                <span class=if drill { "drill-tag" } else { "real-tag" }>{kind_label(i.kind, l)}</span>" "
                                <strong>{i.name.clone()}</strong>" "<span class="muted">{state}</span>
                                {kept.map(|k| view! { " "<span class="muted">{k}</span> })}
                                // A drill's counts stay after it ended: HQ reviews them here.
                                {drill.then(|| {
                                    let id = i.id.clone();
                                    let label = fill(l.hq().incidents_counts_of_named, &[("name", &i.name)]);
                                    view! {
                                        <button type="button" class="btn btn-secondary" aria-label=label
                                            on:click=move |_| on_view.run(Some(id.clone()))>{l.hq().incidents_counts}</button>
                                    }
                                })}
                                {open.then(|| view! {
                                    <button type="button" class="btn btn-secondary" aria-label=label disabled=move || busy.get()
                                        on:click=move |_| close(i.clone())>{l.hq().incidents_close}</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        )
    };
    view! {
        <section class="panel" aria-labelledby="incidents-h">
            <h2 id="incidents-h">{th(lang, |h| h.common_disasters_drills)}</h2>
            <p class="hint">{th(lang, |h| h.incidents_during_drill_check_ins)}</p>
            {move || error.get().map(|e| crate::hq::banner(&e, lang.get()))}
            {rows}
            <p><button type="button" class="btn btn-secondary" on:click=move |_| on_view.run(Some("real".into()))>
                {th(lang, |h| h.incidents_real_counts_drills_left)}
            </button></p>
            // The app's own message (in the page's language, next to the field), not the browser's.
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="incident-name">{th(lang, |h| h.incidents_name)}</label>
                    <input id="incident-name" type="text" maxlength="80" required placeholder=move || lang.get().hq().incidents_e_g_city_wide
                        aria-invalid=move || local.with(Option::is_some).then_some("true")
                        aria-describedby=move || local.with(Option::is_some).then_some("incident-name-error")
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    {move || local.get().map(|m| view! { <p class="field-error" id="incident-name-error" role="alert">{m}</p> })}
                </div>
                <fieldset class="field">
                    <legend class="label">{th(lang, |h| h.incidents_kind)}</legend>
                    <label><input type="radio" name="incident-kind" prop:checked=move || kind.get() == IncidentKind::Drill
                        on:change=move |_| kind.set(IncidentKind::Drill)/>" "{th(lang, |h| h.incidents_drill)}</label>
                    <label><input type="radio" name="incident-kind" prop:checked=move || kind.get() == IncidentKind::Real
                        on:change=move |_| kind.set(IncidentKind::Real)/>" "{th(lang, |h| h.incidents_real_disaster)}</label>
                </fieldset>
                <button type="submit" class="btn" disabled=move || busy.get()>{th(lang, |h| h.incidents_start)}</button>
            </form>
        </section>
    }
}

/// Moves to the heading `id` (after choosing whose counts the summary shows).
pub fn scroll_to(id: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        el.scroll_into_view();
    }
}

//! Requests for help (助けが必要), for HQ to act on: each one taken up (対応中) and dealt with
//! (対応済み), which the person sees in their app; those dealt with kept apart below.

use super::banner;
use crate::api::{self, ApiError};
use crate::i18n::{fill, th, Lang};
use crate::use_lang;
use bosai_types::household::{Area, HelpRequest, HelpState};
use leptos::prelude::*;
use leptos::task::spawn_local;

fn state_of(r: &HelpRequest) -> HelpState {
    r.progress.map_or(HelpState::Open, |p| p.state)
}

/// Requests still to act on (not dealt with): the count HQ's totals show.
pub(crate) fn to_act_on(list: &[HelpRequest]) -> usize {
    list.iter().filter(|r| state_of(r) != HelpState::Resolved).count()
}

/// What HQ did, or why it could not.
#[derive(Clone)]
enum Outcome {
    /// The person reported again meanwhile: the request is gone.
    Gone,
    Failed(ApiError),
}

#[component]
pub(crate) fn HelpList(
    help: RwSignal<Option<Vec<HelpRequest>>>,
    areas: RwSignal<Vec<Area>>,
    /// The incident HQ is looking at (None: the current one), as the list was read.
    viewing: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let outcome = RwSignal::new(None::<Outcome>);
    let step = move |report_id: String, state: HelpState| {
        outcome.set(None);
        spawn_local(async move {
            let incident = viewing.get_untracked();
            match api::hq::set_help_state(&report_id, state, incident.as_deref()).send().await {
                Ok(r) => help.update(|h| {
                    if let Some(old) = h.iter_mut().flatten().find(|o| o.report_id == r.report_id) {
                        old.progress = r.progress;
                    }
                }),
                Err(e) if e.status() == Some(404) => {
                    help.update(|h| h.iter_mut().for_each(|h| h.retain(|o| o.report_id != report_id)));
                    outcome.set(Some(Outcome::Gone));
                }
                Err(e) => outcome.set(Some(Outcome::Failed(e))),
            }
        });
    };
    let card = move |r: &HelpRequest, l: Lang| {
        let h = l.hq();
        let born = r.birth_year.map(|y| fill(h.help_born_in, &[("year", &y.to_string())]));
        let state = state_of(r);
        let progress = match r.progress {
            Some(p) if p.state == HelpState::Resolved => fill(h.help_state_resolved, &[("time", &l.format_time(p.at))]),
            Some(p) => fill(h.help_state_in_progress, &[("time", &l.format_time(p.at))]),
            None => h.help_state_open.to_string(),
        };
        // The steps from here: take it up, deal with it, or undo (back to not taken up).
        let buttons: Vec<(HelpState, &'static str)> = match state {
            HelpState::Open => {
                vec![(HelpState::InProgress, h.help_mark_in_progress), (HelpState::Resolved, h.help_mark_resolved)]
            }
            HelpState::InProgress => {
                vec![(HelpState::Resolved, h.help_mark_resolved), (HelpState::Open, h.help_reopen)]
            }
            HelpState::Resolved => vec![(HelpState::Open, h.help_reopen)],
        };
        let name = r.member_name.clone();
        let id = r.report_id.clone();
        view! {
            <li class="card help-request" data-report=r.report_id.clone() data-state=state.code()>
                <h3><span lang="ja">{r.member_name.clone()}</span>{born}</h3>
                <dl class="facts">
                    <div><dt>{h.help_help_needed}</dt><dd lang="ja">{r.what.clone()}</dd></div>
                    <div><dt>{h.help_where}</dt><dd lang="ja">{r.location.clone()}</dd></div>
                    // Given by the person to be called back on: one tap on an HQ phone.
                    {r.phone.as_ref().map(|p| view! {
                        <div class="help-phone"><dt>{h.help_phone}</dt><dd><a href=format!("tel:{p}")>{p.clone()}</a></dd></div>
                    })}
                    // The area registered: where "自宅" is.
                    {r.area.as_ref().map(|a| {
                        let name = areas.with(|list| crate::resident::area_name(list, a.as_str(), l));
                        view! { <div class="help-area"><dt>{h.summary_area}</dt><dd>{name}</dd></div> }
                    })}
                    <div><dt>{h.help_reported}</dt><dd>{l.format_time(r.reported_at)}</dd></div>
                    {r.checked_in.as_ref().map(|c| {
                        let at = fill(h.help_checked_in_at, &[("shelter", &c.shelter_name), ("time", &l.format_time(c.since))]);
                        view! { <div class="checked-in"><dt>{h.help_checked_in}</dt><dd>{at}</dd></div> }
                    })}
                    <div class="help-state"><dt>{h.help_progress}</dt><dd>{progress}</dd></div>
                </dl>
                <div class="actions">
                    {buttons.into_iter().map(|(to, label)| {
                        let id = id.clone();
                        view! {
                            <button type="button" class="btn btn-secondary" on:click=move |_| step(id.clone(), to)>
                                {label}<span class="sr-only">": "{name.clone()}</span>
                            </button>
                        }
                    }).collect_view()}
                </div>
            </li>
        }
    };
    let body = move || {
        let l = lang.get();
        help.with(|h| match h {
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(h) => {
                let (done, open): (Vec<_>, Vec<_>) = h.iter().partition(|r| state_of(r) == HelpState::Resolved);
                view! {
                    {open.is_empty().then(|| view! { <p class="muted">{l.hq().help_no_open_requests_help}</p> })}
                    <ul class="help-list">{open.iter().map(|r| card(r, l)).collect_view()}</ul>
                    {(!done.is_empty()).then(|| view! {
                        <details class="help-done">
                            <summary>{fill(l.hq().help_handled, &[("n", &done.len().to_string())])}</summary>
                            <ul class="help-list">{done.iter().map(|r| card(r, l)).collect_view()}</ul>
                        </details>
                    })}
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="help-h">
            <h2 id="help-h">{th(lang, |h| h.help_open_requests_help)}</h2>
            <p class="hint">{th(lang, |h| h.help_people_reported_as_needing)}</p>
            <div role="status">
                {move || matches!(outcome.get(), Some(Outcome::Gone)).then(|| view! { <p class="banner">{th(lang, |h| h.help_gone)}</p> })}
            </div>
            {move || match outcome.get() {
                Some(Outcome::Failed(e)) => Some(banner(&e, lang.get())),
                _ => None,
            }}
            {body}
        </section>
    }
}

//! Open requests for help (助けが必要), for HQ to act on.

use crate::i18n::th;
use crate::use_lang;
use bosai_types::household::{Area, HelpRequest};
use leptos::prelude::*;

#[component]
pub(crate) fn HelpList(help: RwSignal<Option<Vec<HelpRequest>>>, areas: RwSignal<Vec<Area>>) -> impl IntoView {
    let lang = use_lang();
    let body = move || {
        let l = lang.get();
        help.with(|h| match h {
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(h) if h.is_empty() => view! { <p class="muted">{l.hq().help_no_open_requests_help}</p> }.into_any(),
            Some(h) => view! {
                <ul class="help-list">
                    {h.iter().map(|r| {
                        let born = r.birth_year.map(|y| crate::i18n::fill(l.hq().help_born_in, &[("year", &y.to_string())]));
                        view! {
                            <li class="card help-request" data-report=r.report_id.clone()>
                                <h3><span lang="ja">{r.member_name.clone()}</span>{born}</h3>
                                <dl class="facts">
                                    <div><dt>{l.hq().help_help_needed}</dt><dd lang="ja">{r.what.clone()}</dd></div>
                                    <div><dt>{l.hq().help_where}</dt><dd lang="ja">{r.location.clone()}</dd></div>
                                    // Given by the person to be called back on: one tap on an HQ phone.
                                    {r.phone.as_ref().map(|p| view! {
                                        <div class="help-phone"><dt>{l.hq().help_phone}</dt><dd><a href=format!("tel:{p}")>{p.clone()}</a></dd></div>
                                    })}
                                    // The area registered: where "自宅" is.
                                    {r.area.as_ref().map(|a| {
                                        let name = areas.with(|list| crate::resident::area_name(list, a.as_str(), l));
                                        view! { <div class="help-area"><dt>{l.hq().summary_area}</dt><dd>{name}</dd></div> }
                                    })}
                                    <div><dt>{l.hq().help_reported}</dt><dd>{l.format_time(r.reported_at)}</dd></div>
                                    {r.checked_in.as_ref().map(|c| {
                                        let at = crate::i18n::fill(l.hq().help_checked_in_at, &[("shelter", &c.shelter_name), ("time", &l.format_time(c.since))]);
                                        view! { <div class="checked-in"><dt>{l.hq().help_checked_in}</dt><dd>{at}</dd></div> }
                                    })}
                                </dl>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="help-h">
            <h2 id="help-h">{th(lang, |h| h.help_open_requests_help)}</h2>
            <p class="hint">{th(lang, |h| h.help_people_reported_as_needing)}</p>
            {body}
        </section>
    }
}

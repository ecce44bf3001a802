//! HQ's survey results (アンケートの結果): each survey of the municipality, open ones first, with
//! the current period's counts per question (today's for a daily one), and closing one. Free-text
//! answers are counted, never shown here: what a resident wrote stays theirs.

use super::*;
use crate::api::{self, ApiError};
use crate::i18n::{fill, th, Lang};
use crate::use_lang;
use bosai_types::surveys::{Period, Question, QuestionKind, Survey, SurveyState, SurveyTotals};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub(crate) fn SurveyResults(areas: RwSignal<Vec<bosai_types::household::Area>>) -> impl IntoView {
    let lang = use_lang();
    // Each survey with its totals once read (None while reading, or if they could not be).
    let list = RwSignal::new(None::<Vec<(Survey, Option<SurveyTotals>)>>);
    let error = RwSignal::new(None::<ApiError>);
    let load = move || {
        spawn_local(async move {
            let now = crate::dom::now();
            match api::hq::surveys().send().await {
                Ok(mut v) => {
                    v.sort_by_key(|s| (s.state(now) != SurveyState::Open, std::cmp::Reverse(s.created_at)));
                    // Few surveys: one request each for the counts.
                    let mut out = Vec::with_capacity(v.len());
                    for s in v {
                        let t = api::hq::survey_totals(&s.id).send().await.ok();
                        out.push((s, t));
                    }
                    error.set(None);
                    list.set(Some(out));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let close = move |s: Survey| {
        let l = lang.get_untracked();
        let question = fill(l.hq().surveys_close_ask, &[("title", s.title.get(l.code()))]);
        if crate::dom::confirm(&question) {
            spawn_local(async move {
                match api::hq::close_survey(&s.id).done().await {
                    Ok(_) => load(),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let body = move || {
        let l = lang.get();
        let now = crate::dom::now();
        list.with(|v| match v {
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(v) if v.is_empty() => view! { <p class="muted">{l.hq().surveys_none}</p> }.into_any(),
            Some(v) => v
                .iter()
                .map(|(s, t)| {
                    let state = s.state(now);
                    let day = match t.as_ref().map(|t| t.period) {
                        Some(Period::Day(d)) => Some(fill(l.hq().surveys_answers_on, &[("date", &d.to_string())])),
                        _ => None,
                    };
                    let respondents = t.as_ref().map(|t| fill(l.hq().surveys_respondents, &[("n", &t.respondents.to_string())]));
                    let questions = t.as_ref().map(|t| {
                        s.questions.iter().map(|q| question_result(q, t, l)).collect_view()
                    });
                    let to_close = s.clone();
                    view! {
                        <article class="card survey-result" data-survey=s.id.as_str().to_owned()>
                            <h3>{s.title.get(l.code()).to_owned()}</h3>
                            // Each part moves to the next line whole (not 「1 / 人が回答」).
                            <p class="muted survey-meta">
                                <span>{state_label(state, l)}</span>
                                {day.map(|d| view! { " ・ "<span>{d}</span> })}
                                {respondents.map(|r| view! { " ・ "<span>{r}</span> })}
                            </p>
                            {questions}
                            {(state == SurveyState::Open).then(|| view! {
                                <button type="button" class="btn btn-secondary" on:click=move |_| close(to_close.clone())>
                                    {fill(l.hq().surveys_close_named, &[("title", s.title.get(l.code()))])}
                                </button>
                            })}
                        </article>
                    }
                })
                .collect_view()
                .into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="surveys-h">
            <h2 id="surveys-h">{th(lang, |h| h.surveys_heading)}</h2>
            <SurveyStart areas started=Callback::new(move |()| load())/>
            <h3>{th(lang, |h| h.surveys_results_heading)}</h3>
            <p class="hint">{th(lang, |h| h.surveys_hint)}</p>
            {move || error.get().map(|e| banner(&e, lang.get()))}
            {body}
        </section>
    }
}

fn state_label(state: SurveyState, l: Lang) -> &'static str {
    match state {
        SurveyState::Scheduled => l.hq().surveys_scheduled,
        SurveyState::Open => l.hq().surveys_open,
        SurveyState::Closed => l.hq().surveys_closed,
    }
}

/// One question's counts: each option with its share of who answered the survey; a number's
/// total and average; how many wrote a free text.
fn question_result(q: &Question, t: &SurveyTotals, l: Lang) -> impl IntoView {
    let code = l.code();
    let counts = t.questions.iter().find(|c| c.question == q.id);
    let answered = counts.map_or(0, |c| c.answered);
    let share = |n: i64| {
        let pct = if t.respondents > 0 { (n * 100 + t.respondents / 2) / t.respondents } else { 0 };
        fill(l.hq().surveys_count_share, &[("n", &n.to_string()), ("pct", &pct.to_string())])
    };
    let count_of =
        |id: &str| counts.and_then(|c| c.options.iter().find(|o| o.option.as_str() == id)).map_or(0, |o| o.count);
    let detail = match &q.kind {
        QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options, .. } => {
            let other = counts.and_then(|c| c.other).map(|n| {
                view! { <div class="other"><dt>{l.hq().surveys_other}</dt><dd>{share(n)}</dd></div> }
            });
            // A list of terms, not a table: at 200 % text each count goes under its words.
            view! {
                <h4>{q.text.get(code).to_owned()}</h4>
                <dl class="facts survey-counts">
                    {options.iter().map(|o| view! {
                        <div data-option=o.id.as_str().to_owned()>
                            <dt>{o.label.get(code).to_owned()}</dt>
                            <dd>{share(count_of(o.id.as_str()))}</dd>
                        </div>
                    }).collect_view()}
                    {other}
                </dl>
            }
            .into_any()
        }
        QuestionKind::Number { unit, .. } => {
            let sum = counts.and_then(|c| c.sum).unwrap_or(0);
            let unit = unit.as_ref().map(|u| u.get(code).to_owned()).unwrap_or_default();
            let avg = if answered > 0 { format!("{:.1}", sum as f64 / answered as f64) } else { "—".into() };
            let line = fill(l.hq().surveys_sum, &[("sum", &sum.to_string()), ("avg", &avg), ("unit", &unit)]);
            view! { <h4>{q.text.get(code).to_owned()}</h4><p class="survey-sum">{line}</p> }.into_any()
        }
        QuestionKind::FreeText => {
            let line = fill(l.hq().surveys_free_text, &[("n", &answered.to_string())]);
            view! { <h4>{q.text.get(code).to_owned()}</h4><p class="muted">{line}</p> }.into_any()
        }
    };
    view! {
        <div class="survey-question" data-question=q.id.as_str().to_owned()>{detail}</div>
    }
}

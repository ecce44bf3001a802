//! The resident's side of needs surveys (ニーズ調査): the open surveys, and one survey's page. Answers go through the outbox like every other write, so they work offline; the last `GET /api/surveys` is cached (see `state`) so both pages show offline too.

use super::*;
use crate::api::{self};
use crate::dom;
use crate::i18n::{tx, Lang};
use crate::outbox::Op;
use crate::resident;
use crate::resident::{signed_out, FetchState, ResidentNav};
use crate::session;
use crate::use_lang;
use bosai_types::surveys::{MyAnswer, OpenSurvey, Recurrence, SurveyAnswer, SurveyId};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// The newest queued (not yet sent) answer to this survey. Tracked.
pub(crate) fn pending_answer(id: &SurveyId) -> Option<SurveyAnswer> {
    resident::state().pending.with(|p| {
        p.iter().rev().find_map(|q| match &q.op {
            Op::SurveyAnswer { survey_id, answer } if survey_id == id => serde_json::from_str(&answer.0).ok(),
            _ => None,
        })
    })
}

/// The resident's answer for the period open now (a cached daily answer from yesterday is not).
pub(crate) fn current(os: &OpenSurvey) -> Option<&MyAnswer> {
    os.my_answer.as_ref().filter(|a| a.period == os.survey.schedule().period(dom::now()))
}

/// Each sync refreshes the open surveys from now on; the last copy shows meanwhile (offline too).
fn want_surveys() {
    let s = resident::state();
    if s.surveys.with_untracked(Option::is_none) && crate::session::load().is_some() {
        s.surveys.set(api::load_saved(resident::SURVEYS_KEY));
    }
    resident::want_surveys(|text| api::decode(text).ok());
}

pub(crate) fn find_survey(id: &str) -> Option<OpenSurvey> {
    resident::state().surveys.with_untracked(|v| v.as_ref()?.data.iter().find(|o| o.survey.id.as_str() == id).cloned())
}

// ---- the list ---------------------------------------------------------------

#[component]
pub fn Surveys() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, |t| t.surveys_title);
    }
    let s = resident::state();
    want_surveys();
    resident::sync();
    let list = move || {
        let l = lang.get();
        s.surveys.with(|v| match v {
            // No copy and no connection: `FetchState` says so.
            None if s.error.with(Option::is_some) => ().into_any(),
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(v) if v.data.is_empty() => view! { <p>{l.tr().surveys_none}</p> }.into_any(),
            Some(v) => view! {
                <ul class="surveys">{v.data.iter().map(|os| survey_card(os, l)).collect_view()}</ul>
            }
            .into_any(),
        })
    };
    view! {
        <h1>{tx(lang, |t| t.surveys_title)}</h1>
        <ResidentNav/>
        <p class="lead">{tx(lang, |t| t.surveys_lead)}</p>
        <FetchState surveys=true/>
        {list}
    }
    .into_any()
}

pub(crate) fn survey_card(os: &OpenSurvey, l: Lang) -> impl IntoView {
    let t = l.tr();
    let sv = &os.survey;
    let pending = pending_answer(&sv.id).is_some();
    let answered = pending || current(os).is_some();
    // HQ may close early: the earlier of the planned and the actual close.
    let closes = match (sv.closes_at, sv.closed_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let closes = closes.map_or_else(|| t.survey_no_close.to_string(), |c| l.format_time(c));
    let title = sv.title.get(l.code()).to_string();
    view! {
        <li class="card survey" data-survey=sv.id.to_string() data-answered=answered.to_string()>
            <h2>{hq_text(&sv.title, l)}{sv.drill.is_some().then(|| crate::incidents::drill_tag(l))}</h2>
            <p class="meta">
                <span class="answer-state">{if answered { t.survey_answered } else { t.survey_unanswered }}</span>
                {(sv.recurrence == Recurrence::Daily).then(|| view! { " · "{t.survey_daily} })}
            </p>
            {pending.then(|| view! { <p class="pending">{t.pending_badge}</p> })}
            <p class="closes">{t.survey_closes}": "{closes}</p>
            <A href=format!("/surveys/{}", sv.id) attr:class="btn btn-secondary">
                {if answered { t.survey_amend } else { t.survey_answer }}<span class="sr-only">": "{title}</span>
            </A>
        </li>
    }
}

// ---- one survey ---------------------------------------------------------------

#[component]
pub fn SurveyPage() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, |t| t.surveys_title);
    }
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let s = resident::state();
    want_surveys();
    resident::sync();
    // The queue too: a queued answer is what the form starts from. No copy and no connection:
    // said so (below), not "loading" for ever.
    let loaded = Memo::new(move |_| {
        s.pending_loaded.get() && (s.surveys.with(Option::is_some) || s.error.with(Option::is_some))
    });
    let exists = Memo::new(move |_| {
        let id = id.get();
        s.surveys.with(|v| v.as_ref().is_some_and(|v| v.data.iter().any(|o| o.survey.id.as_str() == id)))
    });
    // Rebuilt only when the survey changes, not on every refresh: edits in progress stay.
    (move || {
        let id = id.get();
        if !loaded.get() {
            return view! { <p class="muted">{tx(lang, |t| t.loading)}</p> }.into_any();
        }
        let Some(os) = exists.get().then(|| untrack(|| find_survey(&id))).flatten() else {
            let known = s.surveys.with_untracked(Option::is_some);
            return view! {
                <h1>{tx(lang, |t| t.surveys_title)}</h1>
                <ResidentNav/>
                <FetchState surveys=true/>
                {known.then(|| view! { <p class="banner" role="alert">{tx(lang, |t| t.survey_missing)}</p> })}
                <p><A href="/surveys" attr:class="btn">{tx(lang, |t| t.nav_surveys)}</A></p>
            }
            .into_any();
        };
        let title = os.survey.title.clone();
        let drill = os.survey.drill.is_some();
        view! {
            <h1>{move || hq_text(&title, lang.get())}{move || drill.then(|| crate::incidents::drill_tag(lang.get()))}</h1>
            <ResidentNav/>
            <FetchState surveys=true/>
            <SurveyForm os/>
        }
        .into_any()
    })
    .into_any()
}

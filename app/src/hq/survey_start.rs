//! Starting a survey from a template (アンケートを始める): the needs survey or the daily health
//! check, asked of everyone, of those at the municipality's shelters, or of chosen areas. A town
//! onboarded later starts its own this way; before, it took a hand-written `POST /api/hq/surveys`.

use super::*;
use crate::api::{self, ApiError};
use crate::i18n::{fill, th, HqTr, Lang};
use crate::use_lang;
use bosai_types::household::Area;
use bosai_types::surveys::{AreaCode, JstDate, NewSurvey, SurveyId, SurveyScope, SurveyTemplate};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A new id for one form's survey, kept through retries so a resend is the same survey.
fn new_survey_id(t: SurveyTemplate) -> SurveyId {
    let date = JstDate::of(crate::dom::now()).to_string();
    let random = new_notice_id().as_str()[..8].to_owned();
    SurveyId::parse(&format!("{}-{date}-{random}", t.key())).expect("letters, digits and '-'")
}

fn template_label(t: SurveyTemplate) -> fn(&HqTr) -> &'static str {
    match t {
        SurveyTemplate::Needs => |h| h.surveys_template_needs,
        SurveyTemplate::HealthCheck => |h| h.surveys_template_health,
    }
}

fn who_text(scope: &SurveyScope, areas: &[Area], l: Lang) -> String {
    match scope {
        SurveyScope::All => in_words(Reach::All, &[], areas, l),
        SurveyScope::Evacuees | SurveyScope::Shelters { .. } => in_words(Reach::Evacuees, &[], areas, l),
        SurveyScope::Areas { areas: codes } => in_words(Reach::Areas, codes, areas, l),
    }
}

/// The form; `started` runs once the server has the survey (the results list reads it again).
#[component]
pub(crate) fn SurveyStart(areas: RwSignal<Vec<Area>>, started: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let template = RwSignal::new(SurveyTemplate::Needs);
    let id = RwSignal::new(None::<SurveyId>);
    let reach = RwSignal::new(Reach::All);
    let chosen = RwSignal::new(Vec::<AreaCode>::new());
    let refusal = RwSignal::new(None::<&'static str>);
    let failed = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let scope = match reach.get_untracked() {
            Reach::All => SurveyScope::All,
            Reach::Evacuees => SurveyScope::Evacuees,
            Reach::Areas => SurveyScope::Areas { areas: picked(areas, chosen) },
        };
        if matches!(&scope, SurveyScope::Areas { areas } if areas.is_empty()) {
            refusal.set(Some(l.hq().surveys_pick_area));
            focus("s-target-areas");
            return;
        }
        refusal.set(None);
        let t = template.get_untracked();
        let survey_id = id.get_untracked().unwrap_or_else(|| new_survey_id(t));
        id.set(Some(survey_id.clone()));
        let survey: NewSurvey = t.survey(survey_id, scope, None);
        let title = survey.title.get(l.code()).to_owned();
        let who = areas.with_untracked(|a| who_text(&survey.scope, a, l));
        if !crate::dom::confirm(&fill(l.hq().surveys_start_ask, &[("title", &title), ("who", &who)])) {
            return;
        }
        sending.set(true);
        failed.set(None);
        done.set(None);
        spawn_local(async move {
            match api::hq::create_survey(&survey).done().await {
                Ok(_) => {
                    id.set(None);
                    done.set(Some(title));
                    started.run(());
                    focus("survey-started");
                }
                // The id went out before with another choice (sent, an answer lost, then changed):
                // what was confirmed now is a new survey, after asking again.
                Err(e) if e.code() == Some("survey_id_taken") => {
                    id.set(None);
                    failed.set(Some(e));
                }
                Err(e) => failed.set(Some(e)),
            }
            sending.set(false);
        });
    };
    // Another template or audience after a failure: a new survey, not a resend of the old one.
    let changed = move || id.set(None);
    let template_radio = move |t: SurveyTemplate| {
        view! {
            <label class="check">
                <input type="radio" name="s-template" value=t.key() prop:checked=move || template.get() == t
                    on:change=move |_| { template.set(t); changed(); }/>
                <span>{th(lang, template_label(t))}</span>
            </label>
        }
    };
    Effect::new(move |_| {
        reach.track();
        chosen.track();
        changed();
    });
    view! {
        <form class="survey-start" on:submit=start novalidate>
            <h3 id="survey-start-h">{th(lang, |h| h.surveys_start_heading)}</h3>
            <p class="hint">{th(lang, |h| h.surveys_start_hint)}</p>
            <fieldset>
                <legend>{th(lang, |h| h.surveys_start_which)}</legend>
                <div class="checks radios">
                    {SurveyTemplate::ALL.map(template_radio).collect_view()}
                </div>
            </fieldset>
            <fieldset>
                <legend>{th(lang, |h| h.surveys_start_who)}</legend>
                <WhoPicker form="s" areas reach chosen areas_label=|h| h.surveys_start_areas/>
                {move || refusal.get().map(|t| view! { <p class="field-error" role="alert">{t}</p> })}
            </fieldset>
            {move || failed.get().map(|e| {
                let l = lang.get();
                let text = if e.code() == Some("survey_id_taken") { l.hq().surveys_start_again.to_string() } else { error_text(&e, l) };
                view! { <p class="banner" role="alert">{text}</p> }
            })}
            // Always there, so a screen reader announces what appears in it.
            <p class="done" id="survey-started" role="status" tabindex="-1">
                {move || done.get().map(|title| fill(lang.get().hq().surveys_started, &[("title", &title)]))}
            </p>
            <button type="submit" class="btn" disabled=move || sending.get()>
                {move || if sending.get() { lang.get().hq().compose_sending } else { lang.get().hq().surveys_start }}
            </button>
        </form>
    }
}

//! One survey's form: each question as its kind asks (choices, number, text), checked before it is sent.

use super::*;
use crate::api::ApiError;
use crate::dom;
use crate::i18n::{fill, Lang};
use crate::outbox::{Op, RawJson};
use crate::resident;
use crate::use_lang;
use bosai_types::surveys::{
    validate_answer, AnswerError, AnswerValue, OpenSurvey, OptionId, Question, QuestionKind, SurveyAnswer,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;

/// One question's inputs as typed (a number stays text until it is checked).
#[derive(Clone, Default)]
pub(crate) struct Entry {
    one: Option<OptionId>,
    many: Vec<OptionId>,
    other: String,
    text: String,
}

pub(crate) fn entry_of(v: Option<&AnswerValue>) -> Entry {
    let mut e = Entry::default();
    match v {
        Some(AnswerValue::SingleChoice { option }) => e.one = Some(option.clone()),
        Some(AnswerValue::MultipleChoice { options, other }) => {
            e.many = options.clone();
            e.other = other.clone().unwrap_or_default();
        }
        Some(AnswerValue::Number { value }) => e.text = value.to_string(),
        Some(AnswerValue::FreeText { text }) => e.text = text.clone(),
        None => {}
    }
    e
}

/// Blank inputs become "not answered" here or in `validate_answer`; a number that is not a
/// whole number gets the shared out-of-range message.
pub(crate) fn value_of(q: &Question, e: &Entry) -> Result<Option<AnswerValue>, AnswerError> {
    Ok(match &q.kind {
        QuestionKind::SingleChoice { .. } => e.one.clone().map(|option| AnswerValue::SingleChoice { option }),
        QuestionKind::MultipleChoice { .. } => {
            Some(AnswerValue::MultipleChoice { options: e.many.clone(), other: Some(e.other.clone()) })
        }
        QuestionKind::Number { min, max, .. } => match e.text.trim() {
            "" => None,
            t => Some(AnswerValue::Number {
                value: t.parse().map_err(|_| AnswerError::OutOfRange {
                    question: q.id.clone(),
                    text: Box::new(q.text.clone()),
                    min: *min,
                    max: *max,
                })?,
            }),
        },
        QuestionKind::FreeText => Some(AnswerValue::FreeText { text: e.text.clone() }),
    })
}

#[component]
pub(crate) fn SurveyForm(os: OpenSurvey) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let sid = StoredValue::new(os.survey.id.clone());
    // A queued answer is newer than the server's.
    let initial = untrack(|| pending_answer(&os.survey.id))
        .map(|a| a.answers)
        .or_else(|| current(&os).map(|a| a.answers.clone()));
    // Answered this period (sent or queued): sending again replaces it, and the button says so.
    let answered = RwSignal::new(initial.is_some());
    let initial = initial.unwrap_or_default();
    let entries: Vec<RwSignal<Entry>> =
        os.survey.questions.iter().map(|q| RwSignal::new(entry_of(initial.get(&q.id)))).collect();
    let entries = StoredValue::new(entries);
    let survey = StoredValue::new(os.survey);
    let error = RwSignal::new(None::<AnswerError>);
    let failed = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);

    let build = move || -> Result<SurveyAnswer, AnswerError> {
        survey.with_value(|sv| {
            sv.schedule().accepts_answers(dom::now())?;
            let mut answers = BTreeMap::new();
            for (q, e) in sv.questions.iter().zip(entries.get_value()) {
                if let Some(v) = e.with_untracked(|e| value_of(q, e))? {
                    answers.insert(q.id.clone(), v);
                }
            }
            validate_answer(&sv.questions, &SurveyAnswer { answers })
        })
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        failed.set(None);
        let answer = match build() {
            Ok(a) => a,
            Err(e) => {
                // Take the resident to the question concerned.
                if let Some(q) = e.question() {
                    let sel = format!("#q-{q} input, #q-{q} textarea");
                    request_animation_frame(move || {
                        if let Some(el) = document().query_selector(&sel).ok().flatten() {
                            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                        }
                    });
                }
                error.set(Some(e));
                return;
            }
        };
        error.set(None);
        let survey_id = sid.get_value();
        spawn_local(async move {
            match resident::submit(Op::SurveyAnswer { survey_id, answer: RawJson::of(&answer) }).await {
                Ok(()) => {
                    done.set(true);
                    answered.set(true);
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };

    let state = move || {
        let l = lang.get();
        let id = sid.get_value();
        if pending_answer(&id).is_some() {
            return Some(view! { <p class="pending">{l.tr().pending_badge}</p> }.into_any());
        }
        let at = resident::state().surveys.with(|v| {
            v.as_ref()?.data.iter().find(|o| o.survey.id == id).and_then(|o| current(o).map(|a| a.updated_at))
        })?;
        Some(
            view! { <p class="updated answer-state">{l.tr().survey_answered}" ("{l.format_time(at)}")"</p> }.into_any(),
        )
    };
    // Re-rendered per language; the answers live in `entries`, so nothing typed is lost.
    let questions = move || {
        let l = lang.get();
        survey.with_value(|sv| {
            sv.questions.iter().zip(entries.get_value()).map(|(q, e)| question_view(q, e, error, l)).collect_view()
        })
    };

    view! {
        {state}
        // Answers are read later, not acted on at once: who needs help now is sent where HQ acts.
        <p class="hint survey-urgent">
            {crate::i18n::tx(lang, |t| t.survey_not_for_help)}" "
            <a href="/safety">{crate::i18n::tx(lang, |t| t.family_safety_title)}</a>
        </p>
        <form class="form survey-form" on:submit=submit novalidate>
            {questions}
            {move || error.with(|e| e.as_ref().map(|e| answer_message(e, lang.get()))).map(|m| view! {
                <div class="field-error error-summary" role="alert">
                    <p>{t().survey_check}</p>
                    <p>{m}</p>
                </div>
            })}
            {failure(lang, failed)}
            <p class="done" role="status">{submitted_status(lang, done, |t| t.saved_notice)}</p>
            // Sending again replaces the answer: say so once there is one.
            <button type="submit" class="btn btn-wide">
                {move || crate::i18n::furigana(if answered.get() { t().survey_amend } else { t().survey_send })}
            </button>
        </form>
    }
}

/// A refused answer in the reader's language: the catalog's words for its code, the question
/// named in the reader's language.
fn answer_message(e: &AnswerError, l: Lang) -> String {
    let t = l.tr();
    let text = t.error(e.code()).or_else(|| t.problem(e.code())).unwrap_or(t.problem_other);
    let params = e.params(l.code());
    let mut values: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    values.push(("code", e.code()));
    fill(text, &values)
}

pub(crate) fn question_view(
    q: &Question,
    e: RwSignal<Entry>,
    error: RwSignal<Option<AnswerError>>,
    l: Lang,
) -> AnyView {
    let tr = l.tr();
    let base = format!("q-{}", q.id);
    let err_id = format!("{base}-err");
    let qid = q.id.clone();
    let message =
        move || error.with(|x| x.as_ref().filter(|x| x.question() == Some(&qid)).map(|x| answer_message(x, l)));
    let has_err = {
        let m = message.clone();
        move || m().is_some()
    };
    let described = {
        let (h, id) = (has_err.clone(), err_id.clone());
        move || h().then(|| id.clone())
    };
    let err_view = {
        let id = err_id.clone();
        move || message().map(|m| view! { <p class="field-error" id=id.clone()>{m}</p> })
    };
    let title = hq_text(&q.text, l);
    let req = q.required.then(|| view! { <span class="req">{tr.required_mark}</span> });
    // `None`: the way back to no answer an optional single choice gets (a chosen radio cannot be
    // unchecked). One view for every option.
    let choice = move |input: &'static str, name: String, o: Option<OptionId>, (tag, label): (&'static str, String)| {
        let value = o.as_ref().map(ToString::to_string).unwrap_or_default();
        let (o1, o2) = (o.clone(), o);
        view! {
            <label class="check">
                <input type=input name=name value=value
                    prop:checked=move || e.with(|e| match &o1 {
                        Some(o) => e.one.as_ref() == Some(o) || e.many.contains(o),
                        None => e.one.is_none(),
                    })
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let o = o2.clone();
                        e.update(|e| {
                            if input == "radio" {
                                e.one = o;
                            } else if let Some(o) = o {
                                e.many.retain(|x| *x != o);
                                if on {
                                    e.many.push(o);
                                }
                            }
                        });
                    }/>
                <span lang=tag>{label}</span>
            </label>
        }
    };
    match &q.kind {
        QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options, .. } => {
            let single = matches!(q.kind, QuestionKind::SingleChoice { .. });
            let other = match &q.kind {
                QuestionKind::MultipleChoice { allow_other: true, .. } => {
                    let oid = format!("{base}-other");
                    Some(view! {
                        <p class="field other">
                            <label for=oid.clone()>{tr.other_label}</label>
                            <input id=oid type="text" maxlength="200" prop:value=move || e.with(|e| e.other.clone())
                                on:input=move |ev| e.update(|e| e.other = event_target_value(&ev))/>
                        </p>
                    })
                }
                _ => None,
            };
            let input = if single { "radio" } else { "checkbox" };
            let none = (single && !q.required).then(|| (None, (l.html_lang(), tr.choice_none.to_string())));
            let inputs = options
                .iter()
                .map(|o| (Some(o.id.clone()), written(&o.label, l)))
                .chain(none)
                .map(|(o, label)| choice(input, base.clone(), o, label))
                .collect_view();
            view! {
                <fieldset class="question" id=base.clone() aria-describedby=described>
                    <legend>{title}" "{req}</legend>
                    <div class=if single { "checks radios" } else { "checks" }>{inputs}</div>
                    {other}
                    {err_view}
                </fieldset>
            }
            .into_any()
        }
        QuestionKind::Number { min, max, unit } => {
            let input_id = format!("{base}-input");
            let hint_id = format!("{base}-hint");
            let unit = unit.as_ref().map(|u| u.get(l.code()).to_string());
            let hint =
                format!("{}{}", l.range(*min, *max), unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default());
            let described = {
                let (h, hint_id, err_id) = (has_err.clone(), hint_id.clone(), err_id.clone());
                move || if h() { format!("{hint_id} {err_id}") } else { hint_id.clone() }
            };
            view! {
                <div class="field question" id=base.clone()>
                    <label for=input_id.clone()>{title}" "{req}</label>
                    <span class="number">
                        <input id=input_id type="number" inputmode="numeric" step="1" min=min.to_string() max=max.to_string()
                            aria-describedby=described aria-invalid=move || has_err().then_some("true")
                            prop:value=move || e.with(|e| e.text.clone())
                            on:input=move |ev| e.update(|e| e.text = event_target_value(&ev))/>
                        {unit.map(|u| view! { <span class="unit" aria-hidden="true">{u}</span> })}
                    </span>
                    <span class="hint" id=hint_id>{hint}</span>
                    {err_view}
                </div>
            }
            .into_any()
        }
        QuestionKind::FreeText => {
            let input_id = format!("{base}-input");
            view! {
                <div class="field question" id=base.clone()>
                    <label for=input_id.clone()>{title}" "{req}</label>
                    <textarea id=input_id rows="3" maxlength="500"
                        aria-describedby=described aria-invalid=move || has_err().then_some("true")
                        prop:value=move || e.with(|e| e.text.clone())
                        on:input=move |ev| e.update(|e| e.text = event_target_value(&ev))></textarea>
                    {err_view}
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_types::localized::Localized;

    #[test]
    fn a_refused_answer_names_the_question_in_the_readers_language() {
        let path = format!("{}/i18n/resident/vi.json", env!("CARGO_MANIFEST_DIR"));
        crate::i18n::install_for_test(Lang::Vi, &std::fs::read_to_string(path).unwrap());
        let mut text = Localized::new("今、必要なもの", "What do you need now?");
        *text.slot_mut("vi").unwrap() = "Bạn cần gì bây giờ?".into();
        let q = bosai_types::surveys::QuestionId::parse("needs").unwrap();
        let e = AnswerError::OutOfRange { question: q, text: Box::new(text), min: 0, max: 20 };
        assert_eq!(answer_message(&e, Lang::Vi), "Với “Bạn cần gì bây giờ?”, hãy nhập số nguyên từ 0 đến 20.");
        assert_eq!(answer_message(&e, Lang::Ja), "「今、必要なもの」は0〜20の整数で入力してください。");
        assert!(
            answer_message(&AnswerError::Closed, Lang::Vi).contains("đã kết thúc"),
            "the problem's words when no rule's"
        );
    }
}

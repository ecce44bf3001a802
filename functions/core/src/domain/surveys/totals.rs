//! What HQ reads: the totals of a period, from the counters (or recounted from the answers).

use super::*;

pub(super) fn compose(survey: &Survey, period: Period, c: &Counters) -> SurveyTotals {
    let get = |q: &str, name: &str| c.get(q).and_then(|m| m.get(name)).copied().unwrap_or(0);
    let questions = survey
        .questions
        .iter()
        .map(|q| {
            let id = q.id.as_str();
            let count_options = |options: &[bosai_types::surveys::ChoiceOption]| {
                options
                    .iter()
                    .map(|o| OptionCount { option: o.id.clone(), count: get(id, &option_counter(&o.id)) })
                    .collect()
            };
            let (options, other, sum) = match &q.kind {
                QuestionKind::SingleChoice { options } => (count_options(options), None, None),
                QuestionKind::MultipleChoice { options, allow_other } => {
                    (count_options(options), allow_other.then(|| get(id, "other")), None)
                }
                QuestionKind::Number { .. } => (Vec::new(), None, Some(get(id, "sum"))),
                QuestionKind::FreeText => (Vec::new(), None, None),
            };
            QuestionTotals { question: q.id.clone(), answered: get(id, "answered"), options, other, sum }
        })
        .collect();
    SurveyTotals { survey_id: survey.id.clone(), period, respondents: get(RESPONDENTS, "respondents"), questions }
}

pub(super) async fn query_all(store: &dyn Store, pk: String, prefix: String) -> Result<Vec<Item>, ApiError> {
    // DynamoDB refuses an empty prefix.
    let q = if prefix.is_empty() { Query::partition(pk) } else { Query::partition(pk).begins_with(prefix) };
    crate::domain::query_all(store, q).await
}

pub(super) fn resolve_period(survey: &Survey, period: Option<Period>, now: Timestamp) -> Result<Period, ApiError> {
    let period = period.unwrap_or_else(|| survey.period(now));
    if !period.fits(survey.recurrence) {
        return Err(ApiError::invalid(
            "invalid_period",
            "集計期間は、1回限りの調査では \"once\"、毎日の調査では日付（YYYY-MM-DD）を指定してください。",
        ));
    }
    Ok(period)
}

/// HQ: per-question counts for one period (the current one by default), from the counters.
pub async fn totals(
    store: &dyn Store,
    who: &Principal,
    m: &MunicipalityCode,
    id: &SurveyId,
    period: Option<Period>,
    now: Timestamp,
) -> Result<SurveyTotals, ApiError> {
    if !may_run_surveys(who, m) {
        return Err(ApiError::Forbidden);
    }
    let survey = get(store, m, id).await?;
    let period = resolve_period(&survey, period, now)?;
    let prefix = format!("TOTAL#{period}#");
    let mut c = Counters::new();
    for it in query_all(store, keys::survey_partition(id.as_str()), prefix.clone()).await? {
        let Some(question) = it.str(attr::SK).and_then(|sk| sk.strip_prefix(&prefix)) else { continue };
        // Besides the string keys, a totals item holds only the counters.
        let counters = it.iter().filter_map(|(name, v)| Some((name.clone(), v.as_i64()?)));
        c.entry(question.to_owned()).or_default().extend(counters);
    }
    Ok(compose(&survey, period, &c))
}

/// The same totals recounted from the stored answers (checks and repairs the counters).
pub async fn recount(store: &dyn Store, survey: &Survey, period: Period) -> Result<SurveyTotals, ApiError> {
    let mut c = Counters::new();
    for it in query_all(store, keys::survey_partition(survey.id.as_str()), format!("ANSWER#{period}#")).await? {
        let a = answer_from_item(&it).ok_or_else(|| unreadable("survey answer"))?;
        add_counters(&mut c, &tally(&a.answer.answers));
    }
    Ok(compose(survey, period, &c))
}

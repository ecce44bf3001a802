//! A resident's answers: one per period, with the per-question counters moved in its transaction.

use super::*;

pub(super) struct StoredAnswer {
    pub(super) answer: MyAnswer,
    version: i64,
}

/// The resident's answers, every survey and period (for "export my data").
pub async fn answers_of(store: &dyn Store, sub: &str) -> Result<Vec<MyAnswer>, ApiError> {
    let items = crate::domain::query_all(store, Query::gsi1(keys::answers_of(sub))).await?;
    Ok(items.iter().filter_map(answer_from_item).map(|a| a.answer).collect())
}

pub(super) fn answer_from_item(i: &Item) -> Option<StoredAnswer> {
    Some(StoredAnswer {
        answer: MyAnswer {
            survey_id: SurveyId::parse(i.str("survey_id")?).ok()?,
            period: Period::parse(i.str("period")?)?,
            answers: serde_json::from_str(i.str("answers")?).ok()?,
            answered_at: Timestamp(i.i64("answered_at")?),
            updated_at: Timestamp(i.i64("updated_at")?),
            received_at: i.i64("received_at").map(Timestamp),
        },
        version: i.i64("version")?,
    })
}

pub(super) fn answer_item(sub: &str, a: &MyAnswer, version: i64) -> Item {
    let (survey, period) = (a.survey_id.as_str(), a.period.to_string());
    let it = item(&keys::survey_answer(survey, &period, sub))
        .with(attr::GSI1_PK, Value::s(keys::answers_of(sub)))
        .with(attr::GSI1_SK, Value::s(format!("{survey}#{period}")))
        .with("survey_id", Value::s(survey))
        .with("period", Value::s(period))
        .with("answers", Value::s(serde_json::to_string(&a.answers).expect("answers serialise")))
        .with("answered_at", Value::n(a.answered_at.millis()))
        .with("updated_at", Value::n(a.updated_at.millis()))
        .with("version", Value::n(version));
    match a.received_at {
        Some(r) => it.with("received_at", Value::n(r.millis())),
        None => it,
    }
}

pub(super) async fn my_answer(
    store: &dyn Store,
    survey: &SurveyId,
    period: Period,
    sub: &str,
) -> Result<Option<StoredAnswer>, ApiError> {
    match store.get(&keys::survey_answer(survey.as_str(), &period.to_string(), sub)).await? {
        None => Ok(None),
        Some(i) => answer_from_item(&i).map(Some).ok_or_else(|| unreadable("survey answer")),
    }
}

/// Totals item of the respondent count; question ids cannot contain '*'.
pub(super) const RESPONDENTS: &str = "*";

/// Counter name → value, per totals item (question id, or [`RESPONDENTS`]).
pub(super) type Counters = BTreeMap<String, BTreeMap<String, i64>>;

pub(super) fn option_counter(o: &impl std::fmt::Display) -> String {
    format!("opt_{o}")
}

/// What one answer contributes to the totals. Free text is counted, never aggregated.
pub fn tally(answers: &BTreeMap<QuestionId, AnswerValue>) -> Counters {
    let mut c = Counters::new();
    c.entry(RESPONDENTS.into()).or_default().insert("respondents".into(), 1);
    for (q, v) in answers {
        let mut q_counters = BTreeMap::from([("answered".to_owned(), 1)]);
        match v {
            AnswerValue::SingleChoice { option } => {
                q_counters.insert(option_counter(option), 1);
            }
            AnswerValue::MultipleChoice { options, other } => {
                q_counters.extend(options.iter().map(|o| (option_counter(o), 1)));
                if other.is_some() {
                    q_counters.insert("other".into(), 1);
                }
            }
            AnswerValue::Number { value } => {
                q_counters.insert("sum".into(), i64::from(*value));
            }
            AnswerValue::FreeText { .. } => {}
        }
        c.insert(q.to_string(), q_counters);
    }
    c
}

/// `new - old`, without zero entries: the ADDs that move the totals from one answer to the other.
pub(super) fn delta(new: &Counters, old: Option<&Counters>) -> Counters {
    let mut d = new.clone();
    for (q, counters) in old.into_iter().flatten() {
        let entry = d.entry(q.clone()).or_default();
        for (name, v) in counters {
            *entry.entry(name.clone()).or_default() -= v;
        }
    }
    d.retain(|_, counters| {
        counters.retain(|_, v| *v != 0);
        !counters.is_empty()
    });
    d
}

pub(super) fn add_counters(into: &mut Counters, from: &Counters) {
    for (q, counters) in from {
        let entry = into.entry(q.clone()).or_default();
        for (name, v) in counters {
            *entry.entry(name.clone()).or_default() += v;
        }
    }
}

/// Answers or amends the resident's answer for the current period, all or nothing: the answer
/// and the totals change in one transaction that also fails if HQ closed the survey meanwhile.
/// Sending the same answer again writes nothing.
pub async fn answer(
    store: &dyn Store,
    home: &MunicipalityCode,
    sub: &str,
    who: &ResidentContext,
    id: &SurveyId,
    req: &SurveyAnswer,
    made: Made,
) -> Result<MyAnswer, ApiError> {
    // The period and the opening hours are those of when the resident answered (it may have waited offline).
    let now = made.at;
    // A survey of their home, or of the municipality hosting them.
    let m = match &who.host {
        Some(host) if store.get(&keys::survey(home, id.as_str())).await?.is_none() => host,
        _ => home,
    };
    // A concurrent amendment by the same resident (two devices) makes the conditional put
    // fail; reading again and recomputing the counters keeps the totals exact.
    for _ in 0..4 {
        let survey = get(store, m, id).await?;
        if !addresses(&survey, home, who) {
            return Err(out_of_scope());
        }
        survey.accepts_answers(now).map_err(answer_error)?;
        let normalised = validate_answer(&survey.questions, req).map_err(answer_error)?;
        let period = survey.period(now);
        let old = my_answer(store, id, period, sub).await?;
        if let Some(old) = &old {
            // A resend, or an amendment made before the stored one (sent late): keep the stored.
            // The same answer made clearly later (beyond the clock correction's jitter) is stored
            // again, so it in turn outranks answers made before it.
            let resend = old.answer.answers == normalised.answers
                && now.millis() - old.answer.updated_at.millis() <= bosai_types::made::SKEW_NOTED_MS;
            if resend || old.answer.updated_at > now {
                return Ok(old.answer.clone());
            }
        }
        let new = MyAnswer {
            survey_id: id.clone(),
            period,
            answered_at: old.as_ref().map_or(now, |o| o.answer.answered_at),
            updated_at: now,
            received_at: Some(made.received_at),
            answers: normalised.answers,
        };
        let old_tally = old.as_ref().map(|o| tally(&o.answer.answers));
        let changes = delta(&tally(&new.answers), old_tally.as_ref());
        let put_condition = match &old {
            None => Condition::absent(),
            Some(o) => Condition::eq("version", Value::n(o.version)),
        };
        let mut ops = vec![
            TransactOp::Check {
                key: keys::survey(m, id.as_str()),
                condition: Condition::And(vec![Condition::present(), Condition::NotExists("closed_at".into())]),
            },
            TransactOp::Put {
                item: answer_item(sub, &new, old.as_ref().map_or(1, |o| o.version + 1)),
                condition: Some(put_condition),
            },
        ];
        let period_key = period.to_string();
        for (question, counters) in &changes {
            let update = counters.iter().fold(Update::new(), |u, (name, by)| u.add(name, *by));
            ops.push(TransactOp::Update {
                key: keys::survey_total(id.as_str(), &period_key, question),
                update,
                condition: None,
            });
        }
        match store.transact_write(ops).await {
            Ok(()) => return Ok(new),
            // Closed meanwhile, amended concurrently, or (DynamoDB) raced another resident's
            // answer on the same totals: the next round reads the new state.
            Err(StoreError::TransactionCanceled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    // Still racing: a 503 the app retries (its answer is kept), not a refusal.
    Err(ApiError::Busy)
}

/// The surveys open for this resident now, with their answer for the current period: their home
/// municipality's, and those the municipality hosting them asks its evacuees.
pub async fn open_for(
    store: &dyn Store,
    home: &MunicipalityCode,
    sub: &str,
    who: &ResidentContext,
    now: Timestamp,
) -> Result<Vec<OpenSurvey>, ApiError> {
    let mut out = Vec::new();
    let mut all = list(store, home).await?;
    if let Some(host) = &who.host {
        all.extend(list(store, host).await?);
    }
    for survey in all {
        if survey.state(now) != SurveyState::Open || !addresses(&survey, home, who) {
            continue;
        }
        let period = survey.period(now);
        let my_answer = my_answer(store, &survey.id, period, sub).await?.map(|a| a.answer);
        out.push(OpenSurvey { survey: survey.into(), period, my_answer });
    }
    Ok(out)
}

//! Needs surveys: HQ creates and closes them; residents in scope answer once per period.
//!
//! Storage (docs/data-model.md): the definition under `MUNI#{code}` / `SURVEY#{id}`, one answer
//! per resident and period under `SURVEY#{id}` / `ANSWER#{period}#{sub}`, and per-question ADD
//! counters under `SURVEY#{id}` / `TOTAL#{period}#{question}`, written in the answer's transaction.
//! Answers may hold health information: nothing here logs them.

use crate::auth::Principal;
use crate::{keys, ApiError};
use bosai_store::{attr, item::item, Condition, Item, ItemExt, Query, Store, StoreError, TransactOp, Update, Value};
use bosai_types::made::Made;
use bosai_types::surveys::{
    validate_answer, AnswerError, AnswerValue, AreaCode, MyAnswer, NewSurvey, OpenSurvey, OptionCount, Period,
    QuestionId, QuestionKind, QuestionTotals, Survey, SurveyAnswer, SurveyId, SurveyScope, SurveyState, SurveyTotals,
};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};
use std::collections::BTreeMap;

/// What the server knows about a resident when matching a survey's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResidentContext {
    /// The area the resident registered in.
    pub area: Option<AreaCode>,
    /// The shelter the resident is checked in at now.
    pub checked_in_at: Option<ShelterId>,
    /// That shelter's municipality when it is not the resident's home (they are hosted there).
    pub host: Option<MunicipalityCode>,
}

/// Whether a survey of the resident's home municipality addresses them. Unknown area or
/// check-in matches only `All`.
pub fn in_scope(scope: &SurveyScope, who: &ResidentContext) -> bool {
    match scope {
        SurveyScope::All => true,
        SurveyScope::Areas { areas } => who.area.as_ref().is_some_and(|a| areas.contains(a)),
        SurveyScope::Shelters { .. } => in_host_scope(scope, who),
        SurveyScope::Evacuees => who.checked_in_at.is_some() && who.host.is_none(),
    }
}

/// Whether a survey of the municipality hosting the resident (`who.host`) addresses them: only
/// as an evacuee in its shelters, never as one of its residents.
pub fn in_host_scope(scope: &SurveyScope, who: &ResidentContext) -> bool {
    match scope {
        SurveyScope::All | SurveyScope::Areas { .. } => false,
        SurveyScope::Shelters { shelters } => who.checked_in_at.as_ref().is_some_and(|s| shelters.contains(s)),
        SurveyScope::Evacuees => who.checked_in_at.is_some(),
    }
}

/// Whether `survey` addresses a resident whose home is `home`.
fn addresses(survey: &Survey, home: &MunicipalityCode, who: &ResidentContext) -> bool {
    if &survey.municipality == home {
        in_scope(&survey.scope, who)
    } else {
        who.host.as_ref() == Some(&survey.municipality) && in_host_scope(&survey.scope, who)
    }
}

/// HQ runs the surveys of its own municipality; an admin those of the one it administers.
pub fn may_run_surveys(who: &Principal, m: &MunicipalityCode) -> bool {
    who.may_read_municipality(m)
}

fn answer_error(e: AnswerError) -> ApiError {
    ApiError::invalid(e.code(), e.message(false), e.message(true))
}

fn out_of_scope() -> ApiError {
    ApiError::invalid(
        "survey_out_of_scope",
        "This survey is for residents of other areas or shelters, so your account cannot answer it.",
        "この調査は他の地区・避難所の方が対象のため、回答できません。",
    )
}

fn not_found() -> ApiError {
    ApiError::NotFound("The survey", "調査")
}

fn unreadable(what: &str) -> ApiError {
    ApiError::Unavailable(format!("unreadable {what} item"))
}

// ---------------------------------------------------------------------------
// Definitions

/// The stored item keeps HQ's request as sent (so a retried create can be recognised) plus
/// what the server adds: creation time and, once closed, the closing time.
pub fn survey_item(m: &MunicipalityCode, def: &NewSurvey, created_at: Timestamp) -> Item {
    item(&keys::survey(m, def.id.as_str()))
        .with("municipality", Value::s(m.as_str()))
        .with("def", Value::s(serde_json::to_string(def).expect("a survey definition serialises")))
        .with("created_at", Value::n(created_at.millis()))
}

fn definition(i: &Item) -> Option<NewSurvey> {
    serde_json::from_str(i.str("def")?).ok()
}

pub fn from_item(i: &Item) -> Option<Survey> {
    let def = definition(i)?;
    let created_at = Timestamp(i.i64("created_at")?);
    Some(Survey {
        id: def.id,
        municipality: MunicipalityCode::parse(i.str("municipality")?).ok()?,
        title: def.title,
        questions: def.questions,
        scope: def.scope,
        recurrence: def.recurrence,
        opens_at: def.opens_at.unwrap_or(created_at),
        closes_at: def.closes_at,
        closed_at: i.i64("closed_at").map(Timestamp),
        created_at,
        incident: i.str("incident").map(str::to_owned),
        drill: i.str("drill").map(str::to_owned),
    })
}

pub async fn get(store: &dyn Store, m: &MunicipalityCode, id: &SurveyId) -> Result<Survey, ApiError> {
    let item = store.get(&keys::survey(m, id.as_str())).await?.ok_or_else(not_found)?;
    from_item(&item).ok_or_else(|| unreadable("survey"))
}

/// Every survey of the municipality, oldest id first; unreadable items are skipped.
pub async fn list(store: &dyn Store, m: &MunicipalityCode) -> Result<Vec<Survey>, ApiError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.query(Query::partition(format!("MUNI#{m}")).begins_with("SURVEY#").after(cursor)).await?;
        for item in &page.items {
            match from_item(item) {
                Some(s) => out.push(s),
                None => tracing::warn!(sk = item.str("sk").unwrap_or(""), "skipping unreadable survey item"),
            }
        }
        cursor = page.next;
        if cursor.is_none() {
            return Ok(out);
        }
    }
}

/// HQ: every survey of its municipality (the client derives the state with `Survey::state`).
pub async fn list_for_hq(
    store: &dyn Store,
    who: &Principal,
    m: &MunicipalityCode,
    filter: &crate::domain::incidents::ListFilter,
) -> Result<Vec<Survey>, ApiError> {
    if !may_run_surveys(who, m) {
        return Err(ApiError::Forbidden);
    }
    let mut all = list(store, m).await?;
    all.retain(|s| filter.keeps(s.incident.as_deref(), s.drill.is_some()));
    Ok(all)
}

fn id_taken() -> ApiError {
    ApiError::invalid(
        "survey_id_taken",
        "A different survey already uses this id. Create the survey with a new id.",
        "このIDは別の調査で使われています。新しいIDで作成してください。",
    )
}

/// Creates a survey. Idempotent: the same request again returns the stored survey and `false`.
pub async fn create(
    store: &dyn Store,
    who: &Principal,
    m: &MunicipalityCode,
    req: &NewSurvey,
    now: Timestamp,
) -> Result<(Survey, bool), ApiError> {
    if !may_run_surveys(who, m) {
        return Err(ApiError::Forbidden);
    }
    let key = keys::survey(m, req.id.as_str());
    let replay = |existing: Item| match definition(&existing) {
        Some(def) if &def == req => from_item(&existing).map(|s| (s, false)).ok_or_else(|| unreadable("survey")),
        _ => Err(id_taken()),
    };
    // A retry may come after the survey opened; it must still be recognised, not re-validated.
    if let Some(existing) = store.get(&key).await? {
        return replay(existing);
    }
    req.validate(now).map_err(|e| ApiError::invalid(e.code, e.en, e.ja))?;
    let mut item = survey_item(m, req, now);
    // It belongs to the incident open now: a drill's survey is the drill's, its answers go with it.
    let all = crate::domain::incidents::all(store).await?;
    if let Some(inc) = bosai_types::incident::current(&all, m, now) {
        item = item.with("incident", Value::s(&inc.id));
        if inc.kind == bosai_types::incident::IncidentKind::Drill {
            item = item.with("drill", Value::s(&inc.name));
        }
    }
    match store.put(item.clone(), Some(Condition::absent())).await {
        Ok(()) => Ok((from_item(&item).ok_or_else(|| unreadable("survey"))?, true)),
        Err(StoreError::ConditionFailed) => replay(store.get(&key).await?.ok_or_else(not_found)?),
        Err(e) => Err(e.into()),
    }
}

/// Closes a survey now. Closing again keeps the first closing time.
pub async fn close(
    store: &dyn Store,
    who: &Principal,
    m: &MunicipalityCode,
    id: &SurveyId,
    now: Timestamp,
) -> Result<Survey, ApiError> {
    if !may_run_surveys(who, m) {
        return Err(ApiError::Forbidden);
    }
    let update = Update::new().set_if_absent("closed_at", Value::n(now.millis()));
    match store.update(&keys::survey(m, id.as_str()), update, Some(Condition::present())).await {
        Ok(item) => from_item(&item).ok_or_else(|| unreadable("survey")),
        Err(StoreError::ConditionFailed) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// Deletes every answer to `survey` (all periods; the anonymous totals stay), at most about
/// `budget` items: the purge at the end of its incident's retention, a drill when it ends.
/// Returns how many went; fewer than `budget` means none is left.
pub async fn delete_answers(store: &dyn Store, survey: &SurveyId, budget: u64) -> Result<u64, ApiError> {
    let mut removed = 0u64;
    while removed < budget {
        let limit = u32::try_from((budget - removed).min(100)).unwrap_or(100);
        let page = store
            .query(Query::partition(keys::survey_partition(survey.as_str())).begins_with("ANSWER#").limit(limit))
            .await?;
        if page.items.is_empty() {
            break;
        }
        removed += page.items.len() as u64;
        store
            .batch_write(
                page.items
                    .iter()
                    .filter_map(|i| bosai_store::Key::of(i).ok())
                    .map(bosai_store::WriteOp::Delete)
                    .collect(),
            )
            .await?;
    }
    Ok(removed)
}

/// The surveys of municipality `m` created during incident `id`, and those created outside any
/// incident that ended before `ended_before` (their answers' retention is over).
pub async fn of_incident(
    store: &dyn Store,
    m: &MunicipalityCode,
    id: Option<&str>,
    ended_before: Timestamp,
) -> Result<Vec<Survey>, ApiError> {
    Ok(list(store, m)
        .await?
        .into_iter()
        .filter(|s| match id {
            Some(id) => s.incident.as_deref() == Some(id),
            None => {
                s.incident.is_none()
                    && [s.closed_at, s.closes_at].into_iter().flatten().min().is_some_and(|end| end < ended_before)
            }
        })
        .collect())
}

/// Closes a survey (if still open) because its incident ended, and deletes its answers within
/// `budget`. Returns how many answers went.
pub async fn end_with_incident(
    store: &dyn Store,
    survey: &Survey,
    now: Timestamp,
    budget: u64,
) -> Result<u64, ApiError> {
    if survey.closed_at.is_none() {
        let update = Update::new().set_if_absent("closed_at", Value::n(now.millis()));
        store
            .update(&keys::survey(&survey.municipality, survey.id.as_str()), update, Some(Condition::present()))
            .await?;
    }
    delete_answers(store, &survey.id, budget).await
}

// ---------------------------------------------------------------------------
// Answers

struct StoredAnswer {
    answer: MyAnswer,
    version: i64,
}

/// The resident's answers, every survey and period (for "export my data").
pub async fn answers_of(store: &dyn Store, sub: &str) -> Result<Vec<MyAnswer>, ApiError> {
    let items = crate::domain::query_all(store, Query::gsi1(keys::answers_of(sub))).await?;
    Ok(items.iter().filter_map(answer_from_item).map(|a| a.answer).collect())
}

fn answer_from_item(i: &Item) -> Option<StoredAnswer> {
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

fn answer_item(sub: &str, a: &MyAnswer, version: i64) -> Item {
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

async fn my_answer(
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
const RESPONDENTS: &str = "*";

/// Counter name → value, per totals item (question id, or [`RESPONDENTS`]).
type Counters = BTreeMap<String, BTreeMap<String, i64>>;

fn option_counter(o: &impl std::fmt::Display) -> String {
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
fn delta(new: &Counters, old: Option<&Counters>) -> Counters {
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

fn add_counters(into: &mut Counters, from: &Counters) {
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
        out.push(OpenSurvey { survey, period, my_answer });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Totals

fn compose(survey: &Survey, period: Period, c: &Counters) -> SurveyTotals {
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

async fn query_all(store: &dyn Store, pk: String, prefix: String) -> Result<Vec<Item>, ApiError> {
    // DynamoDB refuses an empty prefix.
    let q = if prefix.is_empty() { Query::partition(pk) } else { Query::partition(pk).begins_with(prefix) };
    crate::domain::query_all(store, q).await
}

fn resolve_period(survey: &Survey, period: Option<Period>, now: Timestamp) -> Result<Period, ApiError> {
    let period = period.unwrap_or_else(|| survey.period(now));
    if !period.fits(survey.recurrence) {
        return Err(ApiError::invalid(
            "invalid_period",
            "This survey's period is \"once\" for a one-time survey, or a date YYYY-MM-DD for a daily one.",
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

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_store::sqlite::SqliteStore;
    use bosai_types::surveys::{ChoiceOption, Localized, OptionId, Question, Recurrence};
    use serde_json::json;

    fn area(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }
    fn shelter(s: &str) -> ShelterId {
        ShelterId::parse(s).unwrap()
    }

    #[test]
    fn scope_matching() {
        let nobody = ResidentContext::default();
        let in_aoba = ResidentContext { area: Some(area("aoba-1")), checked_in_at: None, host: None };
        let at_school =
            ResidentContext { area: None, checked_in_at: Some(shelter("041009-aoba-katahira-es")), host: None };
        let both = ResidentContext {
            area: Some(area("izumi-2")),
            checked_in_at: Some(shelter("041009-izumi-civic-center")),
            host: None,
        };
        let areas = SurveyScope::Areas { areas: vec![area("aoba-1"), area("aoba-2")] };
        let shelters = SurveyScope::Shelters { shelters: vec![shelter("041009-aoba-katahira-es")] };
        for who in [&nobody, &in_aoba, &at_school, &both] {
            assert!(in_scope(&SurveyScope::All, who));
        }
        assert!(!in_scope(&areas, &nobody), "an unknown area matches no area list");
        assert!(in_scope(&areas, &in_aoba));
        assert!(!in_scope(&areas, &at_school));
        assert!(!in_scope(&areas, &both));
        assert!(!in_scope(&shelters, &nobody), "not checked in matches no shelter list");
        assert!(!in_scope(&shelters, &in_aoba), "an area does not imply a shelter");
        assert!(in_scope(&shelters, &at_school));
        assert!(!in_scope(&shelters, &both), "checked in elsewhere");
        let izumi = SurveyScope::Shelters {
            shelters: vec![shelter("041009-aoba-katahira-es"), shelter("041009-izumi-civic-center")],
        };
        assert!(in_scope(&izumi, &both));
        assert!(in_scope(&SurveyScope::Areas { areas: vec![area("izumi-2")] }, &both));
        // Evacuees: those checked in at one of the municipality's own shelters.
        assert!(in_scope(&SurveyScope::Evacuees, &at_school) && !in_scope(&SurveyScope::Evacuees, &in_aoba));
        // Hosted by another municipality: its surveys reach them only as an evacuee there.
        let hosted = ResidentContext { host: Some(MunicipalityCode::parse("042021").unwrap()), ..at_school.clone() };
        assert!(!in_scope(&SurveyScope::Evacuees, &hosted), "not an evacuee in their home's shelters");
        assert!(in_host_scope(&SurveyScope::Evacuees, &hosted) && in_host_scope(&shelters, &hosted));
        assert!(
            !in_host_scope(&SurveyScope::All, &hosted) && !in_host_scope(&areas, &hosted),
            "not one of the host's residents"
        );
    }

    use bosai_types::auth::Role;

    fn principal(role: Role, m: Option<&str>) -> Principal {
        Principal {
            sub: "x".into(),
            role,
            shelters: vec![],
            municipality: m.map(|m| MunicipalityCode::parse(m).unwrap()),
        }
    }

    #[test]
    fn who_runs_surveys() {
        let sendai = MunicipalityCode::parse("041009").unwrap();
        assert!(may_run_surveys(&principal(Role::Hq, Some("041009")), &sendai));
        assert!(!may_run_surveys(&principal(Role::Hq, Some("131016")), &sendai));
        assert!(!may_run_surveys(&principal(Role::Hq, None), &sendai));
        assert!(may_run_surveys(&principal(Role::Admin, None), &sendai));
        assert!(may_run_surveys(&principal(Role::Admin, Some("041009")), &sendai));
        assert!(!may_run_surveys(&principal(Role::Admin, Some("131016")), &sendai), "another municipality's admin");
        assert!(!may_run_surveys(&principal(Role::ShelterStaff, Some("041009")), &sendai));
        assert!(!may_run_surveys(&principal(Role::Resident, None), &sendai));
    }

    fn opts(ids: &[&str]) -> Vec<ChoiceOption> {
        ids.iter().map(|i| ChoiceOption { id: OptionId::parse(i).unwrap(), label: Localized::new(i, i) }).collect()
    }

    fn new_survey(id: &str, recurrence: Recurrence, scope: SurveyScope) -> NewSurvey {
        let q = |id: &str, required, kind| Question {
            id: QuestionId::parse(id).unwrap(),
            text: Localized::new(id, id),
            required,
            kind,
        };
        NewSurvey {
            id: SurveyId::parse(id).unwrap(),
            title: Localized::new("調査", "Survey"),
            questions: vec![
                q("feel", true, QuestionKind::SingleChoice { options: opts(&["good", "bad"]) }),
                q(
                    "needs",
                    false,
                    QuestionKind::MultipleChoice { options: opts(&["water", "food", "blankets"]), allow_other: true },
                ),
                q("diapers", false, QuestionKind::Number { min: 0, max: 99, unit: None }),
                q("note", false, QuestionKind::FreeText),
            ],
            scope,
            recurrence,
            opens_at: None,
            closes_at: Some(Timestamp(T0 + 10 * DAY)),
        }
    }

    const T0: i64 = 1_795_359_600_000; // 2026-11-23 00:00 JST
    const DAY: i64 = 86_400_000;

    fn answer_of(v: serde_json::Value) -> SurveyAnswer {
        serde_json::from_value(json!({ "answers": v })).unwrap()
    }

    struct Fixture {
        store: SqliteStore,
        m: MunicipalityCode,
        hq: Principal,
    }

    async fn fixture(surveys: &[NewSurvey]) -> Fixture {
        let f = Fixture {
            store: SqliteStore::in_memory().unwrap(),
            m: MunicipalityCode::parse("041009").unwrap(),
            hq: principal(Role::Hq, Some("041009")),
        };
        for s in surveys {
            assert!(create(&f.store, &f.hq, &f.m, s, Timestamp(T0)).await.unwrap().1);
        }
        f
    }

    async fn item_count(store: &SqliteStore, pk: &str) -> usize {
        query_all(store, pk.into(), String::new()).await.unwrap().len()
    }

    #[tokio::test]
    async fn create_is_idempotent_and_refuses_a_different_body_under_the_same_id() {
        let s = new_survey("s-1", Recurrence::Once, SurveyScope::All);
        let f = fixture(std::slice::from_ref(&s)).await;
        // Retried later (even after opening): same survey, not created again.
        let (again, created) = create(&f.store, &f.hq, &f.m, &s, Timestamp(T0 + DAY)).await.unwrap();
        assert!(!created);
        assert_eq!(again.created_at, Timestamp(T0));
        let mut other = s.clone();
        other.title.ja = "別の調査".into();
        let e = create(&f.store, &f.hq, &f.m, &other, Timestamp(T0)).await.unwrap_err();
        assert!(matches!(e, ApiError::Invalid { code: "survey_id_taken", .. }), "{e:?}");
        let bad = NewSurvey { questions: vec![], ..new_survey("s-2", Recurrence::Once, SurveyScope::All) };
        assert!(matches!(
            create(&f.store, &f.hq, &f.m, &bad, Timestamp(T0)).await,
            Err(ApiError::Invalid { code: "invalid_questions", .. })
        ));
        let other_hq = principal(Role::Hq, Some("131016"));
        assert!(matches!(
            create(&f.store, &other_hq, &f.m, &new_survey("s-3", Recurrence::Once, SurveyScope::All), Timestamp(T0))
                .await,
            Err(ApiError::Forbidden)
        ));
        assert_eq!(list(&f.store, &f.m).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn answers_amendments_and_totals_match_a_recount() {
        let s = new_survey("s-1", Recurrence::Daily, SurveyScope::All);
        let f = fixture(std::slice::from_ref(&s)).await;
        let id = s.id.clone();
        let who = ResidentContext::default();
        let at = |h: i64| Timestamp(T0 + h * 3_600_000);
        let a1 = answer_of(
            json!({"feel": {"type": "single_choice", "option": "good"}, "needs": {"type": "multiple_choice", "options": ["water", "food"], "other": "batteries"}, "diapers": {"type": "number", "value": 10}}),
        );
        let a2 = answer_of(
            json!({"feel": {"type": "single_choice", "option": "bad"}, "needs": {"type": "multiple_choice", "options": ["water"]}, "note": {"type": "free_text", "text": "腰が痛い"}}),
        );
        let first = answer(&f.store, &f.m, "r_a", &who, &id, &a1, Made::now(at(1))).await.unwrap();
        // A resend (same answer, same made time) stores nothing new; the same answer made later
        // only moves its time (so an answer made in between and sent late cannot replace it).
        let again = answer(&f.store, &f.m, "r_a", &who, &id, &a1, Made::now(at(1))).await.unwrap();
        assert_eq!(again, first);
        let later = answer(&f.store, &f.m, "r_a", &who, &id, &a1, Made::now(at(2))).await.unwrap();
        assert_eq!((later.answers, later.answered_at, later.updated_at), (first.answers.clone(), at(1), at(2)));
        let made_between = answer(&f.store, &f.m, "r_a", &who, &id, &a2, Made::stamp(None, at(1), None)).await.unwrap();
        assert_eq!(made_between.answers, first.answers, "made before the stored answer: the stored stays");
        answer(&f.store, &f.m, "r_b", &who, &id, &a1, Made::now(at(3))).await.unwrap();
        // r_a amends: the old counts are taken back.
        let amended = answer(&f.store, &f.m, "r_a", &who, &id, &a2, Made::now(at(4))).await.unwrap();
        assert_eq!((amended.answered_at, amended.updated_at), (at(1), at(4)));
        // Next day is a new period.
        answer(&f.store, &f.m, "r_a", &who, &id, &a1, Made::now(at(25))).await.unwrap();

        let today = Period::parse("2026-11-23").unwrap();
        let survey = get(&f.store, &f.m, &id).await.unwrap();
        let t = totals(&f.store, &f.hq, &f.m, &id, Some(today), at(30)).await.unwrap();
        assert_eq!(t, recount(&f.store, &survey, today).await.unwrap());
        assert_eq!(t.respondents, 2);
        let q = |n: &str| t.questions.iter().find(|q| q.question.as_str() == n).unwrap();
        let counts = |n: &str| q(n).options.iter().map(|o| (o.option.to_string(), o.count)).collect::<Vec<_>>();
        assert_eq!(counts("feel"), [("good".into(), 1), ("bad".into(), 1)]);
        assert_eq!(counts("needs"), [("water".into(), 2), ("food".into(), 1), ("blankets".into(), 0)]);
        assert_eq!((q("needs").answered, q("needs").other), (2, Some(1)));
        assert_eq!((q("diapers").answered, q("diapers").sum), (1, Some(10)));
        assert_eq!((q("note").answered, q("note").sum, q("note").other), (1, None, None));
        // The default period is the current one; the next day has its own totals.
        let next = totals(&f.store, &f.hq, &f.m, &id, None, at(25)).await.unwrap();
        assert_eq!((next.period.to_string().as_str(), next.respondents), ("2026-11-24", 1));
        assert!(matches!(
            totals(&f.store, &f.hq, &f.m, &id, Some(Period::Once), at(1)).await,
            Err(ApiError::Invalid { code: "invalid_period", .. })
        ));
        // Residents see their own answer for today only.
        let open = open_for(&f.store, &f.m, "r_a", &who, at(5)).await.unwrap();
        assert_eq!(
            open[0].my_answer.as_ref().map(|a| &a.answers),
            Some(&validate_answer(&survey.questions, &a2).unwrap().answers)
        );
        let open = open_for(&f.store, &f.m, "r_c", &who, at(5)).await.unwrap();
        assert_eq!((open.len(), open[0].my_answer.is_none()), (1, true));
    }

    #[tokio::test]
    async fn refused_answers_write_nothing() {
        let all = new_survey("all", Recurrence::Once, SurveyScope::All);
        let scoped = new_survey(
            "at-school",
            Recurrence::Once,
            SurveyScope::Shelters { shelters: vec![shelter("041009-aoba-katahira-es")] },
        );
        let later = NewSurvey {
            opens_at: Some(Timestamp(T0 + DAY)),
            ..new_survey("later", Recurrence::Once, SurveyScope::All)
        };
        let f = fixture(&[all.clone(), scoped.clone(), later.clone()]).await;
        let who = ResidentContext::default();
        let ok = answer_of(json!({"feel": {"type": "single_choice", "option": "good"}}));
        let now = Timestamp(T0 + 1000);
        let code = |r: Result<MyAnswer, ApiError>| match r {
            Err(ApiError::Invalid { code, .. }) => code,
            other => panic!("expected a 400, got {other:?}"),
        };
        assert_eq!(
            code(answer(&f.store, &f.m, "r_a", &who, &scoped.id, &ok, Made::now(now)).await),
            "survey_out_of_scope"
        );
        assert_eq!(code(answer(&f.store, &f.m, "r_a", &who, &later.id, &ok, Made::now(now)).await), "survey_not_open");
        assert_eq!(
            code(answer(&f.store, &f.m, "r_a", &who, &all.id, &answer_of(json!({})), Made::now(now)).await),
            "answer_required"
        );
        // Past the closing time.
        assert_eq!(
            code(answer(&f.store, &f.m, "r_a", &who, &all.id, &ok, Made::now(Timestamp(T0 + 10 * DAY))).await),
            "survey_closed"
        );
        let missing = SurveyId::parse("nope").unwrap();
        assert!(matches!(
            answer(&f.store, &f.m, "r_a", &who, &missing, &ok, Made::now(now)).await,
            Err(ApiError::NotFound(..))
        ));
        for s in [&all, &scoped, &later] {
            assert_eq!(item_count(&f.store, &format!("SURVEY#{}", s.id)).await, 0, "{}", s.id);
        }
        // In scope once checked in there.
        let there = ResidentContext { area: None, checked_in_at: Some(shelter("041009-aoba-katahira-es")), host: None };
        answer(&f.store, &f.m, "r_a", &there, &scoped.id, &ok, Made::now(now)).await.unwrap();
        assert_eq!(
            open_for(&f.store, &f.m, "r_b", &who, now).await.unwrap().len(),
            1,
            "only the All survey; the later one is not open"
        );
        assert_eq!(open_for(&f.store, &f.m, "r_b", &there, now).await.unwrap().len(), 2);
        // Closed by HQ: amendments are refused and the stored answer and totals stay.
        answer(&f.store, &f.m, "r_a", &who, &all.id, &ok, Made::now(now)).await.unwrap();
        let before = query_all(&f.store, format!("SURVEY#{}", all.id), String::new()).await.unwrap();
        let closed = close(&f.store, &f.hq, &f.m, &all.id, Timestamp(now.0 + 1)).await.unwrap();
        assert_eq!(closed.state(Timestamp(now.0 + 1)), SurveyState::Closed);
        let closed_again = close(&f.store, &f.hq, &f.m, &all.id, Timestamp(now.0 + 99)).await.unwrap();
        assert_eq!(closed_again.closed_at, closed.closed_at, "closing again keeps the first time");
        let amend = answer_of(json!({"feel": {"type": "single_choice", "option": "bad"}}));
        assert_eq!(
            code(answer(&f.store, &f.m, "r_a", &who, &all.id, &amend, Made::now(Timestamp(now.0 + 2))).await),
            "survey_closed"
        );
        assert_eq!(query_all(&f.store, format!("SURVEY#{}", all.id), String::new()).await.unwrap(), before);
        assert!(open_for(&f.store, &f.m, "r_a", &who, Timestamp(now.0 + 2)).await.unwrap().is_empty());
        assert!(matches!(close(&f.store, &f.hq, &f.m, &missing, now).await, Err(ApiError::NotFound(..))));
    }

    /// Does something to the store just before the first transaction, as a concurrent request would.
    struct Racing {
        inner: SqliteStore,
        race: tokio::sync::Mutex<Option<Race>>,
    }

    enum Race {
        HqCloses,
        SameResidentAnswers(SurveyAnswer),
    }

    #[async_trait::async_trait]
    impl Store for Racing {
        fn backend(&self) -> &'static str {
            "racing"
        }
        async fn get(&self, key: &bosai_store::Key) -> bosai_store::Result<Option<Item>> {
            self.inner.get(key).await
        }
        async fn put(&self, item: Item, c: Option<Condition>) -> bosai_store::Result<()> {
            self.inner.put(item, c).await
        }
        async fn update(&self, key: &bosai_store::Key, u: Update, c: Option<Condition>) -> bosai_store::Result<Item> {
            self.inner.update(key, u, c).await
        }
        async fn delete(&self, key: &bosai_store::Key, c: Option<Condition>) -> bosai_store::Result<()> {
            self.inner.delete(key, c).await
        }
        async fn query(&self, q: Query) -> bosai_store::Result<bosai_store::Page> {
            self.inner.query(q).await
        }
        async fn batch_write(&self, ops: Vec<bosai_store::WriteOp>) -> bosai_store::Result<()> {
            self.inner.batch_write(ops).await
        }
        async fn transact_write(&self, ops: Vec<TransactOp>) -> bosai_store::Result<()> {
            let m = MunicipalityCode::parse("041009").unwrap();
            let id = SurveyId::parse("s-1").unwrap();
            match self.race.lock().await.take() {
                Some(Race::HqCloses) => {
                    close(&self.inner, &principal(Role::Hq, Some("041009")), &m, &id, Timestamp(T0)).await.unwrap();
                }
                Some(Race::SameResidentAnswers(a)) => {
                    answer(&self.inner, &m, "r_a", &ResidentContext::default(), &id, &a, Made::now(Timestamp(T0 + 2)))
                        .await
                        .unwrap();
                }
                None => {}
            }
            self.inner.transact_write(ops).await
        }
    }

    async fn racing(race: Race) -> (Racing, SurveyId) {
        let s = new_survey("s-1", Recurrence::Once, SurveyScope::All);
        let f = fixture(std::slice::from_ref(&s)).await;
        (Racing { inner: f.store, race: tokio::sync::Mutex::new(Some(race)) }, s.id)
    }

    #[tokio::test]
    async fn a_close_between_read_and_write_cancels_the_answer() {
        let (store, id) = racing(Race::HqCloses).await;
        let m = MunicipalityCode::parse("041009").unwrap();
        let good = answer_of(json!({"feel": {"type": "single_choice", "option": "good"}}));
        let e = answer(&store, &m, "r_a", &ResidentContext::default(), &id, &good, Made::now(Timestamp(T0 + 1)))
            .await
            .unwrap_err();
        assert!(matches!(e, ApiError::Invalid { code: "survey_closed", .. }), "{e:?}");
        assert_eq!(item_count(&store.inner, "SURVEY#s-1").await, 0, "nothing partially written");
    }

    #[tokio::test]
    async fn concurrent_amendments_keep_the_totals_exact() {
        let bad = answer_of(
            json!({"feel": {"type": "single_choice", "option": "bad"}, "diapers": {"type": "number", "value": 3}}),
        );
        let (store, id) = racing(Race::SameResidentAnswers(bad)).await;
        let m = MunicipalityCode::parse("041009").unwrap();
        let good = answer_of(json!({"feel": {"type": "single_choice", "option": "good"}}));
        // The other device's answer lands first; ours is recomputed against it and wins.
        let mine = answer(&store, &m, "r_a", &ResidentContext::default(), &id, &good, Made::now(Timestamp(T0 + 3)))
            .await
            .unwrap();
        assert_eq!(mine.answered_at, Timestamp(T0 + 2));
        let hq = principal(Role::Hq, Some("041009"));
        let t = totals(&store, &hq, &m, &id, None, Timestamp(T0 + 4)).await.unwrap();
        let survey = get(&store, &m, &id).await.unwrap();
        assert_eq!(t, recount(&store, &survey, Period::Once).await.unwrap());
        assert_eq!(
            (t.respondents, t.questions[0].options[0].count, t.questions[0].options[1].count, t.questions[2].sum),
            (1, 1, 0, Some(0))
        );
    }

    #[test]
    fn deltas_cancel_out() {
        let a: BTreeMap<QuestionId, AnswerValue> =
            serde_json::from_value(json!({"q": {"type": "number", "value": 5}})).unwrap();
        let b: BTreeMap<QuestionId, AnswerValue> =
            serde_json::from_value(json!({"q": {"type": "number", "value": 7}})).unwrap();
        assert_eq!(delta(&tally(&a), Some(&tally(&a))), Counters::new());
        assert_eq!(
            delta(&tally(&b), Some(&tally(&a))),
            Counters::from([("q".into(), BTreeMap::from([("sum".into(), 2)]))])
        );
        let first = delta(&tally(&a), None);
        assert_eq!(first["*"]["respondents"], 1);
    }

    #[test]
    fn survey_items_roundtrip() {
        let m = MunicipalityCode::parse("041009").unwrap();
        let s = new_survey("s-1", Recurrence::Daily, SurveyScope::Areas { areas: vec![area("aoba-1")] });
        let survey = from_item(&survey_item(&m, &s, Timestamp(5))).unwrap();
        assert_eq!((survey.opens_at, survey.closed_at, survey.questions.len()), (Timestamp(5), None, 4));
        assert_eq!(from_item(&survey_item(&m, &s, Timestamp(5)).with("def", Value::s("{"))), None);
    }
}

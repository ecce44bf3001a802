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

mod answers;
#[cfg(test)]
mod tests;
mod totals;

pub use answers::*;
pub use totals::*;

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
    ApiError::invalid(e.code(), e.message(true))
}

fn out_of_scope() -> ApiError {
    ApiError::invalid("survey_out_of_scope", "この調査は他の地区・避難所の方が対象のため、回答できません。")
}

fn not_found() -> ApiError {
    ApiError::NotFound("調査")
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
    ApiError::invalid("survey_id_taken", "このIDは別の調査で使われています。新しいIDで作成してください。")
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
    req.validate(now).map_err(|e| ApiError::invalid(e.code, e.ja))?;
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

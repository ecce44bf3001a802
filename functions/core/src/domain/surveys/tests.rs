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
    let at_school = ResidentContext { area: None, checked_in_at: Some(shelter("041009-aoba-katahira-es")), host: None };
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
    Principal { sub: "x".into(), role, shelters: vec![], municipality: m.map(|m| MunicipalityCode::parse(m).unwrap()) }
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
        create(&f.store, &other_hq, &f.m, &new_survey("s-3", Recurrence::Once, SurveyScope::All), Timestamp(T0)).await,
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
    let later =
        NewSurvey { opens_at: Some(Timestamp(T0 + DAY)), ..new_survey("later", Recurrence::Once, SurveyScope::All) };
    let f = fixture(&[all.clone(), scoped.clone(), later.clone()]).await;
    let who = ResidentContext::default();
    let ok = answer_of(json!({"feel": {"type": "single_choice", "option": "good"}}));
    let now = Timestamp(T0 + 1000);
    let code = |r: Result<MyAnswer, ApiError>| match r {
        Err(ApiError::Invalid { code, .. }) => code,
        other => panic!("expected a 400, got {other:?}"),
    };
    assert_eq!(code(answer(&f.store, &f.m, "r_a", &who, &scoped.id, &ok, Made::now(now)).await), "survey_out_of_scope");
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
    let mine =
        answer(&store, &m, "r_a", &ResidentContext::default(), &id, &good, Made::now(Timestamp(T0 + 3))).await.unwrap();
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

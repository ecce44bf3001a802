//! Needs surveys over HTTP on both stores: HQ creates and closes, residents answer once per
//! period and amend, totals equal a recount — and every refused answer leaves nothing written.

use crate::common::TestApp;
use bosai_core::domain::surveys as domain;
use bosai_store::{Item, Query};
use bosai_types::auth::Role;
use bosai_types::surveys::{NewSurvey, Period, Recurrence, SurveyId, SurveyTotals};
use bosai_types::{MunicipalityCode, Timestamp};
use serde_json::{json, Value};

on_both_stores!(
    residents_answer_amend_and_hq_counts,
    hq_creates_and_closes,
    refused_answers_write_nothing,
    totals_periods_and_scope_of_hq
);

const NEEDS: &str = "demo-needs";
const HEALTH: &str = "demo-health-check";

struct Caller<'a> {
    app: &'a TestApp,
    token: String,
}

impl Caller<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.app.call(method, path, &self.token, body).await
    }
    async fn answer(&self, survey: &str, answers: Value) -> (u16, Value) {
        self.send("PUT", &format!("/api/surveys/{survey}/answer"), Some(json!({ "answers": answers }))).await
    }
    async fn open_surveys(&self) -> Vec<Value> {
        let (s, v) = self.send("GET", "/api/surveys", None).await;
        assert_eq!(s, 200, "{v}");
        v.as_array().unwrap().clone()
    }
    async fn totals(&self, survey: &str, query: &str) -> (u16, Value) {
        self.send("GET", &format!("/api/hq/surveys/{survey}/totals{query}"), None).await
    }
}

async fn resident<'a>(app: &'a TestApp, card: &str) -> Caller<'a> {
    Caller { app, token: app.login(card, false).await.access_token }
}

fn hq(app: &TestApp) -> Caller<'_> {
    Caller { app, token: app.staff_token(Role::Hq, &[], Some("041009")) }
}

fn sendai() -> MunicipalityCode {
    MunicipalityCode::parse("041009").unwrap()
}

fn now() -> Timestamp {
    Timestamp(bosai_core::clock::now_millis())
}

/// Everything stored under a survey's partition: answers and totals.
async fn survey_partition(app: &TestApp, survey: &str) -> Vec<Item> {
    app.store.query(Query::partition(format!("SURVEY#{survey}"))).await.unwrap().items
}

/// The totals HQ reads must equal a recount of the stored answers.
async fn assert_totals_match_recount(app: &TestApp, survey: &str, totals: &Value) {
    let survey = domain::get(app.store.as_ref(), &sendai(), &SurveyId::parse(survey).unwrap()).await.unwrap();
    let parsed: SurveyTotals = serde_json::from_value(totals.clone()).unwrap();
    assert_eq!(parsed, domain::recount(app.store.as_ref(), &survey, parsed.period).await.unwrap());
}

fn option_count(totals: &Value, question: &str, option: &str) -> i64 {
    let q = totals["questions"].as_array().unwrap().iter().find(|q| q["question"] == question).unwrap();
    q["options"].as_array().unwrap().iter().find(|o| o["option"] == option).unwrap()["count"].as_i64().unwrap()
}

fn question(totals: &Value, question: &str) -> Value {
    totals["questions"].as_array().unwrap().iter().find(|q| q["question"] == question).unwrap().clone()
}

async fn residents_answer_amend_and_hq_counts(app: TestApp) {
    let taro = resident(&app, "taro").await;
    let hanako = resident(&app, "hanako").await;
    let open = taro.open_surveys().await;
    let ids: Vec<&str> = open.iter().map(|s| s["survey"]["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&NEEDS) && ids.contains(&HEALTH), "{ids:?}");
    let needs = open.iter().find(|s| s["survey"]["id"] == NEEDS).unwrap();
    assert_eq!(needs["period"], "once");
    assert!(needs.get("my_answer").is_none());
    assert_eq!(needs["survey"]["questions"][0]["kind"]["type"], "multiple_choice");
    // What the survey asks and when it closes; whom HQ addressed it to stays with HQ.
    let mut sent: Vec<&str> = needs["survey"].as_object().unwrap().keys().map(String::as_str).collect();
    sent.sort();
    assert_eq!(sent, ["id", "opens_at", "questions", "recurrence", "title"], "{needs}");
    let health = open.iter().find(|s| s["survey"]["id"] == HEALTH).unwrap();
    assert_eq!(health["period"], Period::of(Recurrence::Daily, now()).to_string());

    let first = json!({
        "needs": {"type": "multiple_choice", "options": ["water", "diapers_infant"], "other": "乾電池"},
        "diaper_size": {"type": "single_choice", "option": "infant_m"},
        "diaper_count": {"type": "number", "value": 8},
    });
    let (s, stored) = taro.answer(NEEDS, first.clone()).await;
    assert_eq!(s, 200, "{stored}");
    assert_eq!((stored["survey_id"].as_str(), stored["period"].as_str()), (Some(NEEDS), Some("once")));
    // A resend (lost response, offline queue) stores it once.
    let (s, again) = taro.answer(NEEDS, first.clone()).await;
    assert_eq!((s, &again), (200, &stored));
    let (s, _) =
        hanako.answer(NEEDS, json!({"needs": {"type": "multiple_choice", "options": ["water", "food"]}})).await;
    assert_eq!(s, 200);

    let (s, totals) = hq(&app).totals(NEEDS, "").await;
    assert_eq!(s, 200, "{totals}");
    assert_eq!(totals["respondents"], 2);
    assert_eq!((option_count(&totals, "needs", "water"), option_count(&totals, "needs", "food")), (2, 1));
    assert_eq!(question(&totals, "needs")["other"], 1);
    assert_eq!(question(&totals, "diaper_count")["sum"], 8);
    assert_totals_match_recount(&app, NEEDS, &totals).await;

    // Taro amends: his old counts are taken back, the answer is replaced, answered_at kept.
    let amended = json!({"needs": {"type": "multiple_choice", "options": ["blankets"]}, "medicine_detail": {"type": "free_text", "text": "血圧の薬"}});
    let (s, now_stored) = taro.answer(NEEDS, amended).await;
    assert_eq!(s, 200, "{now_stored}");
    assert_eq!(now_stored["answered_at"], stored["answered_at"]);
    assert!(now_stored["answers"].get("diaper_count").is_none());
    let (_, totals) = hq(&app).totals(NEEDS, "?period=once").await;
    assert_eq!(totals["respondents"], 2);
    assert_eq!((option_count(&totals, "needs", "water"), option_count(&totals, "needs", "blankets")), (1, 1));
    assert_eq!(
        (option_count(&totals, "diaper_size", "infant_m"), question(&totals, "needs")["other"].as_i64()),
        (0, Some(0))
    );
    assert_eq!(
        (question(&totals, "diaper_count")["answered"].as_i64(), question(&totals, "diaper_count")["sum"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(question(&totals, "medicine_detail")["answered"], 1);
    assert_totals_match_recount(&app, NEEDS, &totals).await;

    // Each resident sees only their own answer.
    let mine = taro.open_surveys().await;
    let mine = mine.iter().find(|s| s["survey"]["id"] == NEEDS).unwrap();
    assert_eq!(mine["my_answer"], now_stored);
    let hers = hanako.open_surveys().await;
    let hers = hers.iter().find(|s| s["survey"]["id"] == NEEDS).unwrap();
    assert_eq!(hers["my_answer"]["answers"]["needs"]["options"], json!(["water", "food"]));

    // The daily health check counts under today's date.
    let (s, _) = taro.answer(HEALTH, json!({"condition": {"type": "single_choice", "option": "unwell"}, "symptoms": {"type": "multiple_choice", "options": ["fever"]}})).await;
    assert_eq!(s, 200);
    let (_, totals) = hq(&app).totals(HEALTH, "").await;
    assert_eq!((totals["respondents"].as_i64(), option_count(&totals, "condition", "unwell")), (Some(1), 1));
    assert_totals_match_recount(&app, HEALTH, &totals).await;
}

fn new_survey(id: &str) -> Value {
    json!({
        "id": id,
        "title": {"ja": "避難所の冷暖房について", "en": "Heating and cooling at shelters"},
        "questions": [
            {"id": "warm_enough", "text": {"ja": "寒くないですか", "en": "Are you warm enough?"}, "required": true,
             "kind": {"type": "single_choice", "options": [{"id": "yes", "label": {"ja": "はい", "en": "Yes"}}, {"id": "no", "label": {"ja": "いいえ", "en": "No"}}]}},
            {"id": "blankets", "text": {"ja": "追加で必要な毛布の枚数"}, "kind": {"type": "number", "min": 0, "max": 10}},
        ],
        "scope": {"type": "all"},
        "recurrence": "once",
    })
}

async fn hq_creates_and_closes(app: TestApp) {
    let hq = hq(&app);
    let (s, created) = hq.send("POST", "/api/hq/surveys", Some(new_survey("heating-1"))).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!((created["municipality"].as_str(), created.get("closed_at")), (Some("041009"), None));
    // A retried create is recognised; a different body under the same id is not.
    let (s, again) = hq.send("POST", "/api/hq/surveys", Some(new_survey("heating-1"))).await;
    assert_eq!((s, &again), (200, &created));
    let mut other = new_survey("heating-1");
    other["title"]["ja"] = json!("別の調査");
    let (s, e) = hq.send("POST", "/api/hq/surveys", Some(other)).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("survey_id_taken")));
    // Bad definitions: a clear code, in both languages.
    let mut bad = new_survey("heating-2");
    bad["questions"][1]["kind"]["min"] = json!(11);
    let (s, e) = hq.send("POST", "/api/hq/surveys", Some(bad)).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_range")), "{e}");
    assert!(!e["message"].as_str().unwrap().is_empty());
    let mut bad = new_survey("heating-2");
    bad["closes_at"] = json!(now().millis() - 1000);
    assert_eq!(hq.send("POST", "/api/hq/surveys", Some(bad)).await.1["code"], "invalid_close_time");
    let mut bad = new_survey("heating-2");
    bad["owner"] = json!("someone");
    assert_eq!(hq.send("POST", "/api/hq/surveys", Some(bad)).await.1["code"], "invalid_field");
    // Only HQ of this municipality and admins.
    let other_hq = Caller { app: &app, token: app.staff_token(Role::Hq, &[], Some("131016")) };
    assert_eq!(other_hq.send("POST", "/api/hq/surveys", Some(new_survey("heating-3"))).await.0, 403);
    assert_eq!(other_hq.send("POST", "/api/hq/surveys/heating-1/close", None).await.0, 403);
    let staff = Caller { app: &app, token: app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None) };
    assert_eq!(staff.send("POST", "/api/hq/surveys", Some(new_survey("heating-3"))).await.0, 403);
    let admin = Caller { app: &app, token: app.staff_token(Role::Admin, &[], None) };
    assert_eq!(admin.send("POST", "/api/hq/surveys", Some(new_survey("heating-4"))).await.0, 201);
    let (s, list) = hq.send("GET", "/api/hq/surveys", None).await;
    assert_eq!(s, 200);
    let listed: Vec<&str> = list.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(["heating-1", "heating-4", NEEDS, HEALTH].iter().all(|id| listed.contains(id)), "{listed:?}");
    assert!(!listed.contains(&"heating-2") && !listed.contains(&"heating-3"));

    // The resident sees it, answers, then HQ closes it.
    let taro = resident(&app, "taro").await;
    assert!(taro.open_surveys().await.iter().any(|s| s["survey"]["id"] == "heating-1"));
    let (s, _) = taro.answer("heating-1", json!({"warm_enough": {"type": "single_choice", "option": "no"}, "blankets": {"type": "number", "value": 2}})).await;
    assert_eq!(s, 200);
    let (s, closed) = hq.send("POST", "/api/hq/surveys/heating-1/close", None).await;
    assert_eq!(s, 200);
    assert!(closed["closed_at"].is_number());
    let (s, closed_again) = hq.send("POST", "/api/hq/surveys/heating-1/close", None).await;
    assert_eq!((s, &closed_again["closed_at"]), (200, &closed["closed_at"]), "closing again keeps the first time");
    let before = survey_partition(&app, "heating-1").await;
    let (s, e) = taro.answer("heating-1", json!({"warm_enough": {"type": "single_choice", "option": "yes"}})).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("survey_closed")));
    assert!(e["message"].as_str().unwrap().contains("締め切"));
    assert_eq!(survey_partition(&app, "heating-1").await, before, "the amendment was not written");
    assert!(!taro.open_surveys().await.iter().any(|s| s["survey"]["id"] == "heating-1"));
    // HQ still reads the totals of a closed survey.
    let (s, totals) = hq.totals("heating-1", "").await;
    assert_eq!((s, option_count(&totals, "warm_enough", "no")), (200, 1));
    assert_eq!(hq.send("POST", "/api/hq/surveys/no-such-survey/close", None).await.0, 404);
    assert_eq!(hq.send("POST", "/api/hq/surveys/Bad%20Id/close", None).await.1["code"], "invalid_survey_id");
}

async fn refused_answers_write_nothing(app: TestApp) {
    let hq = hq(&app);
    // Out of scope: for evacuees at one shelter (this resident is not checked in anywhere).
    let mut at_shelter = new_survey("at-shelter");
    at_shelter["scope"] = json!({"type": "shelters", "shelters": ["041009-aoba-katahira-es"]});
    assert_eq!(hq.send("POST", "/api/hq/surveys", Some(at_shelter)).await.0, 201);
    // Not open yet.
    let mut later = new_survey("later");
    later["opens_at"] = json!(now().millis() + 3_600_000);
    assert_eq!(hq.send("POST", "/api/hq/surveys", Some(later)).await.0, 201);
    // Past its closing time (created an hour ago, closed ten minutes ago).
    let mut past: NewSurvey = serde_json::from_value(new_survey("past")).unwrap();
    past.closes_at = Some(Timestamp(now().millis() - 600_000));
    let admin =
        bosai_core::auth::Principal { sub: "admin".into(), role: Role::Admin, shelters: vec![], municipality: None };
    domain::create(app.store.as_ref(), &admin, &sendai(), &past, Timestamp(now().millis() - 3_600_000)).await.unwrap();

    let taro = resident(&app, "taro").await;
    let open: Vec<String> =
        taro.open_surveys().await.iter().map(|s| s["survey"]["id"].as_str().unwrap().to_owned()).collect();
    for hidden in ["at-shelter", "later", "past"] {
        assert!(!open.contains(&hidden.to_owned()), "{hidden} is not listed");
    }
    let ok = json!({"warm_enough": {"type": "single_choice", "option": "yes"}});
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("at-shelter", ok.clone(), 400, "survey_out_of_scope"),
        ("later", ok.clone(), 400, "survey_not_open"),
        ("past", ok.clone(), 400, "survey_closed"),
        ("no-such-survey", ok.clone(), 404, "not_found"),
        ("Bad%20Id", ok.clone(), 400, "invalid_survey_id"),
        (NEEDS, json!({}), 400, "answer_required"),
        (NEEDS, json!({"needs": {"type": "multiple_choice", "options": ["gold"]}}), 400, "unknown_option"),
        (
            NEEDS,
            json!({"needs": {"type": "multiple_choice", "options": ["water"]}, "diaper_count": {"type": "number", "value": 100}}),
            400,
            "number_out_of_range",
        ),
        (
            NEEDS,
            json!({"needs": {"type": "multiple_choice", "options": ["water"]}, "diaper_count": {"type": "free_text", "text": "8"}}),
            400,
            "answer_wrong_type",
        ),
        (
            NEEDS,
            json!({"needs": {"type": "multiple_choice", "options": ["water"]}, "favourite_colour": {"type": "free_text", "text": "blue"}}),
            400,
            "unknown_question",
        ),
        (
            NEEDS,
            json!({"needs": {"type": "multiple_choice", "options": ["water"], "other": "x".repeat(201)}}),
            400,
            "other_too_long",
        ),
        (
            NEEDS,
            json!({"needs": {"type": "multiple_choice", "options": ["water"]}, "medicine_detail": {"type": "free_text", "text": "x".repeat(501)}}),
            400,
            "text_too_long",
        ),
        (
            HEALTH,
            json!({"condition": {"type": "single_choice", "option": "good"}, "notes": {"type": "free_text"}}),
            400,
            "invalid_field",
        ),
    ];
    for (survey, answers, status, code) in cases {
        let (s, e) = taro.answer(survey, answers.clone()).await;
        assert_eq!((s, e["code"].as_str()), (status, Some(code)), "{survey} {answers}");
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    // Another resident's id cannot be named: the answer is always the caller's own.
    let body =
        json!({"answers": {"needs": {"type": "multiple_choice", "options": ["water"]}}, "resident": "r_someone_else"});
    let (s, e) = taro.send("PUT", &format!("/api/surveys/{NEEDS}/answer"), Some(body)).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_field")));
    for survey in ["at-shelter", "later", "past", NEEDS, HEALTH] {
        assert!(survey_partition(&app, survey).await.is_empty(), "nothing written for {survey}");
    }
    // Required message names the question in the resident's language.
    let (_, e) = taro.answer(NEEDS, json!({})).await;
    assert!(e["message"].as_str().unwrap().contains("今、必要なもの"), "{e}");
    // No token: 401 before the body is looked at.
    let res = app.http.put(app.url(&format!("/api/surveys/{NEEDS}/answer"))).body("not json").send().await.unwrap();
    assert_eq!(res.status(), 401);
    // Once checked in at that shelter (poster scan), the shelter survey is for them.
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    let poster: Value = app
        .http
        .get(app.url("/api/shelters/041009-aoba-katahira-es/poster"))
        .bearer_auth(staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let check_in = json!({"poster": poster["code"], "event_id": "ev-survey-0001", "members": ["self"]});
    assert_eq!(taro.send("POST", "/api/me/checkins", Some(check_in)).await.0, 200);
    assert!(taro.open_surveys().await.iter().any(|s| s["survey"]["id"] == "at-shelter"));
    assert_eq!(taro.answer("at-shelter", ok).await.0, 200);
}

async fn totals_periods_and_scope_of_hq(app: TestApp) {
    let hq = hq(&app);
    let today = Period::of(Recurrence::Daily, now()).to_string();
    let (s, t) = hq.totals(HEALTH, &format!("?period={today}")).await;
    assert_eq!((s, t["respondents"].as_i64(), t["period"].as_str()), (200, Some(0), Some(today.as_str())));
    assert_eq!(t["questions"][0]["options"].as_array().unwrap().len(), 3, "zero counts are listed");
    let (s, t) = hq.totals(HEALTH, "?period=2020-01-01").await;
    assert_eq!((s, t["respondents"].as_i64()), (200, Some(0)));
    for bad in ["?period=once", "?period=2026-02-30", "?period=yesterday"] {
        let (s, e) = hq.totals(HEALTH, bad).await;
        assert_eq!((s, e["code"].as_str()), (400, Some("invalid_period")), "{bad}");
    }
    assert_eq!(hq.totals(NEEDS, "?period=2026-11-23").await.1["code"], "invalid_period");
    assert_eq!(hq.totals("no-such-survey", "").await.0, 404);
    let other_hq = Caller { app: &app, token: app.staff_token(Role::Hq, &[], Some("131016")) };
    assert_eq!(other_hq.totals(NEEDS, "").await.0, 403);
    assert_eq!(other_hq.send("GET", "/api/hq/surveys", None).await.0, 403);
    let taro = resident(&app, "taro").await;
    assert_eq!(taro.totals(NEEDS, "").await.0, 403);
}

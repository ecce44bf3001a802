//! Incidents and drills on both stores: a drill's check-ins have their own rosters and counts and
//! never touch the real ones; closing it deletes its personal data and keeps its counts; a
//! real incident opened during a drill takes precedence; safety reports, help requests, surveys
//! and supply requests made in a drill stay in it (the personal ones go with it); bad requests
//! get clear answers.

use crate::common::TestApp;
use bosai_types::auth::Role;
use serde_json::{json, Value};

on_both_stores!(
    a_drill_keeps_its_own_roster_and_counts_and_ending_it_deletes_them,
    a_real_incident_opened_during_a_drill_takes_precedence,
    deleting_my_data_during_a_drill_takes_me_off_the_drill_roster,
    opening_and_closing_refuse_what_they_cannot_do,
    what_a_drill_makes_stays_in_the_drill,
    a_drill_for_some_areas_takes_only_their_residents_reports,
    hq_lists_notices_and_surveys_by_incident,
);

const A: &str = "041009-aoba-katahira-es";
const B: &str = "041009-wakabayashi-itsutsubashi-jhs";
/// A name no seed record carries: found only where the test put it.
const DRILL_CHILD: &str = "くぬぎ";

fn now_ms() -> i64 {
    bosai_core::clock::now_millis()
}

fn hq(app: &TestApp) -> String {
    app.staff_token(Role::Hq, &[], Some("041009"))
}

async fn scan_at(app: &TestApp, shelter: &str, event_id: &str, at: i64, credential: &str) -> Value {
    let rec = json!({"event_id": event_id, "kind": "check_in", "at": at, "credential": credential});
    let staff = app.staff_token(Role::ShelterStaff, &[shelter], None);
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/shelters/{shelter}/scans"),
            &staff,
            Some(json!({"device_id": "tablet-1", "records": [rec]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["results"][0].clone()
}

async fn roster(app: &TestApp, shelter: &str) -> Vec<Value> {
    let staff = app.staff_token(Role::ShelterStaff, &[shelter], None);
    let (s, v) = app.call("GET", &format!("/api/shelters/{shelter}/roster"), &staff, None).await;
    assert_eq!(s, 200, "{v}");
    v.as_array().unwrap().clone()
}

/// The public (real) occupancy.
async fn occupancy(app: &TestApp, shelter: &str) -> i64 {
    app.public_occupancy(shelter).await
}

async fn summary(app: &TestApp, query: &str) -> Value {
    let (s, v) = app.call("GET", &format!("/api/hq/summary{query}"), &hq(app), None).await;
    assert_eq!(s, 200, "{v}");
    v
}

fn occupancy_in(summary: &Value, shelter: &str) -> i64 {
    summary["shelters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["shelter_id"] == shelter)
        .map(|s| s["occupancy"].as_i64().unwrap())
        .unwrap_or(0)
}

/// A resident with a child; their check-in QR names both.
async fn family(app: &TestApp, card: &str) -> (String, String) {
    let t = app.login(card, true).await.access_token;
    app.consent(&t).await;
    let child = json!({"display_name": DRILL_CHILD, "birth": "2017", "sex": "male", "relationship": "child"});
    assert_eq!(app.call("PUT", "/api/household/members/m-child", &t, Some(child)).await.0, 200);
    let (s, c) =
        app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self", "m-child"]}))).await;
    assert_eq!(s, 200, "{c}");
    (t, c["credential"].as_str().unwrap().to_owned())
}

async fn open(app: &TestApp, id: &str, kind: &str) -> Value {
    let (s, v) = app
        .call(
            "POST",
            "/api/hq/incidents",
            &hq(app),
            Some(json!({"incident_id": id, "name": format!("{kind} {id}"), "kind": kind})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn close(app: &TestApp, id: &str) -> (u16, Value) {
    app.call("POST", &format!("/api/hq/incidents/{id}/close"), &hq(app), None).await
}

async fn a_drill_keeps_its_own_roster_and_counts_and_ending_it_deletes_them(app: TestApp) {
    // Someone really at A before the drill.
    let (_, real_cred) = family(&app, "taro").await;
    assert_eq!(scan_at(&app, A, "ev-real-00001", now_ms(), &real_cred).await["outcome"], "stored");
    let (real_a, real_b) = (occupancy(&app, A).await, occupancy(&app, B).await);

    let drill = open(&app, "drill-2026-12", "drill").await;
    assert_eq!(drill["kind"], "drill");
    let public: Value = app.http.get(app.url("/api/incidents")).send().await.unwrap().json().await.unwrap();
    assert!(public.as_array().unwrap().iter().any(|i| i["id"] == "drill-2026-12" && i["kind"] == "drill"), "{public}");

    // A drill participant checks in at B: the drill's roster and counts, never the real ones.
    let (drill_t, drill_cred) = family(&app, "hanako").await;
    assert_eq!(scan_at(&app, B, "ev-drill-0001", now_ms(), &drill_cred).await["outcome"], "stored");
    let at_b = roster(&app, B).await;
    assert_eq!(at_b.len(), 2, "{at_b:?}");
    assert!(roster(&app, A).await.is_empty(), "the drill's roster of A holds no real evacuee");
    assert_eq!((occupancy(&app, A).await, occupancy(&app, B).await), (real_a, real_b), "public counts stay real");
    let (_, household) = app.call("GET", "/api/household", &drill_t, None).await;
    assert_eq!(household["members"][0]["checked_in"]["drill"], true, "{household}");

    // A notice sent during the drill says so on its landing page and in the push title.
    let notice = json!({"id": "drill-notice-1", "title": {"ja": "避難指示", "en": ""}, "body": {"ja": "体育館へ", "en": ""}, "level": "emergency", "target": {"type": "all"}});
    let (s, sent) = app.call("POST", "/api/hq/notices", &hq(&app), Some(notice)).await;
    assert_eq!((s, sent["drill"].as_str()), (201, Some("drill drill-2026-12")), "{sent}");
    let landing = app.http.get(app.url("/n/041009/drill-notice-1")).send().await.unwrap().text().await.unwrap();
    assert!(landing.contains("訓練です（drill drill-2026-12）。実際の災害ではありません。"), "{landing}");

    let current = summary(&app, "").await;
    assert_eq!(current["drill"]["id"], "drill-2026-12");
    assert_eq!(occupancy_in(&current, B), 2);
    assert_eq!(occupancy_in(&current, A), 0);
    let real = summary(&app, "?incident=real").await;
    assert!(real.get("drill").is_none());
    assert_eq!((occupancy_in(&real, A), occupancy_in(&real, B)), (real_a, real_b));

    // A tablet that recorded a scan during the drill syncs only after it ended.
    let offline_at = now_ms();
    let (s, closed) = close(&app, "drill-2026-12").await;
    assert_eq!(s, 200, "{closed}");
    assert!(closed["closed_at"].is_i64());
    assert!(closed["purged_items"].as_u64().unwrap() >= 4, "two locations and two events: {closed}");
    assert!(closed.get("personal_data_until").is_none(), "a drill's data went at once");
    let (s, again) = close(&app, "drill-2026-12").await;
    assert_eq!((s, again["code"].as_str()), (409, Some("incident_already_closed")), "{again}");

    let late = scan_at(&app, B, "ev-drill-0002", offline_at, &drill_cred).await;
    assert_eq!((late["outcome"].as_str(), late["code"].as_str()), (Some("rejected"), Some("drill_ended")), "{late}");
    // Nothing of the drill names the participant; the real evacuee at A is untouched.
    let drill_items: Vec<String> = crate::common::naming(app.store.as_ref(), "#DRILL#")
        .await
        .into_iter()
        .filter(|k| k.starts_with("PERSON#"))
        .collect();
    assert!(drill_items.is_empty(), "{drill_items:?}");
    assert!(crate::common::naming(app.store.as_ref(), "ev-drill-0001").await.is_empty());
    assert!(roster(&app, B).await.is_empty());
    assert_eq!(roster(&app, A).await.len(), 2, "back to the real roster");
    assert_eq!((occupancy(&app, A).await, occupancy(&app, B).await), (real_a, real_b));
    // The drill's anonymous counts stay for the review.
    let review = summary(&app, "?incident=drill-2026-12").await;
    assert_eq!(review["drill"]["id"], "drill-2026-12");
    assert_eq!(occupancy_in(&review, B), 2);
    let (s, log) = app.call("GET", "/api/hq/audit?action=incident_closed", &hq(&app), None).await;
    assert_eq!(s, 200);
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
}

async fn a_real_incident_opened_during_a_drill_takes_precedence(app: TestApp) {
    open(&app, "drill-precede", "drill").await;
    let before = occupancy(&app, A).await;
    let real = open(&app, "typhoon-10", "real").await;
    assert_eq!(real["kind"], "real");
    let (t, cred) = family(&app, "taro").await;
    assert_eq!(scan_at(&app, A, "ev-prec-00001", now_ms(), &cred).await["outcome"], "stored");
    assert_eq!(occupancy(&app, A).await, before + 2, "counted as real");
    assert!(summary(&app, "").await.get("drill").is_none());
    assert_eq!(roster(&app, A).await.len(), 2);
    // Closing the real incident sets when its personal data expires; the drill is current again.
    let (s, closed) = close(&app, "typhoon-10").await;
    assert_eq!(s, 200, "{closed}");
    let until = closed["personal_data_until"].as_i64().unwrap();
    let days = (until - closed["closed_at"].as_i64().unwrap()) / 86_400_000;
    assert_eq!(days, 90);
    assert_eq!(summary(&app, "").await["drill"]["id"], "drill-precede");
    // The typhoon's roster at A names the family until the resident deletes their data.
    let staff = app.staff_token(Role::ShelterStaff, &[A], None);
    let typhoon = format!("/api/shelters/{A}/roster/past?incident=typhoon-10");
    let past = || app.call("GET", &typhoon, &staff, None);
    assert_eq!(past().await.1[0]["stays"].as_array().map(Vec::len), Some(2));
    let (s, e) = app.call("GET", &format!("/api/shelters/{A}/roster/past?incident=drill-precede"), &staff, None).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("drill_roster_deleted")));
    // `?incident=` empty is left out (every kept incident); too long is a clear 400.
    let (s, all) = app.call("GET", &format!("/api/shelters/{A}/roster/past?incident="), &staff, None).await;
    assert!(s == 200 && all.as_array().unwrap().iter().any(|r| r["incident_id"] == "typhoon-10"), "{all}");
    let (s, e) =
        app.call("GET", &format!("/api/shelters/{A}/roster/past?incident={}", "x".repeat(65)), &staff, None).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_filter")));
    assert_eq!(app.call("DELETE", "/api/me", &t, Some(json!({"confirm": "delete"}))).await.0, 204);
    assert_eq!(past().await.1[0]["stays"], json!([]));
    assert!(crate::common::naming(app.store.as_ref(), DRILL_CHILD).await.is_empty());
}

async fn deleting_my_data_during_a_drill_takes_me_off_the_drill_roster(app: TestApp) {
    open(&app, "drill-erase", "drill").await;
    let (t, cred) = family(&app, "taro").await;
    assert_eq!(scan_at(&app, A, "ev-erase-0001", now_ms(), &cred).await["outcome"], "stored");
    assert_eq!(occupancy_in(&summary(&app, "").await, A), 2);
    assert_eq!(app.call("DELETE", "/api/me", &t, Some(json!({"confirm": "delete"}))).await.0, 204);
    assert!(roster(&app, A).await.is_empty());
    assert_eq!(occupancy_in(&summary(&app, "").await, A), 0, "the drill's counters moved with the erasure");
    assert!(crate::common::naming(app.store.as_ref(), DRILL_CHILD).await.is_empty());
}

async fn opening_and_closing_refuse_what_they_cannot_do(app: TestApp) {
    let t = hq(&app);
    let post = |body: Value| {
        let (app, t) = (&app, t.clone());
        async move { app.call("POST", "/api/hq/incidents", &t, Some(body)).await }
    };
    let (s, v) = post(json!({"incident_id": "flood-0001", "name": "大雨", "kind": "real", "areas": ["nowhere"]})).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("unknown_area")), "{v}");
    let (s, v) =
        post(json!({"incident_id": "flood-0001", "name": "大雨", "kind": "real", "municipalities": ["011002"]})).await;
    assert_eq!(s, 403, "another prefecture's municipality: {v}");
    let (s, v) = post(json!({"incident_id": "flood-0001", "name": "", "kind": "real"})).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_incident")), "{v}");
    let (s, v) = post(json!({"incident_id": "flood-0001", "name": "大雨", "kind": "exercise"})).await;
    assert_eq!(s, 400, "{v}");
    let ok = json!({"incident_id": "flood-0001", "name": "大雨", "kind": "real", "areas": ["aoba-1"]});
    let (s, first) = post(ok.clone()).await;
    assert_eq!(s, 200, "{first}");
    let (s, resent) = post(ok).await;
    assert_eq!((s, &resent), (200, &first), "a resend opens nothing new");
    let (s, v) = post(json!({"incident_id": "flood-0001", "name": "別の災害", "kind": "drill"})).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("incident_id_taken")), "{v}");
    // Staff and residents cannot open; another municipality's HQ cannot close.
    let staff = app.staff_token(Role::ShelterStaff, &[A], None);
    assert_eq!(
        app.call(
            "POST",
            "/api/hq/incidents",
            &staff,
            Some(json!({"incident_id": "x-000001", "name": "x", "kind": "drill"}))
        )
        .await
        .0,
        403
    );
    let other = app.staff_token(Role::Hq, &[], Some("042021"));
    assert_eq!(app.call("POST", "/api/hq/incidents/flood-0001/close", &other, None).await.0, 403);
    assert_eq!(close(&app, "no-such-incident").await.0, 404);
    let (s, list) = app.call("GET", "/api/hq/incidents", &t, None).await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (s, log) = app.call("GET", "/api/hq/audit?action=incident_opened", &t, None).await;
    assert_eq!((s, log.as_array().unwrap().len()), (200, 1), "{log}");
}

async fn report(app: &TestApp, t: &str, id: &str, member: &str, status: Value, made_at: Option<i64>) -> (u16, Value) {
    let body = json!({"report_id": id, "member_id": member, "status": status});
    let headers: Vec<(&str, String)> = match made_at {
        Some(at) => vec![("bosai-made-at", at.to_string()), ("bosai-sent-at", now_ms().to_string())],
        None => Vec::new(),
    };
    app.call_with("POST", "/api/safety", t, Some(body), &headers).await
}

/// `[safe_at_home, at_shelter, elsewhere, needs_help]` summed over the areas of a summary.
fn safety_in(summary: &Value) -> [i64; 4] {
    let mut out = [0; 4];
    for a in summary["safety"].as_array().unwrap() {
        for (i, k) in ["safe_at_home", "at_shelter", "elsewhere", "needs_help"].iter().enumerate() {
            out[i] += a["counts"][k].as_i64().unwrap();
        }
    }
    out
}

async fn help_list(app: &TestApp, query: &str) -> Vec<Value> {
    let (s, v) = app.call("GET", &format!("/api/hq/help-requests{query}"), &hq(app), None).await;
    assert_eq!(s, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn what_a_drill_makes_stays_in_the_drill(app: TestApp) {
    /// Help text only the drill's report carries.
    const DRILL_HELP: &str = "訓練の要救助くぬぎ坂";
    let (t, _) = family(&app, "taro").await;
    // Really safe at home before the drill.
    assert_eq!(report(&app, &t, "rep-real-0001", "self", json!({"status": "safe_at_home"}), None).await.0, 200);
    let real_before = safety_in(&summary(&app, "?incident=real").await);
    let staff = app.staff_token(Role::ShelterStaff, &[A], None);
    let supply = |on_hand: i64, requested: i64| json!({"on_hand": on_hand, "requested": requested});
    let water = format!("/api/shelters/{A}/supplies/infant_diaper-m");
    assert_eq!(app.call("PUT", &water, &staff, Some(supply(3, 40))).await.0, 200);
    let drill = open(&app, "drill-safety", "drill").await;
    // Staff practise a supply request: the drill's line, not the real one.
    let (s, line) = app.call("PUT", &water, &staff, Some(supply(0, 500))).await;
    assert_eq!((s, line["requested"].as_i64()), (200, Some(500)), "{line}");
    let (_, lines) = app.call("GET", &format!("/api/shelters/{A}/supplies"), &staff, None).await;
    assert_eq!(
        lines.as_array().unwrap().iter().map(|l| l["requested"].as_i64().unwrap()).collect::<Vec<_>>(),
        [500],
        "{lines}"
    );
    let help = json!({"status": "needs_help", "what": DRILL_HELP, "location": "自宅 2階"});
    let (s, r) = report(&app, &t, "rep-drill-001", "m-child", help.clone(), None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["drill"], drill["name"], "marked as the drill's");
    let (s, r) =
        report(&app, &t, "rep-drill-002", "self", json!({"status": "at_shelter", "shelter_id": A}), None).await;
    assert_eq!((s, &r["drill"]), (200, &drill["name"]));
    // A resend is stored once.
    assert_eq!(report(&app, &t, "rep-drill-001", "m-child", help.clone(), None).await.0, 200);
    // HQ asks something during the drill: a drill survey, answered with text only it holds.
    let survey = json!({"id": "drill-survey-1", "title": {"ja": "訓練アンケート", "en": "Drill survey"}, "scope": {"type": "all"}, "recurrence": "once",
        "questions": [{"id": "note", "text": {"ja": "気づいたこと", "en": "Notes"}, "required": true, "kind": {"type": "free_text"}}]});
    let (s, v) = app.call("POST", "/api/hq/surveys", &hq(&app), Some(survey)).await;
    assert_eq!((s, &v["drill"], v["incident"].as_str()), (201, &drill["name"], Some("drill-safety")), "{v}");
    let (_, open_surveys) = app.call("GET", "/api/surveys", &t, None).await;
    assert!(open_surveys.as_array().unwrap().iter().any(|s| s["survey"]["drill"] == drill["name"]), "{open_surveys}");
    let answer = json!({"answers": {"note": {"type": "free_text", "text": DRILL_HELP}}});
    let (s, v) = app.call("PUT", "/api/surveys/drill-survey-1/answer", &t, Some(answer)).await;
    assert_eq!(s, 200, "{v}");

    // The resident sees their drill reports, marked; the real ones are untouched.
    let (_, household) = app.call("GET", "/api/household", &t, None).await;
    let members = household["members"].as_array().unwrap();
    assert!(members.iter().all(|m| m["safety"]["drill"] == drill["name"]), "{household}");
    let (_, history) = app.call("GET", "/api/safety/history?member_id=self", &t, None).await;
    assert_eq!(
        history.as_array().unwrap().iter().map(|r| r["report_id"].as_str().unwrap()).collect::<Vec<_>>(),
        ["rep-drill-002", "rep-real-0001"]
    );

    // HQ: the drill's counts and help list by default, the real ones apart.
    let during = summary(&app, "").await;
    assert_eq!(during["drill"]["id"], "drill-safety");
    assert_eq!(safety_in(&during), [0, 1, 0, 1]);
    assert_eq!(safety_in(&summary(&app, "?incident=real").await), real_before, "the real counts did not move");
    let requested = |v: &Value| {
        v["supplies"].as_array().unwrap().iter().map(|t| t["requested"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!((requested(&during), requested(&summary(&app, "?incident=real").await)), (vec![500], vec![40]));
    let (_, real_requests) = app.call("GET", "/api/hq/supply-requests?incident=real", &hq(&app), None).await;
    assert_eq!(real_requests.as_array().unwrap().len(), 1, "{real_requests}");
    let drill_help = help_list(&app, "").await;
    assert_eq!((drill_help.len(), drill_help[0]["what"].as_str()), (1, Some(DRILL_HELP)));
    assert!(help_list(&app, "?incident=real").await.is_empty(), "no drill request on the real list");

    // Ending the drill deletes its reports and help list; the anonymous counts stay for the review.
    assert_eq!(close(&app, "drill-safety").await.0, 200);
    let left = crate::common::naming(app.store.as_ref(), DRILL_HELP).await;
    assert!(left.is_empty(), "{left:?}");
    assert!(crate::common::naming(app.store.as_ref(), "rep-drill-00").await.is_empty());
    assert_eq!(safety_in(&summary(&app, "?incident=drill-safety").await), [0, 1, 0, 1]);
    let (_, surveys) = app.call("GET", "/api/hq/surveys", &hq(&app), None).await;
    let ended = surveys.as_array().unwrap().iter().find(|s| s["id"] == "drill-survey-1").unwrap();
    assert!(ended["closed_at"].is_i64(), "the drill's survey closed with it: {ended}");
    let (s, totals) = app.call("GET", "/api/hq/surveys/drill-survey-1/totals", &hq(&app), None).await;
    assert_eq!((s, totals["respondents"].as_i64()), (200, Some(1)), "its totals stay for the review: {totals}");
    let (_, household) = app.call("GET", "/api/household", &t, None).await;
    let me = &household["members"][0];
    assert_eq!(
        (me["safety"]["report_id"].as_str(), me["safety"].get("drill")),
        (Some("rep-real-0001"), None),
        "{household}"
    );
    assert!(household["members"][1]["safety"].is_null(), "{household}");
    assert!(help_list(&app, "").await.is_empty());
    // The staff see the real stock again.
    let (_, lines) = app.call("GET", &format!("/api/shelters/{A}/supplies"), &staff, None).await;
    assert_eq!(
        lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["on_hand"].as_i64().unwrap(), l["requested"].as_i64().unwrap()))
            .collect::<Vec<_>>(),
        [(3, 40)]
    );

    // A report made during the drill that arrives after it ended is refused, not stored as real.
    let during_drill = drill["started_at"].as_i64().unwrap() + 1;
    let (s, v) =
        report(&app, &t, "rep-drill-late", "self", json!({"status": "safe_at_home"}), Some(during_drill)).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("drill_ended")), "{v}");
    assert_eq!(safety_in(&summary(&app, "").await), real_before);
}

/// A drill for one area: a resident registered there reports into the drill; one of another
/// area, or with no area registered, reports for real.
async fn a_drill_for_some_areas_takes_only_their_residents_reports(app: TestApp) {
    let base = safety_in(&summary(&app, "?incident=real").await)[0];
    let body = json!({"incident_id": "drill-aoba", "name": "青葉区訓練", "kind": "drill", "areas": ["aoba-1"]});
    let (s, v) = app.call("POST", "/api/hq/incidents", &hq(&app), Some(body)).await;
    assert_eq!(s, 200, "{v}");
    let taro = app.login("taro", true).await.access_token;
    let hanako = app.login("hanako", true).await.access_token;
    assert_eq!(app.call("PUT", "/api/me/area", &taro, Some(json!({"area": "aoba-1"}))).await.0, 204);
    assert_eq!(app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": "izumi-2"}))).await.0, 204);
    let safe = json!({"status": "safe_at_home"});
    let (_, in_drill) = report(&app, &taro, "rep-area-0001", "self", safe.clone(), None).await;
    assert_eq!(in_drill["drill"], "青葉区訓練", "{in_drill}");
    let (_, real) = report(&app, &hanako, "rep-area-0002", "self", safe.clone(), None).await;
    assert!(real.get("drill").is_none(), "another area's resident reports for real: {real}");
    assert_eq!(app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": null}))).await.0, 204);
    let (_, real) = report(&app, &hanako, "rep-area-0003", "self", safe, None).await;
    assert!(real.get("drill").is_none(), "no area registered: not the drill's: {real}");
    assert_eq!(
        safety_in(&summary(&app, "?incident=real").await)[0],
        base + 1,
        "one real report counted (the latest of hers)"
    );
    assert_eq!(safety_in(&summary(&app, "?incident=drill-aoba").await)[0], 1);
}

/// HQ's notice and survey lists carry each item's incident and filter by it (`?incident=`); left
/// out, the incident open now (everything while none is).
async fn hq_lists_notices_and_surveys_by_incident(app: TestApp) {
    let hq = hq(&app);
    let notice = |id: &str| json!({"id": id, "title": {"ja": "給水"}, "body": {"ja": "14時から給水します。"}, "level": "info", "target": {"type": "all"}});
    let survey = |id: &str| {
        json!({"id": id, "title": {"ja": "毛布は足りていますか"}, "questions": [{"id": "enough", "text": {"ja": "足りていますか"}, "required": true,
        "kind": {"type": "single_choice", "options": [{"id": "yes", "label": {"ja": "はい"}}, {"id": "no", "label": {"ja": "いいえ"}}]}}],
        "scope": {"type": "all"}, "recurrence": "once"})
    };
    let save = |path: &'static str, body: Value| {
        let (app, hq) = (&app, hq.clone());
        async move {
            let (s, v) = app.call("POST", path, &hq, Some(body)).await;
            assert!(s == 200 || s == 201, "{path}: {v}");
            v
        }
    };
    let ids = |path: String| {
        let (app, hq) = (&app, hq.clone());
        async move {
            let (s, v) = app.call("GET", &path, &hq, None).await;
            assert_eq!(s, 200, "{path}: {v}");
            let mut ids: Vec<String> =
                v.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect();
            ids.sort();
            ids
        }
    };
    let before = save("/api/hq/notices", notice("before-any")).await;
    assert!(before.get("incident").is_none(), "{before}");
    open(&app, "list-drill", "drill").await;
    let drilled = save("/api/hq/notices", notice("in-the-drill")).await;
    assert_eq!(
        (drilled["incident"].as_str(), drilled["drill"].as_str()),
        (Some("list-drill"), Some("drill list-drill")),
        "{drilled}"
    );
    save("/api/hq/surveys", survey("drill-blankets")).await;
    assert_eq!(ids("/api/hq/notices".into()).await, ["in-the-drill"], "while the drill runs, its own by default");
    assert_eq!(ids("/api/hq/surveys".into()).await, ["drill-blankets"]);
    assert_eq!(close(&app, "list-drill").await.0, 200);
    assert_eq!(ids("/api/hq/notices".into()).await, ["before-any", "in-the-drill"], "none open: everything");
    open(&app, "list-real", "real").await;
    save("/api/hq/notices", notice("in-the-real-one")).await;
    save("/api/hq/surveys", survey("real-blankets")).await;

    assert_eq!(
        ids("/api/hq/notices".into()).await,
        ["before-any", "in-the-real-one"],
        "the real incident's by default, with what was sent outside incidents (not the drill's)"
    );
    assert_eq!(ids("/api/hq/notices?incident=all".into()).await, ["before-any", "in-the-drill", "in-the-real-one"]);
    assert_eq!(
        ids("/api/hq/notices?incident=list-drill".into()).await,
        ["in-the-drill"],
        "the drill's, also after it ended"
    );
    assert_eq!(ids("/api/hq/notices?incident=list-real".into()).await, ["in-the-real-one"]);
    assert_eq!(ids("/api/hq/notices?incident=real".into()).await, ["before-any", "in-the-real-one"], "no drill's");
    assert_eq!(ids("/api/hq/notices?incident=none".into()).await, ["before-any"]);
    assert_eq!(ids("/api/hq/surveys?incident=list-drill".into()).await, ["drill-blankets"]);
    assert_eq!(ids("/api/hq/surveys?incident=list-real".into()).await, ["real-blankets"]);
    // The demo data's surveys were made outside any incident.
    let real = ids("/api/hq/surveys?incident=real".into()).await;
    assert!(real.contains(&"real-blankets".to_owned()) && !real.contains(&"drill-blankets".to_owned()), "{real:?}");
    let outside = ids("/api/hq/surveys?incident=none".into()).await;
    assert!(!outside.is_empty() && !outside.iter().any(|s| s.ends_with("blankets")), "{outside:?}");
    assert_eq!(ids("/api/hq/surveys?incident=all".into()).await.len(), outside.len() + 2);
    // By default the demo's health check, still answered, stays on HQ's list to be read and closed.
    let default = ids("/api/hq/surveys".into()).await;
    assert_eq!(default.len(), outside.len() + 1, "{default:?}");
    assert!(
        default.contains(&"real-blankets".to_owned()) && outside.iter().all(|s| default.contains(s)),
        "{default:?}"
    );
    let (s, e) = app.call("GET", &format!("/api/hq/notices?incident={}", "x".repeat(65)), &hq, None).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_filter")), "{e}");
}

//! The purge on both stores: a closed real incident's personal data (check-in history, scan
//! records, locations of people who left, desk registrations) is deleted once its retention is
//! over, in runs that can stop half-way and resume; data made outside any incident goes
//! `retention_days` after it was made; what must stay (people still at a shelter, the
//! household, counters) stays, and HQ reads a report of counts.

use crate::common::TestApp;
use bosai_core::domain::purge;
use bosai_store::Value as V;
use bosai_types::auth::Role;
use bosai_types::Timestamp;
use serde_json::json;

on_both_stores!(
    a_closed_incidents_personal_data_is_purged_after_its_retention,
    inactive_residents_are_warned_then_deleted
);

const A: &str = "041009-aoba-katahira-es";
const DAY: i64 = 86_400_000;
const DESK_NAME: &str = "楢崎 キヨ";
/// Text only the incident's help reports carry, and the place of a report outside any incident.
const QUAKE_HELP: &str = "がれきの下 さくら通り";
const OUTSIDE_PLACE: &str = "いとこの家 もみじ台";

fn now_ms() -> i64 {
    bosai_core::clock::now_millis()
}

fn hq(app: &TestApp) -> String {
    app.staff_token(Role::Hq, &[], Some("041009"))
}

fn staff(app: &TestApp) -> String {
    app.staff_token(Role::ShelterStaff, &[A], None)
}

async fn scan(app: &TestApp, event_id: &str, kind: &str, credential: &str) {
    let rec = json!({"event_id": event_id, "kind": kind, "at": now_ms(), "credential": credential});
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/shelters/{A}/scans"),
            &staff(app),
            Some(json!({"device_id": "tablet-1", "records": [rec]})),
        )
        .await;
    assert_eq!((s, v["results"][0]["outcome"].as_str()), (200, Some("stored")), "{v}");
}

async fn credential(app: &TestApp, card: &str) -> (String, String) {
    let t = app.login(card, true).await.access_token;
    let (s, c) = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self"]}))).await;
    assert_eq!(s, 200, "{c}");
    let (_, me) = app.call("GET", "/api/me", &t, None).await;
    (me["sub"].as_str().unwrap_or_default().to_owned(), c["credential"].as_str().unwrap().to_owned())
}

async fn roster_names(app: &TestApp) -> Vec<String> {
    let (_, v) = app.call("GET", &format!("/api/shelters/{A}/roster"), &staff(app), None).await;
    v.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_owned()).collect()
}

async fn a_closed_incidents_personal_data_is_purged_after_its_retention(app: TestApp) {
    let store = app.store.as_ref();
    // Outside any incident: Hanako stays a night and leaves.
    let (hanako, hanako_cred) = credential(&app, "hanako").await;
    scan(&app, "ev-none-00001", "check_in", &hanako_cred).await;
    scan(&app, "ev-none-00002", "check_out", &hanako_cred).await;
    let elsewhere = json!({"report_id": "rep-none-0001", "member_id": "self", "status": {"status": "elsewhere", "place": OUTSIDE_PLACE}});
    let hanako_token = app.login("hanako", true).await.access_token;
    assert_eq!(app.call("POST", "/api/safety", &hanako_token, Some(elsewhere)).await.0, 200);

    let (s, v) = app
        .call(
            "POST",
            "/api/hq/incidents",
            &hq(&app),
            Some(json!({"incident_id": "quake-2026", "name": "地震", "kind": "real"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // During it: Taro comes and goes, Hanako comes back and stays, Kiyo is registered at the
    // desk and leaves.
    let (taro, taro_cred) = credential(&app, "taro").await;
    scan(&app, "ev-quake-0001", "check_in", &taro_cred).await;
    scan(&app, "ev-quake-0002", "check_out", &taro_cred).await;
    scan(&app, "ev-quake-0003", "check_in", &hanako_cred).await;
    // Taro asked for help, then reported safe: both in his history, his help entry gone with the
    // second; a neighbour still waits for help.
    for (id, status) in [
        ("rep-quake-001", json!({"status": "needs_help", "what": QUAKE_HELP, "location": "自宅"})),
        ("rep-quake-002", json!({"status": "safe_at_home"})),
    ] {
        let r = json!({"report_id": id, "member_id": "self", "status": status});
        assert_eq!(app.call("POST", "/api/safety", &app.login("taro", true).await.access_token, Some(r)).await.0, 200);
    }
    // HQ's survey during the incident; Taro answers it in words only it holds.
    let survey = json!({"id": "quake-needs", "title": {"ja": "必要な物", "en": "Needs"}, "scope": {"type": "all"}, "recurrence": "once",
        "questions": [{"id": "note", "text": {"ja": "困っていること", "en": "Problems"}, "required": true, "kind": {"type": "free_text"}}]});
    assert_eq!(app.call("POST", "/api/hq/surveys", &hq(&app), Some(survey)).await.0, 201);
    let answer = json!({"answers": {"note": {"type": "free_text", "text": QUAKE_HELP}}});
    assert_eq!(
        app.call("PUT", "/api/surveys/quake-needs/answer", &app.login("taro", true).await.access_token, Some(answer))
            .await
            .0,
        200
    );
    let help = json!({"report_id": "rep-quake-003", "member_id": "self", "status": {"status": "needs_help", "what": QUAKE_HELP, "location": "避難所の外"}});
    assert_eq!(app.call("POST", "/api/safety", &hanako_token, Some(help)).await.0, 200);
    let reg = json!({"registration_id": "desk-quake-01", "check_in": true, "people": [{"name": DESK_NAME, "birth_year": 1938, "sex": "female"}]});
    assert_eq!(
        app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &staff(&app), Some(reg)).await.0,
        200
    );
    let (_, rows) = app.call("GET", &format!("/api/shelters/{A}/roster"), &staff(&app), None).await;
    let kiyo = rows.as_array().unwrap().iter().find(|e| e["name"] == DESK_NAME).unwrap()["entry_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = json!({"event_id": "ev-quake-0004"});
    assert_eq!(
        app.call("POST", &format!("/api/shelters/{A}/roster/{kiyo}/check-out"), &staff(&app), Some(out)).await.0,
        200
    );
    let occupancy_before = app.public_occupancy(A).await;

    // The incident's roster at A keeps who came, also those who left (audited).
    let past = |query: &'static str| {
        let app = &app;
        async move { app.call("GET", &format!("/api/shelters/{A}/roster/past{query}"), &staff(app), None).await }
    };
    let (s, rosters) = past("").await;
    assert_eq!(s, 200, "{rosters}");
    assert_eq!(rosters.as_array().map(Vec::len), Some(1), "only the incident, not the stay outside it: {rosters}");
    assert_eq!(rosters[0]["incident_id"], "quake-2026");
    let stays = rosters[0]["stays"].as_array().unwrap();
    let who =
        |name: &str| stays.iter().find(|s| s["name"] == name).cloned().unwrap_or_else(|| panic!("{name} in {rosters}"));
    assert!(who("防災 太郎")["left_at"].is_i64() && who("防災 太郎")["arrived_at"].is_i64(), "{rosters}");
    assert!(who("防災 花子")["left_at"].is_null(), "still here: {rosters}");
    assert!(who(DESK_NAME)["left_at"].is_i64() && who(DESK_NAME).get("allergens").is_none(), "{rosters}");

    let (s, closed) = app.call("POST", "/api/hq/incidents/quake-2026/close", &hq(&app), None).await;
    assert_eq!(s, 200, "{closed}");
    let until = closed["personal_data_until"].as_i64().unwrap();
    let (_, rosters) = past("?incident=quake-2026").await;
    assert_eq!(
        (rosters[0]["stays"].as_array().map(Vec::len), rosters[0]["personal_data_until"].as_i64()),
        (Some(3), Some(until)),
        "readable after closing"
    );

    // Before the retention is over nothing goes.
    let early = purge::run(store, 90, Timestamp(now_ms()), 1_000).await.unwrap();
    assert_eq!((early.total(), early.complete), (0, true), "{early:?}");
    assert!(!crate::common::naming(app.store.as_ref(), &format!("R#{taro}#")).await.is_empty());

    // After it: a run with a small budget stops half-way; the next finishes.
    let later = Timestamp(until.max(now_ms() + 90 * DAY) + DAY);
    let first = purge::run(store, 90, later, 3).await.unwrap();
    assert!(!first.complete && first.total() > 0, "{first:?}");
    let (_, list) = app.call("GET", "/api/hq/incidents", &hq(&app), None).await;
    assert!(list[0].get("purged_at").is_none(), "not finished yet: {list}");
    let rest = purge::run(store, 90, later, 10_000).await.unwrap();
    assert!(rest.complete, "{rest:?}");
    assert_eq!(rest.finished_incidents, vec!["quake-2026".to_owned()]);
    let again = purge::run(store, 90, later, 10_000).await.unwrap();
    assert_eq!(again.total(), 0, "idempotent: {again:?}");

    // Gone: the check-in history, scan records and locations of those who left, Kiyo's record,
    // and Hanako's stay outside any incident; her location now stays while she is here.
    let left = crate::common::naming(app.store.as_ref(), &format!("PERSON#R#{taro}#")).await;
    assert!(left.is_empty(), "{left:?}");
    let hers = crate::common::naming(app.store.as_ref(), &format!("PERSON#R#{hanako}#")).await;
    assert!(hers.len() == 1 && hers[0].ends_with("/ LOCATION"), "{hers:?}");
    assert!(crate::common::naming(app.store.as_ref(), DESK_NAME).await.is_empty());
    // Safety: every report of the incident (current and history) and the help list; the one made
    // outside any incident after its own retention.
    for gone in [QUAKE_HELP, OUTSIDE_PLACE, "rep-quake-00", "rep-none-0001"] {
        let left = crate::common::naming(app.store.as_ref(), gone).await;
        assert!(left.is_empty(), "{gone}: {left:?}");
    }
    let (s, e) = past("?incident=quake-2026").await;
    assert_eq!((s, e["code"].as_str()), (409, Some("incident_purged")), "{e}");
    assert_eq!(past("").await.1, json!([]));
    let (_, help) = app.call("GET", "/api/hq/help-requests?incident=real", &hq(&app), None).await;
    assert_eq!(help, json!([]));
    for id in ["ev-none-00001", "ev-quake-0001", "ev-quake-0004", "desk-quake-01"] {
        // The audit log keeps its own entries (ids, no names) for its own retention.
        let left: Vec<String> = crate::common::naming(app.store.as_ref(), id)
            .await
            .into_iter()
            .filter(|k| !k.starts_with("AUDIT#"))
            .collect();
        assert!(left.is_empty(), "{id}: {left:?}");
    }
    // Stays: Hanako, still here; the households; the counters.
    assert!(roster_names(&app).await.contains(&"防災 花子".to_owned()));
    let (s, household) = app.call("GET", "/api/household", &app.login("taro", true).await.access_token, None).await;
    assert_eq!((s, household["members"].as_array().map(Vec::len)), (200, Some(1)));
    let occupancy_after = app.public_occupancy(A).await;
    assert_eq!(occupancy_after, occupancy_before);

    // HQ reads the report: counts by kind, no names.
    let (_, list) = app.call("GET", "/api/hq/incidents", &hq(&app), None).await;
    let report = &list[0]["purge_report"];
    assert!(list[0]["purged_at"].is_i64(), "{list}");
    assert_eq!(report["locations"], 1, "Taro's location (Kiyo's went with her record): {report}");
    assert_eq!(report["desk_people"], 1, "{report}");
    assert_eq!(report["survey_answers"], 1, "{report}");
    assert_eq!(report["stays"], 3, "{report}");
    assert_eq!(
        (report["safety_reports"].as_u64(), report["safety_history"].as_u64(), report["help_requests"].as_u64()),
        (Some(2), Some(3), Some(1)),
        "{report}"
    );
    assert!(
        report["check_in_events"].as_u64().unwrap() >= 4 && report["scan_records"].as_u64().unwrap() >= 4,
        "{report}"
    );
    assert_eq!(
        list[0]["purged_items"].as_u64().unwrap(),
        report.as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum::<u64>()
    );
    let outside = store.get(&bosai_core::keys::purge_report_outside_incidents()).await.unwrap().unwrap();
    assert_eq!(outside.get("scan_records").and_then(V::as_i64), Some(2), "{outside:?}");
}

/// Taro stops using the app: two years on his phone gets a warning, once; a month later his data
/// is deleted. Hanako signs in again after her warning and keeps hers.
async fn inactive_residents_are_warned_then_deleted(app: TestApp) {
    use bosai_core::domain::activity::{self, InactivePolicy};
    use bosai_push::TestPushService;
    let store = app.store.as_ref();
    let push = TestPushService::start(2, Some(app.push.client.vapid().public_key())).await.unwrap();
    let taro = app.login("taro", true).await.access_token;
    let hanako = app.login("hanako", true).await.access_token;
    for (token, i) in [(&taro, 0), (&hanako, 1)] {
        let s = push.subscription(i);
        let device = json!({"endpoint": s.endpoint, "expirationTime": null, "keys": {"p256dh": s.keys.p256dh_base64url(), "auth": s.keys.auth_base64url()}});
        assert_eq!(app.call("POST", "/api/push/subscriptions", token, Some(device)).await.0, 204);
    }
    let child = json!({"display_name": "長期 不在", "birth": "2016", "sex": "male", "relationship": "child"});
    assert_eq!(app.call("PUT", "/api/household/members/m-child", &taro, Some(child)).await.0, 200);
    let m = bosai_types::MunicipalityCode::parse("041009").unwrap();
    let policy = InactivePolicy::default();
    let sweep = |at: i64| {
        let push = &app.push;
        let m = m.clone();
        async move { activity::sweep(store, Some(push), &m, policy, Timestamp(at)).await.unwrap() }
    };
    // A year on: nothing.
    assert_eq!(sweep(now_ms() + 365 * DAY).await, activity::InactiveRun::default());
    // Past two years (and the month they signed in): both warned on their devices, once.
    let later = now_ms() + 762 * DAY;
    let run = sweep(later).await;
    assert_eq!((run.warned, run.pushed, run.deleted), (2, 2, 0), "{run:?}");
    let warning: bosai_types::notices::PushPayload = serde_json::from_slice(&push.last_payload(0).unwrap()).unwrap();
    assert!(warning.title.ja.contains("削除") && warning.body.ja.contains("サインイン"), "{warning:?}");
    assert_eq!(sweep(later + DAY).await.warned, 0, "warned once");
    assert_eq!(push.received_count(0), 1);
    // Hanako opens the app again two days later (what a token refresh records): active again.
    let (_, me) = app.call("GET", "/api/me", &hanako, None).await;
    bosai_core::domain::profile::seen(store, me["sub"].as_str().unwrap(), Timestamp(later + 2 * DAY)).await.unwrap();
    // A month after the warning: Taro's data is deleted; Hanako's stays.
    let run = sweep(later + 31 * DAY).await;
    assert_eq!(run.deleted, 1, "{run:?}");
    assert!(crate::common::naming(store, "長期 不在").await.is_empty(), "Taro's household is gone");
    let (s, hers) = app.call("GET", "/api/household", &app.login("hanako", true).await.access_token, None).await;
    assert_eq!((s, hers["members"].as_array().map(Vec::len)), (200, Some(1)));
    let day = Timestamp(later + 31 * DAY).jst_date();
    let (_, log) =
        app.call("GET", &format!("/api/hq/audit?action=resident_data_deleted&date={day}"), &hq(&app), None).await;
    assert_eq!(log.as_array().map(Vec::len), Some(1), "the deletion is in the log: {log}");
}

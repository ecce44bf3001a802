//! HQ's summary over HTTP on both stores: a family registers its area, is scanned in
//! by shelter staff and reports its safety; HQ sees counts (never names), and the
//! counts move back when they leave or delete their data.

use crate::common::TestApp;
use bosai_types::auth::Role;
use serde_json::{json, Value};

on_both_stores!(summary_follows_residents, area_registration, audit_log_is_read_by_day_who_what_and_shelter);

const A: &str = "041009-aoba-katahira-es";

fn shelter<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["shelters"].as_array().unwrap().iter().find(|s| s["shelter_id"] == id).unwrap()
}

fn area<'a>(summary: &'a Value, code: Option<&str>) -> Option<&'a Value> {
    summary["safety"].as_array().unwrap().iter().find(|a| a["area"].as_str() == code).map(|a| &a["counts"])
}

async fn summary_follows_residents(app: TestApp) {
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let before = app.call("GET", "/api/hq/summary", &hq, None).await.1;
    let t = app.login("taro", true).await.access_token;
    assert_eq!(app.call("PUT", "/api/me/area", &t, Some(json!({"area": "aoba-1"}))).await.0, 204);
    app.consent(&t).await;
    let child = json!({"display_name": "はな", "birth": "2018", "sex": "female", "relationship": "child"});
    assert_eq!(app.call("PUT", "/api/household/members/m-hana", &t, Some(child)).await.0, 200);
    let needs = json!({"allergens": ["egg", "buckwheat"], "care": []});
    assert_eq!(app.call("PUT", "/api/household/members/m-hana/needs", &t, Some(needs)).await.0, 200);
    let cred = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self", "m-hana"]}))).await.1;
    let staff = app.staff_token(Role::ShelterStaff, &[A], None);
    let now = bosai_core::clock::now_millis();
    let scan = |id: &str, kind: &str, at: i64| json!({"device_id": "tablet-1", "records": [{"event_id": id, "kind": kind, "at": at, "credential": cred["credential"]}]});
    assert_eq!(
        app.call("POST", &format!("/api/shelters/{A}/scans"), &staff, Some(scan("hq-ev-0001", "check_in", now - 1000)))
            .await
            .0,
        200
    );
    for (id, status) in [
        ("rep-hq-0001", json!({"status": "at_shelter", "shelter_id": A})),
        ("rep-hq-0002", json!({"status": "needs_help", "what": "薬", "location": "体育館"})),
    ] {
        let member = if id.ends_with('1') { "self" } else { "m-hana" };
        let (s, v) = app
            .call("POST", "/api/safety", &t, Some(json!({"report_id": id, "member_id": member, "status": status})))
            .await;
        assert_eq!(s, 200, "{v}");
    }

    let (s, after) = app.call("GET", "/api/hq/summary", &hq, None).await;
    assert_eq!(s, 200, "{after}");
    let (b, a) = (shelter(&before, A), shelter(&after, A));
    assert_eq!(a["occupancy"].as_i64().unwrap() - b["occupancy"].as_i64().unwrap(), 2);
    let n = |v: &Value, path: &[&str]| path.iter().fold(v, |v, k| &v[*k]).as_i64().unwrap_or(0);
    assert_eq!(n(a, &["headcount", "people"]) - n(b, &["headcount", "people"]), 2);
    assert_eq!(n(a, &["headcount", "by_sex", "female"]) - n(b, &["headcount", "by_sex", "female"]), 1, "はな");
    assert_eq!(n(a, &["headcount", "by_age", "child"]) - n(b, &["headcount", "by_age", "child"]), 1, "born 2018");
    assert_eq!(n(a, &["headcount", "by_age", "adult"]) - n(b, &["headcount", "by_age", "adult"]), 1, "born 1980");
    assert_eq!(n(a, &["headcount", "allergens", "buckwheat"]) - n(b, &["headcount", "allergens", "buckwheat"]), 1);
    assert_eq!(n(&after, &["totals", "allergens", "egg"]) - n(&before, &["totals", "allergens", "egg"]), 1);
    assert_eq!(
        area(&after, Some("aoba-1")).unwrap(),
        &json!({"safe_at_home": 0, "at_shelter": 1, "elsewhere": 0, "needs_help": 1})
    );
    let text = after.to_string();
    assert!(!text.contains("はな") && !text.contains("太郎") && !text.contains("薬"), "counts only: {text}");

    // Checked out: the shelter's counts go back; deleting her takes her report off.
    assert_eq!(
        app.call("POST", &format!("/api/shelters/{A}/scans"), &staff, Some(scan("hq-ev-0002", "check_out", now)))
            .await
            .0,
        200
    );
    assert_eq!(app.call("DELETE", "/api/household/members/m-hana", &t, None).await.0, 204);
    let later = app.call("GET", "/api/hq/summary", &hq, None).await.1;
    assert_eq!(shelter(&later, A)["headcount"], b["headcount"]);
    assert_eq!(
        area(&later, Some("aoba-1")).unwrap(),
        &json!({"safe_at_home": 0, "at_shelter": 1, "elsewhere": 0, "needs_help": 0})
    );

    // Who may read it.
    let other = app.staff_token(Role::Hq, &[], Some("131016"));
    assert_eq!(
        app.call("GET", "/api/hq/summary", &other, None).await.0,
        403,
        "the HQ of a municipality this deployment does not serve"
    );
    assert_eq!(app.call("GET", "/api/hq/summary", &staff, None).await.0, 403, "shelter staff");
    assert_eq!(app.call("GET", "/api/hq/summary", &t, None).await.0, 403, "residents");
}

async fn area_registration(app: TestApp) {
    let t = app.login("hanako", false).await.access_token;
    assert!(app.call("GET", "/api/me", &t, None).await.1["area"].is_null());
    for bad in [json!({"area": "Aoba 1"}), json!({"area": ""}), json!({}), json!({"area": "aoba-1", "x": 1})] {
        let (s, v) = app.call("PUT", "/api/me/area", &t, Some(bad.clone())).await;
        assert_eq!(s, 400, "{bad} → {v}");
        assert!(v["message"].as_str().is_some_and(|d| !d.is_empty()) && v.get("message_ja").is_none(), "{v}");
    }
    let (s, v) = app.call("PUT", "/api/me/area", &t, Some(json!({"area": "kita-9"}))).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("unknown_area")), "not an area of this municipality");
    assert!(app.call("GET", "/api/me", &t, None).await.1["area"].is_null(), "nothing stored");
    let areas: Value = app.http.get(app.url("/api/areas")).send().await.unwrap().json().await.unwrap();
    assert!(
        areas.as_array().unwrap().iter().any(|a| a["code"] == "izumi-2" && a["name_ja"] == "泉区 南光台"),
        "{areas}"
    );
    assert_eq!(app.call("PUT", "/api/me/area", &t, Some(json!({"area": "izumi-2"}))).await.0, 204);
    assert_eq!(app.call("PUT", "/api/me/area", &t, Some(json!({"area": "izumi-2"}))).await.0, 204, "a resend");
    assert_eq!(app.call("GET", "/api/me", &t, None).await.1["area"], "izumi-2");
    // An area survey now reaches her.
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let survey = json!({"id": "izumi-water", "title": {"ja": "給水", "en": "Water"}, "scope": {"type": "areas", "areas": ["izumi-2"]},
        "questions": [{"id": "need", "text": {"ja": "水は必要ですか", "en": "Need water?"}, "required": true, "kind": {"type": "single_choice", "options": [{"id": "yes", "label": {"ja": "はい", "en": "Yes"}}]}}],
        "recurrence": "once"});
    let (s, v) = app.call("POST", "/api/hq/surveys", &hq, Some(survey)).await;
    assert!(s == 201, "{v}");
    let mine = app.call("GET", "/api/surveys", &t, None).await.1;
    assert!(mine.as_array().unwrap().iter().any(|s| s["survey"]["id"] == "izumi-water"), "{mine}");
    assert_eq!(app.call("PUT", "/api/me/area", &t, Some(json!({"area": null}))).await.0, 204);
    assert!(app.call("GET", "/api/me", &t, None).await.1["area"].is_null(), "cleared");
}

/// The audit log screen's API: one day, filtered by who, what and shelter, as JSON or CSV; each
/// read is itself audited; only HQ and administrators of the municipality read it.
async fn audit_log_is_read_by_day_who_what_and_shelter(app: TestApp) {
    let staff = app.staff_token(Role::ShelterStaff, &[A], None);
    assert_eq!(app.call("GET", &format!("/api/shelters/{A}/roster?allergen=egg"), &staff, None).await.0, 200);
    assert_eq!(app.call("GET", &format!("/api/shelters/{A}/roster"), &staff, None).await.0, 200);
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let (s, v) = app.call("GET", "/api/hq/audit?action=roster_view", &hq, None).await;
    assert_eq!(s, 200, "{v}");
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|e| e["shelter"] == A && e["action"] == "roster_view" && e["details"]["rows"].is_string()));
    assert!(rows[0]["at"].as_i64() >= rows[1]["at"].as_i64(), "newest first");
    assert!(rows.iter().any(|e| e["details"]["filter"].as_str().unwrap().contains("egg")));
    // Only what happened: the entry's expiry is storage, not a detail.
    assert!(rows.iter().all(|e| e["details"].get("ttl").is_none()), "{v}");
    let actor = rows[0]["actor"].as_str().unwrap().to_owned();
    let (_, by_actor) = app.call("GET", &format!("/api/hq/audit?actor={actor}&shelter={A}"), &hq, None).await;
    assert_eq!(by_actor.as_array().unwrap().len(), 2);
    let (_, other_shelter) = app
        .call("GET", "/api/hq/audit?shelter=041009-wakabayashi-itsutsubashi-jhs&action=roster_view", &hq, None)
        .await;
    assert!(other_shelter.as_array().unwrap().is_empty());
    // Reading the log is in the log.
    let (_, reads) = app.call("GET", "/api/hq/audit?action=audit_view", &hq, None).await;
    assert_eq!(reads.as_array().unwrap().len(), 3, "three reads before this one: {reads}");
    let res = app.http.get(app.url("/api/hq/audit.csv?action=roster_view")).bearer_auth(&hq).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.starts_with('\u{FEFF}') && text.lines().count() == 3, "{text}");
    // Each row's time is Japan's date and time, not milliseconds.
    let when = text.lines().nth(1).and_then(|l| l.split(',').next()).unwrap_or_default();
    let shape = |i: usize, c: char| match i {
        4 | 7 => c == '-',
        10 => c == ' ',
        13 | 16 => c == ':',
        _ => c.is_ascii_digit(),
    };
    assert!(when.len() == 19 && when.chars().enumerate().all(|(i, c)| shape(i, c)), "YYYY-MM-DD HH:MM:SS: {text}");
    let (_, exports) = app.call("GET", "/api/hq/audit?action=audit_export", &hq, None).await;
    assert_eq!(exports.as_array().unwrap().len(), 1);
    // Yesterday is empty; a malformed day is a clear 400; staff and residents may not read it.
    let (s, v) = app.call("GET", "/api/hq/audit?date=2020-01-01", &hq, None).await;
    assert_eq!((s, v.as_array().map(Vec::len)), (200, Some(0)));
    let (s, v) = app.call("GET", "/api/hq/audit?date=yesterday", &hq, None).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_filter")));
    assert_eq!(app.call("GET", "/api/hq/audit", &staff, None).await.0, 403);
    let resident = app.login("taro", false).await.access_token;
    assert_eq!(app.call("GET", "/api/hq/audit", &resident, None).await.0, 403);
    // A desk registration and a card renewal are in the log too (ids and counts, no names).
    let reg = json!({"registration_id": "desk-audit-01", "check_in": false, "people": [{"name": "監査 テスト", "sex": "female"}]});
    assert_eq!(
        app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &staff, Some(reg.clone())).await.0,
        200
    );
    assert_eq!(
        app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &staff, Some(reg)).await.0,
        200,
        "a resend"
    );
    let (_, desk) = app.call("GET", "/api/hq/audit?action=desk_registered", &hq, None).await;
    assert_eq!(desk.as_array().unwrap().len(), 1, "once, not per resend: {desk}");
    assert_eq!((desk[0]["shelter"].as_str(), desk[0]["details"]["people"].as_str()), (Some(A), Some("1")));
    assert!(!desk.to_string().contains("監査 テスト"), "no names in the log");
}

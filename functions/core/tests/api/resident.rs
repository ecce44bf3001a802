//! Resident flows over HTTP on both stores: household, needs, safety, check-in
//! credential, my data — and each kind of bad input leaves nothing written.

use crate::common::TestApp;
use bosai_types::auth::Role;
use bosai_types::checkin::verify_credential;
use bosai_types::jws::{Jwks, KeySet};
use serde_json::{json, Value};

on_both_stores!(
    household_and_needs,
    bad_input_writes_nothing,
    residents_are_isolated,
    safety_and_hq_help_list,
    checkin_credential_verifies_offline,
    export_and_delete,
    queued_writes_keep_the_time_they_were_made,
    household_shows_where_each_member_is_checked_in,
    needs_are_kept_only_with_consent,
    safety_history_is_capped
);

struct Resident<'a> {
    app: &'a TestApp,
    token: String,
}

impl Resident<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.app.call(method, path, &self.token, body).await
    }
    async fn household(&self) -> Value {
        let (s, v) = self.send("GET", "/api/household", None).await;
        assert_eq!(s, 200);
        v
    }
}

/// A signed-in resident who agreed to the collection of needs.
async fn resident<'a>(app: &'a TestApp, card: &str) -> Resident<'a> {
    let token = app.login(card, true).await.access_token;
    app.consent(&token).await;
    Resident { app, token }
}

fn child() -> Value {
    json!({"display_name": "防災 はな", "birth": "2018", "sex": "female", "relationship": "child"})
}

async fn household_and_needs(app: TestApp) {
    let r = resident(&app, "taro").await;
    let h = r.household().await;
    let me = &h["members"][0]["member"];
    assert_eq!(
        (me["id"].as_str(), me["display_name"].as_str(), me["birth"].as_str()),
        (Some("self"), Some("防災 太郎"), Some("1980-04-01"))
    );
    let (s, m) = r.send("PUT", "/api/household/members/m-hana", Some(child())).await;
    assert_eq!(s, 200, "{m}");
    let (s, _) = r.send("PUT", "/api/household/members/m-hana", Some(child())).await;
    assert_eq!(s, 200, "a retry is harmless");
    let grandma =
        json!({"display_name": "防災 ウメ", "birth": "1940-02-29", "sex": "female", "relationship": "grandparent"});
    assert_eq!(r.send("PUT", "/api/household/members/m-ume", Some(grandma)).await.0, 200);
    let needs = json!({"allergens": ["egg", "milk"], "other_allergies": "ラテックス", "care": ["wheelchair"], "nursing_care_level": "care2"});
    let (s, n) = r.send("PUT", "/api/household/members/m-hana/needs", Some(needs)).await;
    assert_eq!(s, 200, "{n}");
    assert!(n["updated_at"].as_i64().unwrap() > 0);
    let h = r.household().await;
    let members = h["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    let hana = members.iter().find(|m| m["member"]["id"] == "m-hana").unwrap();
    assert_eq!(hana["needs"]["allergens"], json!(["egg", "milk"]));
    assert_eq!(hana["needs"]["nursing_care_level"], "care2");
    assert_eq!(r.send("DELETE", "/api/household/members/m-ume", None).await.0, 204);
    assert_eq!(r.send("DELETE", "/api/household/members/m-ume", None).await.0, 204, "idempotent");
    assert_eq!(r.household().await["members"].as_array().unwrap().len(), 2);
}

async fn bad_input_writes_nothing(app: TestApp) {
    let r = resident(&app, "taro").await;
    assert_eq!(r.send("PUT", "/api/household/members/m-hana", Some(child())).await.0, 200);
    let before = r.household().await;
    let long = "あ".repeat(41);
    let cases = [
        (
            "PUT",
            "/api/household/members/m-x",
            json!({"display_name": long, "birth": "2018", "sex": "male", "relationship": "child"}),
            400,
            "invalid_name",
        ),
        (
            "PUT",
            "/api/household/members/m-x",
            json!({"display_name": "x", "birth": "2023-02-29", "sex": "male", "relationship": "child"}),
            400,
            "invalid_field",
        ),
        (
            "PUT",
            "/api/household/members/m-x",
            json!({"display_name": "x", "birth": "2099", "sex": "male", "relationship": "child"}),
            400,
            "invalid_birth_date",
        ),
        ("PUT", "/api/household/members/bad%20id", child(), 400, "invalid_member_id"),
        (
            "PUT",
            "/api/household/members/m-x",
            json!({"display_name": "x", "birth": "2018", "sex": "male", "relationship": "self"}),
            400,
            "self_member",
        ),
        ("PUT", "/api/household/members/m-hana/needs", json!({"allergens": ["uranium"]}), 400, "invalid_field"),
        (
            "PUT",
            "/api/household/members/m-hana/needs",
            json!({"other_allergies": "x".repeat(201)}),
            400,
            "invalid_needs",
        ),
        ("PUT", "/api/household/members/m-hana/needs", json!({"allergens": ["egg", "egg"]}), 400, "invalid_needs"),
        ("PUT", "/api/household/members/m-nobody/needs", json!({"allergens": ["egg"]}), 404, "not_found"),
        ("DELETE", "/api/household/members/self", json!(null), 400, "self_member"),
        (
            "POST",
            "/api/safety",
            json!({"report_id": "r-00000001", "member_id": "m-nobody", "status": {"status": "safe_at_home"}}),
            404,
            "not_found",
        ),
        (
            "POST",
            "/api/safety",
            json!({"report_id": "r-00000002", "member_id": "self", "status": {"status": "elsewhere", "place": ""}}),
            400,
            "invalid_safety_report",
        ),
        (
            "POST",
            "/api/safety",
            json!({"report_id": "r-00000003", "member_id": "self", "status": {"status": "at_shelter", "shelter_id": "no-such"}}),
            400,
            "unknown_shelter",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let (s, v) = r.send(method, path, body).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{method} {path}: {v}");
        assert!(!v["message"].as_str().unwrap_or("").is_empty());
    }
    // A field's broken rule is named (`params.reason`): the app words it in the reader's language.
    let reasons = [
        (
            "/api/household/members/m-x",
            json!({"display_name": "あ".repeat(41), "birth": "2018", "sex": "male", "relationship": "child"}),
            "bad_name",
        ),
        (
            "/api/household/members/m-x",
            json!({"display_name": "x", "birth": "2099", "sex": "male", "relationship": "child"}),
            "bad_birth_date",
        ),
        ("/api/household/members/m-hana/needs", json!({"other_allergies": "x".repeat(201)}), "note_too_long"),
        ("/api/household/members/m-hana/needs", json!({"allergens": ["egg", "egg"]}), "duplicate"),
    ];
    for (path, body, reason) in reasons {
        let (s, v) = r.send("PUT", path, Some(body)).await;
        assert_eq!((s, v["params"]["reason"].as_str()), (400, Some(reason)), "{path}: {v}");
    }
    let place = json!({"report_id": "r-00000004", "member_id": "self", "status": {"status": "elsewhere", "place": ""}});
    assert_eq!(r.send("POST", "/api/safety", Some(place)).await.1["params"]["reason"], "bad_place");
    let (_, v) = r.send("DELETE", "/api/household/members/m-nobody/needs", None).await;
    assert!(v.get("params").is_none(), "no params when there are none: {v}");
    assert_eq!(r.household().await, before, "nothing partially written");
    let (s, v) = r.send("GET", "/api/safety/history?member_id=self", None).await;
    assert_eq!((s, v.as_array().map(Vec::len)), (200, Some(0)));
}

async fn residents_are_isolated(app: TestApp) {
    let taro = resident(&app, "taro").await;
    let hanako = resident(&app, "hanako").await;
    assert_eq!(taro.send("PUT", "/api/household/members/m-hana", Some(child())).await.0, 200);
    // Hanako uses Taro's member id: it is simply not hers.
    assert_eq!(
        hanako.send("PUT", "/api/household/members/m-hana/needs", Some(json!({"allergens": ["egg"]}))).await.0,
        404
    );
    assert_eq!(hanako.send("GET", "/api/safety/history?member_id=m-hana", None).await.0, 404);
    assert_eq!(hanako.household().await["members"].as_array().unwrap().len(), 1);
    let t = taro.household().await;
    assert!(t["members"][1]["needs"].is_null(), "Taro's member untouched");
    // Staff and HQ tokens are not residents.
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    let res = app.http.get(app.url("/api/household")).bearer_auth(staff).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

async fn safety_and_hq_help_list(app: TestApp) {
    let r = resident(&app, "taro").await;
    assert_eq!(
        r.send(
            "PUT",
            "/api/household/members/m-ume",
            Some(json!({"display_name": "防災 ウメ", "birth": "1938", "sex": "female", "relationship": "grandparent"}))
        )
        .await
        .0,
        200
    );
    // A number to call back on is checked: the app sends the stored form, digits only.
    let typed = json!({"report_id": "rep-help-0000", "member_id": "m-ume", "status": {"status": "needs_help", "what": "薬", "location": "自宅", "phone": "090-1234-5678"}});
    let (s, v) = r.send("POST", "/api/safety", Some(typed)).await;
    assert_eq!((s, v["params"]["reason"].as_str()), (400, Some("bad_phone")), "{v}");
    let help = json!({"report_id": "rep-help-0001", "member_id": "m-ume", "status": {"status": "needs_help", "what": "歩けない・薬が必要", "location": "自宅（片平一丁目）2階", "phone": "09012345678"}});
    let (s, first) = r.send("POST", "/api/safety", Some(help.clone())).await;
    assert_eq!(s, 200, "{first}");
    let (s, again) = r.send("POST", "/api/safety", Some(help)).await;
    assert_eq!((s, &again), (200, &first), "a resend returns the stored report");
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let list: Value =
        app.http.get(app.url("/api/hq/help-requests")).bearer_auth(&hq).send().await.unwrap().json().await.unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0]["member_name"].as_str(), list[0]["birth_year"].as_u64()), (Some("防災 ウメ"), Some(1938)));
    assert!(list[0]["location"].as_str().unwrap().contains("2階"));
    assert_eq!(list[0]["phone"], "09012345678", "HQ can call back: {}", list[0]);
    assert!(list[0].get("checked_in").is_none(), "not at a shelter yet: {}", list[0]);
    assert!(list[0].get("area").is_none(), "no area registered: {}", list[0]);
    let other_hq = app.staff_token(Role::Hq, &[], Some("131016"));
    assert_eq!(
        app.http.get(app.url("/api/hq/help-requests")).bearer_auth(other_hq).send().await.unwrap().status(),
        403
    );
    // Scanned in at a shelter since: still open (only her own next report closes it), with where
    // and since when, so HQ does not send someone to her home.
    let (_, c) = r.send("POST", "/api/me/checkin-credential", Some(json!({"members": ["m-ume"]}))).await;
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    let at = bosai_core::clock::now_millis();
    let scan = json!({"event_id": "ev-help-000001", "kind": "check_in", "at": at, "credential": c["credential"]});
    let records = json!({"device_id": "tab", "records": [scan]});
    let (s, v) = app.call("POST", "/api/shelters/041009-aoba-katahira-es/scans", &staff, Some(records)).await;
    assert_eq!((s, v["results"][0]["outcome"].as_str()), (200, Some("stored")), "{v}");
    let list: Value =
        app.http.get(app.url("/api/hq/help-requests")).bearer_auth(&hq).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let there = &list[0]["checked_in"];
    assert_eq!(there["shelter_id"], "041009-aoba-katahira-es", "{list}");
    assert_eq!((there["shelter_name"].as_str(), there["since"].as_i64()), (Some("片平丁小学校"), Some(at)), "{list}");
    // HQ takes it up (対応中): the list and her household's card say so; the same step again is
    // the same answer; other towns' HQ, the prefecture's and residents cannot; the step is audited.
    let url = "/api/hq/help-requests/rep-help-0001";
    let (s, v) = app.call("PUT", url, &hq, Some(json!({"state": "in_progress"}))).await;
    assert_eq!((s, v["progress"]["state"].as_str()), (200, Some("in_progress")), "{v}");
    let (s, again) = app.call("PUT", url, &hq, Some(json!({"state": "in_progress"}))).await;
    assert_eq!((s, &again), (200, &v), "a resend is the same step, at the same time");
    let view = r.household().await;
    assert_eq!(view["members"][1]["help"], v["progress"], "{view}");
    assert!(view["members"][0].get("help").is_none(), "only hers: {view}");
    let (s, bad) = app.call("PUT", url, &hq, Some(json!({"state": "done"}))).await;
    assert_eq!(s, 400, "an unknown step is refused: {bad}");
    let (s, _) = app.call("PUT", "/api/hq/help-requests/rep-nobody-01", &hq, Some(json!({"state": "resolved"}))).await;
    assert_eq!(s, 404);
    let other_hq = app.staff_token(Role::Hq, &[], Some("131016"));
    let pref = app.staff_token(Role::PrefectureHq, &[], Some("040002"));
    for token in [other_hq.as_str(), pref.as_str(), r.token.as_str()] {
        assert_eq!(app.call("PUT", url, token, Some(json!({"state": "resolved"}))).await.0, 403);
    }
    let (_, audit) = app.call("GET", "/api/hq/audit?action=help_request_state", &hq, None).await;
    let entry = &audit[0];
    assert_eq!(
        (entry["details"]["report_id"].as_str(), entry["details"]["state"].as_str()),
        (Some("rep-help-0001"), Some("in_progress")),
        "{audit}"
    );
    // Reached a shelter by her own report: off the list; history keeps both, newest first.
    let safe = json!({"report_id": "rep-safe-0002", "member_id": "m-ume", "status": {"status": "at_shelter", "shelter_id": "041009-aoba-katahira-es"}});
    assert_eq!(r.send("POST", "/api/safety", Some(safe)).await.0, 200);
    let list: Value =
        app.http.get(app.url("/api/hq/help-requests")).bearer_auth(&hq).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    let (_, h) = r.send("GET", "/api/safety/history?member_id=m-ume", None).await;
    let ids: Vec<&str> = h.as_array().unwrap().iter().map(|x| x["report_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["rep-safe-0002", "rep-help-0001"]);
    let view = r.household().await;
    assert_eq!(view["members"][1]["safety"]["status"]["status"], "at_shelter");
    assert!(view["members"][1].get("help").is_none(), "HQ's step went with the request: {view}");
    // HQ, with the old list still on screen: the request is gone, not revived.
    let (s, v) = app.call("PUT", url, &hq, Some(json!({"state": "resolved"}))).await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    // Same id, different content: a conflict, not an overwrite.
    let reuse = json!({"report_id": "rep-safe-0002", "member_id": "m-ume", "status": {"status": "safe_at_home"}});
    assert_eq!(r.send("POST", "/api/safety", Some(reuse)).await.0, 409);
}

async fn checkin_credential_verifies_offline(app: TestApp) {
    let r = resident(&app, "taro").await;
    assert_eq!(r.send("PUT", "/api/household/members/m-hana", Some(child())).await.0, 200);
    let (s, c) = r.send("POST", "/api/me/checkin-credential", Some(json!({"members": ["self", "m-hana"]}))).await;
    assert_eq!(s, 200, "{c}");
    let credential = c["credential"].as_str().unwrap();
    assert!(credential.len() < 500, "small enough for a reliable QR: {}", credential.len());
    // What a staff device does offline: verify with the cached JWKS.
    let jwks: Jwks = app.http.get(app.url("/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
    let keys = KeySet::from_jwks(&jwks).unwrap();
    let claims = verify_credential(&keys, credential, bosai_core::clock::now_seconds()).unwrap();
    assert_eq!(claims.m, vec!["m-hana", "self"]);
    assert!(!credential.contains("防災"), "no names in the QR");
    assert_eq!(r.send("POST", "/api/me/checkin-credential", Some(json!({"members": ["m-nobody"]}))).await.0, 404);
    assert_eq!(r.send("POST", "/api/me/checkin-credential", Some(json!({"members": []}))).await.0, 400);
    // The credential is not an access token.
    let res = app.http.get(app.url("/api/household")).bearer_auth(credential).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

async fn export_and_delete(app: TestApp) {
    let r = resident(&app, "taro").await;
    let other = resident(&app, "hanako").await;
    assert_eq!(other.send("PUT", "/api/household/members/m-k", Some(child())).await.0, 200);
    assert_eq!(r.send("PUT", "/api/household/members/m-hana", Some(child())).await.0, 200);
    assert_eq!(
        r.send("PUT", "/api/household/members/m-hana/needs", Some(json!({"allergens": ["wheat"]}))).await.0,
        200
    );
    let help = json!({"report_id": "rep-del-00001", "member_id": "self", "status": {"status": "needs_help", "what": "水", "location": "自宅"}});
    assert_eq!(r.send("POST", "/api/safety", Some(help)).await.0, 200);
    let (s, data) = r.send("GET", "/api/me/export", None).await;
    assert_eq!(s, 200);
    assert_eq!(data["me"]["basic_four"]["name"], "防災 太郎");
    assert_eq!(data["members"].as_array().unwrap().len(), 2);
    assert_eq!(data["safety_history"].as_array().unwrap().len(), 1);
    let (s, v) = r.send("DELETE", "/api/me", Some(json!({"confirm": "yes"}))).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("confirmation_required")));
    assert_eq!(
        r.send("GET", "/api/me/export", None).await.1["members"].as_array().unwrap().len(),
        2,
        "nothing deleted"
    );
    assert_eq!(r.send("DELETE", "/api/me", Some(json!({"confirm": "delete"}))).await.0, 204);
    let (_, after) = r.send("GET", "/api/me/export", None).await;
    assert!(after["me"]["basic_four"].is_null());
    assert_eq!(after["members"].as_array().unwrap().len(), 1, "only the implicit self remains");
    assert!(after["members"][0]["needs"].is_null() && after["safety_history"].as_array().unwrap().is_empty());
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let list: Value =
        app.http.get(app.url("/api/hq/help-requests")).bearer_auth(hq).send().await.unwrap().json().await.unwrap();
    assert!(list.as_array().unwrap().is_empty(), "the help entry went too");
    assert_eq!(other.household().await["members"].as_array().unwrap().len(), 2, "others untouched");
    let m = bosai_types::MunicipalityCode::parse("041009").unwrap();
    let today = bosai_types::Timestamp(bosai_core::clock::now_millis()).jst_date();
    let audit = bosai_core::domain::audit::day(app.store.as_ref(), &m, &today).await.unwrap();
    assert!(audit.iter().any(|a| a.get("action").and_then(|v| v.as_str()) == Some("resident_data_deleted")));
}

/// The device's times for a write made `waited_ms` ago, by a clock `skew_ms` off.
fn device_times(waited_ms: i64, skew_ms: i64) -> [(&'static str, String); 2] {
    let device_now = bosai_core::clock::now_millis() + skew_ms;
    [("Bosai-Made-At", (device_now - waited_ms).to_string()), ("Bosai-Sent-At", device_now.to_string())]
}

async fn queued_writes_keep_the_time_they_were_made(app: TestApp) {
    let t = app.login("taro", false).await.access_token;
    app.consent(&t).await;
    const HOUR: i64 = 3_600_000;
    // Made 9 hours ago on a phone whose clock is 2 hours slow; sent now.
    let help = json!({"report_id": "rep-night-0001", "member_id": "self", "status": {"status": "needs_help", "what": "水がない", "location": "自宅"}});
    let before = bosai_core::clock::now_millis();
    let (s, r) = app.call_with("POST", "/api/safety", &t, Some(help), &device_times(9 * HOUR, -2 * HOUR)).await;
    assert_eq!(s, 200, "{r}");
    let (made, received) = (r["reported_at"].as_i64().unwrap(), r["received_at"].as_i64().unwrap());
    assert!(received >= before && (received - 9 * HOUR - made).abs() < 5_000, "made 9 h before it was received: {r}");
    assert!((r["clock_skew_ms"].as_i64().unwrap() + 2 * HOUR).abs() < 5_000, "the slow clock is noted: {r}");
    // One made later (8 h ago) becomes current; one made earlier (10 h ago) but arriving last only goes into history.
    let safe = json!({"report_id": "rep-night-0002", "member_id": "self", "status": {"status": "safe_at_home"}});
    assert_eq!(app.call_with("POST", "/api/safety", &t, Some(safe), &device_times(8 * HOUR, 0)).await.0, 200);
    let older = json!({"report_id": "rep-night-0003", "member_id": "self", "status": {"status": "elsewhere", "place": "車の中"}});
    assert_eq!(app.call_with("POST", "/api/safety", &t, Some(older), &device_times(10 * HOUR, 0)).await.0, 200);
    let (_, view) = app.call("GET", "/api/household", &t, None).await;
    assert_eq!(view["members"][0]["safety"]["report_id"], "rep-night-0002", "the latest made is current");
    let (_, h) = app.call("GET", "/api/safety/history?member_id=self", &t, None).await;
    let ids: Vec<&str> = h.as_array().unwrap().iter().map(|x| x["report_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rep-night-0002", "rep-night-0001", "rep-night-0003"], "history in the order made");
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let (_, list) = app.call("GET", "/api/hq/help-requests", &hq, None).await;
    assert!(list.as_array().unwrap().is_empty(), "the help request was superseded by a later-made report");
    // Never in the future; never older than a week.
    let future = json!({"report_id": "rep-night-0004", "member_id": "self", "status": {"status": "safe_at_home"}});
    let (_, r) = app.call_with("POST", "/api/safety", &t, Some(future), &device_times(-HOUR, 0)).await;
    assert!(r["reported_at"].as_i64().unwrap() <= bosai_core::clock::now_millis());
    let ancient = json!({"report_id": "rep-night-0005", "member_id": "self", "status": {"status": "safe_at_home"}});
    let (_, r) = app.call_with("POST", "/api/safety", &t, Some(ancient), &device_times(30 * 24 * HOUR, 0)).await;
    assert!(
        r["reported_at"].as_i64().unwrap() >= r["received_at"].as_i64().unwrap() - bosai_types::made::MAX_QUEUED_MS
    );
    // Needs edited offline: the stored edit is the later-made one, whatever the arrival order.
    let egg = json!({"allergens": ["egg"]});
    let milk = json!({"allergens": ["milk"]});
    assert_eq!(
        app.call_with("PUT", "/api/household/members/self/needs", &t, Some(egg), &device_times(HOUR, 0)).await.0,
        200
    );
    let (s, n) =
        app.call_with("PUT", "/api/household/members/self/needs", &t, Some(milk), &device_times(2 * HOUR, 0)).await;
    assert_eq!((s, n["allergens"].clone()), (200, json!(["egg"])), "the earlier-made edit does not overwrite");
    // Malformed device times: a clear 400, nothing stored.
    for headers in [
        vec![("Bosai-Made-At", "21:05".to_owned()), ("Bosai-Sent-At", "1".to_owned())],
        vec![("Bosai-Made-At", "1".to_owned())],
    ] {
        let body = json!({"report_id": "rep-night-0009", "member_id": "self", "status": {"status": "safe_at_home"}});
        let (s, e) = app.call_with("POST", "/api/safety", &t, Some(body), &headers).await;
        assert_eq!((s, e["code"].as_str()), (400, Some("invalid_made_at")), "{e}");
    }
    let (_, h) = app.call("GET", "/api/safety/history?member_id=self", &t, None).await;
    assert!(h.as_array().unwrap().iter().all(|x| x["report_id"] != "rep-night-0009"));
}

async fn household_shows_where_each_member_is_checked_in(app: TestApp) {
    let t = app.login("taro", false).await.access_token;
    let child = json!({"display_name": "はな", "birth": "2018", "sex": "female", "relationship": "child"});
    assert_eq!(app.call("PUT", "/api/household/members/m-hana", &t, Some(child)).await.0, 200);
    let (_, c) = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["m-hana"]}))).await;
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    let now = bosai_core::clock::now_millis();
    let scan = json!({"event_id": "ev-hh-000001", "kind": "check_in", "at": now, "credential": c["credential"]});
    let (s, r) = app
        .call(
            "POST",
            "/api/shelters/041009-aoba-katahira-es/scans",
            &staff,
            Some(json!({"device_id": "tab", "records": [scan]})),
        )
        .await;
    assert_eq!((s, r["results"][0]["outcome"].as_str()), (200, Some("stored")), "{r}");
    let (_, view) = app.call("GET", "/api/household", &t, None).await;
    assert!(view["members"][0].get("checked_in").is_none(), "Taro himself is not checked in: {view}");
    assert_eq!(view["members"][1]["checked_in"]["shelter_id"], "041009-aoba-katahira-es");
    assert_eq!(view["members"][1]["checked_in"]["since"].as_i64(), Some(now));
}

/// 要配慮個人情報: needs are refused until the resident agrees to the current text; the consent
/// (version, time) is shown and exported; withdrawing deletes every member's needs, also the
/// copy on the roster of the shelter they are checked in to.
async fn needs_are_kept_only_with_consent(app: TestApp) {
    let t = app.login("hanako", false).await.access_token;
    assert_eq!(app.call("PUT", "/api/household/members/m-hana", &t, Some(child())).await.0, 200);
    let egg = json!({"allergens": ["egg"], "medical_note": "エピペンあり"});
    let (s, e) = app.call("PUT", "/api/household/members/m-hana/needs", &t, Some(egg.clone())).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("consent_required")), "{e}");
    assert!(
        app.call("GET", "/api/household", &t, None).await.1["members"][1].get("needs").is_none_or(Value::is_null),
        "nothing stored"
    );
    // Clearing needs never needs consent.
    assert_eq!(app.call("PUT", "/api/household/members/m-hana/needs", &t, Some(json!({}))).await.0, 200);
    let (s, e) = app.call("PUT", "/api/me/consent", &t, Some(json!({"version": "2020-01"}))).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("consent_outdated")));
    app.consent(&t).await;
    let first = app.call("GET", "/api/me", &t, None).await.1["consent"].clone();
    assert_eq!(first["version"], bosai_types::consent::SENSITIVE_DATA_CONSENT_VERSION);
    app.consent(&t).await;
    assert_eq!(app.call("GET", "/api/me", &t, None).await.1["consent"], first, "agreeing again keeps the first time");
    assert_eq!(app.call("PUT", "/api/household/members/m-hana/needs", &t, Some(egg)).await.0, 200);
    assert_eq!(app.call("GET", "/api/me/export", &t, None).await.1["me"]["consent"], first, "exported");
    // Checked in: the roster shows the allergy, until consent is withdrawn.
    let (_, c) = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["m-hana"]}))).await;
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    let scan = json!({"event_id": "ev-consent-01", "kind": "check_in", "at": bosai_core::clock::now_millis(), "credential": c["credential"]});
    app.call(
        "POST",
        "/api/shelters/041009-aoba-katahira-es/scans",
        &staff,
        Some(json!({"device_id": "tab", "records": [scan]})),
    )
    .await;
    let roster = || async { app.call("GET", "/api/shelters/041009-aoba-katahira-es/roster", &staff, None).await.1 };
    assert_eq!(roster().await[0]["allergens"], json!(["egg"]));
    assert_eq!(app.call("DELETE", "/api/me/consent", &t, None).await.0, 204);
    assert_eq!(app.call("DELETE", "/api/me/consent", &t, None).await.0, 204, "idempotent");
    let h = app.call("GET", "/api/household", &t, None).await.1;
    assert!(h["members"][1].get("needs").is_none_or(Value::is_null), "needs deleted: {h}");
    let r = roster().await;
    assert_eq!(
        (r[0]["allergens"].clone(), r[0]["medical_note"].as_str()),
        (json!([]), Some("")),
        "gone from the roster: {r}"
    );
    assert!(app.call("GET", "/api/me", &t, None).await.1["consent"].is_null());
    assert_eq!(
        app.call("PUT", "/api/household/members/m-hana/needs", &t, Some(json!({"allergens": ["milk"]}))).await.1
            ["code"],
        "consent_required"
    );
}

/// A member's safety history keeps the newest reports only (with their replay records).
async fn safety_history_is_capped(app: TestApp) {
    let t = app.login("taro", false).await.access_token;
    let cap = bosai_core::domain::safety::MAX_HISTORY as usize;
    for i in 0..cap + 3 {
        let body =
            json!({"report_id": format!("rep-cap-{i:05}"), "member_id": "self", "status": {"status": "safe_at_home"}});
        // Made one second apart, oldest first.
        let (s, v) =
            app.call_with("POST", "/api/safety", &t, Some(body), &device_times(1_000 * (cap + 3 - i) as i64, 0)).await;
        assert_eq!(s, 200, "{v}");
    }
    let (_, h) = app.call("GET", "/api/safety/history?member_id=self", &t, None).await;
    let ids: Vec<&str> = h.as_array().unwrap().iter().map(|r| r["report_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), cap);
    assert_eq!(
        (ids[0], ids[cap - 1]),
        (format!("rep-cap-{:05}", cap + 2).as_str(), "rep-cap-00003"),
        "the newest kept"
    );
    let items = app
        .store
        .query(bosai_store::Query::partition(format!("RES#{}", sub_of(&t))).begins_with("SAFETYID#"))
        .await
        .unwrap()
        .items;
    assert_eq!(items.len(), cap, "replay records of dropped reports went too");
}

fn sub_of(token: &str) -> String {
    use base64::Engine;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap();
    serde_json::from_slice::<Value>(&payload).unwrap()["sub"].as_str().unwrap().to_owned()
}

//! Shelter check-in over HTTP on both stores: the offline batch protocol
//! (idempotent, by event time, bad records reported one by one), roster and
//! CSV, poster check-in, and concurrency.

use crate::common::TestApp;
use bosai_types::auth::Role;
use bosai_types::checkin::{CheckInClaims, CHECKIN_TYPE};
use serde_json::{json, Value};

on_both_stores!(
    batch_is_idempotent_and_fills_roster,
    location_follows_event_time,
    bad_records_are_reported_good_ones_kept,
    staff_scope_and_batch_limits,
    concurrent_scans_of_one_person,
    roster_filters_csv_and_audit,
    poster_check_in,
    deleted_resident_credentials_are_revoked,
    card_name_with_substitutes_is_flagged_for_staff,
    scan_preview_names_people_and_where_they_are,
    a_resident_of_the_next_town_is_received,
    the_home_municipality_comes_from_the_card_and_can_be_corrected,
);

const A: &str = "041009-aoba-katahira-es";
const B: &str = "041009-wakabayashi-itsutsubashi-jhs";

fn now_ms() -> i64 {
    bosai_core::clock::now_millis()
}

/// Taro with his daughter (egg allergy), and a credential naming both.
async fn family(app: &TestApp, card: &str) -> (String, String) {
    let t = app.login(card, true).await.access_token;
    app.consent(&t).await;
    let child = json!({"display_name": "はな", "birth": "2018", "sex": "female", "relationship": "child"});
    assert_eq!(app.call("PUT", "/api/household/members/m-hana", &t, Some(child)).await.0, 200);
    let needs = json!({"allergens": ["egg"], "care": []});
    assert_eq!(app.call("PUT", "/api/household/members/m-hana/needs", &t, Some(needs)).await.0, 200);
    let (s, c) = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self", "m-hana"]}))).await;
    assert_eq!(s, 200);
    (t, c["credential"].as_str().unwrap().to_owned())
}

fn staff(app: &TestApp, shelter: &str) -> String {
    app.staff_token(Role::ShelterStaff, &[shelter], None)
}

fn scan(event_id: &str, kind: &str, at: i64, credential: &str) -> Value {
    json!({"event_id": event_id, "kind": kind, "at": at, "credential": credential})
}

async fn batch(app: &TestApp, shelter: &str, token: &str, records: Vec<Value>) -> (u16, Value) {
    app.call(
        "POST",
        &format!("/api/shelters/{shelter}/scans"),
        token,
        Some(json!({"device_id": "tablet-1", "records": records})),
    )
    .await
}

async fn occupancy(app: &TestApp, shelter: &str) -> i64 {
    let s: Value =
        app.http.get(app.url(&format!("/api/shelters/{shelter}"))).send().await.unwrap().json().await.unwrap();
    s["occupancy"].as_i64().unwrap()
}

fn outcomes(v: &Value) -> Vec<String> {
    v["results"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap().to_owned()).collect()
}

async fn roster(app: &TestApp, shelter: &str, token: &str, query: &str) -> Vec<Value> {
    let (s, v) = app.call("GET", &format!("/api/shelters/{shelter}/roster{query}"), token, None).await;
    assert_eq!(s, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn batch_is_idempotent_and_fills_roster(app: TestApp) {
    let (_, cred) = family(&app, "taro").await;
    let st = staff(&app, A);
    let before = occupancy(&app, A).await;
    let records = vec![scan("ev-000000001", "check_in", now_ms(), &cred)];
    let (s, r) = batch(&app, A, &st, records.clone()).await;
    assert_eq!((s, outcomes(&r)), (200, vec!["stored".to_owned()]));
    // The device lost the answer and sends the same batch again.
    let (_, r) = batch(&app, A, &st, records).await;
    assert_eq!(outcomes(&r), vec!["duplicate"]);
    assert_eq!(occupancy(&app, A).await, before + 2, "two people, counted once");
    let list = roster(&app, A, &st, "").await;
    assert_eq!(list.len(), 2);
    let hana = list.iter().find(|e| e["name"] == "はな").unwrap();
    assert_eq!((hana["allergens"].clone(), hana["age_band"].as_str()), (json!(["egg"]), Some("child")));
    // The card holder checked by the card; the child she registered only by her word.
    let taro = list.iter().find(|e| e["name"] != "はな").unwrap();
    assert_eq!((taro["source"].as_str(), hana["source"].as_str()), (Some("card"), Some("family")));
    // Check-out removes them from the roster and the count.
    let (_, r) = batch(&app, A, &st, vec![scan("ev-000000002", "check_out", now_ms() + 1, &cred)]).await;
    assert_eq!(outcomes(&r), vec!["stored"]);
    assert!(roster(&app, A, &st, "").await.is_empty());
    assert_eq!(occupancy(&app, A).await, before);
}

async fn location_follows_event_time(app: TestApp) {
    let (t, cred) = family(&app, "taro").await;
    let (a0, b0) = (occupancy(&app, A).await, occupancy(&app, B).await);
    let t0 = now_ms() - 60_000;
    // Online at B now; the offline tablet at A recorded an earlier scan and syncs later.
    let (_, r) = batch(&app, B, &staff(&app, B), vec![scan("ev-b-0000001", "check_in", t0 + 30_000, &cred)]).await;
    assert_eq!(outcomes(&r), vec!["stored"]);
    let (_, r) = batch(&app, A, &staff(&app, A), vec![scan("ev-a-0000001", "check_in", t0, &cred)]).await;
    assert_eq!(outcomes(&r), vec!["stored"], "kept in the history");
    assert_eq!((occupancy(&app, A).await, occupancy(&app, B).await), (a0, b0 + 2));
    assert_eq!(roster(&app, B, &staff(&app, B), "").await.len(), 2);
    assert!(roster(&app, A, &staff(&app, A), "").await.is_empty());
    // The resident's own view agrees: exporting shows nothing wrong; a later scan at A moves them.
    let (_, r) = batch(&app, A, &staff(&app, A), vec![scan("ev-a-0000002", "check_in", t0 + 45_000, &cred)]).await;
    assert_eq!(outcomes(&r), vec!["stored"]);
    assert_eq!((occupancy(&app, A).await, occupancy(&app, B).await), (a0 + 2, b0));
    let _ = t;
}

async fn bad_records_are_reported_good_ones_kept(app: TestApp) {
    let (_, cred) = family(&app, "taro").await;
    let st = staff(&app, A);
    let now = bosai_core::clock::now_seconds();
    let mut tampered = cred.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let claims = |mu: &str, iat: i64, exp: i64| CheckInClaims {
        iss: "bosai-local".into(),
        sub: "r_x".into(),
        m: vec!["self".into()],
        mu: mu.into(),
        iat,
        exp,
    };
    let other_muni = app.signer.sign(CHECKIN_TYPE, &claims("131016", now, now + 3600));
    let expired = app.signer.sign(CHECKIN_TYPE, &claims("041009", now - 7200, now - 3600));
    let as_access_token = app.login("hanako", false).await.access_token;
    let records = vec![
        scan("ev-good-00001", "check_in", now_ms(), &cred),
        json!({"event_id": "ev-bad-000001", "kind": "check_in"}),
        scan("ev-bad-000002", "check_in", now_ms(), &tampered),
        scan("ev-bad-000003", "check_in", now_ms(), &other_muni),
        scan("ev-bad-000004", "check_in", now_ms(), &expired),
        scan("ev-bad-000005", "check_in", now_ms() + 3_600_000, &cred),
        scan("bad", "check_in", now_ms(), &cred),
        json!({"event_id": "ev-bad-000006", "kind": "check_in", "at": now_ms(), "credential": cred, "members": ["m-stranger"]}),
        scan("ev-bad-000007", "check_in", now_ms(), &as_access_token),
        json!("not even an object"),
    ];
    let (s, r) = batch(&app, A, &st, records).await;
    assert_eq!(s, 200);
    let codes: Vec<Option<&str>> = r["results"].as_array().unwrap().iter().map(|x| x["code"].as_str()).collect();
    assert_eq!(
        codes,
        vec![
            None,
            Some("malformed_record"),
            Some("credential_invalid"),
            Some("credential_other_municipality"),
            Some("credential_expired"),
            Some("invalid_time"),
            Some("invalid_event_id"),
            Some("member_not_in_credential"),
            Some("credential_invalid"),
            Some("malformed_record"),
        ]
    );
    assert_eq!(outcomes(&r)[0], "stored");
    assert!(r["results"][2]["message"].as_str().unwrap().contains("QR"));
    assert_eq!(roster(&app, A, &st, "").await.len(), 2, "only the good record");
}

async fn staff_scope_and_batch_limits(app: TestApp) {
    let (t, cred) = family(&app, "taro").await;
    let before = occupancy(&app, B).await;
    let (s, v) = batch(&app, B, &staff(&app, A), vec![scan("ev-scope-0001", "check_in", now_ms(), &cred)]).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(occupancy(&app, B).await, before, "nothing stored");
    assert_eq!(batch(&app, A, &t, vec![]).await.0, 403, "residents cannot post scans");
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/shelters/{A}/scans"),
            &staff(&app, A),
            Some(json!({"device_id": "bad id!", "records": []})),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_device_id")));
    let many: Vec<Value> = (0..201).map(|i| scan(&format!("ev-many-{i:05}"), "check_in", now_ms(), &cred)).collect();
    let (s, v) = batch(&app, A, &staff(&app, A), many).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("batch_too_large")));
    // HQ of the municipality may post for any of its shelters.
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    assert_eq!(
        outcomes(&batch(&app, B, &hq, vec![scan("ev-hq-000001", "check_in", now_ms(), &cred)]).await.1),
        vec!["stored"]
    );
}

async fn concurrent_scans_of_one_person(app: TestApp) {
    let (_, cred) = family(&app, "taro").await;
    let (a0, b0) = (occupancy(&app, A).await, occupancy(&app, B).await);
    let at = now_ms();
    // Two devices at two shelters scan the same family at the same moment.
    let (sa, sb) = (staff(&app, A), staff(&app, B));
    let recs_a = vec![scan("ev-race-a0001", "check_in", at, &cred)];
    let recs_b = vec![scan("ev-race-b0001", "check_in", at, &cred)];
    let (ra, rb) = tokio::join!(batch(&app, A, &sa, recs_a), batch(&app, B, &sb, recs_b));
    assert_eq!(
        (outcomes(&ra.1), outcomes(&rb.1)),
        (vec!["stored".to_owned()], vec!["stored".to_owned()]),
        "two events"
    );
    let (a1, b1) = (occupancy(&app, A).await - a0, occupancy(&app, B).await - b0);
    assert_eq!(a1 + b1, 2, "one current location each: {a1} + {b1}");
    let on_rosters = roster(&app, A, &sa, "").await.len() + roster(&app, B, &sb, "").await.len();
    assert_eq!(on_rosters, 2);
}

async fn roster_filters_csv_and_audit(app: TestApp) {
    let (_, cred) = family(&app, "taro").await;
    let st = staff(&app, A);
    batch(&app, A, &st, vec![scan("ev-roster-001", "check_in", now_ms(), &cred)]).await;
    assert_eq!(roster(&app, A, &st, "?allergen=egg").await.len(), 1);
    assert_eq!(roster(&app, A, &st, "?age_band=child").await.len(), 1);
    assert_eq!(roster(&app, A, &st, "?q=%E3%81%AF%E3%81%AA").await.len(), 1, "name search");
    assert_eq!(roster(&app, A, &st, "?allergen=milk").await.len(), 0);
    let (s, v) = app.call("GET", &format!("/api/shelters/{A}/roster?allergen=uranium"), &st, None).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_filter")));
    let res = app
        .http
        .get(app.url(&format!("/api/shelters/{A}/roster.csv?allergen=egg")))
        .bearer_auth(&st)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM for Excel");
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.contains("はな") && text.contains("卵"));
    assert!(text.contains("家族（未確認）"), "{text}");
    // Other shelters' staff and residents cannot read it.
    assert_eq!(app.call("GET", &format!("/api/shelters/{A}/roster"), &staff(&app, B), None).await.0, 403);
    let m = bosai_types::MunicipalityCode::parse("041009").unwrap();
    let today = bosai_types::Timestamp(now_ms()).jst_date();
    let audit = bosai_core::domain::audit::day(app.store.as_ref(), &m, &today).await.unwrap();
    let actions: Vec<&str> = audit.iter().filter_map(|a| a.get("action").and_then(|v| v.as_str())).collect();
    assert!(actions.iter().filter(|a| **a == "roster_view").count() >= 4);
    assert!(actions.contains(&"roster_export"));
    let export = audit.iter().find(|a| a.get("action").and_then(|v| v.as_str()) == Some("roster_export")).unwrap();
    assert!(export.get("filter").and_then(|v| v.as_str()).unwrap().contains("egg"), "the filter is recorded");
    // The audit log keeps its own retention: each entry expires five years on (DynamoDB TTL).
    let ttl = export.get("ttl").and_then(|v| v.as_i64()).expect("an audit entry carries its expiry");
    let five_years = bosai_core::domain::audit::AUDIT_RETENTION_DAYS * 86_400;
    assert!((ttl - (now_ms() / 1000 + five_years)).abs() < 600, "{ttl}");
}

async fn poster_check_in(app: TestApp) {
    let (t, _) = family(&app, "taro").await;
    let (s, p) = app.call("GET", &format!("/api/shelters/{A}/poster"), &staff(&app, A), None).await;
    assert_eq!(s, 200);
    let code = p["code"].as_str().unwrap();
    assert!(p["path"].as_str().unwrap().starts_with("/c/"));
    let before = occupancy(&app, A).await;
    let body = json!({"poster": code, "event_id": "ev-poster-0001", "members": ["self", "m-hana"]});
    let (s, locs) = app.call("POST", "/api/me/checkins", &t, Some(body.clone())).await;
    assert_eq!(s, 200, "{locs}");
    assert!(locs.as_array().unwrap().iter().all(|l| l["shelter_id"] == A));
    assert_eq!(app.call("POST", "/api/me/checkins", &t, Some(body)).await.0, 200, "a retry is a no-op");
    assert_eq!(occupancy(&app, A).await, before + 2);
    let forged = json!({"poster": format!("{code}x"), "event_id": "ev-poster-0002", "members": ["self"]});
    assert_eq!(app.call("POST", "/api/me/checkins", &t, Some(forged)).await.1["code"], "invalid_poster");
    let closed = app
        .call("GET", "/api/shelters/041009-izumi-civic-center/poster", &app.staff_token(Role::Admin, &[], None), None)
        .await
        .1;
    let body = json!({"poster": closed["code"], "event_id": "ev-poster-0003", "members": ["self"]});
    assert_eq!(app.call("POST", "/api/me/checkins", &t, Some(body)).await.1["code"], "shelter_closed");
    let stranger = json!({"poster": code, "event_id": "ev-poster-0004", "members": ["m-nobody"]});
    assert_eq!(app.call("POST", "/api/me/checkins", &t, Some(stranger)).await.0, 404);
}

async fn deleted_resident_credentials_are_revoked(app: TestApp) {
    let (t, cred) = family(&app, "taro").await;
    assert_eq!(app.call("DELETE", "/api/me", &t, Some(json!({"confirm": "delete"}))).await.0, 204);
    // Make sure the revocation time is strictly after the credential's issue second.
    let (_, r) = batch(&app, A, &staff(&app, A), vec![scan("ev-revoked-01", "check_in", now_ms(), &cred)]).await;
    assert_eq!(r["results"][0]["code"], "credential_revoked");
}

mod desk {
    use super::*;

    on_both_stores!(desk_registration_and_claim);

    async fn desk_registration_and_claim(app: TestApp) {
        let st = staff(&app, A);
        let before = occupancy(&app, A).await;
        let reg = json!({
            "registration_id": "desk-reg-0001",
            "check_in": true,
            "people": [
                {"name": "山田 トメ", "birth_year": 1938, "sex": "female", "needs": {"care": ["wheelchair"], "medical": ["insulin"]}},
                {"name": "山田 ゲン", "sex": "male"}
            ]
        });
        let (s, r) = app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &st, Some(reg.clone())).await;
        assert_eq!(s, 200, "{r}");
        let cred = r["credential"].as_str().unwrap().to_owned();
        let (s, _) = app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &st, Some(reg.clone())).await;
        assert_eq!(s, 200, "a resend is harmless");
        assert_eq!(occupancy(&app, A).await, before + 2, "checked in once");
        let list = roster(&app, A, &st, "?care=wheelchair").await;
        assert_eq!(
            (list.len(), list[0]["source"].as_str(), list[0]["age_band"].as_str()),
            (1, Some("desk"), Some("elderly"))
        );
        // The same id from another shelter is a conflict; bad input is refused.
        assert_eq!(
            app.call("POST", &format!("/api/shelters/{B}/desk-registrations"), &staff(&app, B), Some(reg)).await.0,
            409
        );
        let bad = json!({"registration_id": "desk-reg-0002", "people": [{"name": "", "sex": "male"}]});
        assert_eq!(
            app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &st, Some(bad)).await.1["code"],
            "invalid_registration"
        );
        // The printed QR works at another shelter's scanner like any credential.
        let (_, r) = batch(&app, B, &staff(&app, B), vec![scan("ev-desk-00001", "check_in", now_ms(), &cred)]).await;
        assert_eq!(outcomes(&r), vec!["stored"]);
        // Later the grandmother's son signs in with his card and claims the record.
        let t = app.login("taro", false).await.access_token;
        let (s, h) = app.call("POST", "/api/me/claim", &t, Some(json!({"credential": cred}))).await;
        assert_eq!(s, 200, "{h}");
        let names: Vec<&str> =
            h["members"].as_array().unwrap().iter().map(|m| m["member"]["display_name"].as_str().unwrap()).collect();
        assert!(names.contains(&"山田 トメ") && names.contains(&"山田 ゲン"));
        let tome =
            h["members"].as_array().unwrap().iter().find(|m| m["member"]["display_name"] == "山田 トメ").unwrap();
        assert_eq!(tome["needs"]["care"], json!(["wheelchair"]));
        assert_eq!(tome["member"]["birth"], "1938");
        let (s, v) = app
            .call(
                "POST",
                "/api/me/claim",
                &app.login("hanako", false).await.access_token,
                Some(json!({"credential": cred})),
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (400, Some("already_claimed")));
        // The desk QR now stops: the claimer's own QR takes over.
        let (_, r) = batch(&app, B, &staff(&app, B), vec![scan("ev-desk-00002", "check_in", now_ms(), &cred)]).await;
        assert_eq!(r["results"][0]["code"], "credential_revoked");
        let resident_cred =
            app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self"]}))).await.1;
        assert_eq!(
            app.call("POST", "/api/me/claim", &t, Some(json!({"credential": resident_cred["credential"]}))).await.1
                ["code"],
            "invalid_desk_credential"
        );
    }
}

/// A name J-LIS wrote with a substitute character (髙 → flagged) reaches the roster marked
/// for confirmation by sight; once the resident saves their own name the mark goes.
async fn card_name_with_substitutes_is_flagged_for_staff(app: TestApp) {
    let ca = bosai_companion::TestCa::load(&app.identity.ca_dir).unwrap();
    let holder = bosai_companion::CardHolder {
        name: "髙橋 一郎".into(),
        address: "宮城県仙台市青葉区".into(),
        date_of_birth: "1955-03-04".into(),
        sex: "3".into(),
        name_substituted: vec![0],
        ..Default::default()
    };
    let card = ca.issue_card(&holder).unwrap();
    let app = &app;
    let t = bosai_companion::client::login(&app.base, &card, true).await.unwrap().access_token;
    let (_, me) = app.call("GET", "/api/me", &t, None).await;
    assert_eq!(me["basic_four"]["name_substituted"], json!([0]));
    let (_, household) = app.call("GET", "/api/household", &t, None).await;
    let me_member = &household["members"][0]["member"];
    assert_eq!(
        (me_member["name_unconfirmed"].as_bool(), me_member["sex"].as_str()),
        (Some(true), Some("no_answer")),
        "sex 3 is 不明"
    );
    let checkin = |t: String| async move {
        let (_, c) = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self"]}))).await;
        let id = format!("ev-{}", uuid::Uuid::new_v4().simple());
        batch(app, A, &staff(app, A), vec![scan(&id, "check_in", now_ms(), c["credential"].as_str().unwrap())]).await
    };
    assert_eq!(checkin(t.clone()).await.0, 200);
    let rows = roster(app, A, &staff(app, A), "").await;
    let row = rows.iter().find(|e| e["name"] == "髙橋 一郎").cloned().unwrap();
    assert_eq!(row["name_unconfirmed"], true);
    // The resident confirms their name: no mark at the next check-in.
    let me_input =
        json!({"display_name": "髙橋 一郎", "birth": "1955-03-04", "sex": "no_answer", "relationship": "self"});
    assert_eq!(app.call("PUT", "/api/household/members/self", &t, Some(me_input)).await.0, 200);
    assert_eq!(checkin(t).await.0, 200);
    let rows = roster(app, A, &staff(app, A), "").await;
    let row = rows.iter().find(|e| e["name"] == "髙橋 一郎").cloned().unwrap();
    assert!(row.get("name_unconfirmed").is_none(), "{row}");
}

async fn scan_preview_names_people_and_where_they_are(app: TestApp) {
    let (_, cred) = family(&app, "taro").await;
    let (st_a, st_b) = (staff(&app, A), staff(&app, B));
    let preview = |shelter: &'static str, token: String, credential: String| {
        let app = &app;
        async move {
            app.call(
                "POST",
                &format!("/api/shelters/{shelter}/scan-preview"),
                &token,
                Some(json!({"credential": credential})),
            )
            .await
        }
    };
    let (s, p) = preview(A, st_a.clone(), cred.clone()).await;
    assert_eq!(s, 200, "{p}");
    let people = p["people"].as_array().unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(people[1]["name"], "はな");
    let this_year: i64 = bosai_types::Timestamp(now_ms()).jst_date()[..4].parse().unwrap();
    assert_eq!(people[1]["age"].as_i64(), Some(this_year - 2018));
    assert!(people.iter().all(|x| x["checked_in"].is_null()), "nobody is checked in yet: {p}");
    // Checked in at A at 21:05: a second scan at A says so, a scan at B says where they come from.
    let at = now_ms() - 60_000;
    assert_eq!(outcomes(&batch(&app, A, &st_a, vec![scan("ev-prev-0001", "check_in", at, &cred)]).await.1), ["stored"]);
    let (_, p) = preview(A, st_a.clone(), cred.clone()).await;
    assert_eq!(
        (p["people"][0]["checked_in"]["shelter_id"].as_str(), p["people"][0]["checked_in"]["since"].as_i64()),
        (Some(A), Some(at))
    );
    let (_, p) = preview(B, st_b.clone(), cred.clone()).await;
    assert_eq!(p["people"][1]["checked_in"]["shelter_id"], A);
    // Only the shelter's own staff; not a resident; bad and foreign codes are a clear 400.
    assert_eq!(preview(A, st_b.clone(), cred.clone()).await.0, 403);
    let (t, _) = family(&app, "hanako").await;
    assert_eq!(preview(A, t, cred.clone()).await.0, 403);
    let (s, e) = preview(A, st_a.clone(), "not-a-code".into()).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("credential_invalid")), "{e}");
    let foreign = app
        .auth_settings()
        .tokens
        .sign(
            CHECKIN_TYPE,
            &CheckInClaims {
                iss: "x".into(),
                sub: "r_x".into(),
                m: vec!["self".into()],
                mu: "131016".into(),
                iat: now_ms() / 1000,
                exp: now_ms() / 1000 + 600,
            },
        )
        .await
        .unwrap();
    let (s, e) = preview(A, st_a.clone(), foreign).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("credential_other_municipality")), "{e}");
    // Every preview that showed names is in the audit log, with who looked.
    let m = bosai_types::MunicipalityCode::parse("041009").unwrap();
    let today = bosai_types::Timestamp(now_ms()).jst_date();
    let audit = bosai_core::domain::audit::day(app.store.as_ref(), &m, &today).await.unwrap();
    let previews = audit.iter().filter(|a| a.get("action").and_then(|v| v.as_str()) == Some("scan_preview")).count();
    assert_eq!(previews, 3);
}

/// 広域避難: a Sendai family flees to Utsunomiya (onboarded by importing its published shelter
/// list). Utsunomiya's staff scan their QR code and see them on the roster with the allergy;
/// Utsunomiya's HQ counts them as hosted from Sendai, Sendai's HQ sees them away in Utsunomiya;
/// Utsunomiya's survey of everyone in its shelters reaches them.
async fn a_resident_of_the_next_town_is_received(app: TestApp) {
    const HOST: &str = "092011-1";
    let csv = std::fs::read(format!(
        "{}/../../tests/fixtures/opendata/utsunomiya-ods-sites.sjis.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let admin = app.staff_token(Role::Admin, &[], Some("092011"));
    let url = app.url("/api/admin/municipalities/092011/shelter-import?apply=true");
    let res = app.http.post(url).bearer_auth(&admin).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let host_hq = app.staff_token(Role::Hq, &[], Some("092011"));
    let open = json!({"status": "open", "capacity": 300});
    assert_eq!(
        app.call("PUT", &format!("/api/shelters/{HOST}/status"), &host_hq, Some(open)).await.0,
        200,
        "the host HQ opens its shelter"
    );

    let (_, cred) = family(&app, "taro").await;
    let st = staff(&app, HOST);
    let (s, r) = batch(&app, HOST, &st, vec![scan("ev-wide-0001", "check_in", now_ms(), &cred)]).await;
    assert_eq!((s, outcomes(&r)), (200, vec!["stored".to_owned()]), "{r}");
    let list = roster(&app, HOST, &st, "").await;
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().find(|e| e["name"] == "はな").unwrap()["allergens"], json!(["egg"]));

    // The host asks everyone in its shelters (evacuees), and separately its own residents: Taro,
    // hosted there, gets the first and answers it; not the second, nor his home's evacuee survey.
    let survey = |id: &str, scope: Value| {
        json!({"id": id, "title": {"ja": "避難所の調査", "en": "Shelter survey"}, "scope": scope, "recurrence": "once",
        "questions": [{"id": "ok", "text": {"ja": "体調は", "en": "How are you"}, "required": true, "kind": {"type": "single_choice", "options": [{"id": "good", "label": {"ja": "良い", "en": "Good"}}]}}]})
    };
    let home_hq = app.staff_token(Role::Hq, &[], Some("041009"));
    for (token, id, scope) in [
        (&host_hq, "host-evacuees", json!({"type": "evacuees"})),
        (&host_hq, "host-residents", json!({"type": "all"})),
        (&home_hq, "home-evacuees", json!({"type": "evacuees"})),
    ] {
        let (s, v) = app.call("POST", "/api/hq/surveys", token, Some(survey(id, scope))).await;
        assert_eq!(s, 201, "{v}");
    }
    let taro = app.login("taro", true).await.access_token;
    let (_, mine) = app.call("GET", "/api/surveys", &taro, None).await;
    let ids: Vec<&str> = mine.as_array().unwrap().iter().map(|s| s["survey"]["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"host-evacuees") && !ids.contains(&"host-residents") && !ids.contains(&"home-evacuees"),
        "{ids:?}"
    );
    let answer = json!({"answers": {"ok": {"type": "single_choice", "option": "good"}}});
    let (s, v) = app.call("PUT", "/api/surveys/host-evacuees/answer", &taro, Some(answer.clone())).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app.call("PUT", "/api/surveys/host-residents/answer", &taro, Some(answer)).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("survey_out_of_scope")), "{v}");
    let (_, totals) = app.call("GET", "/api/hq/surveys/host-evacuees/totals", &host_hq, None).await;
    assert_eq!(totals["respondents"], 1, "counted by the host: {totals}");

    let summary = |token: String| {
        let app = &app;
        async move {
            let (s, v) = app.call("GET", "/api/hq/summary", &token, None).await;
            assert_eq!(s, 200, "{v}");
            v
        }
    };
    let host = summary(host_hq.clone()).await;
    assert_eq!(host["occupancy"], 2);
    assert_eq!(host["hosted"], json!([{"municipality": "041009", "name_ja": "仙台市", "people": 2}]));
    assert_eq!(host["away"], json!([]));
    let home = summary(home_hq.clone()).await;
    assert_eq!(home["away"], json!([{"municipality": "092011", "name_ja": "092011", "people": 2}]));
    assert!(
        home["shelters"].as_array().unwrap().iter().all(|s| s["shelter_id"] != HOST),
        "the host's shelter is not Sendai's"
    );
    // Sendai's HQ may ask who they are: names, where and since when (no needs), audited.
    let (s, away) = app.call("GET", "/api/hq/away", &home_hq, None).await;
    assert_eq!(s, 200, "{away}");
    let names: Vec<(&str, &str)> = away
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["shelter_id"].as_str().unwrap()))
        .collect();
    assert_eq!(names.len(), 2, "{away}");
    assert!(names.iter().all(|(_, at)| *at == HOST) && names.iter().any(|(n, _)| *n == "はな"), "{away}");
    assert!(away[0].get("allergens").is_none() && away[0]["host"] == "092011", "{away}");
    assert_eq!(
        app.call("GET", "/api/hq/away", &host_hq, None).await.1,
        json!([]),
        "none of Utsunomiya's residents is away"
    );
    let (_, log) = app.call("GET", "/api/hq/audit?action=away_view", &home_hq, None).await;
    assert_eq!(log.as_array().map(Vec::len), Some(1), "{log}");

    // Each prefecture's HQ sees its municipalities in counts: Miyagi (040002) its residents away,
    // Tochigi (090000) the evacuees Utsunomiya hosts; neither reads a person.
    let pref = |code: &str| app.staff_token(Role::PrefectureHq, &[], Some(code));
    let (s, miyagi) = app.call("GET", "/api/hq/prefecture", &pref("040002"), None).await;
    assert_eq!(s, 200, "{miyagi}");
    let lines = miyagi["municipalities"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "only Miyagi's municipalities: {miyagi}");
    assert_eq!(
        (&lines[0]["municipality"], &lines[0]["away"], &lines[0]["hosted"]),
        (&json!("041009"), &json!(2), &json!(0))
    );
    assert_eq!(miyagi["occupancy"], home["occupancy"]);
    assert_eq!(
        lines[0]["open"],
        json!(home["shelters"].as_array().unwrap().iter().filter(|s| s["status"] == "open").count())
    );
    let (_, tochigi) = app.call("GET", "/api/hq/prefecture", &pref("090000"), None).await;
    assert_eq!(
        tochigi["municipalities"],
        json!([{"municipality": "092011", "name_ja": "092011", "shelters": 1, "open": 1,
        "capacity": 300, "occupancy": 2, "hosted": 2, "away": 0}]),
        "{tochigi}"
    );
    assert_eq!(tochigi["totals"]["by_home"]["041009"], 2);
    for path in [
        format!("/api/shelters/{HOST}/roster"),
        "/api/hq/summary".into(),
        "/api/hq/help-requests".into(),
        "/api/hq/away".into(),
    ] {
        assert_eq!(
            app.call("GET", &path, &pref("090000"), None).await.0,
            403,
            "{path}: no per-person view for the prefecture"
        );
    }
    assert_eq!(
        app.call("GET", "/api/hq/prefecture", &pref("092011"), None).await.0,
        401,
        "a municipality's code is no prefecture"
    );
    assert_eq!(app.call("GET", "/api/hq/prefecture", &home_hq, None).await.0, 403, "a municipality's HQ");

    // A poster at the host shelter is signed for Utsunomiya, and a Sendai resident may use it.
    let (t2, _) = family(&app, "hanako").await;
    let poster = app.call("GET", &format!("/api/shelters/{HOST}/poster"), &st, None).await.1;
    let body = json!({"poster": poster["code"], "event_id": "ev-wide-poster-1", "members": ["self"]});
    assert_eq!(app.call("POST", "/api/me/checkins", &t2, Some(body)).await.0, 200);
    assert_eq!(summary(host_hq.clone()).await["hosted"][0]["people"], 3);

    // Checking out takes them off both counts.
    let (_, r) = batch(&app, HOST, &st, vec![scan("ev-wide-0002", "check_out", now_ms() + 1, &cred)]).await;
    assert_eq!(outcomes(&r), vec!["stored"]);
    assert_eq!(summary(home_hq).await["away"][0]["people"], 1, "hanako is still there");
    assert_eq!(summary(host_hq).await["hosted"][0]["people"], 1);
}

/// 住所地: a resident of 大河原町 (listed by the 総務省 table the seed imports, not served here)
/// shares the card's address; the home is read from it, the QR carries it, and Sendai's
/// shelter counts her as hosted from 大河原町. Her correction stays over later card reads.
async fn the_home_municipality_comes_from_the_card_and_can_be_corrected(app: TestApp) {
    let ca = bosai_companion::TestCa::load(&app.identity.ca_dir).unwrap();
    let holder = bosai_companion::CardHolder {
        address: "宮城県柴田郡大河原町新南１９番地".into(),
        ..bosai_companion::dev::demo_holders().remove(1).1
    };
    let card = ca.issue_card(&holder).unwrap();
    let t = bosai_companion::client::login(&app.base, &card, true).await.unwrap().access_token;
    let (_, me) = app.call("GET", "/api/me", &t, None).await;
    assert_eq!(me["home"], json!({"municipality": "043214", "name_ja": "大河原町", "source": "card"}), "{me}");
    let (_, c) = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self"]}))).await;
    let st = staff(&app, A);
    let (_, r) =
        batch(&app, A, &st, vec![scan("ev-home-00001", "check_in", now_ms(), c["credential"].as_str().unwrap())]).await;
    assert_eq!(outcomes(&r), vec!["stored"], "a listed municipality's resident is received: {r}");
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let (_, summary) = app.call("GET", "/api/hq/summary", &hq, None).await;
    assert_eq!(summary["hosted"], json!([{"municipality": "043214", "name_ja": "大河原町", "people": 1}]), "{summary}");

    // The list to choose from: the prefecture's municipalities, those served marked.
    let list: Value = app.http.get(app.url("/api/municipalities")).send().await.unwrap().json().await.unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 35, "宮城県's 35 municipalities");
    assert_eq!(list.iter().find(|c| c["municipality"] == "041009").unwrap()["served"], true);
    let ogawara = list.iter().find(|c| c["municipality"] == "043214").unwrap();
    assert_eq!(ogawara["served"], false);
    // Read by those who do not read kanji: the kana full-width, the name in Latin letters.
    assert_eq!((&ogawara["kana"], &ogawara["name_en"]), (&json!("オオガワラマチ"), &json!("Ogawara-machi")));

    // Bad choices are a clear 400 and change nothing.
    for (body, code) in [
        (json!({"municipality": "131016"}), "unknown_municipality"),
        (json!({"municipality": "040002"}), "unknown_municipality"),
        (json!({"municipality": "041008"}), "invalid_field"),
    ] {
        let (s, e) = app.call("PUT", "/api/me/home", &t, Some(body.clone())).await;
        assert_eq!((s, e["code"].as_str()), (400, Some(code)), "{body}: {e}");
    }
    assert_eq!(app.call("GET", "/api/me", &t, None).await.1["home"]["municipality"], "043214");
    assert_eq!(
        app.call("PUT", "/api/me/home", &st, Some(json!({"municipality": "042021"}))).await.0,
        403,
        "staff have no home here"
    );

    // She has moved to 石巻市 and the card still says 大河原町: her choice stays.
    let (s, home) = app.call("PUT", "/api/me/home", &t, Some(json!({"municipality": "042021"}))).await;
    assert_eq!((s, home), (200, json!({"municipality": "042021", "name_ja": "石巻市", "source": "chosen"})));
    assert_eq!(
        app.call("PUT", "/api/me/home", &t, Some(json!({"municipality": "042021"}))).await.0,
        200,
        "sending it again is a no-op"
    );
    let t = bosai_companion::client::login(&app.base, &card, true).await.unwrap().access_token;
    assert_eq!(app.call("GET", "/api/me", &t, None).await.1["home"]["municipality"], "042021");
    let (_, c) = app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self"]}))).await;
    let (_, r) = batch(
        &app,
        B,
        &staff(&app, B),
        vec![scan("ev-home-00002", "check_in", now_ms() + 1, c["credential"].as_str().unwrap())],
    )
    .await;
    assert_eq!(outcomes(&r), vec!["stored"]);
    let (_, summary) = app.call("GET", "/api/hq/summary", &hq, None).await;
    assert_eq!(
        summary["hosted"],
        json!([{"municipality": "042021", "name_ja": "石巻市", "people": 1}]),
        "moved, counted once under the new home: {summary}"
    );

    // Without the signing certificate nothing is read: the app asks.
    let (t2, _) = (app.login("hanako", false).await.access_token, ());
    assert_eq!(app.call("GET", "/api/me", &t2, None).await.1["home"], Value::Null);
}

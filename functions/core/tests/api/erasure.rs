//! Complete deletion on both stores: "delete my data" and "remove member" take a person off
//! any roster and counter first, and afterwards no item in the whole table names them (the
//! table is scanned, every key and attribute); staff check out by hand someone who left
//! without scanning; a scan in flight during deletion cannot put them back.

use crate::common::TestApp;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use bosai_push::TestPushService;
use bosai_store::{Item, Value as V};
use bosai_types::auth::Role;
use bosai_types::checkin::EventKind;
use serde_json::{json, Value};
use std::collections::BTreeSet;

on_both_stores!(
    deleting_everything_while_checked_in_leaves_nothing_that_names_them,
    removing_a_checked_in_member_takes_them_off_the_roster,
    staff_check_out_someone_by_hand,
    a_scan_in_flight_during_deletion_is_refused,
    staff_delete_a_desk_record_on_request,
);

const A: &str = "041009-aoba-katahira-es";
const B: &str = "041009-wakabayashi-itsutsubashi-jhs";
/// Names no shelter, area or seed record carries: found only where the test put them.
const CHILD: &str = "ゆずりは";
const DESK_NAME: &str = "鵜飼 トヨ";

fn now_ms() -> i64 {
    bosai_core::clock::now_millis()
}

fn sub(token: &str) -> String {
    let payload: Value = serde_json::from_slice(&B64.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    payload["sub"].as_str().unwrap().to_owned()
}

fn staff(app: &TestApp, shelter: &str) -> String {
    app.staff_token(Role::ShelterStaff, &[shelter], None)
}

async fn scan(app: &TestApp, shelter: &str, event_id: &str, kind: &str, credential: &str) -> Value {
    let rec = json!({"event_id": event_id, "kind": kind, "at": now_ms(), "credential": credential});
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/shelters/{shelter}/scans"),
            &staff(app, shelter),
            Some(json!({"device_id": "tablet-1", "records": [rec]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["results"][0].clone()
}

async fn roster(app: &TestApp, shelter: &str) -> Vec<Value> {
    let (s, v) = app.call("GET", &format!("/api/shelters/{shelter}/roster"), &staff(app, shelter), None).await;
    assert_eq!(s, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn occupancy(app: &TestApp, shelter: &str) -> i64 {
    app.public_occupancy(shelter).await
}

/// A resident with a child (allergy), a check-in QR naming both. Returns (token, credential).
async fn family(app: &TestApp, card: &str) -> (String, String) {
    let t = app.login(card, true).await.access_token;
    app.consent(&t).await;
    let child = json!({"display_name": CHILD, "birth": "2018", "sex": "female", "relationship": "child"});
    assert_eq!(app.call("PUT", "/api/household/members/m-child", &t, Some(child)).await.0, 200);
    let needs = json!({"allergens": ["egg"], "care": []});
    assert_eq!(app.call("PUT", "/api/household/members/m-child/needs", &t, Some(needs)).await.0, 200);
    let (s, c) =
        app.call("POST", "/api/me/checkin-credential", &t, Some(json!({"members": ["self", "m-child"]}))).await;
    assert_eq!(s, 200, "{c}");
    (t, c["credential"].as_str().unwrap().to_owned())
}

/// Every item of the whole table, expired or not.
async fn table(app: &TestApp) -> Vec<Item> {
    let (mut out, mut cursor) = (Vec::new(), None);
    loop {
        let page = app.store.scan(cursor).await.unwrap();
        out.extend(page.items);
        cursor = page.next;
        if cursor.is_none() {
            return out;
        }
    }
}

fn mentions(v: &V, needles: &[&str]) -> bool {
    match v {
        V::S(s) => needles.iter().any(|n| s.contains(n)),
        V::L(l) => l.iter().any(|v| mentions(v, needles)),
        V::M(m) => m.iter().any(|(k, v)| needles.iter().any(|n| k.contains(n)) || mentions(v, needles)),
        _ => false,
    }
}

/// The items naming any of `needles` in a key or attribute, as "pk | sk" (audit entries aside:
/// the log keeps who acted, under its own retention).
async fn naming(app: &TestApp, needles: &[&str]) -> Vec<(String, Item)> {
    table(app)
        .await
        .into_iter()
        .filter(|i| !i.get("pk").and_then(V::as_str).unwrap_or("").starts_with("AUDIT#"))
        .filter(|i| i.iter().any(|(k, v)| needles.iter().any(|n| k.contains(n)) || mentions(v, needles)))
        .map(|i| (format!("{} | {}", i["pk"].as_str().unwrap(), i["sk"].as_str().unwrap()), i))
        .collect()
}

/// The kind of key an item is: its partition key's prefix, and the sort key's for partitions
/// that hold several kinds.
fn kind(key: &str) -> String {
    let (pk, sk) = key.split_once(" | ").unwrap();
    let head = |s: &str| s.split('#').next().unwrap().to_owned();
    format!("{}/{}", head(pk), head(sk))
}

async fn deleting_everything_while_checked_in_leaves_nothing_that_names_them(app: TestApp) {
    let (t, cred) = family(&app, "taro").await;
    let me = sub(&t);
    let before = (occupancy(&app, A).await, occupancy(&app, B).await);
    // Checked in at A by a staff scan, the child moved to B by the poster; a report, an answer,
    // a device for notices, a renewed card, and a desk record they claimed.
    assert_eq!(scan(&app, A, "ev-erase-0001", "check_in", &cred).await["outcome"], "stored");
    let poster = app.call("GET", &format!("/api/shelters/{B}/poster"), &staff(&app, B), None).await.1;
    let body = json!({"poster": poster["code"], "event_id": "ev-erase-0002", "members": ["m-child"]});
    assert_eq!(app.call("POST", "/api/me/checkins", &t, Some(body)).await.0, 200);
    let report = json!({"report_id": "rep-erase-0001", "member_id": "m-child", "status": {"status": "needs_help", "what": "足をけがした", "location": "自宅"}});
    let (s, v) = app.call("POST", "/api/safety", &t, Some(report)).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .call(
            "PUT",
            "/api/surveys/demo-needs/answer",
            &t,
            Some(json!({"answers": {"needs": {"type": "multiple_choice", "options": ["water"]}}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let push = TestPushService::start(1, Some(app.push.client.vapid().public_key())).await.unwrap();
    let s = push.subscription(0);
    let s_endpoint = s.endpoint.clone();
    let device = json!({"endpoint": s.endpoint, "keys": {"p256dh": s.keys.p256dh_base64url(), "auth": s.keys.auth_base64url()}, "lang": "vi"});
    let (s, v) = app.call("POST", "/api/push/subscriptions", &t, Some(device)).await;
    assert_eq!(s, 204, "{v}");
    let reg = json!({"registration_id": "desk-erase-01", "check_in": true, "people": [{"name": DESK_NAME, "birth_year": 1940, "sex": "female", "needs": {"care": ["wheelchair"]}}]});
    let (s, r) = app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &staff(&app, A), Some(reg)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(app.call("POST", "/api/me/claim", &t, Some(json!({"credential": r["credential"]}))).await.0, 200);
    let renewed = bosai_companion::TestCa::load(&app.identity.ca_dir)
        .unwrap()
        .issue_card(&bosai_companion::dev::demo_holders().remove(0).1)
        .unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let link = json!({"old_serial": hex(&app.identity.card("taro").unwrap().auth_serial), "new_serial": hex(&renewed.auth_serial)});
    assert_eq!(
        app.call("POST", "/api/admin/card-renewals", &app.staff_token(Role::Admin, &[], None), Some(link)).await.0,
        204
    );
    let (_, renewals) = app
        .call("GET", "/api/hq/audit?action=card_renewal", &app.staff_token(Role::Hq, &[], Some("041009")), None)
        .await;
    assert_eq!(renewals.as_array().map(Vec::len), Some(1), "the renewal is in the log: {renewals}");
    assert_eq!(occupancy(&app, A).await, before.0 + 2, "the resident and the desk person at A");
    assert_eq!(occupancy(&app, B).await, before.1 + 1, "the child at B");

    // "Export my data" holds all of it: check-ins and check-outs with shelter names, answers.
    let (s, export) = app.call("GET", "/api/me/export", &t, None).await;
    assert_eq!(s, 200, "{export}");
    let moves: Vec<(String, String, String)> = export["check_ins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["member_id"].as_str().unwrap().into(),
                c["kind"].as_str().unwrap().into(),
                c["shelter_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    for want in [("self", "check_in", A), ("m-child", "check_in", A), ("m-child", "check_in", B)] {
        assert!(moves.contains(&(want.0.into(), want.1.into(), want.2.into())), "{want:?} in {moves:?}");
    }
    assert!(export["check_ins"].as_array().unwrap().iter().all(|c| !c["shelter_name"].as_str().unwrap().is_empty()));
    assert_eq!(export["survey_answers"].as_array().unwrap().len(), 1);
    assert_eq!(export["survey_answers"][0]["survey_id"], "demo-needs");
    let devices = &export["notification_devices"];
    assert_eq!((devices[0]["push_service"].as_str(), devices[0]["language"].as_str()), (Some("127.0.0.1"), Some("vi")));
    assert!(!export.to_string().contains(&s_endpoint), "the push address is not in the export");

    let needles = [me.as_str(), CHILD, DESK_NAME];
    let kinds: BTreeSet<String> = naming(&app, &needles).await.iter().map(|(k, _)| kind(k)).collect();
    // The test covers every kind of item that names a resident (a new kind must join here).
    for expected in [
        "RES/PROFILE",
        "RES/MEMBER",
        "RES/NEEDS",
        "RES/SAFETY",
        "RES/SAFETYLOG",
        "RES/SAFETYID",
        "RES/PUSHSUB",
        "PERSON/LOCATION",
        "PERSON/EVENT",
        "EVENTID/EVENT",
        "CERT/SUBJECT",
        "REFRESH/TOKEN",
        "RFAMILY/FAMILY",
        "SURVEY/ANSWER",
        "HELP/",
        "DESK/META",
        "DESK/PERSON",
    ] {
        assert!(
            kinds.iter().any(|k| k.starts_with(expected)),
            "no {expected} item was written before deletion: {kinds:?}"
        );
    }

    assert_eq!(app.call("DELETE", "/api/me", &t, Some(json!({"confirm": "delete"}))).await.0, 204);

    assert!(roster(&app, A).await.is_empty() && roster(&app, B).await.is_empty(), "off every roster");
    assert_eq!((occupancy(&app, A).await, occupancy(&app, B).await), before, "counters moved back");
    let left = naming(&app, &needles).await;
    // Only the tombstone stays: QR codes printed before the deletion stay refused until they
    // expire, and then it expires too.
    let names: Vec<&String> = left.iter().map(|(k, _)| k).collect();
    assert_eq!(names, vec![&format!("RES#{me} | PROFILE")], "items still naming the person");
    let tomb = &left[0].1;
    let attrs: BTreeSet<&str> = tomb.keys().map(String::as_str).collect();
    assert_eq!(
        attrs,
        BTreeSet::from(["pk", "sk", "credentials_revoked_before", "ttl"]),
        "the tombstone holds nothing else"
    );
    assert!(tomb["ttl"].as_i64().unwrap() > now_ms() / 1000);
    // The old QR is refused, the renewed card and the first card both start afresh.
    assert_eq!(scan(&app, A, "ev-erase-0003", "check_in", &cred).await["code"], "credential_revoked");
    assert!(push.last_payload(0).is_none());
}

async fn removing_a_checked_in_member_takes_them_off_the_roster(app: TestApp) {
    let (t, cred) = family(&app, "hanako").await;
    let before = occupancy(&app, A).await;
    assert_eq!(scan(&app, A, "ev-remove-0001", "check_in", &cred).await["outcome"], "stored");
    let report = json!({"report_id": "rep-remove-001", "member_id": "m-child", "status": {"status": "safe_at_home"}});
    assert_eq!(app.call("POST", "/api/safety", &t, Some(report)).await.0, 200);
    assert_eq!(occupancy(&app, A).await, before + 2);
    assert_eq!(app.call("DELETE", "/api/household/members/m-child", &t, None).await.0, 204);
    let names: Vec<String> = roster(&app, A).await.iter().map(|e| e["name"].as_str().unwrap().to_owned()).collect();
    assert!(!names.iter().any(|n| n == CHILD), "the child left the roster: {names:?}");
    assert_eq!(occupancy(&app, A).await, before + 1, "and the counters");
    let left = naming(&app, &[CHILD, &format!("R#{}#m-child", sub(&t)), "rep-remove-001"]).await;
    assert!(
        left.is_empty(),
        "items still naming the removed member: {:?}",
        left.iter().map(|(k, _)| k).collect::<Vec<_>>()
    );
    // Removing again (an offline retry) is fine; the parent is still checked in.
    assert_eq!(app.call("DELETE", "/api/household/members/m-child", &t, None).await.0, 204);
    assert_eq!(roster(&app, A).await.len(), names.len());
}

async fn staff_check_out_someone_by_hand(app: TestApp) {
    let (_, cred) = family(&app, "hanako").await;
    let before = occupancy(&app, A).await;
    scan(&app, A, "ev-hand-00001", "check_in", &cred).await;
    let rows = roster(&app, A).await;
    let child = rows.iter().find(|e| e["name"] == CHILD).expect("on the roster");
    let entry = child["entry_id"].as_str().unwrap().to_owned();
    assert!(entry.len() >= 16 && !rows.iter().any(|e| e["entry_id"].as_str().unwrap().contains('#')), "opaque");
    let path = format!("/api/shelters/{A}/roster/{entry}/check-out");
    // Another shelter's staff cannot; a bad event id is a clear 400.
    assert_eq!(app.call("POST", &path, &staff(&app, B), Some(json!({"event_id": "ev-hand-00002"}))).await.0, 403);
    let (s, v) = app.call("POST", &path, &staff(&app, A), Some(json!({"event_id": "x"}))).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_event_id")));
    let (s, v) = app.call("POST", &path, &staff(&app, A), Some(json!({"event_id": "ev-hand-00002"}))).await;
    assert_eq!((s, v.as_str()), (200, Some("stored")), "{v}");
    assert_eq!(occupancy(&app, A).await, before + 1);
    assert!(!roster(&app, A).await.iter().any(|e| e["name"] == CHILD));
    // A resend is answered as done; someone not on the roster is 404.
    assert_eq!(
        app.call("POST", &path, &staff(&app, A), Some(json!({"event_id": "ev-hand-00002"}))).await,
        (200, json!("duplicate"))
    );
    assert_eq!(app.call("POST", &path, &staff(&app, A), Some(json!({"event_id": "ev-hand-00003"}))).await.0, 404);
    // Audited: who, which shelter.
    let m = bosai_types::MunicipalityCode::parse("041009").unwrap();
    let audit = bosai_core::domain::audit::day(app.store.as_ref(), &m, &bosai_types::Timestamp(now_ms()).jst_date())
        .await
        .unwrap();
    let hand = audit.iter().find(|a| a.get("action").and_then(V::as_str) == Some("manual_check_out")).expect("audited");
    assert_eq!(hand.get("shelter").and_then(V::as_str), Some(A));
    // Scanning them in again works as usual.
    assert_eq!(scan(&app, A, "ev-hand-00004", "check_in", &cred).await["outcome"], "stored");
    assert_eq!(occupancy(&app, A).await, before + 2);
}

/// A staff device read the household before the resident deleted everything and stores the scan
/// after: the scan's transaction sees the revocation and is refused, so nobody is left on a
/// roster with their needs (the other order is the first test: deletion checks them out).
async fn a_scan_in_flight_during_deletion_is_refused(app: TestApp) {
    use bosai_core::domain::checkin;
    let (t, cred) = family(&app, "taro").await;
    let me = sub(&t);
    let claims: bosai_types::checkin::CheckInClaims =
        app.auth_settings().tokens.verify_own(&cred, bosai_types::checkin::CHECKIN_TYPE).unwrap();
    let wanted = vec![bosai_types::household::MemberId::myself()];
    let people = bosai_core::domain::scans::people_named(app.store.as_ref(), &claims, &wanted).await.unwrap().unwrap();
    let before = occupancy(&app, A).await;
    // The deletion lands between the device's read and its write.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.call("DELETE", "/api/me", &t, Some(json!({"confirm": "delete"}))).await.0, 204);
    let shelter = bosai_types::ShelterId::parse(A).unwrap();
    let guard = checkin::not_revoked_since(&me, claims.iat);
    let at = bosai_types::Timestamp(now_ms());
    let place = checkin::Place { shelter: &shelter, space: &bosai_core::keys::Space::Real, incident: None };
    let stored = checkin::record_guarded(
        app.store.as_ref(),
        &people,
        EventKind::CheckIn,
        place,
        at,
        "ev-flight-0001",
        "tablet",
        &[guard],
    )
    .await
    .unwrap();
    assert_eq!(stored.map_err(|r| r.code), Err("credential_revoked"));
    assert!(roster(&app, A).await.is_empty());
    assert_eq!(occupancy(&app, A).await, before);
}

/// Someone registered at the desk (no card, no phone) asks staff to delete their record: they
/// leave the roster and its counters, and nothing names them afterwards; the registration goes
/// with its last person. A card holder's row cannot be deleted by staff.
async fn staff_delete_a_desk_record_on_request(app: TestApp) {
    let st = staff(&app, A);
    let before = occupancy(&app, A).await;
    let reg = json!({"registration_id": "desk-del-0001", "check_in": true, "people": [
        {"name": DESK_NAME, "birth_year": 1940, "sex": "female", "needs": {"care": ["wheelchair"]}},
        {"name": "鵜飼 ゲンジ", "sex": "male"}]});
    assert_eq!(app.call("POST", &format!("/api/shelters/{A}/desk-registrations"), &st, Some(reg)).await.0, 200);
    let (_, cred) = family(&app, "taro").await;
    scan(&app, A, "ev-desk-del-01", "check_in", &cred).await;
    assert_eq!(occupancy(&app, A).await, before + 4);
    let rows = roster(&app, A).await;
    let entry = |name: &str| rows.iter().find(|e| e["name"] == name).unwrap()["entry_id"].as_str().unwrap().to_owned();
    let path = |e: &str| format!("/api/shelters/{A}/roster/{e}");
    // Another shelter's staff may not; a card holder's row is theirs to delete.
    assert_eq!(app.call("DELETE", &path(&entry(DESK_NAME)), &staff(&app, B), None).await.0, 403);
    let (s, v) = app.call("DELETE", &path(&entry(CHILD)), &st, None).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("not_a_desk_record")));
    assert_eq!(app.call("DELETE", &path(&entry(DESK_NAME)), &st, None).await.0, 204);
    assert_eq!(app.call("DELETE", &path(&entry(DESK_NAME)), &st, None).await.0, 404, "gone");
    assert_eq!(occupancy(&app, A).await, before + 3);
    assert!(naming(&app, &[DESK_NAME]).await.is_empty(), "nothing names her");
    assert!(!naming(&app, &["鵜飼 ゲンジ"]).await.is_empty(), "the other person of the registration stays");
    assert_eq!(app.call("DELETE", &path(&entry("鵜飼 ゲンジ")), &st, None).await.0, 204);
    assert!(
        naming(&app, &["desk-del-0001"]).await.is_empty(),
        "the registration and its scan record went with its last person"
    );
    assert_eq!(occupancy(&app, A).await, before + 2);
    let m = bosai_types::MunicipalityCode::parse("041009").unwrap();
    let audit = bosai_core::domain::audit::day(app.store.as_ref(), &m, &bosai_types::Timestamp(now_ms()).jst_date())
        .await
        .unwrap();
    assert_eq!(audit.iter().filter(|a| a.get("action").and_then(V::as_str) == Some("desk_record_deleted")).count(), 2);
}

//! Notices over HTTP on both stores, pushed for real (RFC 8291 encryption, VAPID) to the
//! local test push service, which stands in for FCM / Mozilla autopush (unreachable here)
//! and decrypts every message with the device keys it issued.

mod common;
use bosai_core::domain::fanout;
use bosai_push::{TestPushHandle, TestPushService};
use bosai_types::auth::Role;
use bosai_types::notices::PushPayload;
use common::TestApp;
use serde_json::{json, Value};

on_both_stores!(notices_reach_their_area_once, subscription_rules);

/// `PushSubscription.toJSON()` of the test service's device `i`.
fn device(push: &TestPushHandle, i: usize) -> Value {
    let s = push.subscription(i);
    json!({"endpoint": s.endpoint, "expirationTime": null, "keys": {"p256dh": s.keys.p256dh_base64url(), "auth": s.keys.auth_base64url()}})
}

fn notice(id: &str, target: Value) -> Value {
    json!({"id": id, "title": {"ja": "給水のお知らせ", "en": "Water"}, "body": {"ja": "14時から片平丁小学校で給水します。\n容器をお持ちください。", "en": "Water at 14:00."},
        "level": "info", "target": target})
}

async fn send_all(app: &TestApp) {
    fanout::run_pending(app.store.as_ref(), &app.push).await.expect("fan-out");
}

fn payload(push: &TestPushHandle, i: usize) -> Option<PushPayload> {
    push.last_payload(i).map(|p| serde_json::from_slice(&p).expect("the payload is a notice"))
}

async fn notices_reach_their_area_once(app: TestApp) {
    let push = TestPushService::start(6, Some(app.push.client.vapid().public_key())).await.unwrap();
    let taro = app.login("taro", true).await.access_token;
    let hanako = app.login("hanako", true).await.access_token;
    assert_eq!(app.call("PUT", "/api/me/area", &taro, Some(json!({"area": "aoba-1"}))).await.0, 204);
    assert_eq!(app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": "izumi-2"}))).await.0, 204);
    // Taro: phone (0) and tablet (1); Hanako: phone (2), registered twice (one subscription).
    for (token, i) in [(&taro, 0), (&taro, 1), (&hanako, 2), (&hanako, 2)] {
        let (s, v) = app.call("POST", "/api/push/subscriptions", token, Some(device(&push, i))).await;
        assert_eq!(s, 204, "{v}");
    }
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let (s, created) = app.call("POST", "/api/hq/notices", &hq, Some(notice("water-aoba-1", json!({"type": "areas", "areas": ["aoba-1"]})))).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["delivery"]["state"], "queued");
    let (s, again) = app.call("POST", "/api/hq/notices", &hq, Some(notice("water-aoba-1", json!({"type": "areas", "areas": ["aoba-1"]})))).await;
    assert_eq!((s, &again["id"]), (200, &json!("water-aoba-1")), "a resend is recognised");
    let (s, e) = app.call("POST", "/api/hq/notices", &hq, Some(notice("water-aoba-1", json!({"type": "all"})))).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("notice_id_taken")));

    send_all(&app).await;
    send_all(&app).await; // Nothing left: a second round sends nothing again.
    for i in [0, 1] {
        assert_eq!(push.received_count(i), 1, "device {i}");
        let p = payload(&push, i).unwrap();
        assert_eq!((p.id.as_str(), p.url.as_str(), p.title.ja.as_str()), ("water-aoba-1", "/n/water-aoba-1", "給水のお知らせ"));
    }
    assert_eq!(push.received_count(2), 0, "another area");
    let list = app.call("GET", "/api/hq/notices", &hq, None).await.1;
    assert_eq!(list[0]["delivery"], json!({"state": "done", "delivered": 2, "gone": 0, "failed": 0}));
    let req = push.last_request().unwrap();
    assert_eq!(req.urgency.as_deref(), Some("low"));
    assert!(req.topic.is_some());

    // To everyone; Taro's tablet has unsubscribed at the push service meanwhile.
    push.set_gone(1, true);
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(notice("all-2", json!({"type": "all"})))).await.0, 201);
    send_all(&app).await;
    assert_eq!((push.received_count(0), push.received_count(1), push.received_count(2)), (2, 1, 1));
    let list = app.call("GET", "/api/hq/notices", &hq, None).await.1;
    assert_eq!(list[0]["id"], "all-2", "newest first");
    assert_eq!(list[0]["delivery"], json!({"state": "done", "delivered": 2, "gone": 1, "failed": 0}));
    // The gone subscription was deleted: the next notice does not try it.
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(notice("all-3", json!({"type": "all"})))).await.0, 201);
    send_all(&app).await;
    assert_eq!(app.call("GET", "/api/hq/notices", &hq, None).await.1[0]["delivery"], json!({"state": "done", "delivered": 2, "gone": 0, "failed": 0}));

    // Hanako moves to aoba-1: her device follows.
    assert_eq!(app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": "aoba-1"}))).await.0, 204);
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(notice("aoba-4", json!({"type": "areas", "areas": ["aoba-1", "taihaku-1"]})))).await.0, 201);
    send_all(&app).await;
    assert_eq!((push.received_count(0), push.received_count(2)), (4, 3));
    let stats = push.stats();
    assert_eq!((stats.vapid_failures, stats.decrypt_failures, stats.bad_requests), (0, 0, 0));

    // Residents see the notices for them; the landing page opens without signing in.
    let mine = app.call("GET", "/api/notices", &hanako, None).await.1;
    let ids: Vec<&str> = mine.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["aoba-4", "all-3", "all-2", "water-aoba-1"]);
    assert!(mine[0].get("delivery").is_none(), "delivery counts are for HQ");
    let page = app.http.get(app.url("/n/water-aoba-1")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("給水のお知らせ") && html.contains("容器をお持ちください。") && html.contains("lang=\"ja\""), "{html}");
    let missing = app.http.get(app.url("/n/no-such-notice")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("お知らせが見つかりません"));
    assert_eq!(app.http.get(app.url("/api/notices/all-2")).send().await.unwrap().status(), 200);
}

async fn subscription_rules(app: TestApp) {
    let push = TestPushService::start(3, Some(app.push.client.vapid().public_key())).await.unwrap();
    let taro = app.login("taro", true).await.access_token;
    let hanako = app.login("hanako", true).await.access_token;
    let key: Value = app.http.get(app.url("/api/push/vapid-public-key")).send().await.unwrap().json().await.unwrap();
    assert_eq!(key["key"], app.push.client.vapid().public_key_base64url());
    let mut evil = device(&push, 0);
    evil["endpoint"] = json!("https://169.254.169.254/latest/meta-data");
    let mut bad_keys = device(&push, 0);
    bad_keys["keys"]["p256dh"] = json!("AAAA");
    for bad in [evil, bad_keys, json!({"endpoint": "https://fcm.googleapis.com/x"})] {
        let (s, v) = app.call("POST", "/api/push/subscriptions", &taro, Some(bad.clone())).await;
        assert_eq!(s, 400, "{bad} → {v}");
        assert!(v["message_ja"].as_str().is_some_and(|m| !m.is_empty()));
    }
    for i in [0, 1] {
        assert_eq!(app.call("POST", "/api/push/subscriptions", &taro, Some(device(&push, i))).await.0, 204);
    }
    let too_long = json!({"endpoint": format!("https://fcm.googleapis.com/{}", "x".repeat(1024))});
    assert_eq!(app.call("DELETE", "/api/push/subscriptions", &taro, Some(too_long)).await.0, 400);
    // Hanako cannot switch off Taro's device; Taro can.
    let stop = |i: usize| json!({"endpoint": push.subscription(i).endpoint});
    assert_eq!(app.call("DELETE", "/api/push/subscriptions", &hanako, Some(stop(0))).await.0, 204);
    assert_eq!(app.call("DELETE", "/api/push/subscriptions", &taro, Some(stop(1))).await.0, 204);
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(notice("rules-1", json!({"type": "all"})))).await.0, 201);
    send_all(&app).await;
    assert_eq!((push.received_count(0), push.received_count(1)), (1, 0));
    // Deleting all data takes the device off too.
    assert_eq!(app.call("DELETE", "/api/me", &taro, Some(json!({"confirm": "delete"}))).await.0, 204);
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(notice("rules-2", json!({"type": "all"})))).await.0, 201);
    send_all(&app).await;
    assert_eq!(push.received_count(0), 1, "no notice after deletion");
    // Bad notices: a clear message in both languages.
    let mut long = notice("rules-3", json!({"type": "all"}));
    long["body"]["ja"] = json!("あ".repeat(401));
    let (s, e) = app.call("POST", "/api/hq/notices", &hq, Some(long)).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_body")));
    assert!(e["message_ja"].as_str().unwrap().contains("400文字"));
    let (s, e) = app.call("POST", "/api/hq/notices", &hq, Some(notice("rules-5", json!({"type": "areas", "areas": ["kita-9"]})))).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("unknown_area")));
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    assert_eq!(app.call("POST", "/api/hq/notices", &staff, Some(notice("rules-4", json!({"type": "all"})))).await.0, 403);
    assert_eq!(app.call("POST", "/api/push/subscriptions", &staff, Some(device(&push, 2))).await.0, 403);
}

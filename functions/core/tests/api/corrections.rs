//! Correcting a notice (訂正): HQ sends one that replaces an earlier one. The earlier one's page
//! says so and links to the correction, what is left of its sending stops, and devices are told
//! with the correction's mark. Pushed for real to the local test push service (which stands in
//! for the browsers' push services, unreachable here).

use crate::common::TestApp;
use bosai_core::domain::fanout;
use bosai_push::{TestPushHandle, TestPushService};
use bosai_types::auth::Role;
use bosai_types::notices::PushPayload;
use serde_json::{json, Value};

on_both_stores!(a_wrong_notice_is_corrected_once_and_says_so, a_correction_stops_what_is_left_of_the_sending);

fn device(push: &TestPushHandle, i: usize) -> Value {
    let s = push.subscription(i);
    json!({"endpoint": s.endpoint, "expirationTime": null, "keys": {"p256dh": s.keys.p256dh_base64url(), "auth": s.keys.auth_base64url()}})
}

fn evacuate(id: &str, areas: &[&str], replaces: Option<&str>) -> Value {
    let mut n = json!({"id": id, "title": {"ja": "避難指示", "en": "Evacuation order"},
        "body": {"ja": "直ちに片平丁小学校へ避難してください。", "en": "Go to Katahiracho ES now."},
        "level": "emergency", "target": {"type": "areas", "areas": areas}});
    if let Some(r) = replaces {
        n["replaces"] = json!(r);
    }
    n
}

fn payload(push: &TestPushHandle, i: usize) -> PushPayload {
    serde_json::from_slice(&push.last_payload(i).expect("a message")).expect("the payload is a notice")
}

async fn send_all(app: &TestApp) {
    fanout::run_pending(app.store.as_ref(), &app.push).await.expect("fan-out");
}

/// Taro lives in aoba-1 (device 0), Hanako in izumi-2 (device 1).
async fn two_residents(app: &TestApp, push: &TestPushHandle) -> (String, String) {
    let taro = app.login("taro", true).await.access_token;
    let hanako = app.login("hanako", true).await.access_token;
    for (token, area, i) in [(&taro, "aoba-1", 0), (&hanako, "izumi-2", 1)] {
        assert_eq!(app.call("PUT", "/api/me/area", token, Some(json!({"area": area}))).await.0, 204);
        let (s, v) = app.call("POST", "/api/push/subscriptions", token, Some(device(push, i))).await;
        assert_eq!(s, 204, "{v}");
    }
    (taro, hanako)
}

async fn a_wrong_notice_is_corrected_once_and_says_so(app: TestApp) {
    let push = TestPushService::start(2, Some(app.push.client.vapid().public_key())).await.unwrap();
    let (taro, _) = two_residents(&app, &push).await;
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    // Sent to the wrong area: Taro's, not Hanako's.
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(evacuate("evac-1", &["aoba-1"], None))).await.0, 201);
    send_all(&app).await;
    assert_eq!((push.received_count(0), push.received_count(1)), (1, 0));

    let correction = evacuate("evac-2", &["aoba-1", "izumi-2"], Some("evac-1"));
    let (s, created) = app.call("POST", "/api/hq/notices", &hq, Some(correction.clone())).await;
    assert_eq!((s, created["replaces"].as_str()), (201, Some("evac-1")), "{created}");
    let (s, again) = app.call("POST", "/api/hq/notices", &hq, Some(correction)).await;
    assert_eq!((s, again["id"].as_str()), (200, Some("evac-2")), "a resend is the same correction");
    // Once only: a second correction of the same notice is refused, naming the first.
    let (s, e) = app.call("POST", "/api/hq/notices", &hq, Some(evacuate("evac-3", &["izumi-2"], Some("evac-1")))).await;
    assert_eq!(
        (s, e["code"].as_str(), e["params"]["replaced_by"].as_str()),
        (409, Some("notice_already_corrected"), Some("evac-2"))
    );
    let (s, e) =
        app.call("POST", "/api/hq/notices", &hq, Some(evacuate("evac-4", &["izumi-2"], Some("no-such")))).await;
    assert_eq!(s, 404, "{e}");
    assert!(e["message"].as_str().unwrap_or_default().contains("訂正するお知らせ"), "{e}");
    let (s, e) = app.call("POST", "/api/hq/notices", &hq, Some(evacuate("evac-2", &["izumi-2"], Some("evac-2")))).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("notice_corrects_itself")));
    // Another town's HQ cannot reach this town's notice.
    let other = app.staff_token(Role::Hq, &[], Some("042021"));
    let (s, _) = app.call("POST", "/api/hq/notices", &other, Some(evacuate("evac-5", &[], Some("evac-1")))).await;
    assert!(s == 404 || s == 400 || s == 403, "{s}");

    send_all(&app).await;
    let (taro_got, hanako_got) = (payload(&push, 0), payload(&push, 1));
    assert_eq!((taro_got.id.as_str(), taro_got.title.ja.as_str()), ("evac-2", "【訂正】避難指示"));
    assert_eq!(taro_got.replaces.as_ref().map(|r| r.as_str()), Some("evac-1"), "the device takes the wrong one away");
    assert_eq!((hanako_got.id.as_str(), hanako_got.title.en.as_str()), ("evac-2", "[CORRECTION] Evacuation order"));

    let list = app.call("GET", "/api/hq/notices", &hq, None).await.1;
    assert_eq!((list[0]["id"].as_str(), list[0]["replaces"].as_str()), (Some("evac-2"), Some("evac-1")));
    assert_eq!((list[1]["id"].as_str(), list[1]["replaced_by"].as_str()), (Some("evac-1"), Some("evac-2")));
    let mine = app.call("GET", "/api/notices", &taro, None).await.1;
    assert_eq!(mine[1]["replaced_by"], "evac-2", "the resident's list says which one was corrected: {mine}");

    // The earlier page says so before anything else and links to the correction, keeping the
    // reader's language and text size; the correction links back.
    let earlier = app.http.get(app.url("/n/041009/evac-1?lang=en&size=200")).send().await.unwrap();
    assert_eq!(earlier.status(), 200);
    let html = earlier.text().await.unwrap();
    let banner = html.find("このお知らせは訂正されました").expect("the corrected banner");
    assert!(banner < html.find("<h1").unwrap(), "before the title");
    assert!(html.contains("href=\"/n/041009/evac-2?lang=en&amp;size=200\""), "{html}");
    let later = app.http.get(app.url("/n/041009/evac-2")).send().await.unwrap().text().await.unwrap();
    assert!(later.contains("先に送ったお知らせの訂正です") && later.contains("href=\"/n/041009/evac-1\""), "{later}");
}

async fn a_correction_stops_what_is_left_of_the_sending(app: TestApp) {
    let push = TestPushService::start(2, Some(app.push.client.vapid().public_key())).await.unwrap();
    two_residents(&app, &push).await;
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let wrong = json!({"id": "water-1", "title": {"ja": "給水は14時から"}, "body": {"ja": "片平丁小学校で。"},
        "level": "info", "target": {"type": "all"}});
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(wrong)).await.0, 201);
    // Corrected before the fan-out reached anyone.
    let right = json!({"id": "water-2", "title": {"ja": "給水は15時から"}, "body": {"ja": "片平丁小学校で。"},
        "level": "info", "target": {"type": "all"}, "replaces": "water-1"});
    assert_eq!(app.call("POST", "/api/hq/notices", &hq, Some(right)).await.0, 201);
    send_all(&app).await;
    for i in [0, 1] {
        assert_eq!(push.received_count(i), 1, "device {i}: the correction only");
        assert_eq!(payload(&push, i).id.as_str(), "water-2");
    }
    let list = app.call("GET", "/api/hq/notices", &hq, None).await.1;
    assert_eq!(list[1]["id"], "water-1");
    assert_eq!(
        list[1]["delivery"],
        json!({"state": "done", "delivered": 0, "gone": 0, "failed": 0}),
        "stopped, nothing sent"
    );
    assert_eq!(list[0]["delivery"]["delivered"], 2);
}

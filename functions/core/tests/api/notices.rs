//! Notices over HTTP on both stores, pushed for real (RFC 8291 encryption, VAPID) to the
//! local test push service, which stands in for FCM / Mozilla autopush (unreachable here)
//! and decrypts every message with the device keys it issued.

use crate::common::TestApp;
use bosai_core::domain::fanout;
use bosai_push::{TestPushHandle, TestPushService};
use bosai_types::auth::Role;
use bosai_types::notices::PushPayload;
use serde_json::{json, Value};

on_both_stores!(
    notices_reach_their_area_once,
    notices_in_the_readers_language,
    subscription_rules,
    each_municipality_reaches_its_own_residents,
    a_resident_of_a_town_not_served_here_is_looked_after_by_the_deployment,
    a_home_moved_on_the_card_moves_the_phone_to_the_new_town
);

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
    let (s, created) = app
        .call(
            "POST",
            "/api/hq/notices",
            &hq,
            Some(notice("water-aoba-1", json!({"type": "areas", "areas": ["aoba-1"]}))),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["delivery"]["state"], "queued");
    let (s, again) = app
        .call(
            "POST",
            "/api/hq/notices",
            &hq,
            Some(notice("water-aoba-1", json!({"type": "areas", "areas": ["aoba-1"]}))),
        )
        .await;
    assert_eq!((s, &again["id"]), (200, &json!("water-aoba-1")), "a resend is recognised");
    let (s, e) = app.call("POST", "/api/hq/notices", &hq, Some(notice("water-aoba-1", json!({"type": "all"})))).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("notice_id_taken")));

    send_all(&app).await;
    send_all(&app).await; // Nothing left: a second round sends nothing again.
    for i in [0, 1] {
        assert_eq!(push.received_count(i), 1, "device {i}");
        let p = payload(&push, i).unwrap();
        assert_eq!(
            (p.id.as_str(), p.url.as_str(), p.title.ja.as_str()),
            ("water-aoba-1", "/n/041009/water-aoba-1", "給水のお知らせ")
        );
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
    assert_eq!(
        app.call("GET", "/api/hq/notices", &hq, None).await.1[0]["delivery"],
        json!({"state": "done", "delivered": 2, "gone": 0, "failed": 0})
    );

    // Hanako moves to aoba-1: her device follows.
    assert_eq!(app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": "aoba-1"}))).await.0, 204);
    assert_eq!(
        app.call(
            "POST",
            "/api/hq/notices",
            &hq,
            Some(notice("aoba-4", json!({"type": "areas", "areas": ["aoba-1", "taihaku-1"]})))
        )
        .await
        .0,
        201
    );
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
    assert!(
        html.contains("給水のお知らせ") && html.contains("容器をお持ちください。") && html.contains("lang=\"ja\""),
        "{html}"
    );
    let missing = app.http.get(app.url("/n/no-such-notice")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("お知らせが見つかりません"));
    assert_eq!(app.http.get(app.url("/api/notices/all-2")).send().await.unwrap().status(), 200);
}

/// HQ writes Japanese and adds easy Japanese and Vietnamese; each device is told in its reader's
/// language (else easy Japanese), devices that never said theirs as before, and the landing page
/// follows the address or the browser.
async fn notices_in_the_readers_language(app: TestApp) {
    let push = TestPushService::start(3, Some(app.push.client.vapid().public_key())).await.unwrap();
    let taro = app.login("taro", true).await.access_token;
    for (i, lang) in [(0, Some("vi")), (1, Some("ko")), (2, None)] {
        let mut d = device(&push, i);
        if let Some(l) = lang {
            d["lang"] = json!(l);
        }
        assert_eq!(app.call("POST", "/api/push/subscriptions", &taro, Some(d)).await.0, 204);
    }
    let mut french = device(&push, 0);
    french["lang"] = json!("fr");
    let (s, e) = app.call("POST", "/api/push/subscriptions", &taro, Some(french)).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("unknown_language")), "{e}");
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let mut n = notice("water-vi-1", json!({"type": "all"}));
    n["title"]["ja-easy"] = json!("みずを くばります");
    n["title"]["vi"] = json!("Cấp nước");
    n["body"]["ja-easy"] = json!("14じから みずを くばります。");
    n["body"]["vi"] = json!("Cấp nước từ 14:00. Vui lòng mang theo dụng cụ đựng nước.");
    let (s, created) = app.call("POST", "/api/hq/notices", &hq, Some(n.clone())).await;
    assert_eq!((s, &created["title"]["vi"]), (201, &json!("Cấp nước")), "{created}");
    n["title"]["fr"] = json!("Eau");
    let (s, e) = app.call("POST", "/api/hq/notices", &hq, Some(n)).await;
    assert_eq!(s, 400, "a language the app does not have: {e}");
    send_all(&app).await;

    let vi = payload(&push, 0).unwrap();
    assert_eq!((vi.lang.as_deref(), vi.title.vi.as_str()), (Some("vi"), "Cấp nước"));
    assert!(vi.body.vi.starts_with("Cấp nước từ 14:00") && vi.title.en.is_empty(), "{vi:?}");
    assert_eq!(vi.url, "/n/041009/water-vi-1?lang=vi");
    let ko = payload(&push, 1).unwrap();
    assert_eq!((ko.lang.as_deref(), ko.title.ja_easy.as_str()), (Some("ja-easy"), "みずを くばります"));
    let unsaid = payload(&push, 2).unwrap();
    assert_eq!((unsaid.lang, unsaid.title.en.as_str(), unsaid.title.vi.as_str()), (None, "Water", ""));

    let page = |path: &'static str, accept: &'static str| {
        let req = app.http.get(app.url(path)).header("accept-language", accept);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let by_address = page("/n/041009/water-vi-1?lang=vi", "ja").await;
    assert!(by_address.contains("<h1 lang=\"vi\">Cấp nước</h1>"), "{by_address}");
    assert!(by_address.contains("<section lang=\"ja\"><h2>給水のお知らせ</h2>"), "the original follows");
    let by_browser = page("/n/041009/water-vi-1", "ne-NP,ne;q=0.9").await;
    assert!(by_browser.contains("<h1 lang=\"ja\">みずを くばります</h1>"), "no Nepali: easy Japanese");
    let unknown = page("/n/041009/water-vi-1?lang=xx", "").await;
    assert!(unknown.contains("<h1 lang=\"ja\">給水のお知らせ</h1>"), "an unknown code is ignored");
    assert_eq!(push.stats().decrypt_failures, 0);
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
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
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
    assert!(e["message"].as_str().unwrap().contains("400文字"));
    let (s, e) = app
        .call("POST", "/api/hq/notices", &hq, Some(notice("rules-5", json!({"type": "areas", "areas": ["kita-9"]}))))
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("unknown_area")));
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    assert_eq!(
        app.call("POST", "/api/hq/notices", &staff, Some(notice("rules-4", json!({"type": "all"})))).await.0,
        403
    );
    assert_eq!(app.call("POST", "/api/push/subscriptions", &staff, Some(device(&push, 2))).await.0, 403);
}

/// One deployment, two municipalities: Utsunomiya (onboarded by importing its shelters and
/// areas) reaches its residents with notices, surveys and help requests, Sendai its own, and
/// neither sees the other's. A resident's municipality is their home (住所地).
async fn each_municipality_reaches_its_own_residents(app: TestApp) {
    let push = TestPushService::start(2, Some(app.push.client.vapid().public_key())).await.unwrap();
    let admin = app.staff_token(Role::Admin, &[], Some("092011"));
    let upload = |path: &'static str, body: Vec<u8>| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let res = app
                .http
                .post(app.url(path))
                .bearer_auth(admin)
                .header("content-type", "text/csv")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{path}");
        }
    };
    let shelters = std::fs::read(format!(
        "{}/../../tests/fixtures/opendata/utsunomiya-ods-sites.utf8.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    upload("/api/admin/municipalities/092011/shelter-import?apply=true", shelters).await;
    upload("/api/admin/municipalities/092011/area-import?apply=true", "地区コード,地区名\nkiyohara,清原地区\n".into())
        .await;

    // Hanako lives in Utsunomiya: her areas are Utsunomiya's, her phone is on its list.
    let hanako = app.login("hanako", false).await.access_token;
    let taro = app.login("taro", true).await.access_token;
    assert_eq!(
        app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": "aoba-1"}))).await.0,
        204,
        "Sendai's, while she named no home"
    );
    let (s, home) = app.call("PUT", "/api/me/home", &hanako, Some(json!({"municipality": "092011"}))).await;
    assert_eq!((s, &home["source"]), (200, &json!("chosen")), "{home}");
    assert_eq!(
        app.call("GET", "/api/me", &hanako, None).await.1["area"],
        Value::Null,
        "a new home clears the old town's area"
    );
    let areas: Value =
        app.http.get(app.url("/api/areas?municipality=092011")).send().await.unwrap().json().await.unwrap();
    assert_eq!(areas, json!([{"code": "kiyohara", "name_ja": "清原地区", "name_en": ""}]));
    assert_eq!(app.http.get(app.url("/api/areas?municipality=092012")).send().await.unwrap().status(), 400);
    let listed: Value =
        app.http.get(app.url("/api/shelters?municipality=092011")).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        listed.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect::<Vec<_>>(),
        ["092011-1"],
        "the next town's shelters, listed"
    );
    let (s, e) = app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": "aoba-1"}))).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("unknown_area")), "Sendai's area is not Utsunomiya's");
    assert_eq!(app.call("PUT", "/api/me/area", &hanako, Some(json!({"area": "kiyohara"}))).await.0, 204);
    assert_eq!(app.call("POST", "/api/push/subscriptions", &hanako, Some(device(&push, 0))).await.0, 204);
    assert_eq!(app.call("POST", "/api/push/subscriptions", &taro, Some(device(&push, 1))).await.0, 204);

    // Each HQ sends to its own; an area of the other town is refused.
    let utsunomiya = app.staff_token(Role::Hq, &[], Some("092011"));
    let sendai = app.staff_token(Role::Hq, &[], Some("041009"));
    let (s, e) = app
        .call(
            "POST",
            "/api/hq/notices",
            &utsunomiya,
            Some(notice("u-water-1", json!({"type": "areas", "areas": ["aoba-1"]}))),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("unknown_area")));
    let (s, n) = app
        .call(
            "POST",
            "/api/hq/notices",
            &utsunomiya,
            Some(notice("u-water-1", json!({"type": "areas", "areas": ["kiyohara"]}))),
        )
        .await;
    assert_eq!((s, &n["municipality"]), (201, &json!("092011")), "{n}");
    assert_eq!(
        app.call("POST", "/api/hq/notices", &sendai, Some(notice("s-all-1", json!({"type": "all"})))).await.0,
        201
    );
    send_all(&app).await;
    assert_eq!(
        payload(&push, 0).map(|p| (p.id.to_string(), p.url)),
        Some(("u-water-1".into(), "/n/092011/u-water-1".into()))
    );
    assert_eq!(push.received_count(0), 1, "hanako's phone: Utsunomiya's notice only");
    assert_eq!(payload(&push, 1).map(|p| p.id.to_string()), Some("s-all-1".into()));
    assert_eq!(push.received_count(1), 1, "taro's phone: Sendai's notice only");
    let ids = |v: Value| v.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(app.call("GET", "/api/notices", &hanako, None).await.1), ["u-water-1"]);
    assert_eq!(ids(app.call("GET", "/api/notices", &taro, None).await.1), ["s-all-1"]);
    assert_eq!(ids(app.call("GET", "/api/hq/notices", &utsunomiya, None).await.1), ["u-water-1"]);
    assert_eq!(ids(app.call("GET", "/api/hq/notices", &sendai, None).await.1), ["s-all-1"]);
    let page = app.http.get(app.url("/n/092011/u-water-1")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("給水のお知らせ"));
    for path in ["/n/u-water-1", "/n/041009/u-water-1", "/n/092012/u-water-1"] {
        assert_eq!(app.http.get(app.url(path)).send().await.unwrap().status(), 404, "{path}");
    }

    // A call for help reaches her town's HQ, not Sendai's.
    let help = json!({"report_id": "r-help-0001", "member_id": "self", "status": {"status": "needs_help", "what": "足を怪我しました", "location": "自宅"}});
    assert_eq!(app.call("POST", "/api/safety", &hanako, Some(help)).await.0, 200);
    let (_, list) = app.call("GET", "/api/hq/help-requests", &utsunomiya, None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(app.call("GET", "/api/hq/help-requests", &sendai, None).await.1, json!([]));
    let admin_of_sendai = app.staff_token(Role::Admin, &[], Some("041009"));
    assert_eq!(
        app.call("GET", "/api/hq/help-requests", &admin_of_sendai, None).await.1,
        json!([]),
        "an admin acts for its own town"
    );
    assert_eq!(
        app.call("GET", "/api/hq/notices", &app.staff_token(Role::Hq, &[], Some("042021")), None).await.0,
        403,
        "a town this deployment does not serve"
    );

    // A survey of Utsunomiya is hers to answer, not Taro's.
    let survey = json!({"id": "u-survey-1", "title": {"ja": "避難所の暖房", "en": "Heating"}, "scope": {"type": "all"}, "recurrence": "once",
        "questions": [{"id": "warm", "text": {"ja": "寒くないですか"}, "kind": {"type": "number", "min": 0, "max": 10}}]});
    assert_eq!(app.call("POST", "/api/hq/surveys", &utsunomiya, Some(survey)).await.0, 201);
    let open = |t: String| {
        let app = &app;
        async move {
            app.call("GET", "/api/surveys", &t, None)
                .await
                .1
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["survey"]["id"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(open(hanako.clone()).await.contains(&"u-survey-1".to_owned()));
    assert!(!open(taro.clone()).await.contains(&"u-survey-1".to_owned()));

    // 広域避難: Taro flees to Utsunomiya's shelter. Its notice to everyone in its shelters reaches
    // his phone and his list; Hanako, at home in Utsunomiya, gets neither.
    const HOST: &str = "092011-1";
    let open_shelter = json!({"status": "open", "capacity": 300});
    assert_eq!(app.call("PUT", &format!("/api/shelters/{HOST}/status"), &utsunomiya, Some(open_shelter)).await.0, 200);
    let (_, cred) = app.call("POST", "/api/me/checkin-credential", &taro, Some(json!({"members": ["self"]}))).await;
    let scan = json!({"event_id": "ev-notice-0001", "kind": "check_in", "at": bosai_core::clock::now_millis(), "credential": cred["credential"]});
    let staff = app.staff_token(Role::ShelterStaff, &[HOST], None);
    let (s, r) = app
        .call(
            "POST",
            &format!("/api/shelters/{HOST}/scans"),
            &staff,
            Some(json!({"device_id": "tablet-u", "records": [scan]})),
        )
        .await;
    assert_eq!((s, &r["results"][0]["outcome"]), (200, &json!("stored")), "{r}");
    let (s, n) = app
        .call("POST", "/api/hq/notices", &utsunomiya, Some(notice("u-evacuees-1", json!({"type": "evacuees"}))))
        .await;
    assert_eq!(s, 201, "{n}");
    send_all(&app).await;
    assert_eq!(
        payload(&push, 1).map(|p| (p.id.to_string(), p.url)),
        Some(("u-evacuees-1".into(), "/n/092011/u-evacuees-1".into()))
    );
    assert_eq!(
        (push.received_count(0), push.received_count(1)),
        (1, 2),
        "hanako's phone: nothing new; taro's: the host's notice"
    );
    let (_, sent) = app.call("GET", "/api/hq/notices", &utsunomiya, None).await;
    assert_eq!(sent[0]["delivery"], json!({"state": "done", "delivered": 1, "gone": 0, "failed": 0}), "{sent}");
    assert_eq!(ids(app.call("GET", "/api/notices", &taro, None).await.1), ["u-evacuees-1", "s-all-1"]);
    assert_eq!(ids(app.call("GET", "/api/notices", &hanako, None).await.1), ["u-water-1"]);
}

/// A resident whose home this deployment does not serve (石巻市: listed, not served; her card's
/// address, or her own choice) is looked after by the deployment's own HQ: its notices reach her
/// phone, its surveys are hers, its HQ reads her call for help. Before, all of it went to a town
/// no HQ here acts for, and her request for help reached no one. Shelters still count her as
/// from 石巻市 (her credential carries her home).
async fn a_resident_of_a_town_not_served_here_is_looked_after_by_the_deployment(app: TestApp) {
    let push = TestPushService::start(1, Some(app.push.client.vapid().public_key())).await.unwrap();
    let hanako = app.login("hanako", false).await.access_token;
    // Subscribed before she names her home: the phone stays on the list of who acts for her.
    assert_eq!(app.call("POST", "/api/push/subscriptions", &hanako, Some(device(&push, 0))).await.0, 204);
    let (s, home) = app.call("PUT", "/api/me/home", &hanako, Some(json!({"municipality": "042021"}))).await;
    assert_eq!((s, &home["name_ja"]), (200, &json!("石巻市")), "{home}");

    let sendai = app.staff_token(Role::Hq, &[], Some("041009"));
    assert_eq!(
        app.call("POST", "/api/hq/notices", &sendai, Some(notice("s-all-2", json!({"type": "all"})))).await.0,
        201
    );
    send_all(&app).await;
    assert_eq!(payload(&push, 0).map(|p| p.id.to_string()), Some("s-all-2".into()), "her phone has it");
    let (_, list) = app.call("GET", "/api/notices", &hanako, None).await;
    assert_eq!(list.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect::<Vec<_>>(), ["s-all-2"]);
    let (_, open) = app.call("GET", "/api/surveys", &hanako, None).await;
    assert!(!open.as_array().unwrap().is_empty(), "Sendai's open surveys are hers: {open}");

    let help = json!({"report_id": "r-help-ishi1", "member_id": "self", "status": {"status": "needs_help", "what": "薬がない", "location": "車の中（青葉区役所の駐車場）"}});
    assert_eq!(app.call("POST", "/api/safety", &hanako, Some(help)).await.0, 200);
    let (_, list) = app.call("GET", "/api/hq/help-requests", &sendai, None).await;
    assert_eq!(
        list.as_array().unwrap().iter().map(|r| r["report_id"].as_str().unwrap()).collect::<Vec<_>>(),
        ["r-help-ishi1"],
        "Sendai's HQ reads her call for help: {list}"
    );

    // Received at a shelter here, counted as from 石巻市.
    let (_, cred) = app.call("POST", "/api/me/checkin-credential", &hanako, Some(json!({"members": ["self"]}))).await;
    let scan = json!({"event_id": "ev-ishi-00001", "kind": "check_in", "at": bosai_core::clock::now_millis(), "credential": cred["credential"]});
    let staff = app.staff_token(Role::ShelterStaff, &["041009-aoba-katahira-es"], None);
    let records = json!({"device_id": "tab", "records": [scan]});
    let (s, r) = app.call("POST", "/api/shelters/041009-aoba-katahira-es/scans", &staff, Some(records)).await;
    assert_eq!((s, &r["results"][0]["outcome"]), (200, &json!("stored")), "{r}");
    let (_, summary) = app.call("GET", "/api/hq/summary", &sendai, None).await;
    assert_eq!(summary["hosted"], json!([{"municipality": "042021", "name_ja": "石巻市", "people": 1}]), "{summary}");
}

/// 転居: the card's signing certificate is reissued with the new address (the authentication
/// certificate, and so the resident, stays). At her next sign-in her home follows the card, her
/// old town's area is forgotten, and her phone gets the new town's notices, not the old one's.
/// Before, the home changed and the phone stayed on Sendai's list.
async fn a_home_moved_on_the_card_moves_the_phone_to_the_new_town(app: TestApp) {
    let push = TestPushService::start(1, Some(app.push.client.vapid().public_key())).await.unwrap();
    // 石巻市 joins the deployment (its areas imported).
    let admin = app.staff_token(Role::Admin, &[], Some("042021"));
    let res = app
        .http
        .post(app.url("/api/admin/municipalities/042021/area-import?apply=true"))
        .bearer_auth(admin)
        .header("content-type", "text/csv")
        .body("地区コード,地区名\nkaisei,開成地区\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let ca = bosai_companion::TestCa::load(&app.identity.ca_dir).unwrap();
    let holder = bosai_companion::dev::demo_holders().remove(1).1;
    let before = ca.issue_card(&holder).unwrap();
    let t = bosai_companion::client::login(&app.base, &before, true).await.unwrap().access_token;
    assert_eq!(app.call("GET", "/api/me", &t, None).await.1["home"]["municipality"], "041009");
    assert_eq!(app.call("PUT", "/api/me/area", &t, Some(json!({"area": "aoba-1"}))).await.0, 204);
    assert_eq!(app.call("POST", "/api/push/subscriptions", &t, Some(device(&push, 0))).await.0, 204);

    let moved = ca
        .issue_card(&bosai_companion::CardHolder {
            address: "宮城県石巻市穀町１４番１号".into(), ..holder
        })
        .unwrap();
    let renewed = bosai_companion::Card {
        sign_serial: moved.sign_serial,
        sign_cert_der: moved.sign_cert_der,
        sign_key_der: moved.sign_key_der,
        ..before
    };
    let t = bosai_companion::client::login(&app.base, &renewed, true).await.unwrap().access_token;
    let (_, me) = app.call("GET", "/api/me", &t, None).await;
    assert_eq!(me["home"], json!({"municipality": "042021", "name_ja": "石巻市", "source": "card"}), "{me}");
    assert_eq!(me["area"], Value::Null, "Sendai's area means nothing in 石巻市: {me}");

    let sendai = app.staff_token(Role::Hq, &[], Some("041009"));
    let ishinomaki = app.staff_token(Role::Hq, &[], Some("042021"));
    assert_eq!(
        app.call("POST", "/api/hq/notices", &sendai, Some(notice("s-all-3", json!({"type": "all"})))).await.0,
        201
    );
    send_all(&app).await;
    assert_eq!(payload(&push, 0), None, "Sendai's notice is no longer hers");
    assert_eq!(
        app.call("POST", "/api/hq/notices", &ishinomaki, Some(notice("i-all-1", json!({"type": "all"})))).await.0,
        201
    );
    send_all(&app).await;
    assert_eq!(payload(&push, 0).map(|p| p.id.to_string()), Some("i-all-1".into()), "her phone has 石巻市's");
}

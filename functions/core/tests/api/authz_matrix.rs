//! Walks every operation of the OpenAPI document (`routes::all()`) with every role (and none)
//! against the real router: allowed roles get past authorisation, others get 403, no token 401.

use crate::common::TestApp;
use bosai_core::http::routes::{self, Access};
use bosai_types::auth::Role;
use serde_json::{json, Value};

on_both_stores!(
    every_route_admits_exactly_its_roles,
    every_documented_route_is_served,
    shelter_scope_is_enforced,
    another_municipality_is_refused_or_sees_only_its_own
);

const SHELTER: &str = "041009-aoba-katahira-es";
const OTHER_SHELTER: &str = "041009-taihaku-nagamachi-es";

async fn token_for(app: &TestApp, role: Role) -> String {
    match role {
        Role::Resident => app.login("taro", false).await.access_token,
        Role::ShelterStaff => app.staff_token(role, &[SHELTER], None),
        Role::Hq => app.staff_token(role, &[], Some("041009")),
        Role::Admin => app.staff_token(role, &[], None),
        Role::PrefectureHq => app.staff_token(role, &[], Some("040002")),
    }
}

/// A body the route accepts, so what answers is the authorisation, not the validation.
fn sample_body(path: &str) -> Value {
    let both = |s: &str| json!({"ja": s, "en": s});
    match path {
        "/api/shelters/{id}/status" => json!({"status": "open"}),
        "/api/shelters/{id}/facilities" => json!({"facilities": ["water"]}),
        "/api/admin/card-renewals" => json!({"old_serial": "01", "new_serial": "02"}),
        "/api/shelters/{id}/scans" => json!({"device_id": "tablet-1", "records": []}),
        "/api/shelters/{id}/scan-preview" => json!({"credential": "x.y.z"}),
        "/api/shelters/{id}/roster/{entry}/check-out" => json!({"event_id": "ev-authz-0001"}),
        "/api/me/consent" => json!({"version": bosai_types::consent::SENSITIVE_DATA_CONSENT_VERSION}),
        "/api/shelters/{id}/desk-registrations" => {
            json!({"registration_id": "desk-authz-01", "check_in": false, "people": [{"name": "山田 ゲン", "sex": "male"}]})
        }
        "/api/shelters/{id}/supplies/{item}" => json!({"on_hand": 1, "requested": 0}),
        "/api/shelters/{id}/supplies/{item}/deliveries" => json!({"delivery_id": "truck-000001", "quantity": 1}),
        "/api/hq/surveys" => {
            json!({"id": "authz-1", "title": both("調査"), "scope": {"type": "all"}, "recurrence": "once",
            "questions": [{"id": "q1", "text": both("質問"), "kind": {"type": "number", "min": 0, "max": 10}}]})
        }
        "/api/hq/help-requests/{report_id}" => json!({"state": "in_progress"}),
        "/api/hq/incidents" => json!({"incident_id": "authz-drill-1", "name": "訓練", "kind": "drill"}),
        "/api/hq/notices" => {
            json!({"id": "authz-1", "title": both("お知らせ"), "body": both("本文"), "level": "info", "target": {"type": "all"}})
        }
        "/api/admin/municipalities/{code}/staff/{subject}" => {
            json!({"name": "応援 職員", "role": "shelter_staff", "shelters": []})
        }
        _ => json!({}),
    }
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> u16 {
    // `{id}` is a shelter and `{code}` the municipality (Sendai's); other path parameters get
    // a well-formed sample value.
    let mut concrete = path.replace("{id}", SHELTER).replace("{code}", "041009").replace("{item}", "drinking_water");
    while let (Some(a), Some(b)) = (concrete.find('{'), concrete.find('}')) {
        concrete.replace_range(a..=b, "sample-1");
    }
    let url = app.url(&concrete);
    let mut req = app.http.request(method.parse().unwrap(), url);
    if method != "GET" {
        req = req.json(&sample_body(path));
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn every_route_admits_exactly_its_roles(app: TestApp) {
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, token_for(&app, role).await));
    }
    let mut checked = 0;
    let all = routes::all();
    for route in &all {
        let anonymous = call(&app, &route.method, &route.path, None).await;
        match &route.access {
            Access::Public => {
                assert!(![401, 403].contains(&anonymous), "{} {} is public, got {anonymous}", route.method, route.path)
            }
            Access::Roles(_) => assert_eq!(anonymous, 401, "{} {} without a token", route.method, route.path),
        }
        for (role, token) in &tokens {
            let status = call(&app, &route.method, &route.path, Some(token)).await;
            let allowed = match &route.access {
                Access::Public => true,
                Access::Roles(roles) => roles.contains(role),
            };
            if allowed {
                assert!(![401, 403].contains(&status), "{role:?} may {} {}, got {status}", route.method, route.path);
                assert!(status < 500, "{role:?} {} {} gave {status}", route.method, route.path);
            } else {
                assert_eq!(status, 403, "{role:?} may not {} {}", route.method, route.path);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, all.len() * Role::ALL.len());
}

/// The router and the document come from the same `routes!` list; this checks the other side:
/// each public operation reaches its handler (not the `/api` fallback), and a path that is not
/// an operation does reach the fallback.
async fn every_documented_route_is_served(app: TestApp) {
    let fallback = |body: &Value| body["message"].as_str().is_some_and(|m| m.starts_with("このAPI"));
    let served: Value = app.http.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let all = routes::all();
    let operations: usize =
        served["paths"].as_object().unwrap().values().map(|ops| ops.as_object().unwrap().len()).sum();
    assert_eq!(operations, all.len(), "the served document is the one routes::all() reads");
    let mut public = 0;
    for route in all.iter().filter(|r| r.access == Access::Public && r.method == "GET") {
        let path = route.path.replace("{id}", SHELTER).replace("{code}", "041009");
        let res = app.http.get(app.url(&path)).send().await.unwrap();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(!fallback(&body), "GET {} is documented but not routed", route.path);
        public += 1;
    }
    assert!(public >= 5, "{public}");
    let res = app.http.get(app.url("/api/no-such-route")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(fallback(&res.json().await.unwrap()));
}

async fn set_status(app: &TestApp, shelter: &str, token: &str, body: Value) -> reqwest::Response {
    app.http
        .put(app.url(&format!("/api/shelters/{shelter}/status")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn shelter_status(app: &TestApp, id: &str) -> Value {
    app.http.get(app.url(&format!("/api/shelters/{id}"))).send().await.unwrap().json().await.unwrap()
}

async fn shelter_scope_is_enforced(app: TestApp) {
    let staff = token_for(&app, Role::ShelterStaff).await;
    let res = set_status(&app, SHELTER, &staff, json!({"status": "full", "capacity": 420})).await;
    assert_eq!(res.status(), 200);
    let s = shelter_status(&app, SHELTER).await;
    assert_eq!(
        (s["status"].as_str(), s["capacity"].as_u64(), s["congestion"].as_str()),
        (Some("full"), Some(420), Some("full"))
    );
    // Staff of A cannot write B, and B is unchanged.
    let before = shelter_status(&app, OTHER_SHELTER).await;
    let res = set_status(&app, OTHER_SHELTER, &staff, json!({"status": "closed"})).await;
    assert_eq!(res.status(), 403);
    assert_eq!(shelter_status(&app, OTHER_SHELTER).await, before);
    // HQ of the municipality can; HQ of another municipality cannot.
    let hq = token_for(&app, Role::Hq).await;
    assert_eq!(set_status(&app, OTHER_SHELTER, &hq, json!({"status": "closed"})).await.status(), 200);
    let other_hq = app.staff_token(Role::Hq, &[], Some("131016"));
    assert_eq!(set_status(&app, SHELTER, &other_hq, json!({"status": "open"})).await.status(), 403);
    // Bad input: clear 400s, nothing changed.
    let before = shelter_status(&app, SHELTER).await;
    for body in
        [json!({"status": "open", "capacity": 0}), json!({"status": "exploded"}), json!({"status": "open", "extra": 1})]
    {
        let res = set_status(&app, SHELTER, &staff, body.clone()).await;
        assert_eq!(res.status(), 400, "{body}");
    }
    assert_eq!(shelter_status(&app, SHELTER).await, before);
    let missing = set_status(&app, "no-such-shelter", &hq, json!({"status": "open"})).await;
    assert_eq!(missing.status(), 404);
}

/// The same role of another municipality: Tokyo's Chiyoda (131016) and its prefecture, staff
/// of a shelter there.
fn foreign_token(app: &TestApp, role: Role) -> Option<String> {
    match role {
        Role::Resident => None, // a resident's scope is their own household, not a municipality
        Role::ShelterStaff => Some(app.staff_token(role, &["131016-1"], None)),
        Role::Hq | Role::Admin => Some(app.staff_token(role, &[], Some("131016"))),
        Role::PrefectureHq => Some(app.staff_token(role, &[], Some("130001"))),
    }
}

/// Routes that answer about the caller's own prefecture whatever it is: for another one's
/// token they succeed with its data, never Miyagi's. (The municipality's HQ views refuse a
/// municipality the deployment does not serve.)
const OWN_SCOPE: &[(Role, &str)] = &[
    (Role::PrefectureHq, "GET /api/hq/prefecture"),
    // The incidents the caller commands: none of Sendai's for another town (checked below).
    (Role::Hq, "GET /api/hq/incidents"),
    (Role::PrefectureHq, "GET /api/hq/incidents"),
    (Role::Admin, "GET /api/hq/incidents"),
];

/// Every route × role × another municipality: a token of the same role for another town is
/// refused wherever the route names Sendai's data (403, or 404 where not even existence may
/// show), and where the route answers about the caller's own municipality the answer holds
/// nothing of Sendai's.
async fn another_municipality_is_refused_or_sees_only_its_own(app: TestApp) {
    let (mut checked, mut wrong) = (0, Vec::new());
    for route in routes::all() {
        let Access::Roles(roles) = route.access else { continue };
        for role in roles {
            let Some(token) = foreign_token(&app, role) else { continue };
            let name = format!("{} {}", route.method, route.path);
            let status = call(&app, &route.method, &route.path, Some(&token)).await;
            let own = OWN_SCOPE.contains(&(role, name.as_str()));
            if (own && (status >= 500 || [401, 403].contains(&status))) || (!own && ![403, 404].contains(&status)) {
                wrong.push(format!("{role:?} of another town: {name} got {status}"));
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked > 40, "{checked}");
    // What the own-scope routes answered holds nothing of Sendai's.
    let (_, tokyo) =
        app.call("GET", "/api/hq/prefecture", &foreign_token(&app, Role::PrefectureHq).unwrap(), None).await;
    assert_eq!(
        (tokyo["prefecture"].as_str(), tokyo["municipalities"].as_array().map(Vec::len)),
        (Some("130001"), Some(0)),
        "{tokyo}"
    );
    let sendai = token_for(&app, Role::Hq).await;
    assert_eq!(app.call("POST", "/api/hq/incidents", &sendai, Some(sample_body("/api/hq/incidents"))).await.0, 200);
    for role in [Role::Hq, Role::PrefectureHq, Role::Admin] {
        let (_, list) = app.call("GET", "/api/hq/incidents", &foreign_token(&app, role).unwrap(), None).await;
        assert_eq!(list, json!([]), "{role:?} of another town sees Sendai's incidents");
    }
}

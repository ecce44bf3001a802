//! Walks every route in `routes::all()` with every role (and none) against the
//! real router: allowed roles get past authorisation, others get 403, no token 401.

mod common;
use bosai_core::http::routes::{self, Access};
use bosai_types::auth::Role;
use common::TestApp;
use serde_json::{json, Value};

on_both_stores!(every_route_admits_exactly_its_roles, every_route_is_documented, shelter_scope_is_enforced);

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

fn sample_body(path: &str) -> Value {
    match path {
        "/api/shelters/{id}/status" => json!({"status": "open"}),
        "/api/admin/card-renewals" => json!({"old_serial": "01", "new_serial": "02"}),
        _ => json!({}),
    }
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> u16 {
    // `{id}` is a shelter; other path parameters get a well-formed sample value.
    let mut concrete = path.replace("{id}", SHELTER);
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
        let anonymous = call(&app, route.method, route.path, None).await;
        match route.access {
            Access::Public => assert!(![401, 403].contains(&anonymous), "{} {} is public, got {anonymous}", route.method, route.path),
            Access::Roles(_) => assert_eq!(anonymous, 401, "{} {} without a token", route.method, route.path),
        }
        for (role, token) in &tokens {
            let status = call(&app, route.method, route.path, Some(token)).await;
            let allowed = match route.access {
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

async fn every_route_is_documented(app: TestApp) {
    let doc: Value = app.http.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let all = routes::all();
    let mut documented = 0;
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let listed = all.iter().any(|r| r.path == path && r.method.eq_ignore_ascii_case(method));
            assert!(listed, "{method} {path} is documented but not in ROUTES");
            documented += 1;
        }
    }
    assert_eq!(documented, all.len(), "every route in routes::all() is documented");
}

async fn set_status(app: &TestApp, shelter: &str, token: &str, body: Value) -> reqwest::Response {
    app.http.put(app.url(&format!("/api/shelters/{shelter}/status"))).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn shelter_status(app: &TestApp, id: &str) -> Value {
    app.http.get(app.url(&format!("/api/shelters/{id}"))).send().await.unwrap().json().await.unwrap()
}

async fn shelter_scope_is_enforced(app: TestApp) {
    let staff = token_for(&app, Role::ShelterStaff).await;
    let res = set_status(&app, SHELTER, &staff, json!({"status": "full", "capacity": 420})).await;
    assert_eq!(res.status(), 200);
    let s = shelter_status(&app, SHELTER).await;
    assert_eq!((s["status"].as_str(), s["capacity"].as_u64(), s["congestion"].as_str()), (Some("full"), Some(420), Some("full")));
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
    for body in [json!({"status": "open", "capacity": 0}), json!({"status": "exploded"}), json!({"status": "open", "extra": 1})] {
        let res = set_status(&app, SHELTER, &staff, body.clone()).await;
        assert_eq!(res.status(), 400, "{body}");
    }
    assert_eq!(shelter_status(&app, SHELTER).await, before);
    let missing = set_status(&app, "no-such-shelter", &hq, json!({"status": "open"})).await;
    assert_eq!(missing.status(), 404);
}

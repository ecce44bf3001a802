//! The basics over HTTP: health, the shelter list, JSON errors, the OpenAPI document, request ids.

use crate::common::TestApp;
use serde_json::Value as Json;

on_both_stores!(
    health_names_backend,
    shelters_are_listed,
    shelter_by_id,
    bad_routes_get_json_errors,
    openapi_lists_every_route,
    request_ids
);

async fn json(res: reqwest::Response) -> Json {
    assert_eq!(res.headers()["content-type"], "application/json", "errors and data are JSON");
    res.json().await.unwrap()
}

async fn health_names_backend(app: TestApp) {
    let res = app.http.get(app.url("/api/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body = json(res).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store"], app.store.backend());
}

async fn shelters_are_listed(app: TestApp) {
    let res = app.http.get(app.url("/api/shelters")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let list = json(res).await;
    let list = list.as_array().unwrap();
    assert!(list.len() >= 5, "demo data has at least five shelters");
    for s in list {
        assert!(!s["name_ja"].as_str().unwrap().is_empty());
        assert!(s["capacity"].as_u64().unwrap() > 0);
        assert!(s["location"]["lat"].is_number());
    }
    let full = list.iter().find(|s| s["id"] == "041009-miyagino-civic-center").unwrap();
    assert_eq!(full["congestion"], "full", "occupancy == capacity");
    let closed = list.iter().find(|s| s["id"] == "041009-izumi-civic-center").unwrap();
    assert_eq!(closed["congestion"], "closed");
}

async fn shelter_by_id(app: TestApp) {
    let res = app.http.get(app.url("/api/shelters/041009-aoba-katahira-es")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["name_ja"], "片平丁小学校");
    let res = app.http.get(app.url("/api/shelters/no-such-shelter")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(json(res).await["code"], "not_found");
    let res = app.http.get(app.url("/api/shelters/Bad%20Id")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body = json(res).await;
    assert_eq!(body["code"], "invalid_shelter_id");
    assert!(body["message"].as_str().unwrap().contains("避難所"));
}

async fn bad_routes_get_json_errors(app: TestApp) {
    let res = app.http.get(app.url("/api/no/such/route")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(json(res).await["code"], "not_found");
    let res = app.http.delete(app.url("/api/shelters")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(json(res).await["code"], "method_not_allowed");
}

async fn openapi_lists_every_route(app: TestApp) {
    let doc = json(app.http.get(app.url("/api/openapi.json")).send().await.unwrap()).await;
    assert_eq!(doc["openapi"], "3.1.0");
    for path in ["/api/health", "/api/openapi.json", "/api/shelters", "/api/shelters/{id}"] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

async fn request_ids(app: TestApp) {
    let res = app.http.get(app.url("/api/health")).send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID is assigned");
    let res = app.http.get(app.url("/api/health")).header("x-request-id", "trace-me-1").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-1", "a caller's id is kept");
}

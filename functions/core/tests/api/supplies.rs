//! Supplies over HTTP on both stores: stock, requests HQ sees, deliveries counted once.

use crate::common::TestApp;
use bosai_types::auth::Role;
use serde_json::json;

on_both_stores!(stock_requests_and_deliveries, bad_supply_input);

const A: &str = "041009-aoba-katahira-es";
const B: &str = "041009-taihaku-nagamachi-es";

async fn stock_requests_and_deliveries(app: TestApp) {
    let st = app.staff_token(Role::ShelterStaff, &[A], None);
    let hq = app.staff_token(Role::Hq, &[], Some("041009"));
    let (s, l) = app
        .call(
            "PUT",
            &format!("/api/shelters/{A}/supplies/infant_diaper-m"),
            &st,
            Some(json!({"on_hand": 10, "requested": 200})),
        )
        .await;
    assert_eq!((s, l["status"].as_str()), (200, Some("requested")), "{l}");
    app.call(
        "PUT",
        &format!("/api/shelters/{A}/supplies/allergy_free_meal-egg"),
        &st,
        Some(json!({"on_hand": 0, "requested": 50})),
    )
    .await;
    app.call(
        "PUT",
        &format!("/api/shelters/{A}/supplies/drinking_water"),
        &st,
        Some(json!({"on_hand": 500, "requested": 0})),
    )
    .await;
    let (_, reqs) = app.call("GET", "/api/hq/supply-requests", &hq, None).await;
    let codes: Vec<&str> = reqs.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["allergy_free_meal-egg", "infant_diaper-m"], "only open requests");
    // A truck brings 150 diapers; the device resends the same delivery.
    let d = json!({"delivery_id": "truck-7-diapers", "quantity": 150});
    let path = format!("/api/shelters/{A}/supplies/infant_diaper-m/deliveries");
    let (_, l) = app.call("POST", &path, &st, Some(d.clone())).await;
    assert_eq!((l["on_hand"].as_u64(), l["requested"].as_u64()), (Some(160), Some(50)));
    let (_, l) = app.call("POST", &path, &st, Some(d)).await;
    assert_eq!((l["on_hand"].as_u64(), l["requested"].as_u64()), (Some(160), Some(50)), "counted once");
    let (_, l) = app.call("POST", &path, &st, Some(json!({"delivery_id": "truck-8-diapers", "quantity": 80}))).await;
    assert_eq!(
        (l["on_hand"].as_u64(), l["requested"].as_u64(), l["status"].as_str()),
        (Some(240), Some(0), Some("ok"))
    );
    let (_, reqs) = app.call("GET", "/api/hq/supply-requests", &hq, None).await;
    assert_eq!(reqs.as_array().unwrap().len(), 1, "the diaper request is settled");
    let (_, lines) = app.call("GET", &format!("/api/shelters/{A}/supplies"), &st, None).await;
    assert_eq!(lines.as_array().unwrap().len(), 3);
}

async fn bad_supply_input(app: TestApp) {
    let st = app.staff_token(Role::ShelterStaff, &[A], None);
    let cases = [
        ("PUT", format!("/api/shelters/{A}/supplies/gold"), json!({"on_hand": 1, "requested": 0}), 400, "unknown_item"),
        (
            "PUT",
            format!("/api/shelters/{A}/supplies/drinking_water"),
            json!({"on_hand": -1, "requested": 0}),
            400,
            "invalid_field",
        ),
        (
            "PUT",
            format!("/api/shelters/{A}/supplies/drinking_water"),
            json!({"on_hand": 2_000_000, "requested": 0}),
            400,
            "invalid_quantity",
        ),
        (
            "POST",
            format!("/api/shelters/{A}/supplies/drinking_water/deliveries"),
            json!({"delivery_id": "x", "quantity": 1}),
            400,
            "invalid_delivery_id",
        ),
        (
            "POST",
            format!("/api/shelters/{A}/supplies/drinking_water/deliveries"),
            json!({"delivery_id": "truck-000001", "quantity": 0}),
            400,
            "invalid_quantity",
        ),
        (
            "PUT",
            format!("/api/shelters/{B}/supplies/drinking_water"),
            json!({"on_hand": 1, "requested": 0}),
            403,
            "forbidden",
        ),
    ];
    for (m, path, body, status, code) in cases {
        let (s, v) = app.call(m, &path, &st, Some(body)).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{m} {path}");
    }
    let (_, lines) = app.call("GET", &format!("/api/shelters/{A}/supplies"), &st, None).await;
    assert!(lines.as_array().unwrap().is_empty(), "nothing written");
    let resident = app.login("taro", false).await.access_token;
    assert_eq!(app.call("GET", "/api/hq/supply-requests", &resident, None).await.0, 403);
}

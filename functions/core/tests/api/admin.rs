//! Loading a municipality's shelters from its published CSV through the API, on both stores.

use crate::common::TestApp;
use bosai_core::domain::shelters;
use bosai_core::seed::DEMO_SHELTERS_CSV;
use bosai_types::auth::Role;
use bosai_types::shelter_import::{ChangeKind, ShelterImportReport};
use bosai_types::{MunicipalityCode, Shelter, ShelterStatus};

on_both_stores!(
    reimporting_the_demo_list_keeps_people_and_status,
    another_towns_file_and_scopes,
    bad_files_are_clear_4xx,
    areas_are_imported_and_residents_choose_from_them,
    facilities_and_capacity_are_kept_by_the_municipality
);

const IMPORT: &str = "/api/admin/municipalities/{code}/shelter-import";

async fn upload(app: &TestApp, token: &str, code: &str, query: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
    let url = app.url(&format!("{}{query}", IMPORT.replace("{code}", code)));
    let res = app.http.post(url).bearer_auth(token).header("content-type", "text/csv").body(body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(serde_json::Value::Null))
}

fn report(v: serde_json::Value) -> ShelterImportReport {
    serde_json::from_value(v).expect("an import report")
}

async fn public_list(app: &TestApp) -> Vec<Shelter> {
    app.http.get(app.url("/api/shelters")).send().await.unwrap().json().await.unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/fixtures/opendata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

async fn reimporting_the_demo_list_keeps_people_and_status(app: TestApp) {
    let admin = app.staff_token(Role::Admin, &[], Some("041009"));
    let before = public_list(&app).await;
    assert_eq!(before.len(), 6, "the seed is the importer's work");

    // Sendai renames a school and drops the civic center in Izumi from its list.
    let text = String::from_utf8(DEMO_SHELTERS_CSV.to_vec()).unwrap();
    let edited: String = text
        .lines()
        .filter(|l| !l.contains(",izumi-civic-center,"))
        .map(|l| l.replace("片平丁小学校,", "片平丁小学校（体育館）,") + "\r\n")
        .collect();
    let (status, body) = upload(&app, &admin, "041009", "", edited.clone().into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    let preview = report(body);
    assert!(!preview.applied);
    assert_eq!(
        (preview.count(ChangeKind::Updated), preview.count(ChangeKind::Retired), preview.count(ChangeKind::Unchanged)),
        (1, 1, 4)
    );
    assert_eq!(public_list(&app).await, before, "a preview writes nothing");

    let (status, body) = upload(&app, &admin, "041009", "?apply=true", edited.clone().into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    assert!(report(body).applied);
    let after = public_list(&app).await;
    assert_eq!(after.len(), 5, "the retired shelter is no longer offered to residents");
    let katahira = after.iter().find(|s| s.id.as_str() == "041009-aoba-katahira-es").unwrap();
    let was = before.iter().find(|s| s.id == katahira.id).unwrap();
    assert_eq!(katahira.name_ja, "片平丁小学校（体育館）");
    assert_eq!(
        (katahira.status, katahira.occupancy, &katahira.facilities),
        (was.status, was.occupancy, &was.facilities),
        "status, people and facilities stay"
    );

    // The same apply again (a retry) changes nothing.
    let (_, body) = upload(&app, &admin, "041009", "?apply=true", edited.into_bytes()).await;
    let again = report(body);
    assert_eq!((again.count(ChangeKind::Unchanged), again.count(ChangeKind::Retired)), (5, 0));
}

async fn another_towns_file_and_scopes(app: TestApp) {
    let utsunomiya = MunicipalityCode::parse("092011").unwrap();
    let sendai_admin = app.staff_token(Role::Admin, &[], Some("041009"));
    let (status, _) =
        upload(&app, &sendai_admin, "092011", "?apply=true", fixture("utsunomiya-ods-sites.sjis.csv")).await;
    assert_eq!(status, 403, "an admin of Sendai may not load Utsunomiya's shelters");
    let hq = app.staff_token(Role::Hq, &[], Some("092011"));
    assert_eq!(
        upload(&app, &hq, "092011", "", fixture("utsunomiya-ods-sites.sjis.csv")).await.0,
        403,
        "HQ does not import"
    );

    let admin = app.staff_token(Role::Admin, &[], Some("092011"));
    let (status, body) = upload(&app, &admin, "092011", "?apply=true", fixture("utsunomiya-ods-sites.sjis.csv")).await;
    assert_eq!(status, 200, "{body}");
    let r = report(body);
    assert_eq!((r.applied, r.rows, r.changes[0].id.as_str()), (true, 1, "092011-1"));
    let stored = shelters::stored_of(app.store.as_ref(), &utsunomiya).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].shelter.status, stored[0].shelter.name_ja.as_str()), (ShelterStatus::Closed, "中央小学校"));
    assert_eq!(public_list(&app).await.len(), 6, "Sendai's list is untouched");

    // Sendai's file under Utsunomiya's code: every row is refused, nothing written.
    let (status, body) = upload(&app, &admin, "092011", "?apply=true", DEMO_SHELTERS_CSV.to_vec()).await;
    assert_eq!(status, 422, "{body}");
    let refused = report(body);
    assert_eq!((refused.applied, refused.errors.len()), (false, 6));
    assert_eq!(refused.errors[0].column.as_deref(), Some("全国地方公共団体コード"));
    assert_eq!(shelters::stored_of(app.store.as_ref(), &utsunomiya).await.unwrap().len(), 1);
}

async fn bad_files_are_clear_4xx(app: TestApp) {
    let admin = app.staff_token(Role::Admin, &[], None);
    let problem = |(status, body): (u16, serde_json::Value)| (status, body["code"].as_str().unwrap_or("").to_owned());
    assert_eq!(
        problem(upload(&app, &admin, "131016", "", fixture("chiyoda-gsi-sites.mojibake.csv")).await),
        (400, "garbled_text".into())
    );
    assert_eq!(
        problem(upload(&app, &admin, "131017", "", fixture("chiyoda-gsi-sites.sjis.csv")).await),
        (400, "invalid_municipality".into())
    );
    assert_eq!(
        problem(upload(&app, &admin, "131016", "?apply=yes", fixture("chiyoda-gsi-sites.sjis.csv")).await),
        (400, "invalid_query".into())
    );
    assert_eq!(
        problem(upload(&app, &admin, "131016", "", b"a,b\r\n1,2\r\n".to_vec()).await),
        (400, "unknown_header".into())
    );
    // Files may be larger than JSON bodies (256 KB): a 300 KB CSV is read, and refused for its rows.
    let mut big = b"a,b\r\n".to_vec();
    big.extend(b"1,2\r\n".repeat(300 * 1024 / 5));
    assert_eq!(problem(upload(&app, &admin, "131016", "", big).await), (400, "unknown_header".into()));
    let (status, body) = upload(&app, &admin, "131016", "?apply=true", vec![b'x'; 50 * 1024 * 1024]).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("payload_too_large")));
    assert!(body["message"].as_str().unwrap().contains("8192 KB"), "{body}");
    assert_eq!(body["params"]["limit_kb"], "8192", "the app words it from the limit: {body}");
    // Nothing of Chiyoda's was stored along the way.
    assert!(shelters::stored_of(app.store.as_ref(), &MunicipalityCode::parse("131016").unwrap())
        .await
        .unwrap()
        .is_empty());
}

/// The area list residents choose from comes from the admin's CSV: preview, apply, scope.
async fn areas_are_imported_and_residents_choose_from_them(app: TestApp) {
    let admin = app.staff_token(Role::Admin, &[], Some("041009"));
    let abr = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/opendata/abr-town-miyagi-excerpt.csv"
    ))
    .unwrap();
    let post = |token: String, code: &'static str, query: &'static str, body: Vec<u8>| {
        let url = app.url(&format!("/api/admin/municipalities/{code}/area-import{query}"));
        let http = app.http.clone();
        async move {
            let res =
                http.post(url).bearer_auth(token).header("content-type", "text/csv").body(body).send().await.unwrap();
            (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let areas = || async {
        app.http.get(app.url("/api/areas")).send().await.unwrap().json::<Vec<serde_json::Value>>().await.unwrap()
    };
    let before = areas().await;
    let (status, preview) = post(admin.clone(), "041009", "", abr.clone()).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!((preview["areas"].as_u64(), preview["applied"].as_bool()), (Some(4), Some(false)));
    assert_eq!(areas().await, before, "a preview changes nothing");
    let (status, _) =
        post(app.staff_token(Role::Admin, &[], Some("042021")), "041009", "?apply=true", abr.clone()).await;
    assert_eq!(status, 403, "another town's admin");
    let (status, _) = post(app.staff_token(Role::Hq, &[], Some("041009")), "041009", "?apply=true", abr.clone()).await;
    assert_eq!(status, 403, "HQ is not an admin");
    let (status, bad) =
        post(admin.clone(), "041009", "?apply=true", "地区コード,地区名\n!!,x\n".as_bytes().to_vec()).await;
    assert_eq!((status, bad["errors"][0]["line"].as_u64()), (422, Some(2)), "{bad}");
    assert_eq!(areas().await, before, "nothing half-imported");
    let (status, applied) = post(admin, "041009", "?apply=true", abr).await;
    assert_eq!((status, applied["applied"].as_bool()), (200, Some(true)), "{applied}");
    let names: Vec<String> = areas().await.iter().map(|a| a["name_ja"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["片平一丁目", "片平二丁目", "榴岡一丁目", "泉中央"]);
}

/// 設備・収容人数: what the published list does not say, kept by the municipality's admin (or
/// the shelter's staff and HQ). Re-importing the list keeps it; another town's admin cannot.
async fn facilities_and_capacity_are_kept_by_the_municipality(app: TestApp) {
    const ID: &str = "041009-aoba-katahira-es";
    let path = format!("/api/shelters/{ID}/facilities");
    let admin = app.staff_token(Role::Admin, &[], Some("041009"));
    let body = serde_json::json!({"facilities": ["pets", "barrier_free", "pets"], "capacity": 350});
    let (s, shelter) = app.call("PUT", &path, &admin, Some(body.clone())).await;
    assert_eq!(s, 200, "{shelter}");
    assert_eq!(
        (&shelter["facilities"], &shelter["capacity"]),
        (&serde_json::json!(["barrier_free", "pets"]), &serde_json::json!(350))
    );
    let without_time = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("updated_at");
        v
    };
    let again = app.call("PUT", &path, &admin, Some(body)).await.1;
    assert_eq!(without_time(again), without_time(shelter), "sending it again changes nothing");
    let public: Shelter =
        app.http.get(app.url(&format!("/api/shelters/{ID}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(public.capacity, 350);

    // Capacity left out is kept; bad input is a clear 400 and changes nothing.
    let (_, kept) = app.call("PUT", &path, &admin, Some(serde_json::json!({"facilities": ["water"]}))).await;
    assert_eq!((&kept["facilities"], &kept["capacity"]), (&serde_json::json!(["water"]), &serde_json::json!(350)));
    for (bad, code) in [
        (serde_json::json!({"facilities": ["jacuzzi"]}), "invalid_field"),
        (serde_json::json!({"facilities": [], "capacity": 0}), "invalid_capacity"),
        (serde_json::json!({"capacity": 10}), "invalid_field"),
    ] {
        let (s, e) = app.call("PUT", &path, &admin, Some(bad.clone())).await;
        assert_eq!((s, e["code"].as_str()), (400, Some(code)), "{bad}: {e}");
    }
    let other = app.staff_token(Role::Admin, &[], Some("131016"));
    assert_eq!(app.call("PUT", &path, &other, Some(serde_json::json!({"facilities": []}))).await.0, 403);
    assert_eq!(
        app.call("PUT", "/api/shelters/041009-no-such/facilities", &admin, Some(serde_json::json!({"facilities": []})))
            .await
            .0,
        404
    );

    // Re-importing the published list keeps what the admin set.
    let (s, _) = upload(&app, &admin, "041009", "?apply=true", DEMO_SHELTERS_CSV.to_vec()).await;
    assert_eq!(s, 200);
    let after: Shelter =
        app.http.get(app.url(&format!("/api/shelters/{ID}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(after.facilities, vec![bosai_types::Facility::Water]);
}

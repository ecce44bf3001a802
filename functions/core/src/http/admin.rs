//! Municipality administration (自治体管理者): loading shelters from published open data, and
//! the staff records that give identity-provider accounts their role here.

use super::principal::AdminOnly;
use super::{ApiJson, ApiPath, AppState, ApplyFlag, FileBody};
use crate::domain::{area_import, municipality_list, shelter_import, staff_accounts};
use crate::ApiError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bosai_types::shelter_import::{AreaImportReport, MunicipalityListReport, ShelterImportReport};
use bosai_types::staff::{StaffAccount, StaffAccountInput};
use bosai_types::{MunicipalityCode, Problem, Timestamp};

/// Largest CSV accepted: a prefecture's whole GSI file is about 1 MB, and API Gateway's own
/// limit is 10 MB.
pub const IMPORT_LIMIT: usize = 8 * 1024 * 1024;

super::routes::operations!(
    list_staff,
    save_staff,
    remove_staff,
    import_shelters,
    import_areas,
    import_municipality_list
);

fn municipality(raw: &str) -> Result<MunicipalityCode, ApiError> {
    MunicipalityCode::parse(raw)
        .map_err(|_| ApiError::invalid("invalid_municipality", "全国地方公共団体コード（6桁）が正しくありません。"))
}

/// Imports a municipality's shelters from the CSV it publishes (自治体標準オープンデータセット
/// 指定避難所一覧 / 指定緊急避難場所一覧, or GSI's 指定避難所 / 指定緊急避難場所 data), UTF-8 or
/// Shift_JIS, with or without BOM. Without `apply=true` it only previews. Any invalid row: 422
/// with every problem listed (line, column, reason) and nothing written. Re-importing updates by
/// ID and keeps status, occupancy and history; a shelter missing from the file is retired.
#[utoipa::path(post, path = "/admin/municipalities/{code}/shelter-import", tag = "admin",
    security(("bearer" = ["AdminOnly"])),
    params(("code" = String, Path, description = "全国地方公共団体コード of the municipality, e.g. 041009"),
           ("apply" = Option<bool>, Query, description = "true: write the import; false (default): preview only")),
    request_body(content = String, content_type = "text/csv", description = "the CSV file as published"),
    responses((status = 200, body = ShelterImportReport, description = "preview, or applied"),
              (status = 413, body = Problem, description = "larger than 8 MB"),
              (status = 422, body = ShelterImportReport, description = "some rows are invalid: nothing was written")))]
async fn import_shelters(
    AdminOnly(p): AdminOnly,
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApplyFlag(apply): ApplyFlag,
    FileBody(body): FileBody,
) -> Result<Response, ApiError> {
    let m = administered(&p, &code)?;
    let report =
        shelter_import::import(st.store.as_ref(), &m, &body, apply, Timestamp(crate::clock::now_millis())).await?;
    Ok(import_answer(apply && !report.errors.is_empty(), report))
}

/// The path's municipality, if the caller administers it.
fn administered(p: &crate::auth::Principal, code: &str) -> Result<MunicipalityCode, ApiError> {
    let m = municipality(code)?;
    if p.may_administer(&m) {
        Ok(m)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// 200 for a preview or an import; 422 when an apply met invalid rows (nothing was written).
fn import_answer(refused: bool, report: impl serde::Serialize) -> Response {
    let status = if refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, Json(report)).into_response()
}

/// The identity provider staff records are keyed by (404 when staff sign-in is not set up).
fn idp(st: &AppState) -> Result<&str, ApiError> {
    Ok(st.auth.oidc.as_ref().ok_or(crate::oidc::OidcError::NotConfigured)?.idp())
}

/// The municipality's staff records: who may sign in as shelter staff, HQ or admin.
#[utoipa::path(get, path = "/admin/municipalities/{code}/staff", tag = "admin", security(("bearer" = ["AdminOnly"])),
    params(("code" = String, Path, description = "全国地方公共団体コード")),
    responses((status = 200, body = [StaffAccount]), (status = 403, body = Problem)))]
async fn list_staff(
    AdminOnly(p): AdminOnly,
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<StaffAccount>>, ApiError> {
    Ok(Json(staff_accounts::list(st.store.as_ref(), &p, &municipality(&code)?).await?))
}

/// Gives the provider's account `subject` a role here (and, for shelter staff, their shelters).
/// Saving again replaces the record; the change applies from the person's next sign-in.
#[utoipa::path(put, path = "/admin/municipalities/{code}/staff/{subject}", tag = "admin", security(("bearer" = ["AdminOnly"])),
    params(("code" = String, Path, description = "全国地方公共団体コード"), ("subject" = String, Path, description = "the identity provider's `sub` for the person")),
    request_body = StaffAccountInput,
    responses((status = 200, body = StaffAccount), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn save_staff(
    AdminOnly(p): AdminOnly,
    State(st): State<AppState>,
    ApiPath((code, subject)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<StaffAccountInput>,
) -> Result<Json<StaffAccount>, ApiError> {
    let m = municipality(&code)?;
    let now = Timestamp(crate::clock::now_millis());
    Ok(Json(staff_accounts::save(st.store.as_ref(), &p, idp(&st)?, &m, &subject, &input, now).await?))
}

/// Removes a staff record: the account cannot sign in here any more.
#[utoipa::path(delete, path = "/admin/municipalities/{code}/staff/{subject}", tag = "admin", security(("bearer" = ["AdminOnly"])),
    params(("code" = String, Path, description = "全国地方公共団体コード"), ("subject" = String, Path, description = "the identity provider's `sub`")),
    responses((status = 204, description = "removed"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_staff(
    AdminOnly(p): AdminOnly,
    State(st): State<AppState>,
    ApiPath((code, subject)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let m = municipality(&code)?;
    staff_accounts::remove(st.store.as_ref(), &p, idp(&st)?, &m, &subject, Timestamp(crate::clock::now_millis()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the municipality's areas (地区・町丁目) from a CSV: the アドレス・ベース・レジストリ
/// 町字マスター (a prefecture's file is filtered to the municipality; a designated city's wards
/// count as the city), or `地区コード,地区名[,地区名_英字]`. Without `apply=true` it previews.
/// Any invalid row: 422 with every problem, nothing written.
#[utoipa::path(post, path = "/admin/municipalities/{code}/area-import", tag = "admin",
    security(("bearer" = ["AdminOnly"])),
    params(("code" = String, Path, description = "全国地方公共団体コード of the municipality, e.g. 041009"),
           ("apply" = Option<bool>, Query, description = "true: write the import; false (default): preview only")),
    request_body(content = String, content_type = "text/csv", description = "the CSV file as published"),
    responses((status = 200, body = AreaImportReport, description = "preview, or applied"),
              (status = 413, body = Problem, description = "larger than 8 MB"),
              (status = 422, body = AreaImportReport, description = "some rows are invalid: nothing was written")))]
async fn import_areas(
    AdminOnly(p): AdminOnly,
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApplyFlag(apply): ApplyFlag,
    FileBody(body): FileBody,
) -> Result<Response, ApiError> {
    let m = administered(&p, &code)?;
    let report = area_import::import(st.store.as_ref(), &m, &body, apply).await?;
    Ok(import_answer(apply && !report.errors.is_empty(), report))
}

/// Loads the municipality list (全国地方公共団体コード) of `code`'s prefecture: the table
/// 総務省 publishes, saved as CSV (団体コード, 都道府県名（漢字）, 市区町村名（漢字）, …), or the
/// アドレス・ベース・レジストリ 地方公共団体マスター. A whole-country file is fine: other
/// prefectures' rows are skipped. Names codes on every screen and reads a card's address as a
/// home municipality; it does not make the deployment serve a municipality (importing its
/// shelters does). Without `apply=true` it previews; any invalid row: 422, nothing written.
#[utoipa::path(post, path = "/admin/municipalities/{code}/municipality-list", tag = "admin",
    security(("bearer" = ["AdminOnly"])),
    params(("code" = String, Path, description = "全国地方公共団体コード of the admin's municipality, e.g. 041009"),
           ("apply" = Option<bool>, Query, description = "true: write the import; false (default): preview only")),
    request_body(content = String, content_type = "text/csv", description = "the CSV file as published"),
    responses((status = 200, body = MunicipalityListReport, description = "preview, or applied"),
              (status = 413, body = Problem, description = "larger than 8 MB"),
              (status = 422, body = MunicipalityListReport, description = "some rows are invalid: nothing was written")))]
async fn import_municipality_list(
    AdminOnly(p): AdminOnly,
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApplyFlag(apply): ApplyFlag,
    FileBody(body): FileBody,
) -> Result<Response, ApiError> {
    let m = administered(&p, &code)?;
    let report = municipality_list::import(st.store.as_ref(), &m, &body, apply).await?;
    Ok(import_answer(apply && !report.errors.is_empty(), report))
}

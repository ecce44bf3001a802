use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Bōsai mini-app platform API", description = "Residents, shelter staff and disaster HQ. Errors are `Problem` bodies."),
    paths(super::health::health, serve, super::shelters::list, super::shelters::get),
    components(schemas(bosai_types::Problem)),
)]
pub struct ApiDoc;

pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().expect("the OpenAPI document serialises"))
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "ops", responses((status = 200, description = "this document")))]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

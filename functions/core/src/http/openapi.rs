use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Bōsai mini-app platform API", description = "Residents, shelter staff and disaster HQ. Errors are `Problem` bodies."),
    paths(
        super::health::health, serve,
        super::shelters::list, super::shelters::get, super::shelters::set_status,
        super::auth::challenge, super::auth::jpki, super::auth::token, super::auth::logout, super::auth::jwks,
        super::auth::me, super::auth::card_renewal,
    ),
    components(schemas(bosai_types::Problem)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT (ES256)").build();
        doc.components.get_or_insert_with(Default::default).add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.merge(super::resident::Doc::openapi());
        doc.merge(super::shelter_ops::Doc::openapi());
        doc.merge(super::supplies::Doc::openapi());
        doc.merge(super::surveys::Doc::openapi());
        doc.to_json().expect("the OpenAPI document serialises")
    })
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "ops", responses((status = 200, description = "this document")))]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

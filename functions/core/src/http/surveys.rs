//! Needs surveys (ニーズ調査): HQ defines them, residents answer once per period.

use super::routes::RouteSpec;
use super::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}

pub const ROUTES: &[RouteSpec] = &[];

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;

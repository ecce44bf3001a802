//! Every route, written once: as its handler's `#[utoipa::path]`, listed by its module's
//! [`operations!`]. That gives the router (path and methods from the annotation, cheap: no
//! schema is built at a cold start) and the OpenAPI document (utoipa-axum's `routes!`, built on
//! the first request for it) from the same list. Each operation names the guard it takes
//! (`security(("bearer" = ["ShelterManager"]))`); the document says which roles that admits,
//! and the authorisation matrix test walks every operation of the document with every role.

use super::{admin, auth, health, help, hq, incidents, not_found, notices, openapi, resident};
use super::{shelter_ops, shelters, staff_auth, supplies, surveys, AppState};
use axum::handler::Handler;
use axum::routing::MethodRouter;
use axum::Router;
use bosai_types::auth::Role;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::PathItemExt;

/// A module's operations: `operations!(list, set_stock)` defines its `router()` and its
/// `operations()` (for the document) from the handlers' `#[utoipa::path]`.
macro_rules! operations {
    ($($handler:ident),+ $(,)?) => {
        /// This module's routes, at the paths and methods their annotations document.
        pub fn router() -> axum::Router<super::AppState> {
            let router = axum::Router::new();
            $( let router = utoipa_axum::paste! {
                super::routes::at::<[<__path_ $handler>], _, _>(router, $handler)
            }; )+
            router
        }

        /// This module's operations, for the OpenAPI document.
        pub fn operations() -> utoipa_axum::router::OpenApiRouter<super::AppState> {
            utoipa_axum::router::OpenApiRouter::new() $( .routes(utoipa_axum::routes!($handler)) )+
        }
    };
}
pub(crate) use operations;

/// Routes `handler` at the path and methods of its annotation `P`.
pub fn at<P: utoipa::Path, H: Handler<T, AppState>, T: 'static>(
    router: Router<AppState>,
    handler: H,
) -> Router<AppState> {
    let methods =
        P::methods().iter().fold(MethodRouter::new(), |m, method| m.on(method.to_method_filter(), handler.clone()));
    router.route(&P::path(), methods)
}

/// Every module with operations under `/api`, each asked for `$part` (`router` or `operations`).
macro_rules! api_modules {
    ($start:expr, $part:ident) => {
        $start
            .merge(health::$part())
            .merge(openapi::$part())
            .merge(shelters::$part())
            .merge(auth::$part())
            .merge(resident::$part())
            .merge(help::$part())
            .merge(shelter_ops::$part())
            .merge(supplies::$part())
            .merge(surveys::$part())
            .merge(hq::$part())
            .merge(incidents::$part())
            .merge(notices::$part())
            .merge(admin::$part())
            .merge(staff_auth::$part())
    };
}

/// The API's router: `/api/*` (anything else there is a 404 problem) and the key set.
pub fn router() -> Router<AppState> {
    let api = api_modules!(Router::new(), router).fallback(not_found);
    at::<auth::__path_jwks, _, _>(Router::new().nest("/api", api), auth::jwks)
}

/// The same routes as operations of the document (without its shared parts: `openapi.rs`).
pub fn all_operations() -> OpenApiRouter<AppState> {
    let api = api_modules!(OpenApiRouter::new(), operations);
    OpenApiRouter::default().nest("/api", api).routes(utoipa_axum::routes!(auth::jwks))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Public,
    Roles(Vec<Role>),
}

/// One operation of the served document.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: String,
    pub path: String,
    pub access: Access,
}

/// Every operation of the document, with the roles it admits.
pub fn all() -> Vec<RouteSpec> {
    let doc: serde_json::Value = serde_json::from_str(openapi::document()).expect("the document is JSON");
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let roles: Vec<Role> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|req| req["bearer"].as_array().cloned().unwrap_or_default())
                .map(|r| serde_json::from_value(r).expect("a role name"))
                .collect();
            let access = if op.get("security").is_some() { Access::Roles(roles) } else { Access::Public };
            all.push(RouteSpec { method: method.to_ascii_uppercase(), path: path.clone(), access });
        }
    }
    all
}

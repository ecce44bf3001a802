//! HTTP edge: parse the request, call a domain function, render the result.

pub mod admin;
mod auth;
mod extract;
mod health;
mod help;
pub mod hq;
pub mod incidents;
pub mod notices;
pub mod openapi;
pub mod principal;
pub mod resident;
pub mod routes;
pub mod shelter_ops;
mod shelters;
mod staff_auth;
pub mod supplies;
pub mod surveys;

pub use extract::{ApiJson, ApiPath, ApplyFlag, DeviceTimesHeaders, FileBody, MadeAt, MunicipalityParam};

use crate::auth::AuthSettings;
use crate::{ApiError, Config};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::HeaderName;
use axum::routing::get;
use axum::Router;
use bosai_store::Store;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Largest accepted request body. Offline sync batches are the biggest bodies.
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub auth: Arc<AuthSettings>,
    /// None: push is not configured (subscriptions answer 503).
    pub push: Option<Arc<crate::domain::subscriptions::PushSettings>>,
    /// Wakes the local fan-out worker when a notice is saved (on AWS a schedule runs it).
    pub fanout_wake: Option<Arc<tokio::sync::Notify>>,
    /// The public shelter list's snapshots.
    pub public: Arc<crate::domain::shelters::PublicSnapshots>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config, auth: Arc<AuthSettings>) -> Self {
        let public = Arc::new(crate::domain::shelters::PublicSnapshots::new(config.public_cache_seconds));
        Self { store, config: Arc::new(config), auth, push: None, fanout_wake: None, public }
    }

    pub fn with_push(
        mut self,
        push: crate::domain::subscriptions::PushSettings,
        wake: Option<Arc<tokio::sync::Notify>>,
    ) -> Self {
        self.push = Some(Arc::new(push));
        self.fanout_wake = wake;
        self
    }

    /// Everything `function` needs from the environment, as the Lambda functions start.
    pub async fn from_env(function: crate::deployment::Function) -> Result<Self, crate::config::ConfigError> {
        let started = std::time::Instant::now();
        let ms = |since: std::time::Instant| since.elapsed().as_secs_f64() * 1000.0;
        let config = Config::from_env()?;
        let auth = crate::config::AuthConfig::from_env()?.load_for(function).await?;
        let auth_ms = ms(started);
        let at = std::time::Instant::now();
        let store = config.open_store().await?;
        let store_ms = ms(at);
        let state = Self::new(store, config, auth);
        // The token function sends no push and never reads the VAPID key.
        let at = std::time::Instant::now();
        let push = match function {
            crate::deployment::Function::Token => None,
            _ => crate::config::push_from_env().await?,
        };
        // The cold start's parts, once per instance (issue 18: what init does that it should not).
        tracing::info!(auth_ms, store_ms, push_ms = ms(at), total_ms = ms(started), "init");
        Ok(match push {
            Some(push) => state.with_push(push, None),
            None => state,
        })
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("このAPI")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The API router, identical on Lambda and in the local stack.
pub fn router(state: AppState) -> Router {
    let api = routes::router();
    let request_id = HeaderName::from_static("x-request-id");
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // Route template only: paths and queries can carry personal data.
                    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), route = route.as_deref().unwrap_or("-"), request_id = id)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id));
    api
        // Notice landing pages: HTML for people, not part of the API's document.
        .route("/n/{id}", get(notices::own_landing_page))
        .route("/n/{code}/{id}", get(notices::landing_page))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(layers)
        .with_state(state)
}

//! Domain rules (plain functions in [`domain`]) and the HTTP edge ([`http`]):
//! one axum router served by Lambda (`functions/api`) and locally (`functions/local`).

pub mod auth;
pub mod clock;
pub mod config;
pub mod deployment;
pub mod domain;
pub mod error;
pub mod http;
pub mod jpki_trust;
pub mod keys;
pub mod landing;
pub mod oidc;
pub mod secrets;
pub mod seed;
pub mod signing;
pub mod telemetry;

pub use config::Config;
pub use error::ApiError;
pub use http::{router, AppState};

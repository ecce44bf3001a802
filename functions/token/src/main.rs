//! The token Lambda: JPKI sign-in and the JWKS. infra/ routes `/api/auth/*`
//! and `/.well-known/*` here; it serves the same router as the API function.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bosai_core::telemetry::init(true);
    let config = bosai_core::Config::from_env()?;
    let auth = bosai_core::config::AuthConfig::from_env()?.load()?;
    let store = config.open_store().await?;
    lambda_http::run(bosai_core::router(bosai_core::AppState::new(store, config, auth))).await
}

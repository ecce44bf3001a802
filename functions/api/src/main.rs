//! The API Lambda: the shared router on lambda_http. Configuration comes from
//! the environment set by infra/ (BOSAI_STORE=dynamodb, BOSAI_TABLE, …).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bosai_core::telemetry::init(true);
    let config = bosai_core::Config::from_env()?;
    let auth = bosai_core::config::AuthConfig::from_env()?.load()?;
    let store = config.open_store().await?;
    lambda_http::run(bosai_core::router(bosai_core::AppState::new(store, config, auth))).await
}

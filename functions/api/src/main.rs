//! The API Lambda: the shared router on lambda_http. Configuration comes from
//! the environment set by infra/ (BOSAI_STORE=dynamodb, BOSAI_TABLE, …).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bosai_core::telemetry::init(true);
    let state = bosai_core::AppState::from_env(bosai_core::deployment::Function::Api).await?;
    lambda_http::run(bosai_core::router(state)).await
}

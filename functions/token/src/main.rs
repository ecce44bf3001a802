//! The token Lambda: JPKI sign-in and the JWKS. infra/ routes `/api/auth/*`
//! and `/.well-known/*` here; it serves the same router as the API function.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bosai_core::telemetry::init(true);
    let state = bosai_core::AppState::from_env(bosai_core::deployment::Function::Token).await?;
    lambda_http::run(bosai_core::router(state)).await
}

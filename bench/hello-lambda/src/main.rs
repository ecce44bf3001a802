//! Echoes its event: nothing but the runtime's own start-up.

use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|e: LambdaEvent<serde_json::Value>| async move { Ok::<_, Error>(e.payload) })).await
}

//! The fan-out Lambda: any event (the one-minute schedule, or an invoke after HQ saves a
//! notice) sends every pending notice, resuming each where its last committed page left
//! off. One instance at a time is enough (reserved concurrency 1); a second one would
//! still count each page once (the commit is conditional), only send some pages twice.

use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    bosai_core::telemetry::init(true);
    let config = bosai_core::Config::from_env()?;
    let store = config.open_store().await?;
    let push = bosai_core::config::push_from_env()
        .await?
        .ok_or("no VAPID key: set BOSAI_VAPID_KEY_SECRET_ID (or BOSAI_VAPID_KEY_FILE)")?;
    let (store, push) = (&store, &push);
    lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| async move {
        let sent = bosai_core::domain::fanout::run_pending(store.as_ref(), push).await.map_err(|e| e.to_string())?;
        tracing::info!(notices = sent, "fan-out round done");
        Ok::<_, Error>(serde_json::json!({ "notices": sent }))
    }))
    .await
}

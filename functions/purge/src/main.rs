//! The purge Lambda: any event (the hourly schedule) deletes personal data whose retention is
//! over, up to a budget per run; what is left is continued by the next run (see
//! `bosai_core::domain::purge`). One instance at a time (reserved concurrency 1).

use lambda_runtime::{service_fn, Error, LambdaEvent};

/// Items per run: well inside a Lambda's 15 minutes on an on-demand table.
const BUDGET: u64 = 200_000;

#[tokio::main]
async fn main() -> Result<(), Error> {
    bosai_core::telemetry::init(true);
    let config = bosai_core::Config::from_env()?;
    let store = config.open_store().await?;
    // Without a VAPID key the inactive residents are still swept; their warning is not pushed.
    let push = bosai_core::config::push_from_env().await?;
    let (store, config, push) = (&store, &config, &push);
    lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| async move {
        let now = bosai_types::Timestamp(bosai_core::clock::now_millis());
        let run = bosai_core::domain::purge::run(store.as_ref(), config.retention_days, now, BUDGET).await.map_err(|e| e.to_string())?;
        let inactive = bosai_core::domain::activity::sweep(store.as_ref(), push.as_ref(), &config.municipality, config.inactive, now).await.map_err(|e| e.to_string())?;
        // Counts only: the report names no one.
        tracing::info!(deleted = run.total(), complete = run.complete, incidents = run.finished_incidents.len(), warned = inactive.warned, inactive_deleted = inactive.deleted, "purge run done");
        Ok::<_, Error>(serde_json::json!({ "deleted": run.deleted, "complete": run.complete, "finished_incidents": run.finished_incidents,
            "inactive": { "warned": inactive.warned, "pushed": inactive.pushed, "deleted": inactive.deleted } }))
    }))
    .await
}

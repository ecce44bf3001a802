//! Notices in the local stack: the VAPID key and the fan-out worker.

/// The local stack's VAPID key (made once, kept with the dev identity). Loopback push
/// endpoints are allowed here so the local test push service can stand in for FCM.
pub fn local_push(
    key_file: &std::path::Path,
) -> Result<bosai_core::domain::subscriptions::PushSettings, Box<dyn std::error::Error>> {
    let subject = "mailto:bosai-local@example.jp";
    let vapid = match std::fs::read_to_string(key_file) {
        Ok(pem) => bosai_push::VapidKey::from_pkcs8_pem(&pem, subject)?,
        Err(_) => {
            let key = bosai_push::VapidKey::generate(subject)?;
            if let Some(dir) = key_file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(key_file, key.to_pkcs8_pem()?.as_bytes())?;
            key
        }
    };
    let allow_loopback = std::env::var("BOSAI_PUSH_ALLOW_LOOPBACK").map(|v| v != "0").unwrap_or(true);
    Ok(bosai_core::domain::subscriptions::PushSettings { client: bosai_push::PushClient::new(vapid)?, allow_loopback })
}

/// Sends saved notices: at once when one is saved, and every few seconds for anything
/// left over (a send that failed because the store was down is picked up again).
pub fn spawn_fanout_worker(
    store: std::sync::Arc<dyn bosai_store::Store>,
    push: bosai_core::domain::subscriptions::PushSettings,
    wake: std::sync::Arc<tokio::sync::Notify>,
) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = bosai_core::domain::fanout::run_pending(store.as_ref(), &push).await {
                tracing::warn!(error = %e, "notice fan-out interrupted; will resume");
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            }
        }
    });
}

/// The purge, in-process (on AWS the purge Lambda runs hourly): at start and then every
/// `BOSAI_PURGE_INTERVAL_SECONDS` (default an hour).
pub fn spawn_purge_worker(
    store: std::sync::Arc<dyn bosai_store::Store>,
    config: &bosai_core::Config,
    push: bosai_core::domain::subscriptions::PushSettings,
) {
    let (retention_days, deployment, inactive) = (config.retention_days, config.municipality.clone(), config.inactive);
    let every =
        std::env::var("BOSAI_PURGE_INTERVAL_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3600u64).max(1);
    tokio::spawn(async move {
        loop {
            let now = bosai_types::Timestamp(bosai_core::clock::now_millis());
            match bosai_core::domain::purge::run(store.as_ref(), retention_days, now, 200_000).await {
                Ok(run) if run.total() > 0 => {
                    tracing::info!(deleted = run.total(), complete = run.complete, "purge run done")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge run interrupted; the next one resumes"),
            }
            match bosai_core::domain::activity::sweep(store.as_ref(), Some(&push), &deployment, inactive, now).await {
                Ok(run) if run.warned + run.deleted > 0 => {
                    tracing::info!(warned = run.warned, deleted = run.deleted, "inactive residents swept")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "inactive sweep interrupted; the next one resumes"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(every)).await;
        }
    });
}

//! Sending the scan queue: in batches, with back-off while the network is down, and the answers sorted into done, refused and retry.

use super::*;
use crate::api::{self, ApiError};
use crate::dom;
use crate::outbox::{ok, Idb};
use bosai_types::checkin::ScanBatchResult;
use bosai_types::scan_queue::{self, Reply, BATCH_RECORDS};
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Starts a send unless one is running (then that one goes round again).
pub fn sync() {
    if RUNNING.get() {
        AGAIN.set(true);
        return;
    }
    RUNNING.set(true);
    spawn_local(async {
        let s = state();
        s.syncing.set(true);
        loop {
            AGAIN.set(false);
            let r = flush().await;
            if let Ok(v) = list().await {
                s.pending.set(v);
            }
            match r {
                Ok(()) => {
                    s.blocked.set(None);
                    reset_backoff();
                }
                Err(e) => {
                    s.blocked.set(Some(e));
                    retry_later();
                }
            }
            if !AGAIN.get() {
                break;
            }
        }
        s.syncing.set(false);
        RUNNING.set(false);
    });
}

/// Sends everything queued, one shelter and ≤ 100 records at a time.
pub(crate) async fn flush() -> Result<(), ApiError> {
    if token().is_none() {
        return Ok(());
    }
    loop {
        let all = list().await.map_err(|_| ApiError::Unsupported)?;
        let Some(batch) = scan_queue::next_batch(&all, BATCH_RECORDS) else { return Ok(()) };
        let json = serde_json::to_string(&batch.body(&device_id())).map_err(|_| ApiError::Decode)?;
        // Any error keeps every record (Reply::Failed settles nothing): network, 5xx and 401
        // (sign in again) clear up by themselves; a 403 (another staff member's shelter)
        // waits for the right token.
        let res: ScanBatchResult = api::shelter::scans(batch.shelter.as_str(), json).send().await?;
        let settled = scan_queue::settle(&batch.records, Reply::Answered(&res));
        if settled.stalled() {
            return Err(ApiError::Decode);
        }
        // The rejections are on record before the records leave the queue.
        let mut rejected = state().rejected.get_untracked();
        scan_queue::merge_rejected(&mut rejected, &settled.rejected);
        save_rejected(&rejected);
        state().rejected.set(rejected);
        remove_all(&settled.remove).await.map_err(|_| ApiError::Unsupported)?;
    }
}

pub(crate) fn retry_later() {
    crate::retry::later(&RETRY, sync);
}

pub(crate) fn reset_backoff() {
    crate::retry::reset(&RETRY);
}

// ---- downloads ---------------------------------------------------------------

/// GET with the staff token and save the body as a file (bytes untouched: the CSV's BOM stays).
pub async fn download_authed(path: &str, name: &str) -> Result<(), ApiError> {
    download_with(&token().ok_or(ApiError::NoSignIn)?, path, name).await
}

/// [`download_authed`] with another token (HQ's).
pub async fn download_with(t: &str, path: &str, name: &str) -> Result<(), ApiError> {
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Authorization", &format!("Bearer {t}"));
    init.set_headers(&headers);
    let w = web_sys::window().ok_or(ApiError::Network)?;
    let resp: web_sys::Response = JsFuture::from(w.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    if !resp.ok() {
        return Err(ApiError::Http(resp.status()));
    }
    let blob: web_sys::Blob = JsFuture::from(resp.blob().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?
        .unchecked_into();
    dom::save_blob(&blob, name);
    Ok(())
}

pub async fn export_queue() -> Idb<()> {
    let file = QueueFile {
        format: QUEUE_FORMAT.into(),
        device_id: device_id(),
        exported_at: dom::now(),
        records: list().await?,
    };
    let text = ok(serde_json::to_string_pretty(&file))?;
    let name = format!("scan-queue-{}-{}.json", device_id(), dom::now().millis());
    dom::save_text(&text, &name, "application/json").ok_or(())
}

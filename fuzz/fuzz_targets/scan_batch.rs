//! The server's reading of a staff device's offline batch
//! (`POST /api/shelters/{id}/scans`): the `ScanBatch` body, the device id and
//! size checks, then per record `parse_record`, `check_scan` and
//! `scanned_members` — the store-free part of `domain::scans::apply_scan`.
//! Nothing panics; a record passes only with a valid event id, a scan time in
//! the window, a genuinely signed credential of this municipality that was
//! valid when scanned, and members the credential names.
#![no_main]
mod known;

use bosai_types::checkin::{
    check_scan, parse_record, scanned_members, valid_device_id, valid_event_id, ScanBatch, MAX_BATCH_RECORDS,
    MAX_SCAN_AGE_MS, MAX_SCAN_FUTURE_MS,
};
use known::{keys, signed_credentials, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(batch) = serde_json::from_slice::<ScanBatch>(data) else { return };
    let _ = valid_device_id(&batch.device_id);
    if batch.records.len() > MAX_BATCH_RECORDS {
        return; // refused whole (400 batch_too_large)
    }
    let now_ms = NOW * 1000;
    for raw in batch.records {
        let (event_id, record) = parse_record(raw);
        let Ok(record) = record else { continue };
        assert_eq!(event_id.as_deref(), Some(record.event_id.as_str()), "the answer echoes another event id");
        let Ok(claims) = check_scan(keys(), &record, now_ms) else { continue };
        assert!(valid_event_id(&record.event_id));
        let at = record.at.millis();
        assert!(at <= now_ms + MAX_SCAN_FUTURE_MS && at >= now_ms - MAX_SCAN_AGE_MS, "{at}");
        assert!(signed_credentials().contains(&claims), "accepted a credential nobody signed: {claims:?}");
        // Any municipality passes here (広域避難); whether the deployment serves it is the
        // server's store check after this one.
        assert!(
            at / 1000 <= claims.exp + 300 && at / 1000 + 300 >= claims.iat,
            "expired when scanned: {claims:?} at {at}"
        );
        if let Ok(members) = scanned_members(&record, &claims) {
            assert!(!members.is_empty());
            assert!(members.iter().all(|m| claims.m.iter().any(|c| c == m.as_str())));
        }
    }
});

//! The staff device's offline scan queue as plain decisions, with no I/O, so
//! the app (IndexedDB, fetch) and a property test (`functions/core/tests/
//! queue_props.rs`, any interleaving of scans, sends, failures and reloads
//! against the real server) run the same rules:
//!
//! - the queue is durable and keyed by `event_id`; it is sent oldest first, one
//!   shelter and at most `max` records per request ([`next_batch`]);
//! - a record leaves the queue only once the server has answered for it:
//!   stored or duplicate (seen before) → removed; rejected → moved to the
//!   rejected list, which is saved before the removal ([`settle`]);
//! - no answer (network), an unreadable answer or an error status (5xx, 401,
//!   403) settles nothing: every record is sent again later, and the server
//!   stores each event id once.

use crate::checkin::{valid_event_id, EventKind, RecordOutcome, ScanBatch, ScanBatchResult, ScanRecord};
use crate::household::MemberId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// Records per request (the server takes up to [`crate::checkin::MAX_BATCH_RECORDS`]).
pub const BATCH_RECORDS: usize = 100;

/// One confirmed scan waiting to be sent. Its own struct (not `ScanRecord`,
/// which denies unknown fields) so the shelter it belongs to travels with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedScan {
    pub event_id: String,
    pub shelter: String,
    pub kind: EventKind,
    pub at: Timestamp,
    pub credential: String,
    #[serde(default)]
    pub members: Option<Vec<MemberId>>,
    /// How many people (for the screen).
    #[serde(default)]
    pub count: usize,
}

impl QueuedScan {
    /// The record as sent to the server.
    pub fn record(&self) -> ScanRecord {
        ScanRecord {
            event_id: self.event_id.clone(),
            kind: self.kind,
            at: self.at,
            credential: self.credential.clone(),
            members: self.members.clone(),
        }
    }
}

/// A scan the server will never store, kept on screen (and across reloads) until dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub event_id: String,
    pub kind: EventKind,
    pub at: Timestamp,
    pub count: usize,
    pub code: String,
    pub message: String,
}

/// The queue's order: oldest scan first, ties by event id.
pub fn sort_oldest_first(queue: &mut [QueuedScan]) {
    queue.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.event_id.cmp(&b.event_id)));
}

/// One request's worth of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub shelter: String,
    pub records: Vec<QueuedScan>,
}

impl Batch {
    /// The request body (`POST /api/shelters/{shelter}/scans`).
    pub fn body(&self, device_id: &str) -> ScanBatch {
        ScanBatch {
            device_id: device_id.to_owned(),
            records: self.records.iter().filter_map(|q| serde_json::to_value(q.record()).ok()).collect(),
        }
    }
}

/// The next request: the oldest record's shelter and up to `max` of that
/// shelter's records, oldest first. `None` when nothing is queued.
pub fn next_batch(queue: &[QueuedScan], max: usize) -> Option<Batch> {
    let mut sorted = queue.to_vec();
    sort_oldest_first(&mut sorted);
    let shelter = sorted.first()?.shelter.clone();
    let records = sorted.into_iter().filter(|q| q.shelter == shelter).take(max.max(1)).collect();
    Some(Batch { shelter, records })
}

/// How a send ended, as far as the queue cares.
#[derive(Debug, Clone, Copy)]
pub enum Reply<'a> {
    /// 200 with a readable per-record answer.
    Answered(&'a ScanBatchResult),
    /// No answer, an unreadable one, or an error status: nothing is settled.
    Failed,
}

/// What to do with the queue after a send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlement {
    /// Event ids the server answered for (stored, duplicate or rejected), each
    /// once: remove them from the queue, after saving [`Settlement::rejected`].
    pub remove: Vec<String>,
    /// Records the server will never store, for the rejected list.
    pub rejected: Vec<Rejected>,
}

impl Settlement {
    /// Nothing was settled: stop and retry later. (A server answering for none
    /// of the records would otherwise be asked again at once, forever.)
    pub fn stalled(&self) -> bool {
        self.remove.is_empty()
    }
}

/// Which records of `batch` the reply settles. A result counts only when its
/// `index` names a record of the batch and its `event_id` (when given) matches
/// that record; the first result for a record wins.
pub fn settle(batch: &[QueuedScan], reply: Reply<'_>) -> Settlement {
    let Reply::Answered(res) = reply else { return Settlement::default() };
    let mut out = Settlement::default();
    for r in &res.results {
        let Some(q) = batch.get(r.index) else { continue };
        if r.event_id.as_deref().is_some_and(|id| id != q.event_id) || out.remove.contains(&q.event_id) {
            continue;
        }
        if r.outcome == RecordOutcome::Rejected {
            out.rejected.push(Rejected {
                event_id: q.event_id.clone(),
                kind: q.kind,
                at: q.at,
                count: q.count,
                code: r.code.clone().unwrap_or_default(),
                message: r.message.clone().unwrap_or_default(),
            });
        }
        out.remove.push(q.event_id.clone());
    }
    out
}

/// Adds new rejections to the kept list: one entry per event id (a record
/// rejected again after a reload replaces its entry), the newest last.
pub fn merge_rejected(list: &mut Vec<Rejected>, new: &[Rejected]) {
    for r in new {
        list.retain(|x| x.event_id != r.event_id);
        list.push(r.clone());
    }
}

/// The records of an imported queue file worth adding: a valid event id, not
/// queued already, each event id once.
pub fn importable(queued: &[QueuedScan], records: Vec<QueuedScan>) -> Vec<QueuedScan> {
    let mut seen: std::collections::BTreeSet<String> = queued.iter().map(|q| q.event_id.clone()).collect();
    records.into_iter().filter(|r| valid_event_id(&r.event_id) && seen.insert(r.event_id.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkin::RecordResult;

    fn q(id: &str, shelter: &str, at: i64) -> QueuedScan {
        QueuedScan {
            event_id: id.into(),
            shelter: shelter.into(),
            kind: EventKind::CheckIn,
            at: Timestamp(at),
            credential: "c".into(),
            members: None,
            count: 1,
        }
    }

    fn result(index: usize, id: Option<&str>, outcome: RecordOutcome) -> RecordResult {
        let code = (outcome == RecordOutcome::Rejected).then(|| "credential_invalid".to_owned());
        RecordResult { index, event_id: id.map(str::to_owned), outcome, code, message: None }
    }

    #[test]
    fn batches_follow_the_oldest_shelter_and_the_size_limit() {
        let queue = vec![q("ev-3", "b", 30), q("ev-1", "a", 10), q("ev-2", "b", 5), q("ev-4", "b", 40)];
        let b = next_batch(&queue, 2).unwrap();
        assert_eq!(b.shelter, "b");
        assert_eq!(b.records.iter().map(|r| r.event_id.as_str()).collect::<Vec<_>>(), ["ev-2", "ev-3"]);
        assert_eq!(b.body("dev-1").records.len(), 2);
        assert!(next_batch(&[], 100).is_none());
    }

    #[test]
    fn only_answered_records_leave_the_queue() {
        let batch = vec![q("ev-a", "s", 1), q("ev-b", "s", 2), q("ev-c", "s", 3), q("ev-d", "s", 4)];
        let res = ScanBatchResult {
            results: vec![
                result(0, Some("ev-a"), RecordOutcome::Stored),
                result(1, None, RecordOutcome::Duplicate),
                result(2, Some("ev-x"), RecordOutcome::Stored), // not this record's answer
                result(3, Some("ev-d"), RecordOutcome::Rejected),
                result(3, Some("ev-d"), RecordOutcome::Stored), // a second answer changes nothing
                result(9, None, RecordOutcome::Stored),
            ],
        };
        let s = settle(&batch, Reply::Answered(&res));
        assert_eq!(s.remove, ["ev-a", "ev-b", "ev-d"]);
        assert_eq!(
            s.rejected.iter().map(|r| (r.event_id.as_str(), r.code.as_str())).collect::<Vec<_>>(),
            [("ev-d", "credential_invalid")]
        );
        assert_eq!(settle(&batch, Reply::Failed), Settlement::default());
        assert!(settle(&batch, Reply::Failed).stalled());
        assert!(settle(&batch, Reply::Answered(&ScanBatchResult { results: vec![] })).stalled());
    }

    #[test]
    fn rejections_are_listed_once_and_imports_add_only_new_records() {
        let mut list = Vec::new();
        let r = |id: &str, code: &str| Rejected {
            event_id: id.into(),
            kind: EventKind::CheckIn,
            at: Timestamp(1),
            count: 1,
            code: code.into(),
            message: String::new(),
        };
        merge_rejected(&mut list, &[r("ev-1", "a"), r("ev-2", "a")]);
        merge_rejected(&mut list, &[r("ev-1", "b")]);
        assert_eq!(
            list.iter().map(|x| (x.event_id.as_str(), x.code.as_str())).collect::<Vec<_>>(),
            [("ev-2", "a"), ("ev-1", "b")]
        );
        let queued = vec![q("ev-00000001", "s", 1)];
        let file =
            vec![q("ev-00000001", "s", 1), q("ev-00000002", "s", 2), q("ev-00000002", "s", 2), q("bad id", "s", 3)];
        assert_eq!(importable(&queued, file).iter().map(|r| r.event_id.as_str()).collect::<Vec<_>>(), ["ev-00000002"]);
    }
}

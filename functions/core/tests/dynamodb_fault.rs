//! Fault tests: DynamoDB Local goes down in the middle of a sync and is started
//! again on the same files; the device resends what was not acknowledged and
//! every check-in is accounted for exactly once — in the domain, and through the API
//! as the staff tablets sync (also with DynamoDB frozen rather than stopped).

use bosai_core::domain::checkin::{record_event, Person};
use bosai_core::{keys, seed};
use bosai_store::dynamo::{DynamoConfig, DynamoStore};
use bosai_store::{Item, ItemExt, Query, Store, Value};
use bosai_types::auth::Role;
use bosai_types::checkin::{EventKind, RecordOutcome, ScanBatchResult};
use bosai_types::scan_queue::{next_batch, settle, QueuedScan, Reply};
use bosai_types::household::MemberId;
use bosai_types::{ShelterId, Timestamp};
use common::dynamodb_local::OwnDynamoDbLocal;
use common::TestApp;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod common;

fn person(i: usize) -> Person {
    Person { key: keys::person_of_resident(&format!("r_fault_{i}"), "self"), member_id: MemberId::myself(), roster: Item::new().with("name", Value::s("x")) }
}

#[tokio::test]
async fn dynamodb_stopped_mid_sync_loses_and_doubles_nothing() {
    outage(false).await;
}

/// With SIGKILL, DynamoDB Local itself can lose its last acknowledged write (its
/// on-disk mode does not flush before answering; the real service does). What
/// must still hold: no transaction half-applied, and every unacknowledged scan
/// stored exactly once after the resend.
#[tokio::test]
async fn dynamodb_killed_mid_sync_stays_consistent() {
    outage(true).await;
}

async fn outage(sigkill: bool) {
    let Some(mut dynamodb) = OwnDynamoDbLocal::start() else { return };
    let store = DynamoStore::connect(&DynamoConfig { table: "fault".into(), endpoint: Some(dynamodb.endpoint()), region: None }).await;
    store.create_table().await.unwrap();
    seed::seed(&store, Timestamp(0)).await.unwrap();
    let shelter = ShelterId::parse("aoba-katahira-es").unwrap();
    let before = store.get(&keys::shelter(&shelter)).await.unwrap().unwrap().i64("occupancy").unwrap();

    const N: usize = 120;
    let (store_ref, shelter_ref) = (&store, &shelter);
    let scan = |i: usize| async move {
        record_event(store_ref, &[person(i)], EventKind::CheckIn, shelter_ref, Timestamp(1_000 + i as i64), &format!("ev-fault-{i:05}"), "fault").await
    };
    let mut unacknowledged = Vec::new();
    for i in 0..N {
        if i == N / 2 {
            dynamodb.stop(if sigkill { "KILL" } else { "TERM" });
        }
        match scan(i).await {
            Ok(RecordOutcome::Stored) => {}
            Ok(other) => panic!("unexpected {other:?} for {i}"),
            // As a device does: the first failure stops the sync; the rest waits.
            Err(_) => {
                unacknowledged.extend(i..N);
                break;
            }
        }
    }
    assert_eq!(unacknowledged.len(), N / 2, "the outage was felt at the kill");
    dynamodb.restart();
    // The device resends everything it has no answer for.
    let mut stored = N - unacknowledged.len();
    for i in unacknowledged {
        match scan(i).await.unwrap() {
            RecordOutcome::Stored => stored += 1,
            RecordOutcome::Duplicate => {}
            RecordOutcome::Rejected => panic!("rejected {i}"),
        }
    }
    let occupancy = store.get(&keys::shelter(&shelter)).await.unwrap().unwrap().i64("occupancy").unwrap();
    let (mut located, mut ids) = (0, 0);
    for i in 0..N {
        let loc = store.get(&keys::location(&person(i).key)).await.unwrap();
        let ev = store.get(&keys::event_id(&format!("ev-fault-{i:05}"))).await.unwrap();
        assert_eq!(loc.is_some(), ev.is_some(), "person {i}: event and location move together");
        located += i64::from(loc.is_some());
        ids += i64::from(ev.is_some());
        if i >= N / 2 {
            assert!(loc.is_some(), "unacknowledged scan {i} was stored by the resend");
        }
    }
    assert_eq!(occupancy - before, located, "occupancy equals a recount");
    assert_eq!(located, ids);
    if !sigkill {
        assert_eq!(located, N as i64, "a clean stop loses nothing");
    }
    assert!(stored >= N / 2, "stored {stored}");
}

// ---- through the API, as the staff app syncs ------------------------------------

const SHELTER: &str = "aoba-katahira-es";
const SCANS_PER_TABLET: usize = 60;

#[derive(Default)]
struct Seen {
    acked: AtomicUsize,
    unavailable: AtomicUsize,
}

/// One tablet draining its offline queue with the app's rules (`bosai_types::scan_queue`):
/// small batches, a failed send keeps everything, an answer removes what it settles.
async fn drain(app: Arc<TestApp>, token: String, device: String, mut queue: Vec<QueuedScan>, seen: Arc<Seen>) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    while let Some(batch) = next_batch(&queue, 3) {
        let res = http
            .post(app.url(&format!("/api/shelters/{SHELTER}/scans")))
            .bearer_auth(&token)
            .json(&batch.body(&device))
            .send()
            .await
            .expect("the API answers (no hang, no dropped connection) while DynamoDB is down or frozen");
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").is_some();
        let settled = match status {
            200 => {
                let answer: ScanBatchResult = res.json().await.unwrap();
                assert!(answer.results.iter().all(|r| r.outcome != RecordOutcome::Rejected), "{answer:?}");
                seen.acked.fetch_add(batch.records.len(), Ordering::SeqCst);
                settle(&batch.records, Reply::Answered(&answer))
            }
            503 => {
                assert!(retry_after, "a 503 says when to retry");
                seen.unavailable.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                settle(&batch.records, Reply::Failed)
            }
            other => panic!("{device}: {other} {}", res.text().await.unwrap_or_default()),
        };
        queue.retain(|q| !settled.remove.contains(&q.event_id));
        // Scans keep arriving at a desk pace, so the outage falls in the middle of the sync.
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
}

async fn wait_for(seen: &Seen, acked: usize) {
    for _ in 0..1200 {
        if seen.acked.load(Ordering::SeqCst) >= acked {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sync stalled before {acked} acknowledged scans");
}

/// Three tablets sync their queues through the API while DynamoDB Local is stopped and
/// restarted, then frozen (SIGSTOP: connections hang) and thawed. Every answer is a 200 or a
/// 503 with `Retry-After` — never a 500 or a hang — and afterwards every scan is stored
/// exactly once and occupancy equals a recount.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tablets_sync_through_a_stop_and_a_freeze() {
    let Some(mut dynamodb) = OwnDynamoDbLocal::start() else { return };
    let store = DynamoStore::connect(&DynamoConfig { table: "outage".into(), endpoint: Some(dynamodb.endpoint()), region: None }).await;
    store.create_table().await.unwrap();
    let app = Arc::new(common::spawn_app(Arc::new(store)).await);
    let store = app.store.clone();
    let shelter = ShelterId::parse(SHELTER).unwrap();
    let before = store.get(&keys::shelter(&shelter)).await.unwrap().unwrap().i64("occupancy").unwrap_or(0);
    let staff = app.staff_token(Role::ShelterStaff, &[SHELTER], None);

    // Each tablet checks one registered household (two people) in and out, over and over.
    let start_ms = bosai_core::clock::now_millis();
    let mut tablets = Vec::new();
    let mut scans: Vec<(String, String, QueuedScan)> = Vec::new();
    for t in 0..3 {
        let reg = format!("desk-outage-{t}");
        let body = json!({"registration_id": reg, "people": [{"name": "甲", "sex": "female"}, {"name": "乙", "sex": "male"}]});
        let (s, v) = app.call("POST", &format!("/api/shelters/{SHELTER}/desk-registrations"), &staff, Some(body)).await;
        assert_eq!(s, 200, "{v}");
        let credential = v["credential"].as_str().unwrap().to_owned();
        let queue: Vec<QueuedScan> = (0..SCANS_PER_TABLET)
            .map(|i| QueuedScan {
                event_id: format!("ev-outage-{t}-{i:03}"),
                shelter: SHELTER.into(),
                kind: if i % 3 == 2 { EventKind::CheckOut } else { EventKind::CheckIn },
                at: Timestamp(start_ms - 120_000 + i as i64 * 1000),
                credential: credential.clone(),
                members: None,
                count: 2,
            })
            .collect();
        scans.extend(queue.iter().map(|q| (reg.clone(), q.event_id.clone(), q.clone())));
        tablets.push((format!("tablet-outage-{t}"), queue));
    }
    let seen = Arc::new(Seen::default());
    let tasks: Vec<_> = tablets
        .into_iter()
        .map(|(device, queue)| tokio::spawn(drain(app.clone(), staff.clone(), device, queue, seen.clone())))
        .collect();

    let total = 3 * SCANS_PER_TABLET;
    wait_for(&seen, total / 5).await;
    dynamodb.stop("TERM");
    let felt = seen.unavailable.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(2)).await;
    dynamodb.restart();
    wait_for(&seen, total / 2).await;
    let stopped = seen.unavailable.load(Ordering::SeqCst);
    assert!(felt < stopped, "the tablets met the stop");
    // Longer than a request may wait for DynamoDB (8 s): the frozen store must become 503s.
    dynamodb.freeze();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let frozen = seen.unavailable.load(Ordering::SeqCst);
    dynamodb.thaw();
    for t in tasks {
        t.await.unwrap();
    }
    assert!(stopped < frozen, "a hung DynamoDB is answered with 503s, not waited for");
    eprintln!("503s: {} while stopped, {} while frozen", stopped - felt, frozen - stopped);

    // Exactly once: every event id, and two person events per scan.
    for (_, id, _) in &scans {
        assert!(store.get(&keys::event_id(id)).await.unwrap().is_some(), "{id} was not stored");
    }
    let mut here = 0;
    for t in 0..3 {
        for p in ["p1", "p2"] {
            let person = keys::person_of_desk(&format!("desk-outage-{t}#{p}"));
            let page = store.query(Query::partition(format!("PERSON#{person}")).begins_with("EVENT#")).await.unwrap();
            assert!(page.next.is_none());
            assert_eq!(page.items.len(), SCANS_PER_TABLET, "{person}: one event per scan, none twice");
            let last = page.items.last().unwrap();
            here += i64::from(last.str("kind") == Some("check_in"));
            let loc = store.get(&keys::location(&person)).await.unwrap().unwrap();
            assert_eq!(loc.str("shelter").is_some(), last.str("kind") == Some("check_in"), "{person}: location is the last event");
        }
    }
    let after = store.get(&keys::shelter(&shelter)).await.unwrap().unwrap().i64("occupancy").unwrap_or(0);
    assert_eq!(after - before, here, "occupancy equals a recount");
}

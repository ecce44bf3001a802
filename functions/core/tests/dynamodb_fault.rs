//! Fault tests: DynamoDB Local goes down in the middle of a sync and is started
//! again on the same files; the device resends what was not acknowledged and
//! every check-in is accounted for exactly once — in the domain, and through the API
//! as the staff tablets sync (also with DynamoDB frozen rather than stopped).

use bosai_core::domain::checkin::record_event;
use bosai_core::domain::person::Person;
use bosai_core::{keys, seed};
use bosai_store::dynamo::{DynamoConfig, DynamoStore};
use bosai_store::{Item, ItemExt, Query, Store, Value};
use bosai_types::auth::Role;
use bosai_types::checkin::{EventKind, RecordOutcome, ScanBatchResult};
use bosai_types::household::MemberId;
use bosai_types::scan_queue::{next_batch, settle, QueuedScan, Reply};
use bosai_types::{ShelterId, Timestamp};
use common::dynamodb_local::OwnDynamoDbLocal;
use common::TestApp;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod common;

fn person(i: usize) -> Person {
    Person {
        key: keys::person_of_resident(&format!("r_fault_{i}"), "self"),
        member_id: MemberId::myself(),
        roster: Item::new().with("name", Value::s("x")),
    }
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
    let store = DynamoStore::connect(&DynamoConfig {
        table: "fault".into(),
        endpoint: Some(dynamodb.endpoint()),
        region: None,
    })
    .await;
    store.create_table().await.unwrap();
    seed::seed(&store, Timestamp(0)).await.unwrap();
    let shelter = ShelterId::parse("041009-aoba-katahira-es").unwrap();
    let before = store.get(&keys::headcount(&shelter)).await.unwrap().and_then(|i| i.i64("occupancy")).unwrap_or(0);

    const N: usize = 120;
    let (store_ref, shelter_ref) = (&store, &shelter);
    let scan = |i: usize| async move {
        record_event(
            store_ref,
            &[person(i)],
            EventKind::CheckIn,
            shelter_ref,
            Timestamp(1_000 + i as i64),
            &format!("ev-fault-{i:05}"),
            "fault",
        )
        .await
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
    let occupancy = store.get(&keys::headcount(&shelter)).await.unwrap().and_then(|i| i.i64("occupancy")).unwrap_or(0);
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

const SHELTER: &str = "041009-aoba-katahira-es";
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
    let store = DynamoStore::connect(&DynamoConfig {
        table: "outage".into(),
        endpoint: Some(dynamodb.endpoint()),
        region: None,
    })
    .await;
    store.create_table().await.unwrap();
    let app = Arc::new(common::spawn_app(Arc::new(store)).await);
    let store = app.store.clone();
    let shelter = ShelterId::parse(SHELTER).unwrap();
    let before = store.get(&keys::headcount(&shelter)).await.unwrap().and_then(|i| i.i64("occupancy")).unwrap_or(0);
    let staff = app.staff_token(Role::ShelterStaff, &[SHELTER], None);

    // Each tablet checks one registered household (two people) in and out, over and over.
    let start_ms = bosai_core::clock::now_millis();
    let mut tablets = Vec::new();
    let mut scans: Vec<(String, String, QueuedScan)> = Vec::new();
    for t in 0..3 {
        let reg = format!("desk-outage-{t}");
        let body =
            json!({"registration_id": reg, "people": [{"name": "甲", "sex": "female"}, {"name": "乙", "sex": "male"}]});
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
            assert_eq!(
                loc.str("shelter").is_some(),
                last.str("kind") == Some("check_in"),
                "{person}: location is the last event"
            );
        }
    }
    let after = store.get(&keys::headcount(&shelter)).await.unwrap().and_then(|i| i.i64("occupancy")).unwrap_or(0);
    assert_eq!(after - before, here, "occupancy equals a recount");
}

// ---- a notice fan-out through an outage ------------------------------------------

const DEVICES: usize = 600;
const FANOUT_PAGE: u32 = 100;

/// DynamoDB Local goes down while a notice is being pushed to 600 devices (pages of 100)
/// and comes back 2 s later on the same files; the worker keeps retrying as the local
/// stack's does. Afterwards every device has the notice, each subscription is counted
/// exactly once (delivered + gone + failed = devices), and the only resends are of the
/// page whose commit the outage cut (the same notice id: one notification on the device).
#[tokio::test]
async fn dynamodb_stopped_mid_fanout_accounts_for_every_delivery() {
    fanout_outage("TERM").await;
}

/// With SIGKILL, DynamoDB Local may lose a write it acknowledged (see above): a page
/// whose commit it lost is sent and counted again. Every device still gets the notice
/// and the counts never fall short.
#[tokio::test]
async fn dynamodb_killed_mid_fanout_reaches_every_device() {
    fanout_outage("KILL").await;
}

async fn fanout_outage(signal: &str) {
    use bosai_core::auth::Principal;
    use bosai_core::domain::{fanout, notices, subscriptions};
    use bosai_types::notices::{NewNotice, NoticeId, NoticeLevel, NoticeTarget, PushKeys, PushSubscriptionInput};
    use bosai_types::surveys::Localized;
    let Some(mut dynamodb) = OwnDynamoDbLocal::start() else { return };
    let dynamo = DynamoStore::connect(&DynamoConfig {
        table: "fanout".into(),
        endpoint: Some(dynamodb.endpoint()),
        region: None,
    })
    .await;
    dynamo.create_table().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(dynamo);
    seed::seed(store.as_ref(), Timestamp(0)).await.unwrap();
    let m = bosai_types::MunicipalityCode::parse(seed::DEMO_MUNICIPALITY).unwrap();
    let vapid = bosai_push::VapidKey::generate("mailto:fault@example.jp").unwrap();
    let service = bosai_push::TestPushService::start(DEVICES, Some(vapid.public_key())).await.unwrap();
    let push = Arc::new(subscriptions::PushSettings {
        client: bosai_push::PushClient::new(vapid).unwrap(),
        allow_loopback: true,
    });
    let subscribe = |i: usize| {
        let (store, push, m, s) = (store.clone(), push.clone(), m.clone(), service.subscription(i));
        async move {
            let input = PushSubscriptionInput {
                endpoint: s.endpoint.clone(),
                expiration_time: None,
                keys: PushKeys { p256dh: s.keys.p256dh_base64url(), auth: s.keys.auth_base64url() },
                lang: None,
            };
            subscriptions::subscribe(store.as_ref(), &push, &m, &format!("r_fan{i:04}"), &input, Timestamp(1))
                .await
                .unwrap();
        }
    };
    for chunk in (0..DEVICES).collect::<Vec<_>>().chunks(20) {
        futures::future::join_all(chunk.iter().map(|i| subscribe(*i))).await;
    }
    let hq = Principal { sub: "hq".into(), role: Role::Hq, shelters: vec![], municipality: Some(m.clone()) };
    let new = NewNotice {
        id: NoticeId::parse("outage-1").unwrap(),
        title: Localized::new("断水のお知らせ", "Water outage"),
        body: Localized::new("青葉区の一部で断水しています。", "No running water in parts of Aoba."),
        level: NoticeLevel::Emergency,
        target: NoticeTarget::All,
        replaces: None,
    };
    notices::create(store.as_ref(), &hq, &m, &new, Timestamp(2)).await.unwrap();
    let key = keys::notice(&m, "outage-1");

    // The worker: on any error, wait a moment and carry on from the last commit.
    let errors = Arc::new(AtomicUsize::new(0));
    let worker = {
        let (store, push, key, errors) = (store.clone(), push.clone(), key.clone(), errors.clone());
        tokio::spawn(async move {
            loop {
                match fanout::run_paged(store.as_ref(), &push, &key, FANOUT_PAGE).await {
                    Ok(()) => return,
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        })
    };
    // Down in the middle of the third page.
    while service.stats().accepted < 2 * FANOUT_PAGE as u64 + 50 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    dynamodb.stop(signal);
    tokio::time::sleep(Duration::from_secs(2)).await;
    dynamodb.restart();
    tokio::time::timeout(Duration::from_secs(120), worker)
        .await
        .expect("the fan-out finishes after the outage")
        .unwrap();

    let n = notices::get(store.as_ref(), &m, &NoticeId::parse("outage-1").unwrap()).await.unwrap();
    let d = n.delivery.unwrap();
    let stats = service.stats();
    let resent = stats.accepted - DEVICES as u64;
    eprintln!(
        "fan-out through a {signal}: {} worker errors; delivered {} gone {} failed {}; {} messages for {} devices ({resent} resent)",
        errors.load(Ordering::Relaxed), d.delivered, d.gone, d.failed, stats.accepted, stats.distinct_reached
    );
    assert!(errors.load(Ordering::Relaxed) > 0, "the outage was felt");
    assert_eq!(stats.distinct_reached, DEVICES as u64, "every device has the notice");
    assert_eq!((stats.vapid_failures, stats.decrypt_failures), (0, 0));
    assert_eq!(service.payload_counts().len(), 1, "every message, resent or not, is the same notice");
    assert_eq!((d.gone, d.failed), (0, 0));
    if signal == "TERM" {
        assert_eq!(d.delivered, DEVICES as u64, "each subscription counted exactly once");
        assert!(resent <= u64::from(FANOUT_PAGE), "only the page in flight is resent ({resent})");
    } else {
        assert!(
            d.delivered >= DEVICES as u64 && (d.delivered - DEVICES as u64).is_multiple_of(u64::from(FANOUT_PAGE)),
            "{d:?}"
        );
    }
    for i in 0..DEVICES {
        assert!(service.received_count(i) >= 1, "device {i}");
    }
}

//! Property: the staff devices' offline scan queue loses nothing and duplicates
//! nothing. Two or three devices run the queue rules the app runs
//! (`bosai_types::scan_queue`: next batch, settle an answer, keep rejections)
//! against the real server over HTTP, in any interleaving of
//!
//! - a scan on device k (now and then with a credential the server must refuse),
//! - a send whose request is acknowledged, whose answer is lost, that never
//!   arrives, or that meets a store failure part-way through the batch (5xx,
//!   with the failing write committed or not),
//! - the answer reaching the device (optionally with a reload between saving
//!   the rejections and removing the records),
//! - a reload (in-memory state lost: the request in flight; the durable queue and
//!   rejected list remain),
//!
//! then every device drains. Afterwards: every queue is empty; every valid scan
//! is stored exactly once (its event id, and one event per person in it); no
//! valid scan was ever rejected and every invalid one is on its device's rejected
//! list exactly once; each person's current location is what a recount of their
//! stored events gives; and shelter occupancy moved by exactly the recount.

use crate::common::TestApp;
use async_trait::async_trait;
use bosai_core::keys;
use bosai_store::sqlite::SqliteStore;
use bosai_store::{Condition, Item, ItemExt, Key, Page, Query, Store, StoreError, TransactOp, Update, WriteOp};
use bosai_types::auth::Role;
use bosai_types::checkin::{CheckInClaims, EventKind, RecordOutcome, ScanBatchResult, CHECKIN_TYPE};
use bosai_types::household::MemberId;
use bosai_types::jws::Signer;
use bosai_types::scan_queue::{merge_rejected, next_batch, settle, Batch, QueuedScan, Rejected, Reply};
use bosai_types::Timestamp;
use proptest::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const SHELTERS: [&str; 3] =
    ["041009-aoba-katahira-es", "041009-wakabayashi-itsutsubashi-jhs", "041009-taihaku-nagamachi-es"];
/// Small batches, so a drain takes several requests (the app sends 100).
const BATCH_MAX: usize = 3;

// ---- a store whose next transaction can be made to fail ----------------------

/// Wraps the real store. When armed, lets `pass` transactions through and fails
/// the next one — after committing it when `commit` is set (a timeout after the
/// write landed), before otherwise. The API answers 5xx either way.
struct FaultyStore {
    inner: Arc<dyn Store>,
    armed: Mutex<Option<(u8, bool)>>,
}

impl FaultyStore {
    fn arm(&self, pass: u8, commit: bool) {
        *self.armed.lock().unwrap() = Some((pass, commit));
    }
    fn disarm(&self) {
        *self.armed.lock().unwrap() = None;
    }
}

#[async_trait]
impl Store for FaultyStore {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.inner.put(item, condition).await
    }
    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        self.inner.update(key, update, condition).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.inner.delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.inner.batch_write(ops).await
    }
    async fn transact_write(&self, ops: Vec<TransactOp>) -> Result<(), StoreError> {
        let fail = {
            let mut armed = self.armed.lock().unwrap();
            match armed.as_mut() {
                Some((0, commit)) => {
                    let c = *commit;
                    *armed = None;
                    Some(c)
                }
                Some((n, _)) => {
                    *n -= 1;
                    None
                }
                None => None,
            }
        };
        match fail {
            None => self.inner.transact_write(ops).await,
            Some(true) => {
                self.inner.transact_write(ops).await?;
                Err(StoreError::Unavailable("injected: the answer was lost after the write".into()))
            }
            Some(false) => Err(StoreError::Unavailable("injected: the write failed".into())),
        }
    }
}

// ---- the generated runs -------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Fate {
    Acked,
    ResponseLost,
    NotDelivered,
    /// The store lets `pass` transactions through, then fails one (committed or not).
    ServerError {
        pass: u8,
        commit: bool,
    },
}

#[derive(Debug, Clone)]
enum Op {
    /// `shelter`: which of the device's shelters; `members`: 0 all, 1 p1, 2 p2; `dt`: seconds after the start.
    Scan {
        device: usize,
        shelter: usize,
        reg: usize,
        members: u8,
        check_in: bool,
        dt: u8,
        invalid: bool,
    },
    Send {
        device: usize,
        fate: Fate,
    },
    /// The answer reaches the device; `reload_before_remove`: the page goes away
    /// after the rejections were saved, before the records left the queue.
    Deliver {
        device: usize,
        reload_before_remove: bool,
    },
    Reload {
        device: usize,
    },
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        3 => Just(Fate::Acked),
        1 => Just(Fate::ResponseLost),
        1 => Just(Fate::NotDelivered),
        2 => (0..3u8, any::<bool>()).prop_map(|(pass, commit)| Fate::ServerError { pass, commit }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 0..2usize, 0..2usize, 0..3u8, prop::bool::weighted(0.7), 0..60u8, prop::bool::weighted(0.12))
            .prop_map(|(device, shelter, reg, members, check_in, dt, invalid)| Op::Scan { device, shelter, reg, members, check_in, dt, invalid }),
        3 => (0..3usize, fate()).prop_map(|(device, fate)| Op::Send { device, fate }),
        3 => (0..3usize, prop::bool::weighted(0.2)).prop_map(|(device, reload_before_remove)| Op::Deliver { device, reload_before_remove }),
        1 => (0..3usize).prop_map(|device| Op::Reload { device }),
    ]
}

fn runs() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (2..=3usize, prop::collection::vec(op(), 1..45))
}

// ---- the devices -----------------------------------------------------------------

/// A staff device: what survives a reload (IndexedDB queue keyed by event id,
/// the rejected list in localStorage) and what does not (the request in flight).
struct Device {
    id: String,
    token: String,
    shelters: Vec<&'static str>,
    queue: BTreeMap<String, QueuedScan>,
    rejected: Vec<Rejected>,
    in_flight: Option<(Batch, Option<ScanBatchResult>)>,
}

impl Device {
    fn queued(&self) -> Vec<QueuedScan> {
        self.queue.values().cloned().collect()
    }
}

struct Harness {
    rt: tokio::runtime::Runtime,
    app: TestApp,
    faults: Arc<FaultyStore>,
}

async fn harness_on(inner: Arc<dyn Store>) -> (TestApp, Arc<FaultyStore>) {
    let faults = Arc::new(FaultyStore { inner, armed: Mutex::new(None) });
    (crate::common::spawn_app(faults.clone()).await, faults)
}

/// One server (and identity) for all cases of a backend: each case registers its own people.
fn harness(dynamodb: bool) -> Option<&'static Harness> {
    static EMBEDDED: OnceLock<Option<Harness>> = OnceLock::new();
    static DYNAMODB: OnceLock<Option<Harness>> = OnceLock::new();
    let cell = if dynamodb { &DYNAMODB } else { &EMBEDDED };
    cell.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let built = rt.block_on(async {
            let inner: Arc<dyn Store> = if dynamodb {
                crate::common::dynamodb_store().await?
            } else {
                Arc::new(SqliteStore::in_memory().unwrap())
            };
            Some(harness_on(inner).await)
        });
        built.map(|(app, faults)| Harness { rt, app, faults })
    })
    .as_ref()
}

static CASE: AtomicUsize = AtomicUsize::new(0);

async fn occupancy(store: &dyn Store, shelter: &str) -> i64 {
    let key = keys::headcount(&bosai_types::ShelterId::parse(shelter).unwrap());
    store.get(&key).await.unwrap().and_then(|i| i.i64("occupancy")).unwrap_or(0)
}

/// Sends a batch as the device would; `None` when no answer reaches it.
async fn post(app: &TestApp, d: &Device, batch: &Batch) -> (u16, Option<ScanBatchResult>) {
    let body = serde_json::to_value(batch.body(&d.id)).unwrap();
    let (status, v) = app.call("POST", &format!("/api/shelters/{}/scans", batch.shelter), &d.token, Some(body)).await;
    let res = (status == 200).then(|| serde_json::from_value(v).expect("a 200 answer is a ScanBatchResult"));
    (status, res)
}

/// No valid scan is ever rejected.
fn check_answer(res: &ScanBatchResult, batch: &Batch, invalid: &BTreeSet<String>) {
    for r in &res.results {
        let q = &batch.records[r.index];
        if r.outcome == RecordOutcome::Rejected {
            assert!(invalid.contains(&q.event_id), "a valid scan was rejected: {r:?}");
        } else {
            assert!(!invalid.contains(&q.event_id), "an invalid scan was accepted: {r:?}");
        }
    }
}

/// Applies what an answer settles, as `staff::flush` does: rejections saved first, then removal.
fn apply(d: &mut Device, batch: &Batch, reply: Option<&ScanBatchResult>, reload_before_remove: bool) -> bool {
    let settled = settle(&batch.records, reply.map_or(Reply::Failed, Reply::Answered));
    merge_rejected(&mut d.rejected, &settled.rejected);
    if reload_before_remove {
        d.in_flight = None;
        return !settled.stalled();
    }
    for id in &settled.remove {
        d.queue.remove(id);
    }
    !settled.stalled()
}

async fn run_case(h: &Harness, devices: usize, ops: &[Op]) {
    let app = &h.app;
    let store = app.store.as_ref();
    let case = CASE.fetch_add(1, Ordering::SeqCst);
    let start_ms = bosai_core::clock::now_millis();
    let mut base = BTreeMap::new();
    for s in SHELTERS {
        base.insert(s, occupancy(store, s).await);
    }

    // Two desk registrations of two people each; their QR codes are the credentials.
    let desk_staff = app.staff_token(Role::ShelterStaff, &[SHELTERS[0]], None);
    let mut regs = Vec::new();
    for r in 0..2 {
        let id = format!("desk-q{case:05}-{r}");
        let body =
            json!({"registration_id": id, "people": [{"name": "甲", "sex": "female"}, {"name": "乙", "sex": "male"}]});
        let (s, v) = app
            .call("POST", &format!("/api/shelters/{}/desk-registrations", SHELTERS[0]), &desk_staff, Some(body))
            .await;
        assert_eq!(s, 200, "{v}");
        regs.push((id, v["credential"].as_str().unwrap().to_owned()));
    }
    // Looks like a credential for the same people, signed by a key the server does not know.
    let foreign = Signer::new(p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap());
    let forged = |reg: &str| {
        let now = start_ms / 1000;
        let claims = CheckInClaims {
            iss: "bosai-local".into(),
            sub: format!("desk:{reg}"),
            m: vec!["p1".into(), "p2".into()],
            mu: "041009".into(),
            iat: now,
            exp: now + 3600,
        };
        foreign.sign(CHECKIN_TYPE, &claims)
    };

    let served: [Vec<&'static str>; 3] = [vec![SHELTERS[0], SHELTERS[1]], vec![SHELTERS[1]], vec![SHELTERS[2]]];
    let mut devs: Vec<Device> = (0..devices)
        .map(|k| Device {
            id: format!("dev-q{case}-{k}"),
            token: app.staff_token(Role::ShelterStaff, &served[k], None),
            shelters: served[k].clone(),
            queue: BTreeMap::new(),
            rejected: Vec::new(),
            in_flight: None,
        })
        .collect();

    // What was scanned: event id → (device, registration, record).
    let mut scanned: BTreeMap<String, (usize, usize, QueuedScan)> = BTreeMap::new();
    let mut invalid: BTreeSet<String> = BTreeSet::new();
    for (n, op) in ops.iter().enumerate() {
        match *op {
            Op::Scan { device, shelter, reg, members, check_in, dt, invalid: bad } => {
                let k = device % devices;
                let d = &mut devs[k];
                let (reg_id, cred) = &regs[reg];
                let q = QueuedScan {
                    event_id: format!("ev-q{case:05}-{n:03}"),
                    shelter: d.shelters[shelter % d.shelters.len()].to_owned(),
                    kind: if check_in { EventKind::CheckIn } else { EventKind::CheckOut },
                    // Just before now: within the credential's validity and the server's time window.
                    at: Timestamp(start_ms - 120_000 + i64::from(dt) * 1000),
                    credential: if bad { forged(reg_id) } else { cred.clone() },
                    members: match members {
                        0 => None,
                        m => Some(vec![MemberId::parse(&format!("p{m}")).unwrap()]),
                    },
                    count: if members == 0 { 2 } else { 1 },
                };
                if bad {
                    invalid.insert(q.event_id.clone());
                }
                d.queue.insert(q.event_id.clone(), q.clone());
                scanned.insert(q.event_id.clone(), (k, reg, q));
            }
            Op::Send { device, fate } => {
                let d = &devs[device % devices];
                if d.in_flight.is_some() {
                    continue; // one request at a time (staff::sync)
                }
                let Some(batch) = next_batch(&d.queued(), BATCH_MAX) else { continue };
                let reply = match fate {
                    Fate::Acked => {
                        let (status, res) = post(app, d, &batch).await;
                        assert_eq!(status, 200);
                        res
                    }
                    Fate::ResponseLost => {
                        let (status, _) = post(app, d, &batch).await;
                        assert_eq!(status, 200);
                        None
                    }
                    Fate::NotDelivered => None,
                    Fate::ServerError { pass, commit } => {
                        h.faults.arm(pass, commit);
                        let (status, res) = post(app, d, &batch).await;
                        h.faults.disarm();
                        // Fewer writes than `pass` + 1 in this batch: the fault never fired.
                        assert!(status == 200 || status >= 500, "{status}");
                        res
                    }
                };
                if let Some(res) = &reply {
                    check_answer(res, &batch, &invalid);
                }
                devs[device % devices].in_flight = Some((batch, reply));
            }
            Op::Deliver { device, reload_before_remove } => {
                let d = &mut devs[device % devices];
                if let Some((batch, reply)) = d.in_flight.take() {
                    apply(d, &batch, reply.as_ref(), reload_before_remove);
                }
            }
            Op::Reload { device } => devs[device % devices].in_flight = None,
        }
    }

    // Every device gets its network back and drains (after a reload: nothing in flight).
    for d in &mut devs {
        d.in_flight = None;
        for _ in 0..200 {
            let Some(batch) = next_batch(&d.queued(), BATCH_MAX) else { break };
            let (status, res) = post(app, d, &batch).await;
            assert_eq!(status, 200);
            let res = res.unwrap();
            check_answer(&res, &batch, &invalid);
            assert!(apply(d, &batch, Some(&res), false), "the server answered for none of {batch:?}");
        }
        assert!(d.queue.is_empty(), "{} still holds {:?}", d.id, d.queue.keys());
    }

    // Rejections: exactly the invalid scans, each once, on the device that scanned it.
    for (k, d) in devs.iter().enumerate() {
        let listed: Vec<&str> = d.rejected.iter().map(|r| r.event_id.as_str()).collect();
        let want: Vec<&str> = scanned
            .iter()
            .filter(|(id, (dk, _, _))| *dk == k && invalid.contains(*id))
            .map(|(id, _)| id.as_str())
            .collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(sorted, want, "rejected list of {}", d.id);
        assert!(d.rejected.iter().all(|r| r.code == "credential_invalid"), "{:?}", d.rejected);
    }

    // Stored exactly once: the event id for every valid scan, none for invalid ones,
    // and per person exactly the events that named them.
    for (id, _) in scanned.iter() {
        let stored = store.get(&keys::event_id(id)).await.unwrap().is_some();
        assert_eq!(stored, !invalid.contains(id), "event {id}");
    }
    let mut expected_here: BTreeMap<&str, i64> = SHELTERS.iter().map(|s| (*s, 0)).collect();
    for (r, (reg_id, _)) in regs.iter().enumerate() {
        for p in ["p1", "p2"] {
            let person = keys::person_of_desk(&format!("{reg_id}#{p}"));
            let page = store.query(Query::partition(format!("PERSON#{person}")).begins_with("EVENT#")).await.unwrap();
            // (at, event id, kind, shelter), in key order = event-time order.
            let events: Vec<(String, String, String)> = page
                .items
                .iter()
                .map(|i| {
                    let id = i.str("sk").unwrap().rsplit('#').next().unwrap().to_owned();
                    (id, i.str("kind").unwrap().to_owned(), i.str("shelter").unwrap().to_owned())
                })
                .collect();
            assert!(page.next.is_none());
            let got: BTreeSet<&str> = events.iter().map(|(id, _, _)| id.as_str()).collect();
            assert_eq!(got.len(), events.len(), "{person}: an event stored twice");
            let want: BTreeSet<&str> = scanned
                .iter()
                .filter(|(id, (_, reg, q))| {
                    *reg == r
                        && !invalid.contains(*id)
                        && q.members.as_ref().is_none_or(|m| m.iter().any(|m| m.as_str() == p))
                })
                .map(|(id, _)| id.as_str())
                .collect();
            assert_eq!(got, want, "{person}: stored events");
            // Recount: the latest event by (time, id) decides where they are.
            let last = events.last();
            let here = last.filter(|(_, kind, _)| kind == "check_in").map(|(_, _, s)| s.clone());
            let loc = store.get(&keys::location(&person)).await.unwrap();
            assert_eq!(loc.as_ref().and_then(|l| l.str("shelter").map(str::to_owned)), here, "{person}: location");
            assert_eq!(
                loc.as_ref().and_then(|l| l.str("event_id").map(str::to_owned)),
                last.map(|(id, _, _)| id.clone()),
                "{person}"
            );
            if let Some(s) = here {
                *expected_here.get_mut(SHELTERS.iter().find(|x| **x == s).unwrap()).unwrap() += 1;
            }
        }
    }
    for s in SHELTERS {
        assert_eq!(occupancy(store, s).await - base[s], expected_here[s], "occupancy of {s}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn queue_loses_and_duplicates_nothing_embedded((devices, ops) in runs()) {
        let h = harness(false).unwrap();
        h.rt.block_on(run_case(h, devices, &ops));
    }
}

proptest! {
    // DynamoDB Local answers ~150 requests/s: a few cases (skipped when it is not running).
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]
    #[test]
    fn queue_loses_and_duplicates_nothing_dynamodb_local((devices, ops) in runs()) {
        if let Some(h) = harness(true) {
            h.rt.block_on(run_case(h, devices, &ops));
        }
    }
}

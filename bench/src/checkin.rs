//! The check-in API under load: one scan per request from 64 connections, on
//! the local stack (embedded store) and on DynamoDB Local; the floor is a bare
//! store write of the same item on the same machine.

use crate::stack::Stack;
use crate::Row;
use bosai_store::{item::item, ItemExt, Key, Store, Value};
use bosai_types::checkin::{CheckInClaims, CHECKIN_TYPE};
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const CONNECTIONS: usize = 64;
const SHELTER: &str = "041009-aoba-katahira-es";

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub struct Load {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
}

/// Runs the load against a started stack for `secs`; every request is a new person's scan.
pub fn load(stack: &Stack, data: &Path, secs: f64, tag: &str) -> Load {
    let now = now_s();
    let (signer, staff) = crate::stack::dev_signer_and_staff_token(data, SHELTER, now);
    // Credentials are signed up front so the client measures the server, not itself.
    let expected = (secs * 6000.0) as usize + 1000;
    let creds: Arc<Vec<String>> = Arc::new(
        (0..expected)
            .map(|i| {
                let c = CheckInClaims {
                    iss: "bosai-local".into(),
                    sub: format!("r_{tag}_{i}"),
                    m: vec!["self".into()],
                    mu: "041009".into(),
                    iat: now - 60,
                    exp: now + 3600,
                };
                signer.sign(CHECKIN_TYPE, &c)
            })
            .collect(),
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let http = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().expect("client");
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let lat: Vec<Vec<f64>> = rt.block_on(async {
        let tasks: Vec<_> = (0..CONNECTIONS)
            .map(|_| {
                let (http, url, staff, creds, next, errors) = (http.clone(), stack.url.clone(), staff.clone(), creds.clone(), next.clone(), errors.clone());
                let tag = tag.to_owned();
                tokio::spawn(async move {
                    let mut lat = Vec::new();
                    while Instant::now() < deadline {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(cred) = creds.get(i) else { break };
                        let body = json!({"device_id": "load", "records": [{"event_id": format!("ev-{tag}-{i:08}"), "kind": "check_in", "at": now * 1000, "credential": cred}]});
                        let t = Instant::now();
                        let ok = http.post(format!("{url}/api/shelters/{SHELTER}/scans")).bearer_auth(&staff).json(&body).send().await
                            .map(|r| r.status().is_success()).unwrap_or(false);
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        if !ok {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    lat
                })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.expect("worker"));
        }
        all
    });
    let elapsed = start.elapsed().as_secs_f64();
    let mut all: Vec<f64> = lat.into_iter().flatten().collect();
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all.get(((all.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(f64::NAN);
    Load {
        rps: all.len() as f64 / elapsed,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors: errors.load(Ordering::Relaxed),
    }
}

/// The floor: the same location item written straight into the embedded store, 64 writers.
pub fn store_writes_per_second(secs: f64) -> f64 {
    let dir = std::env::temp_dir().join(format!("bosai-bench-store-{}", std::process::id()));
    let store = Arc::new(bosai_store::sqlite::SqliteStore::open(&dir).expect("store"));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let n = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..CONNECTIONS)
            .map(|w| {
                let (store, n) = (store.clone(), n.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let i = n.fetch_add(1, Ordering::Relaxed);
                        let it = item(&Key::new(format!("PERSON#R#r_floor_{w}_{i}#self"), "LOCATION"))
                            .with("shelter", Value::s(SHELTER))
                            .with("at", Value::n(i as i64))
                            .with("name", Value::s("本人"));
                        store.put(it, None).await.expect("store write");
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("writer");
        }
    });
    let rate = n.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    rate
}

pub fn rows(bin: &Path, dist: &Path, smoke: bool) -> Vec<Row> {
    let secs = if smoke { 0.5 } else { 10.0 };
    let data = std::env::temp_dir().join(format!("bosai-bench-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let stack = Stack::start(bin, &data, dist, &[]);
    let l = load(&stack, &data, secs, "load");
    drop(stack);
    let _ = std::fs::remove_dir_all(&data);
    // The same during a real incident, as in a disaster: each scan also records the stay.
    let stack = Stack::start(bin, &data, dist, &[]);
    open_incident(&stack, &data);
    let during = load(&stack, &data, secs, "inc");
    drop(stack);
    let _ = std::fs::remove_dir_all(&data);
    eprintln!(
        "check-in load during a real incident (embedded): {:.0} req/s, p99 {:.2} ms, {} errors",
        during.rps, during.p99_ms, during.errors
    );
    let floor = store_writes_per_second(secs.min(3.0));
    eprintln!(
        "check-in load (embedded): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors; store floor {floor:.0} writes/s",
        l.rps, l.p50_ms, l.p99_ms, l.errors
    );
    // Latency at the target rate: open loop (each request due at i / 3 000 s, timed from
    // then), at most 64 in flight. Closed-loop latency at 64 connections is in-flight /
    // throughput by Little's law, so it measures saturation, not the service at 3 000/s.
    let target = crate::load::run(
        bin,
        dist,
        &crate::load::Opts {
            rate: crate::load::TARGET_RPS,
            secs: if smoke { 1.0 } else { 10.0 },
            max_in_flight: CONNECTIONS,
            persons: if smoke { 3_000 } else { crate::load::PERSONS },
        },
    );
    eprintln!(
        "check-in at {:.0} req/s offered (open loop, ≤ {CONNECTIONS} in flight): {:.0} achieved, p50 {:.2} ms, p99 {:.2} ms, not sent {}, passed {}",
        target.offered_rps, target.achieved_rps, target.p50_ms, target.p99_ms, target.not_sent, target.passed
    );
    let ok = l.errors == 0;
    let at_target =
        target.ok > 0 && target.other_status + target.transport_errors + target.scans_not_stored + target.busy_503 == 0;
    // Against the floor: the same item written straight into the store.
    let rps = Row::new("checkin_api_rps", ok.then_some(l.rps), "req/s").against(Some(floor));
    let mut rows = vec![
        rps.clone(),
        Row::new("checkin_api_p50_ms", at_target.then_some(target.p50_ms), "ms"),
        Row::new("checkin_api_p99_ms", at_target.then_some(target.p99_ms), "ms"),
        Row::new("checkin_api_target_achieved_rps", at_target.then_some(target.achieved_rps), "req/s"),
        Row::new("checkin_api_closed_loop_p99_ms", ok.then_some(l.p99_ms), "ms"),
        Row::ratio_of("checkin_vs_store_ratio", &rps),
        Row::new("checkin_api_rps_in_incident", (during.errors == 0).then_some(during.rps), "req/s")
            .against(Some(floor)),
    ];
    rows.push(dynamodb_rps(bin, dist, secs));
    rows
}

/// Opens a real incident for the demo municipality on the started stack.
fn open_incident(stack: &Stack, data: &Path) {
    let hq = crate::stack::hq_token(data, now_s());
    let body = json!({"incident_id": "bench-incident", "name": "bench", "kind": "real"});
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/api/hq/incidents", stack.url))
            .bearer_auth(hq)
            .json(&body)
            .send()
            .await
            .map(|r| r.status())
    });
    assert!(status.as_ref().is_ok_and(|s| s.is_success()), "opening the bench incident: {status:?}");
}

/// Same load with the stack on DynamoDB Local (reported only: it is not a model of DynamoDB).
fn dynamodb_rps(bin: &Path, dist: &Path, secs: f64) -> Row {
    let Ok(endpoint) = std::env::var("BOSAI_DYNAMODB_ENDPOINT") else {
        return Row::missing("checkin_dynamodb_local_rps", "req/s");
    };
    let data = std::env::temp_dir().join(format!("bosai-bench-ddb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let table = format!("bench-{}", std::process::id());
    let env =
        [("BOSAI_STORE", "dynamodb"), ("BOSAI_DYNAMODB_ENDPOINT", endpoint.as_str()), ("BOSAI_TABLE", table.as_str())];
    let stack = Stack::start(bin, &data, dist, &env);
    let l = load(&stack, &data, secs, "ddb");
    drop(stack);
    let _ = std::fs::remove_dir_all(&data);
    eprintln!("check-in load (DynamoDB Local): {:.0} req/s, p99 {:.1} ms, {} errors", l.rps, l.p99_ms, l.errors);
    Row::new("checkin_dynamodb_local_rps", (l.errors == 0).then_some(l.rps), "req/s")
}

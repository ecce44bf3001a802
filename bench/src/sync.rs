//! Offline sync: 10,000 check-ins queued on 5 staff devices, sent in batches of
//! 100 — once cleanly, once with every batch sent twice, and once with the
//! server killed mid-sync and restarted (devices resend what was not acknowledged).

use crate::stack::Stack;
use crate::Row;
use bosai_types::auth::{Claims, Role};
use bosai_types::checkin::{CheckInClaims, CHECKIN_TYPE};
use bosai_types::jws::Signer;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

const DEVICES: usize = 5;
const BATCH: usize = 100;

struct Setup {
    signer: Signer,
    now_ms: i64,
}

impl Setup {
    fn token(&self, shelter: &str) -> String {
        let now = self.now_ms / 1000;
        let c = Claims {
            iss: "bosai-local".into(),
            aud: "bosai-api".into(),
            sub: "staff:bench".into(),
            iat: now,
            nbf: now,
            exp: now + 3600,
            role: Role::ShelterStaff,
            shelters: vec![shelter.into()],
            municipality: None,
        };
        self.signer.sign("at+jwt", &c)
    }

    /// One queued scan of a (synthetic) resident's own QR code.
    fn record(&self, tag: &str, i: usize) -> Value {
        let now = self.now_ms / 1000;
        let c = CheckInClaims {
            iss: "bosai-local".into(),
            sub: format!("r_{tag}_{i}"),
            m: vec!["self".into()],
            mu: "041009".into(),
            iat: now - 60,
            exp: now + 3600,
        };
        json!({"event_id": format!("ev-{tag}-{i:06}"), "kind": "check_in", "at": self.now_ms - 1000 + (i as i64 % 1000), "credential": self.signer.sign(CHECKIN_TYPE, &c)})
    }
}

#[derive(Default, Debug, Clone, Copy)]
pub struct Tally {
    pub stored: usize,
    pub duplicate: usize,
    pub rejected: usize,
}

/// Sends one device's batches; returns the tally, or stops at the first failed request
/// (as a device does when the network drops) with the index of the first unacknowledged batch.
async fn device(
    http: &reqwest::Client,
    url: &str,
    shelter: &str,
    token: &str,
    batches: &[Vec<Value>],
    dev: usize,
    stop: &AtomicBool,
) -> (Tally, usize) {
    let mut t = Tally::default();
    for (i, b) in batches.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            return (t, i);
        }
        let body = json!({"device_id": format!("bench-{dev}"), "records": b});
        let res = http.post(format!("{url}/api/shelters/{shelter}/scans")).bearer_auth(token).json(&body).send().await;
        let Ok(res) = res else { return (t, i) };
        let Ok(v) = res.json::<Value>().await else { return (t, i) };
        for r in v["results"].as_array().into_iter().flatten() {
            match r["outcome"].as_str() {
                Some("stored") => t.stored += 1,
                Some("duplicate") => t.duplicate += 1,
                _ => t.rejected += 1,
            }
        }
    }
    (t, batches.len())
}

fn add(a: Tally, b: Tally) -> Tally {
    Tally { stored: a.stored + b.stored, duplicate: a.duplicate + b.duplicate, rejected: a.rejected + b.rejected }
}

async fn run_all(
    url: &str,
    shelter: &str,
    token: &str,
    per_device: &[Vec<Vec<Value>>],
    stop: Arc<AtomicBool>,
) -> (Tally, Vec<usize>) {
    let http = reqwest::Client::new();
    let tasks: Vec<_> = per_device
        .iter()
        .enumerate()
        .map(|(d, batches)| {
            let (http, url, shelter, token, batches, stop) =
                (http.clone(), url.to_owned(), shelter.to_owned(), token.to_owned(), batches.clone(), stop.clone());
            tokio::spawn(async move { device(&http, &url, &shelter, &token, &batches, d, &stop).await })
        })
        .collect();
    let mut total = Tally::default();
    let mut acked = Vec::new();
    for t in tasks {
        let (tally, done) = t.await.expect("device task");
        total = add(total, tally);
        acked.push(done);
    }
    (total, acked)
}

async fn roster_len(url: &str, shelter: &str, token: &str) -> usize {
    let v: Value = reqwest::Client::new()
        .get(format!("{url}/api/shelters/{shelter}/roster"))
        .bearer_auth(token)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("roster")
        .json()
        .await
        .expect("roster json");
    v.as_array().map_or(0, Vec::len)
}

fn queue(setup: &Setup, tag: &str, total: usize) -> Vec<Vec<Vec<Value>>> {
    let per = total / DEVICES;
    (0..DEVICES)
        .map(|d| {
            (0..per)
                .map(|k| setup.record(tag, d * per + k))
                .collect::<Vec<_>>()
                .chunks(BATCH)
                .map(<[Value]>::to_vec)
                .collect()
        })
        .collect()
}

pub fn rows(bin: &Path, dist: &Path, smoke: bool) -> Vec<Row> {
    let total = if smoke { 500 } else { 10_000 };
    let data = std::env::temp_dir().join(format!("bosai-bench-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let stack = Stack::start(bin, &data, dist, &[]);
    let key = std::fs::read_to_string(data.join("identity/keys/token-1.pem")).expect("dev token key");
    let setup = Setup { signer: Signer::from_pkcs8_pem(&key).expect("key"), now_ms: now_ms() };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (a, b) = ("041009-aoba-katahira-es", "041009-wakabayashi-itsutsubashi-jhs");
    let (ta, tb) = (setup.token(a), setup.token(b));

    // 1. Clean sync, timed.
    let q1 = queue(&setup, "clean", total);
    let start = Instant::now();
    let (t1, _) = rt.block_on(run_all(&stack.url, a, &ta, &q1, Arc::new(AtomicBool::new(false))));
    let secs = start.elapsed().as_secs_f64();
    // 2. Every batch again.
    let (t2, _) = rt.block_on(run_all(&stack.url, a, &ta, &q1, Arc::new(AtomicBool::new(false))));
    let roster_a = rt.block_on(roster_len(&stack.url, a, &ta));

    stack.kill();

    // 3. Server killed mid-sync; devices resend from their first unacknowledged batch.
    let q3 = queue(&setup, "killed", total);
    let (t3, roster_b, roster_a_after) = killed_run(&rt, bin, dist, &data, (b, &tb), (a, &ta), &q3, smoke);

    let lost = (total.saturating_sub(roster_a)) + (total.saturating_sub(roster_b));
    let duplicated =
        roster_a.saturating_sub(total) + roster_b.saturating_sub(total) + roster_a_after.saturating_sub(total);
    eprintln!(
        "sync: clean {t1:?} in {secs:.1}s; resent {t2:?}; killed-and-resent {t3:?}; rosters A={roster_a} B={roster_b}"
    );
    let _ = std::fs::remove_dir_all(&data);
    let ok = t1.stored == total && t2.duplicate == total && t1.rejected + t2.rejected + t3.rejected == 0;
    vec![
        Row::new("offline_sync_10k_s", ok.then_some(secs * 10_000.0 / total as f64), "s"),
        Row::new("offline_sync_lost", Some(lost as f64), "records"),
        Row::new("offline_sync_duplicated", Some(duplicated as f64), "records"),
    ]
}

/// Returns the tally over both attempts and the rosters of B (the target) and A (must be unchanged).
#[allow(clippy::too_many_arguments)]
fn killed_run(
    rt: &tokio::runtime::Runtime,
    bin: &Path,
    dist: &Path,
    data: &Path,
    (b, tb): (&str, &str),
    (a, ta): (&str, &str),
    q: &[Vec<Vec<Value>>],
    smoke: bool,
) -> (Tally, usize, usize) {
    let stack = Stack::start(bin, data, dist, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let url = stack.url.clone();
    let killer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(if smoke { 100 } else { 1000 }));
            stop.store(true, Ordering::SeqCst);
            stack.kill();
        })
    };
    let (first, acked) = rt.block_on(run_all(&url, b, tb, q, stop));
    killer.join().expect("killer");
    let stack = Stack::start(bin, data, dist, &[]);
    let rest: Vec<Vec<Vec<Value>>> = q.iter().zip(&acked).map(|(batches, done)| batches[*done..].to_vec()).collect();
    let (second, _) = rt.block_on(run_all(&stack.url, b, tb, &rest, Arc::new(AtomicBool::new(false))));
    let roster_b = rt.block_on(roster_len(&stack.url, b, tb));
    let roster_a = rt.block_on(roster_len(&stack.url, a, ta));
    (add(first, second), roster_b, roster_a)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

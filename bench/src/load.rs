//! `bosai-bench load` (`make load`): the check-in API at a fixed offered rate — open
//! loop, 2× the 3,000 req/s target by default — for a fixed time against the release
//! local stack, with the server's resident memory sampled from /proc meanwhile.
//!
//! Open loop: request `i` is due at `start + i / rate` whether or not earlier ones have
//! answered, and its latency is counted from when it was due (no coordinated omission).
//! At most `--max-in-flight` requests are outstanding (that many connections, like that
//! many staff devices sending at once); a request that is due while all are busy is not
//! sent and counted as `not_sent`: the client offered it, the server was not ready for it.
//!
//! Each request is one scan of one person (a pool of distinct residents, each checked in
//! and out in turn), so every answer is a real store transaction. It fails (exit 1) when:
//! any request gets an answer other than 200 — the server does not shed load (overload shows
//! as queueing: latency, and requests the busy devices could not send), so even the documented
//! 503 `busy` counts as an error here —, a transport error or timeout, any scan not `stored`,
//! or memory growth: the highest RSS of the last 20 s exceeds the highest of the 20–40 s window
//! by more than the bound.

use crate::stack::Stack;
use bosai_types::checkin::{CheckInClaims, ScanBatchResult, CHECKIN_TYPE};
use bosai_types::jws::Signer;
use serde::Serialize;
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const SHELTER: &str = "041009-aoba-katahira-es";
/// The target of the bench issue; the load runs at twice this by default.
pub const TARGET_RPS: f64 = 3000.0;
/// Distinct residents by default; each is scanned again every `persons / rate` seconds, in and out in turn.
pub const PERSONS: usize = 12_000;
/// RSS growth allowed between the 20–40 s window and the last 20 s (allocator noise, caches
/// still filling); a leak of even 100 bytes per request at 2,000 req/s grows 4 MB per 20 s.
const RSS_BOUND_KIB: u64 = 8 * 1024;

pub struct Opts {
    pub rate: f64,
    pub secs: f64,
    pub max_in_flight: usize,
    pub persons: usize,
}

impl Opts {
    pub fn from_args(args: &[String]) -> Result<Opts, String> {
        let mut o = Opts { rate: 2.0 * TARGET_RPS, secs: 60.0, max_in_flight: 512, persons: PERSONS };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut val = |name: &str| -> Result<f64, String> {
                it.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
            };
            match a.as_str() {
                "--rate" => o.rate = val("--rate")?,
                "--secs" => o.secs = val("--secs")?,
                "--max-in-flight" => o.max_in_flight = val("--max-in-flight")? as usize,
                "--persons" => o.persons = val("--persons")? as usize,
                other => {
                    return Err(format!(
                        "unknown argument {other} (load [--rate N] [--secs N] [--max-in-flight N] [--persons N])"
                    ))
                }
            }
        }
        if o.rate <= 0.0 || o.secs <= 0.0 || o.max_in_flight == 0 || o.persons == 0 {
            return Err("--rate, --secs, --max-in-flight and --persons must be positive".into());
        }
        Ok(o)
    }
}

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    busy_503: AtomicU64,
    other_status: AtomicU64,
    transport: AtomicU64,
    not_stored: AtomicU64,
}

#[derive(Serialize)]
pub struct Report {
    pub offered_rps: f64,
    pub secs: f64,
    pub max_in_flight: usize,
    pub due: u64,
    pub sent: u64,
    pub not_sent: u64,
    /// How late the client was in sending (CPU shared with the server): p99 and max.
    pub send_lag_p99_ms: f64,
    pub send_lag_max_ms: f64,
    pub ok: u64,
    pub busy_503: u64,
    pub other_status: u64,
    pub transport_errors: u64,
    pub scans_not_stored: u64,
    pub achieved_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// (seconds since start, VmRSS KiB)
    pub rss_kib: Vec<(f64, u64)>,
    pub server_threads_max: u64,
    pub rss_max_20_40_kib: u64,
    pub rss_max_last_20_kib: u64,
    pub memory_stable: bool,
    pub passed: bool,
}

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// `VmRSS` (KiB) and `Threads` of a process, from /proc/<pid>/status.
fn rss_and_threads(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("Threads:")?))
}

/// Signs the residents' credentials on every core (the client must measure the server, not itself).
fn credentials(signer: &Signer, n: usize) -> Vec<String> {
    let now = now_s();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let chunk = n.div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(|i| {
                            let c = CheckInClaims {
                                iss: "bosai-local".into(),
                                sub: format!("r_load_{i}"),
                                m: vec!["self".into()],
                                mu: "041009".into(),
                                iat: now - 60,
                                exp: now + 3600,
                            };
                            signer.sign(CHECKIN_TYPE, &c)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().expect("signer thread")).collect()
    })
}

fn max_in(samples: &[(f64, u64)], from: f64, to: f64) -> u64 {
    samples.iter().filter(|(t, _)| *t >= from && *t < to).map(|(_, r)| *r).max().unwrap_or(0)
}

pub fn run(bin: &Path, dist: &Path, o: &Opts) -> Report {
    let data = std::env::temp_dir().join(format!("bosai-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let stack = Stack::start(bin, &data, dist, &[]);
    let pid = stack.pid();
    let now = now_s();
    let (signer, staff) = crate::stack::dev_signer_and_staff_token(&data, SHELTER, now);
    let persons = o.persons.min((o.rate * o.secs) as usize + 1);
    let t = Instant::now();
    let creds = Arc::new(credentials(&signer, persons));
    eprintln!(
        "load: {persons} credentials signed in {:.1} s; offering {:.0} req/s for {:.0} s (at most {} in flight) to {}",
        t.elapsed().as_secs_f64(),
        o.rate,
        o.secs,
        o.max_in_flight,
        stack.url
    );

    // RSS sampler: every 2 s from the start of the load until it ends.
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let (mut samples, mut threads) = (Vec::new(), 0);
            while !done.load(Ordering::Relaxed) {
                if let Some((kib, n)) = rss_and_threads(pid) {
                    samples.push((start.elapsed().as_secs_f64(), kib));
                    threads = threads.max(n);
                }
                let next = Duration::from_secs_f64(2.0 * (samples.len() as f64)).saturating_sub(start.elapsed());
                std::thread::sleep(next.min(Duration::from_millis(2000)).max(Duration::from_millis(50)));
            }
            (samples, threads)
        })
    };

    let counts = Arc::new(Counts::default());
    let latencies = Arc::new(Mutex::new(Vec::<f32>::with_capacity((o.rate * o.secs) as usize)));
    let slots = Arc::new(Semaphore::new(o.max_in_flight));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(o.max_in_flight)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let url = format!("{}/api/shelters/{SHELTER}/scans", stack.url);
    let due = (o.rate * o.secs) as u64;
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut lags = Vec::<f32>::with_capacity(due as usize);
    let (sent, not_sent) = rt.block_on(async {
        let (mut sent, mut not_sent) = (0u64, 0u64);
        let t0 = tokio::time::Instant::now();
        for i in 0..due {
            let at = t0 + Duration::from_secs_f64(i as f64 / o.rate);
            tokio::time::sleep_until(at).await;
            lags.push(at.elapsed().as_secs_f32() * 1000.0);
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                not_sent += 1;
                continue;
            };
            sent += 1;
            let person = i as usize % persons;
            // Each pass over the pool flips everyone in or out.
            let kind = if (i as usize / persons).is_multiple_of(2) { "check_in" } else { "check_out" };
            let body = json!({"device_id": "load", "records": [{"event_id": format!("ev-load-{i:09}"), "kind": kind, "at": now_ms(), "credential": creds[person]}]});
            let (http, url, staff, counts, latencies) = (http.clone(), url.clone(), staff.clone(), counts.clone(), latencies.clone());
            tokio::spawn(async move {
                let res = http.post(&url).bearer_auth(&staff).json(&body).send().await;
                let outcome = match res {
                    Ok(r) if r.status() == reqwest::StatusCode::OK => match r.json::<ScanBatchResult>().await {
                        Ok(b) if b.results.iter().all(|r| r.outcome == bosai_types::checkin::RecordOutcome::Stored) => &counts.ok,
                        Ok(_) => &counts.not_stored,
                        Err(_) => &counts.transport,
                    },
                    Ok(r) if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => &counts.busy_503,
                    Ok(_) => &counts.other_status,
                    Err(_) => &counts.transport,
                };
                outcome.fetch_add(1, Ordering::Relaxed);
                // From when it was due, not when it went out.
                latencies.lock().expect("latencies").push(at.elapsed().as_secs_f32() * 1000.0);
                drop(permit);
            });
        }
        // Everything sent gets its answer (or its timeout) before the count.
        let _ = slots.acquire_many(o.max_in_flight as u32).await;
        (sent, not_sent)
    });
    let elapsed = start.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let (rss, threads_max) = sampler.join().expect("sampler");
    drop(stack);
    let _ = std::fs::remove_dir_all(&data);

    let mut lat = std::mem::take(&mut *latencies.lock().expect("latencies"));
    lat.sort_by(f32::total_cmp);
    lags.sort_by(f32::total_cmp);
    let pct_of =
        |v: &[f32], p: f64| v.get(((v.len() as f64 - 1.0) * p).round() as usize).map(|v| *v as f64).unwrap_or(f64::NAN);
    let pct = |p: f64| pct_of(&lat, p);
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let end = o.secs;
    let (mid, last) = (max_in(&rss, end - 40.0, end - 20.0), max_in(&rss, end - 20.0, end + 60.0));
    // Runs shorter than 40 s (smoke) have no 20–40 s window to compare with.
    let memory_stable = o.secs < 40.0 || (mid > 0 && last <= mid + RSS_BOUND_KIB);
    let mut r = Report {
        offered_rps: o.rate,
        secs: o.secs,
        max_in_flight: o.max_in_flight,
        due,
        sent,
        not_sent,
        send_lag_p99_ms: pct_of(&lags, 0.99),
        send_lag_max_ms: pct_of(&lags, 1.0),
        ok: c(&counts.ok),
        busy_503: c(&counts.busy_503),
        other_status: c(&counts.other_status),
        transport_errors: c(&counts.transport),
        scans_not_stored: c(&counts.not_stored),
        achieved_rps: c(&counts.ok) as f64 / elapsed,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
        rss_kib: rss,
        server_threads_max: threads_max,
        rss_max_20_40_kib: mid,
        rss_max_last_20_kib: last,
        memory_stable,
        passed: false,
    };
    r.passed =
        r.memory_stable && r.ok == r.sent && r.busy_503 + r.other_status + r.transport_errors + r.scans_not_stored == 0;
    r
}

pub fn print(r: &Report) {
    println!("| check-in load (open loop, {:.0} s, ≤ {} in flight) | value |", r.secs, r.max_in_flight);
    println!("| --- | ---: |");
    println!("| offered | {:.0} req/s ({} due) |", r.offered_rps, r.due);
    println!("| sent / not sent (all {} in flight busy) | {} / {} |", r.max_in_flight, r.sent, r.not_sent);
    println!("| client send lag p99 / max | {:.1} / {:.1} ms |", r.send_lag_p99_ms, r.send_lag_max_ms);
    println!("| achieved (200, scan stored) | {:.0} req/s ({} requests) |", r.achieved_rps, r.ok);
    println!(
        "| errors: 503 busy / other status / transport / scan not stored | {} / {} / {} / {} |",
        r.busy_503, r.other_status, r.transport_errors, r.scans_not_stored
    );
    println!("| latency from due time p50 / p99 / max | {:.1} / {:.1} / {:.1} ms |", r.p50_ms, r.p99_ms, r.max_ms);
    let rss: Vec<String> = r.rss_kib.iter().map(|(t, k)| format!("{t:.0}s:{:.1}", *k as f64 / 1024.0)).collect();
    println!("| server RSS (MiB), every 2 s | {} |", rss.join(" "));
    println!("| server threads (max) | {} |", r.server_threads_max);
    println!(
        "| RSS max 20–40 s / last 20 s | {:.1} / {:.1} MiB (bound +{} MiB): {} |",
        r.rss_max_20_40_kib as f64 / 1024.0,
        r.rss_max_last_20_kib as f64 / 1024.0,
        RSS_BOUND_KIB / 1024,
        if r.memory_stable { "stable" } else { "GROWING" }
    );
    println!("| result | {} |", if r.passed { "PASS" } else { "FAIL" });
}

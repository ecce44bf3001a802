//! Notice fan-out and the landing page a notification opens.
//!
//! Fan-out: 100,000 residents each register a device with the local test push
//! service (a stand-in for FCM / Mozilla autopush, which cannot be reached from
//! here; it checks VAPID and decrypts every message), HQ saves a notice for
//! everyone, and the fan-out sends it for real (RFC 8291 encryption per message).
//! Sender and receiver share the machine's two cores.

use crate::stack::{hq_token, Stack};
use crate::Row;
use bosai_core::auth::Principal;
use bosai_core::domain::{fanout, notices, subscriptions};
use bosai_push::{PushClient, TestPushService, VapidKey};
use bosai_store::sqlite::SqliteStore;
use bosai_types::auth::Role;
use bosai_types::notices::{NewNotice, NoticeId, NoticeLevel, NoticeTarget, PushKeys, PushSubscriptionInput};
use bosai_types::surveys::Localized;
use bosai_types::{MunicipalityCode, Timestamp};
use std::path::Path;
use std::time::Instant;

fn notice(id: &str) -> NewNotice {
    NewNotice {
        id: NoticeId::parse(id).unwrap(),
        title: Localized::new("給水のお知らせ（片平丁小学校）", "Water distribution at Katahiracho ES"),
        body: Localized::new(
            "本日14時から17時まで、片平丁小学校の校庭で給水を行います。ポリタンクやペットボトルなど、水を入れる容器をお持ちください。車での来場はご遠慮ください。",
            "Water is handed out today from 14:00 to 17:00 in the Katahiracho Elementary School yard. Bring containers. Please do not come by car.",
        ),
        level: NoticeLevel::Warning,
        target: NoticeTarget::All,
        replaces: None,
    }
}

fn now() -> Timestamp {
    Timestamp(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64)
}

async fn fanout_rate(devices: usize) -> f64 {
    let dir = std::env::temp_dir().join(format!("bosai-bench-push-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir).expect("bench store");
    bosai_core::seed::seed(&store, now()).await.unwrap();
    let m = MunicipalityCode::parse(bosai_core::seed::DEMO_MUNICIPALITY).unwrap();
    let vapid = VapidKey::generate("mailto:bench@example.jp").unwrap();
    let service = TestPushService::start(devices, Some(vapid.public_key())).await.expect("test push service");
    let push = subscriptions::PushSettings { client: PushClient::new(vapid).unwrap(), allow_loopback: true };
    let t = Instant::now();
    for i in 0..devices {
        let s = service.subscription(i);
        let input = PushSubscriptionInput {
            endpoint: s.endpoint.clone(),
            expiration_time: None,
            keys: PushKeys { p256dh: s.keys.p256dh_base64url(), auth: s.keys.auth_base64url() },
            // Devices in every language: each gets its own message.
            lang: Some(bosai_types::localized::LANGUAGES[i % bosai_types::localized::LANGUAGES.len()].to_owned()),
        };
        subscriptions::subscribe(&store, &push, &m, &format!("r_push{i:06}"), &input, now()).await.unwrap();
    }
    eprintln!("push fan-out: {devices} devices registered in {:.1} s", t.elapsed().as_secs_f64());
    let hq = Principal { sub: "hq:bench".into(), role: Role::Hq, shelters: vec![], municipality: Some(m.clone()) };
    let (n, _) = notices::create(&store, &hq, &m, &notice("bench-fanout"), now()).await.unwrap();
    let t = Instant::now();
    fanout::run(&store, &push, &bosai_core::keys::notice(&m, n.id.as_str())).await.expect("fan-out");
    let secs = t.elapsed().as_secs_f64();
    let done = notices::get(&store, &m, &n.id).await.unwrap().delivery.unwrap();
    let stats = service.stats();
    eprintln!(
        "push fan-out: {} delivered, {} gone, {} failed in {secs:.1} s; the test service decrypted {} messages for {} devices ({} VAPID / {} decrypt failures)",
        done.delivered, done.gone, done.failed, stats.accepted, stats.distinct_reached, stats.vapid_failures, stats.decrypt_failures
    );
    assert_eq!(
        (done.delivered as usize, stats.distinct_reached as usize, stats.accepted as usize),
        (devices, devices, devices),
        "every device once"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    devices as f64 / secs
}

fn brotli(bytes: &[u8]) -> Option<f64> {
    use std::io::Write;
    let mut child = std::process::Command::new("brotli")
        .args(["-q", "11", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(bytes).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(out.stdout.len() as f64)
}

/// The landing page of a typical notice, as the release stack serves it.
fn landing(bin: &Path, dist: &Path, rt: &tokio::runtime::Runtime) -> (Option<f64>, Option<f64>) {
    let dir = std::env::temp_dir().join(format!("bosai-bench-landing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let stack = Stack::start(bin, &dir, dist, &[]);
    let token = hq_token(&dir, now().seconds());
    let html = rt.block_on(async {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{}/api/hq/notices", stack.url))
            .bearer_auth(&token)
            .json(&notice("bench-landing"))
            .send()
            .await
            .ok()?;
        if !r.status().is_success() {
            eprintln!("landing page: creating the notice answered {}", r.status());
            return None;
        }
        let page = http.get(format!("{}/n/bench-landing", stack.url)).send().await.ok()?;
        page.status().is_success().then_some(())?;
        page.bytes().await.ok()
    });
    drop(stack);
    let _ = std::fs::remove_dir_all(&dir);
    let raw = html.as_ref().map(|h| h.len() as f64);
    let br = html.as_deref().and_then(brotli);
    eprintln!("landing page: {raw:?} bytes raw, {br:?} brotli, one request (no script, no css file, no images)");
    (raw, br)
}

pub fn rows(bin: &Path, dist: &Path, smoke: bool) -> Vec<Row> {
    let devices = if smoke { 2_000 } else { 100_000 };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let rate = rt.block_on(fanout_rate(devices));
    let (raw, br) = landing(bin, dist, &rt);
    vec![
        Row::new("push_fanout_per_s", Some(rate), "deliveries/s"),
        Row::new("landing_page_bytes", raw, "bytes"),
        Row::new("landing_page_brotli_bytes", br, "bytes"),
    ]
}

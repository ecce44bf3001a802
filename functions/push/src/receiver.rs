//! A local push service for tests and benchmarks (feature `test-receiver`).
//!
//! Real push services (FCM, Mozilla autopush, Apple, WNS) cannot be reached from the test
//! machines, so this stands in for a push service *and* the browsers behind it: it holds the
//! subscriptions' private keys, checks each request as a push service must (VAPID for its
//! own origin, `Content-Encoding: aes128gcm`, `TTL`), and decrypts the body as the browser
//! would. What it records lets a test check that every subscriber got exactly what was sent.
//!
//! Subscription keys are derived from an index (secret = SHA-256(seed ‖ index)), so 100 000
//! subscriptions cost nothing until used, and state per subscription is a counter, a flag
//! and the last plaintext.
//!
//! Fault knobs: [`TestPushHandle::set_gone`] (410), [`TestPushHandle::fail_next`] (503 or 429
//! with `Retry-After`), [`TestPushHandle::pause`] (503 until resumed).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use p256::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::ece::{self, SubscriptionKeys};
use crate::send::Subscription;
use crate::vapid::verify_vapid;

const SEED: &[u8] = b"bosai-push test push service";

/// An injected failure for the next requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 503 Service Unavailable.
    Unavailable { retry_after_secs: Option<u32> },
    /// 429 Too Many Requests.
    TooManyRequests { retry_after_secs: Option<u32> },
}

/// Counters over all requests so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TestPushStats {
    /// Decrypted and recorded (201).
    pub accepted: u64,
    /// Subscriptions that received at least one message.
    pub distinct_reached: u64,
    /// Missing (401) or invalid or unexpected (403) VAPID.
    pub vapid_failures: u64,
    /// Bodies that did not decrypt (400).
    pub decrypt_failures: u64,
    /// Other refusals: unknown path (404), wrong encoding (415), no TTL (400), too large (413).
    pub bad_requests: u64,
    /// Answered 410 for subscriptions marked gone.
    pub gone: u64,
    /// Answered 503/429 by [`TestPushHandle::fail_next`] or while paused.
    pub injected_failures: u64,
}

/// The headers of the last accepted message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestMeta {
    pub index: usize,
    pub ttl: u32,
    pub urgency: Option<String>,
    pub topic: Option<String>,
}

/// Starts test push services.
pub struct TestPushService;

impl TestPushService {
    /// Binds 127.0.0.1:0 and serves `n_subscriptions` subscriptions. With `expected_vapid`,
    /// only that application server key is accepted (as for a subscription made with it as
    /// `applicationServerKey`); with `None`, any correctly signed VAPID header is.
    pub async fn start(n_subscriptions: usize, expected_vapid: Option<PublicKey>) -> std::io::Result<TestPushHandle> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Inner {
            origin: format!("http://{addr}"),
            expected_vapid: Mutex::new(expected_vapid),
            verified: Mutex::new(HashMap::new()),
            counts: (0..n_subscriptions).map(|_| AtomicU32::new(0)).collect(),
            gone: (0..n_subscriptions).map(|_| AtomicBool::new(false)).collect(),
            recorded: Mutex::new(Recorded {
                last: vec![None; n_subscriptions],
                payloads: HashMap::new(),
                last_meta: None,
            }),
            paused: AtomicBool::new(false),
            fail_remaining: AtomicU64::new(0),
            fault: Mutex::new(Fault::Unavailable { retry_after_secs: None }),
            stats: Counters::default(),
        });
        let app = Router::new().route("/push/{index}", post(push)).with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(TestPushHandle { state, addr, task })
    }
}

/// A running test push service; stops when dropped.
pub struct TestPushHandle {
    state: Arc<Inner>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for TestPushHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestPushHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the audience VAPID tokens must name.
    pub fn origin(&self) -> &str {
        &self.state.origin
    }

    pub fn len(&self) -> usize {
        self.state.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.state.counts.is_empty()
    }

    /// Subscription `index`, as its browser would hand it to the application server.
    pub fn subscription(&self, index: usize) -> Subscription {
        assert!(index < self.len(), "subscription {index} of {}", self.len());
        let keys = SubscriptionKeys { p256dh: ua_secret(index).public_key(), auth: auth_secret(index) };
        Subscription { endpoint: format!("{}/push/{index}", self.state.origin), keys }
    }

    /// Messages accepted for subscription `index`.
    pub fn received_count(&self, index: usize) -> u32 {
        self.state.counts[index].load(Ordering::Relaxed)
    }

    /// The plaintext of the last message accepted for subscription `index`.
    pub fn last_payload(&self, index: usize) -> Option<Vec<u8>> {
        self.state.recorded().last[index].as_deref().map(<[u8]>::to_vec)
    }

    /// How often each distinct plaintext was accepted, over all subscriptions.
    pub fn payload_counts(&self) -> HashMap<Vec<u8>, u64> {
        self.state.recorded().payloads.clone()
    }

    /// Headers of the last accepted message.
    pub fn last_request(&self) -> Option<RequestMeta> {
        self.state.recorded().last_meta.clone()
    }

    pub fn stats(&self) -> TestPushStats {
        let c = &self.state.stats;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        TestPushStats {
            accepted: get(&c.accepted),
            distinct_reached: get(&c.distinct_reached),
            vapid_failures: get(&c.vapid_failures),
            decrypt_failures: get(&c.decrypt_failures),
            bad_requests: get(&c.bad_requests),
            gone: get(&c.gone),
            injected_failures: get(&c.injected_failures),
        }
    }

    /// Subscription `index` answers 410 Gone (the user unsubscribed) while `gone`.
    pub fn set_gone(&self, index: usize, gone: bool) {
        self.state.gone[index].store(gone, Ordering::Relaxed);
    }

    /// The next `count` requests, whatever their target, fail with `fault`.
    pub fn fail_next(&self, count: u64, fault: Fault) {
        *self.state.fault.lock().unwrap_or_else(|e| e.into_inner()) = fault;
        self.state.fail_remaining.store(count, Ordering::SeqCst);
    }

    /// Every request answers 503 until [`TestPushHandle::resume`].
    pub fn pause(&self) {
        self.state.paused.store(true, Ordering::SeqCst);
    }

    pub fn resume(&self) {
        self.state.paused.store(false, Ordering::SeqCst);
    }

    /// Changes the application server key that is accepted (`None`: any).
    pub fn set_expected_vapid(&self, key: Option<PublicKey>) {
        *self.state.expected_vapid.lock().unwrap_or_else(|e| e.into_inner()) = key;
    }
}

struct Inner {
    origin: String,
    expected_vapid: Mutex<Option<PublicKey>>,
    /// Headers verified in the last minute: a sender reuses one header per origin for hours,
    /// and checking the same ES256 signature 100 000 times would make this stand-in, not the
    /// sender, what a fan-out benchmark measures.
    verified: Mutex<HashMap<String, (PublicKey, i64)>>,
    counts: Vec<AtomicU32>,
    gone: Vec<AtomicBool>,
    recorded: Mutex<Recorded>,
    paused: AtomicBool,
    fail_remaining: AtomicU64,
    fault: Mutex<Fault>,
    stats: Counters,
}

impl Inner {
    fn recorded(&self) -> MutexGuard<'_, Recorded> {
        self.recorded.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Recorded {
    last: Vec<Option<Box<[u8]>>>,
    payloads: HashMap<Vec<u8>, u64>,
    last_meta: Option<RequestMeta>,
}

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    distinct_reached: AtomicU64,
    vapid_failures: AtomicU64,
    decrypt_failures: AtomicU64,
    bad_requests: AtomicU64,
    gone: AtomicU64,
    injected_failures: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The browser's private key for subscription `index`: SHA-256 of seed and index, redrawn
/// in the (about 2^-32) case that the hash is not a valid scalar.
fn ua_secret(index: usize) -> SecretKey {
    (0u32..)
        .find_map(|attempt| {
            let digest = Sha256::new()
                .chain_update(SEED)
                .chain_update(b"ua")
                .chain_update((index as u64).to_be_bytes())
                .chain_update(attempt.to_be_bytes())
                .finalize();
            SecretKey::from_bytes(&digest).ok()
        })
        .expect("a valid scalar within a few tries")
}

fn auth_secret(index: usize) -> [u8; 16] {
    let digest =
        Sha256::new().chain_update(SEED).chain_update(b"auth").chain_update((index as u64).to_be_bytes()).finalize();
    digest[..16].try_into().expect("16 of 32 bytes")
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn refuse(counter: &AtomicU64, status: StatusCode, why: &'static str) -> Response {
    bump(counter);
    (status, why).into_response()
}

async fn push(State(st): State<Arc<Inner>>, Path(index): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let c = &st.stats;
    if st.paused.load(Ordering::SeqCst) {
        return refuse(&c.injected_failures, StatusCode::SERVICE_UNAVAILABLE, "paused");
    }
    if st.fail_remaining.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |k| k.checked_sub(1)).is_ok() {
        bump(&c.injected_failures);
        let fault = *st.fault.lock().unwrap_or_else(|e| e.into_inner());
        let (status, retry_after) = match fault {
            Fault::Unavailable { retry_after_secs } => (StatusCode::SERVICE_UNAVAILABLE, retry_after_secs),
            Fault::TooManyRequests { retry_after_secs } => (StatusCode::TOO_MANY_REQUESTS, retry_after_secs),
        };
        let mut response = (status, "injected failure").into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        return response;
    }
    let Some(index) = index.parse::<usize>().ok().filter(|&i| i < st.counts.len()) else {
        return refuse(&c.bad_requests, StatusCode::NOT_FOUND, "no such subscription");
    };
    if st.gone[index].load(Ordering::Relaxed) {
        return refuse(&c.gone, StatusCode::GONE, "unsubscribed");
    }

    // RFC 8292, section 4.2: 401 without VAPID, 403 with an invalid or unexpected one.
    let Some(authorization) = header_str(&headers, "authorization") else {
        return refuse(&c.vapid_failures, StatusCode::UNAUTHORIZED, "no VAPID");
    };
    let now = unix_now();
    let cached = st
        .verified
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(authorization)
        .filter(|(_, at)| now - at < 60)
        .map(|(k, _)| *k);
    let key = match cached {
        Some(k) => k,
        None => {
            let Ok(key) = verify_vapid(authorization, &st.origin, now) else {
                return refuse(&c.vapid_failures, StatusCode::FORBIDDEN, "invalid VAPID");
            };
            st.verified.lock().unwrap_or_else(|e| e.into_inner()).insert(authorization.to_owned(), (key, now));
            key
        }
    };
    let expected = *st.expected_vapid.lock().unwrap_or_else(|e| e.into_inner());
    if expected.is_some_and(|expected| expected != key) {
        return refuse(&c.vapid_failures, StatusCode::FORBIDDEN, "not this subscription's application server key");
    }

    if !header_str(&headers, "content-encoding").is_some_and(|v| v.trim().eq_ignore_ascii_case("aes128gcm")) {
        return refuse(&c.bad_requests, StatusCode::UNSUPPORTED_MEDIA_TYPE, "content encoding must be aes128gcm");
    }
    // RFC 8030, section 5.2: TTL is required.
    let Some(ttl) = header_str(&headers, "ttl").and_then(|v| v.trim().parse::<u32>().ok()) else {
        return refuse(&c.bad_requests, StatusCode::BAD_REQUEST, "TTL header required");
    };
    let urgency = header_str(&headers, "urgency").map(str::to_owned);
    if urgency.as_deref().is_some_and(|u| !["very-low", "low", "normal", "high"].contains(&u)) {
        return refuse(&c.bad_requests, StatusCode::BAD_REQUEST, "unknown urgency");
    }
    let topic = header_str(&headers, "topic").map(str::to_owned);
    if body.len() > ece::MAX_BODY_LEN {
        return refuse(&c.bad_requests, StatusCode::PAYLOAD_TOO_LARGE, "over 4096 bytes");
    }

    let Ok(plaintext) = ece::decrypt(&ua_secret(index), &auth_secret(index), &body) else {
        return refuse(&c.decrypt_failures, StatusCode::BAD_REQUEST, "does not decrypt");
    };

    let id = {
        let mut rec = st.recorded();
        *rec.payloads.entry(plaintext.clone()).or_default() += 1;
        rec.last[index] = Some(plaintext.into_boxed_slice());
        rec.last_meta = Some(RequestMeta { index, ttl, urgency, topic });
        c.accepted.fetch_add(1, Ordering::Relaxed)
    };
    if st.counts[index].fetch_add(1, Ordering::Relaxed) == 0 {
        bump(&c.distinct_reached);
    }
    let mut response = StatusCode::CREATED.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_str(&format!("/message/{id}")).expect("ascii"));
    headers.insert("ttl", HeaderValue::from(ttl));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_distinct() {
        assert_eq!(ua_secret(5).to_bytes(), ua_secret(5).to_bytes());
        assert_ne!(ua_secret(5).to_bytes(), ua_secret(6).to_bytes());
        assert_ne!(auth_secret(5), auth_secret(6));
    }

    #[tokio::test]
    async fn subscriptions_are_cheap_and_decryptable() {
        let service = TestPushService::start(100_000, None).await.unwrap();
        assert_eq!(service.len(), 100_000);
        let sub = service.subscription(99_999);
        assert!(sub.endpoint.ends_with("/push/99999"));
        let body = ece::encrypt(&sub.keys, b"hi").unwrap();
        assert_eq!(ece::decrypt(&ua_secret(99_999), &auth_secret(99_999), &body).unwrap(), b"hi");
        assert_eq!(service.stats(), TestPushStats::default());
    }
}

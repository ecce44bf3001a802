//! Sending one push message (RFC 8030, section 5) and sorting the answer into what to do
//! next: keep, delete the subscription, retry later, or give up.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use url::{Host, Url};

use crate::ece::{self, SubscriptionKeys};
use crate::vapid::VapidKey;
use crate::PushError;

/// A browser's push subscription (`PushSubscription.toJSON()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// The push service URL: https, or http to loopback (local test services) only.
    pub endpoint: String,
    pub keys: SubscriptionKeys,
}

impl Subscription {
    /// Checks the endpoint now rather than at the first send.
    pub fn new(endpoint: impl Into<String>, keys: SubscriptionKeys) -> Result<Self, PushError> {
        let endpoint = endpoint.into();
        check_endpoint(&endpoint)?;
        Ok(Self { endpoint, keys })
    }

    /// From the three strings of `PushSubscription.toJSON()`.
    pub fn from_base64url(endpoint: &str, p256dh: &str, auth: &str) -> Result<Self, PushError> {
        Self::new(endpoint, SubscriptionKeys::from_base64url(p256dh, auth)?)
    }
}

/// `Urgency` (RFC 8030, section 5.3): lets a device on battery defer low-urgency messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Urgency {
    VeryLow,
    Low,
    #[default]
    Normal,
    High,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

/// Per-message delivery options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendOptions {
    /// How long the push service keeps the message for an offline device (0: now or never).
    pub ttl_secs: u32,
    pub urgency: Urgency,
    /// A message with the same topic replaces an undelivered one (at most 32 base64url chars).
    pub topic: Option<String>,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self { ttl_secs: 24 * 3600, urgency: Urgency::Normal, topic: None }
    }
}

/// What the push service said, as a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted (2xx).
    Delivered,
    /// 404 or 410: the subscription expired or was withdrawn; delete it.
    Gone,
    /// 429, 5xx, a timeout or a connection error: try again, not before `after` if given.
    Retry { after: Option<Duration> },
    /// Any other status (mostly 4xx, e.g. 403 for a VAPID key mismatch): our fault; retrying
    /// the same request will not help.
    Rejected { status: u16 },
}

/// Sends push messages; one client is meant to be reused (it pools connections).
#[derive(Clone, Debug)]
pub struct PushClient {
    http: reqwest::Client,
    vapid: Arc<VapidKey>,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

impl PushClient {
    pub fn new(vapid: VapidKey) -> Result<Self, PushError> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config()?)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            // A redirected POST is not a delivery; report the 3xx instead.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(90))
            .build()?;
        Ok(Self { http, vapid: Arc::new(vapid) })
    }

    pub fn vapid(&self) -> &VapidKey {
        &self.vapid
    }

    /// Encrypts `payload` for `sub` and posts it. `Err` means nothing was sent (bad endpoint,
    /// bad topic, payload over [`ece::MAX_PLAINTEXT_LEN`]); otherwise the push service's answer.
    pub async fn send(&self, sub: &Subscription, payload: &[u8], opts: &SendOptions) -> Result<Delivery, PushError> {
        let url = check_endpoint(&sub.endpoint)?;
        if let Some(topic) = &opts.topic {
            check_topic(topic)?;
        }
        let body = ece::encrypt(&sub.keys, payload)?;
        let authorization = self.vapid.authorization(&url, unix_now());

        let mut request = self
            .http
            .post(url)
            .header(CONTENT_ENCODING, "aes128gcm")
            .header(CONTENT_TYPE, "application/octet-stream")
            .header("TTL", opts.ttl_secs)
            .header("Urgency", opts.urgency.as_str())
            .header(AUTHORIZATION, authorization);
        if let Some(topic) = &opts.topic {
            request = request.header("Topic", topic);
        }
        let response = match request.body(body).send().await {
            Ok(response) => response,
            // Connect or total timeout, refused or reset connection, TLS failure.
            Err(_) => return Ok(Delivery::Retry { after: None }),
        };
        let status = response.status().as_u16();
        let retry_after = response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        // Read the (short) answer to the end so the connection goes back to the pool.
        let _ = response.bytes().await;
        Ok(classify(status, retry_after))
    }
}

/// rustls with aws-lc-rs (as everywhere in the workspace, chosen here rather than through a
/// process-wide default) and the system's root certificates.
pub fn tls_config() -> Result<rustls::ClientConfig, PushError> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable or odd system certificates are skipped; with none at all, https pushes fail
    // their handshake (and come back as `Retry`), while loopback http still works.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PushError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn classify(status: u16, retry_after: Option<Duration>) -> Delivery {
    match status {
        200..=299 => Delivery::Delivered,
        404 | 410 => Delivery::Gone,
        429 | 500..=599 => Delivery::Retry { after: retry_after },
        _ => Delivery::Rejected { status },
    }
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110, section 10.2.3).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

fn check_endpoint(endpoint: &str) -> Result<Url, PushError> {
    let invalid = |why: &str| PushError::InvalidEndpoint(format!("{why}: {endpoint}"));
    let url = Url::parse(endpoint).map_err(|_| invalid("not a URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials in the URL"));
    }
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => return Err(invalid("no host")),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(invalid("plain http is for loopback test services only")),
        _ => Err(invalid("not https")),
    }
}

fn check_topic(topic: &str) -> Result<(), PushError> {
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if topic.is_empty() || topic.len() > 32 || !topic.bytes().all(base64url) {
        return Err(PushError::InvalidTopic);
    }
    Ok(())
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_decisions() {
        let later = Some(Duration::from_secs(30));
        assert_eq!(classify(201, None), Delivery::Delivered);
        assert_eq!(classify(200, None), Delivery::Delivered);
        assert_eq!(classify(404, None), Delivery::Gone);
        assert_eq!(classify(410, None), Delivery::Gone);
        assert_eq!(classify(429, later), Delivery::Retry { after: later });
        assert_eq!(classify(500, None), Delivery::Retry { after: None });
        assert_eq!(classify(503, later), Delivery::Retry { after: later });
        for status in [301, 400, 401, 403, 413, 415] {
            assert_eq!(classify(status, later), Delivery::Rejected { status });
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(600));
        let parsed = parse_retry_after(&soon).unwrap();
        assert!(parsed > Duration::from_secs(590) && parsed <= Duration::from_secs(600));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/xyz",
            "http://127.0.0.1:8080/push/1",
            "http://127.9.9.9/push/1",
            "http://localhost:3000/push/1",
            "http://[::1]:3000/push/1",
        ] {
            assert!(check_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://push.example.com/1",
            "http://10.0.0.1/push",
            "http://localhost.example.com/push",
            "ftp://example.com/x",
            "https://user:pw@push.example.com/1",
            "data:text/plain,hi",
            "not a url",
            "",
        ] {
            assert!(matches!(check_endpoint(bad), Err(PushError::InvalidEndpoint(_))), "{bad}");
        }
    }

    #[test]
    fn topics_are_short_base64url() {
        assert!(check_topic("shelter-7_open").is_ok());
        assert!(check_topic(&"a".repeat(32)).is_ok());
        for bad in ["", "has space", "slash/", "padded==", &"a".repeat(33)] {
            assert!(check_topic(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urgency_tokens() {
        let all = [Urgency::VeryLow, Urgency::Low, Urgency::Normal, Urgency::High];
        let tokens: Vec<_> = all.iter().map(|u| u.as_str()).collect();
        assert_eq!(tokens, ["very-low", "low", "normal", "high"]);
        assert_eq!(SendOptions::default().urgency, Urgency::Normal);
    }
}

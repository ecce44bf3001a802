//! VAPID (RFC 8292): the application server proves to the push service that it holds the
//! key the browser subscribed with (`applicationServerKey`), so nobody else can push to our
//! subscribers, and tells it whom to contact (`sub`).
//!
//! The header is `Authorization: vapid t=<ES256 JWT>, k=<public key>`. A token is valid for
//! one push service origin and 12 hours; it is cached per origin, so sending to 100 000
//! endpoints on one service signs once, not 100 000 times.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::rand_core::OsRng;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use p256::PublicKey;
use serde::Deserialize;
use url::Url;

use crate::{b64, PushError};

/// Lifetime of the tokens we sign (RFC 8292 allows at most 24 hours).
const TOKEN_LIFETIME_SECS: i64 = 12 * 3600;
/// A cached token is replaced once it has less than this left.
const MIN_REMAINING_SECS: i64 = 3600;
/// The most a push service accepts (RFC 8292, section 2).
const MAX_LIFETIME_SECS: i64 = 24 * 3600;
/// There are a handful of push services; the cap only guards against unbounded growth.
const MAX_CACHED_ORIGINS: usize = 256;

/// Our VAPID key pair and contact URI.
pub struct VapidKey {
    signing: SigningKey,
    subject: String,
    public_b64: String,
    /// origin → (exp, header)
    cache: Mutex<HashMap<String, (i64, String)>>,
}

impl fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKey")
            .field("subject", &self.subject)
            .field("public_key", &self.public_b64)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    /// `subject` is the contact for the push service's operators: `mailto:` or `https:`.
    pub fn new(signing: SigningKey, subject: impl Into<String>) -> Result<Self, PushError> {
        let subject = subject.into();
        if !valid_subject(&subject) {
            return Err(PushError::InvalidSubject);
        }
        let public_b64 = b64::encode(signing.verifying_key().to_encoded_point(false));
        Ok(Self { signing, subject, public_b64, cache: Mutex::new(HashMap::new()) })
    }

    /// A new random key (store it with [`VapidKey::to_pkcs8_pem`]: subscriptions are bound to it).
    pub fn generate(subject: impl Into<String>) -> Result<Self, PushError> {
        Self::new(SigningKey::random(&mut OsRng), subject)
    }

    /// A key stored as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str, subject: impl Into<String>) -> Result<Self, PushError> {
        let signing = SigningKey::from_pkcs8_pem(pem).map_err(|e| PushError::InvalidVapidKey(e.to_string()))?;
        Self::new(signing, subject)
    }

    /// A key stored as the raw 32-byte private scalar in base64url, as common Web Push
    /// tools print it.
    pub fn from_base64url_private(d: &str, subject: impl Into<String>) -> Result<Self, PushError> {
        let bytes = b64::decode(d).ok_or_else(|| PushError::InvalidVapidKey("not base64url".into()))?;
        let signing = SigningKey::from_slice(&bytes)
            .map_err(|_| PushError::InvalidVapidKey("not a P-256 private scalar".into()))?;
        Self::new(signing, subject)
    }

    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, PushError> {
        self.signing.to_pkcs8_pem(LineEnding::LF).map_err(|e| PushError::InvalidVapidKey(e.to_string()))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::from(self.signing.verifying_key())
    }

    /// The browser's `applicationServerKey`: the uncompressed public key, unpadded base64url.
    pub fn public_key_base64url(&self) -> &str {
        &self.public_b64
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The `Authorization` header value for a push to `endpoint` at `now_secs` (Unix time).
    pub fn authorization(&self, endpoint: &Url, now_secs: i64) -> String {
        let origin = endpoint.origin().ascii_serialization();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((exp, header)) = cache.get(&origin) {
            let left = exp - now_secs;
            if (MIN_REMAINING_SECS..=TOKEN_LIFETIME_SECS).contains(&left) {
                return header.clone();
            }
        }
        let exp = now_secs + TOKEN_LIFETIME_SECS;
        let header = format!("vapid t={}, k={}", self.token(&origin, exp), self.public_b64);
        if cache.len() >= MAX_CACHED_ORIGINS {
            cache.clear();
        }
        cache.insert(origin, (exp, header.clone()));
        header
    }

    fn token(&self, aud: &str, exp: i64) -> String {
        let header = b64::encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": aud, "exp": exp, "sub": self.subject });
        let signing_input = format!("{header}.{}", b64::encode(claims.to_string()));
        let signature: Signature = self.signing.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", b64::encode(signature.to_bytes()))
    }
}

fn valid_subject(subject: &str) -> bool {
    (subject.starts_with("mailto:") && subject.len() > "mailto:".len())
        || Url::parse(subject).is_ok_and(|u| u.scheme() == "https" && u.has_host())
}

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    aud: String,
    exp: i64,
    sub: Option<String>,
}

/// The push service's side: checks a `vapid` `Authorization` header for a request to
/// `expected_origin` (`scheme://host[:port]`) and returns the key that signed it; the caller
/// compares that key with the subscription's `applicationServerKey`.
pub fn verify_vapid(header: &str, expected_origin: &str, now_secs: i64) -> Result<PublicKey, PushError> {
    let reject = PushError::VapidRejected;
    let (scheme, params) = header.trim().split_once(' ').ok_or(reject("no parameters"))?;
    if !scheme.eq_ignore_ascii_case("vapid") {
        return Err(reject("not the vapid scheme"));
    }
    let (mut token, mut key) = (None, None);
    for param in params.split(',') {
        let (name, value) = param.split_once('=').ok_or(reject("malformed parameter"))?;
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "t" => token = Some(value),
            "k" => key = Some(value),
            _ => {}
        }
    }
    let token = token.ok_or(reject("no t= parameter"))?;
    let key = b64::decode(key.ok_or(reject("no k= parameter"))?).ok_or(reject("k is not base64url"))?;
    if key.len() != 65 {
        return Err(reject("k must be an uncompressed P-256 point"));
    }
    let public = PublicKey::from_sec1_bytes(&key).map_err(|_| reject("k is not a P-256 point"))?;

    let mut parts = token.split('.');
    let (Some(header_b64), Some(claims_b64), Some(sig_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(reject("t is not a JWS compact serialization"));
    };
    let signature =
        b64::decode(sig_b64).and_then(|s| Signature::from_slice(&s).ok()).ok_or(reject("malformed signature"))?;
    let signing_input = &token[..header_b64.len() + 1 + claims_b64.len()];
    VerifyingKey::from(&public).verify(signing_input.as_bytes(), &signature).map_err(|_| reject("bad signature"))?;

    let jwt_header: JwtHeader =
        b64::decode(header_b64).and_then(|h| serde_json::from_slice(&h).ok()).ok_or(reject("malformed JWT header"))?;
    if jwt_header.alg != "ES256" {
        return Err(reject("alg must be ES256"));
    }
    let claims: Claims =
        b64::decode(claims_b64).and_then(|c| serde_json::from_slice(&c).ok()).ok_or(reject("malformed JWT claims"))?;
    if claims.aud != expected_origin {
        return Err(reject("audience is not this push service"));
    }
    if claims.exp <= now_secs {
        return Err(reject("expired"));
    }
    if claims.exp > now_secs + MAX_LIFETIME_SECS {
        return Err(reject("expiry more than 24 hours ahead"));
    }
    if claims.sub.is_some_and(|s| !valid_subject(&s)) {
        return Err(reject("sub must be a mailto: or https: URI"));
    }
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;
    const ORIGIN: &str = "https://push.example.net";

    fn key() -> VapidKey {
        VapidKey::generate("mailto:ops@example.org").unwrap()
    }

    fn endpoint() -> Url {
        Url::parse("https://push.example.net/wpush/v2/abc?x=1").unwrap()
    }

    fn claims_of(header: &str) -> serde_json::Value {
        let token = header.split("t=").nth(1).unwrap().split(',').next().unwrap();
        let claims = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&b64::decode(claims).unwrap()).unwrap()
    }

    #[test]
    fn sign_then_verify() {
        let key = key();
        let header = key.authorization(&endpoint(), NOW);
        assert!(header.starts_with("vapid t=ey"));
        assert!(header.ends_with(&format!(", k={}", key.public_key_base64url())));
        assert_eq!(verify_vapid(&header, ORIGIN, NOW).unwrap(), key.public_key());
        assert_eq!(verify_vapid(&header, ORIGIN, NOW + TOKEN_LIFETIME_SECS - 1).unwrap(), key.public_key());
        let claims = claims_of(&header);
        assert_eq!(claims["aud"], ORIGIN);
        assert_eq!(claims["exp"], NOW + 12 * 3600);
        assert_eq!(claims["sub"], "mailto:ops@example.org");
    }

    #[test]
    fn audience_is_the_origin() {
        let key = key();
        let url = Url::parse("http://127.0.0.1:8123/push/7").unwrap();
        assert_eq!(claims_of(&key.authorization(&url, NOW))["aud"], "http://127.0.0.1:8123");
        let default_port = Url::parse("https://Push.Example.net:443/x").unwrap();
        assert_eq!(claims_of(&key.authorization(&default_port, NOW))["aud"], ORIGIN);
    }

    #[test]
    fn wrong_audience_is_rejected() {
        let header = key().authorization(&endpoint(), NOW);
        for other in ["https://push.example.com", "http://push.example.net", "https://push.example.net:8443"] {
            assert!(matches!(
                verify_vapid(&header, other, NOW),
                Err(PushError::VapidRejected(m)) if m.contains("audience")
            ));
        }
    }

    #[test]
    fn expired_is_rejected() {
        let header = key().authorization(&endpoint(), NOW);
        assert!(matches!(
            verify_vapid(&header, ORIGIN, NOW + TOKEN_LIFETIME_SECS),
            Err(PushError::VapidRejected("expired"))
        ));
        // A token dated too far ahead (the sender's clock is off by more than 12 hours).
        assert!(matches!(
            verify_vapid(&header, ORIGIN, NOW - 13 * 3600),
            Err(PushError::VapidRejected(m)) if m.contains("24 hours")
        ));
    }

    #[test]
    fn tampered_token_or_key_is_rejected() {
        let key = key();
        let header = key.authorization(&endpoint(), NOW);
        // Flip one character of the signature (the end of the token).
        let comma = header.find(',').unwrap();
        let mut bytes = header.clone().into_bytes();
        bytes[comma - 2] = if bytes[comma - 2] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(matches!(verify_vapid(&tampered, ORIGIN, NOW), Err(PushError::VapidRejected(_))));

        // Claims swapped for others with a later expiry: the signature no longer matches.
        let token = header["vapid t=".len()..comma].to_string();
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims =
            b64::encode(serde_json::json!({ "aud": ORIGIN, "exp": NOW + 20 * 3600, "sub": "mailto:x@y" }).to_string());
        let forged = header.replace(parts[1], &forged_claims);
        assert!(matches!(verify_vapid(&forged, ORIGIN, NOW), Err(PushError::VapidRejected("bad signature"))));

        // Somebody else's key in k=.
        let other = VapidKey::generate("https://example.org/contact").unwrap();
        let swapped = header.replace(key.public_key_base64url(), other.public_key_base64url());
        assert!(matches!(verify_vapid(&swapped, ORIGIN, NOW), Err(PushError::VapidRejected("bad signature"))));
    }

    #[test]
    fn malformed_headers_are_rejected() {
        let key = key();
        let header = key.authorization(&endpoint(), NOW);
        let token_only = header.split(", k=").next().unwrap().to_string();
        for bad in [
            "",
            "vapid",
            "Bearer abc",
            token_only.as_str(),
            &header.replace("vapid ", "WebPush "),
            &format!("vapid t=a.b, k={}", key.public_key_base64url()),
            &format!("vapid t=a.b.c, k={}", key.public_key_base64url()),
        ] {
            assert!(verify_vapid(bad, ORIGIN, NOW).is_err(), "accepted {bad:?}");
        }
        // Case-insensitive scheme and spaces around the parameters are fine.
        let relaxed = header.replacen("vapid t=", "VAPID  t = ", 1);
        assert!(verify_vapid(&relaxed, ORIGIN, NOW).is_ok());
    }

    #[test]
    fn header_is_cached_per_origin() {
        let key = key();
        let first = key.authorization(&endpoint(), NOW);
        let other_path = Url::parse("https://push.example.net/another/endpoint").unwrap();
        assert_eq!(key.authorization(&other_path, NOW + 3600), first);
        assert_eq!(key.authorization(&endpoint(), NOW + TOKEN_LIFETIME_SECS - MIN_REMAINING_SECS), first);
        // Under an hour left: a new token.
        let renewed = key.authorization(&endpoint(), NOW + TOKEN_LIFETIME_SECS - MIN_REMAINING_SECS + 1);
        assert_ne!(renewed, first);
        // Clock went backwards by more than the lifetime allows: a new token, not a stale one.
        assert_ne!(key.authorization(&endpoint(), NOW - 3600), first);
        // Another origin: another audience.
        let fcm = Url::parse("https://fcm.example.com/send/1").unwrap();
        assert_eq!(claims_of(&key.authorization(&fcm, NOW))["aud"], "https://fcm.example.com");
    }

    #[test]
    fn keys_round_trip_and_subjects_are_checked() {
        let key = key();
        let pem = key.to_pkcs8_pem().unwrap();
        let again = VapidKey::from_pkcs8_pem(&pem, "https://example.org/").unwrap();
        assert_eq!(again.public_key_base64url(), key.public_key_base64url());
        let raw = b64::encode(key.signing.to_bytes());
        let again = VapidKey::from_base64url_private(&raw, "mailto:a@b").unwrap();
        assert_eq!(again.public_key(), key.public_key());
        assert_eq!(b64::decode(key.public_key_base64url()).unwrap().len(), 65);

        assert!(matches!(VapidKey::generate("ops@example.org"), Err(PushError::InvalidSubject)));
        assert!(matches!(VapidKey::generate("http://example.org"), Err(PushError::InvalidSubject)));
        assert!(matches!(VapidKey::generate("mailto:"), Err(PushError::InvalidSubject)));
        assert!(matches!(VapidKey::from_pkcs8_pem("nope", "mailto:a@b"), Err(PushError::InvalidVapidKey(_))));
        assert!(matches!(
            VapidKey::from_base64url_private(&b64::encode([0u8; 32]), "mailto:a@b"),
            Err(PushError::InvalidVapidKey(_))
        ));
        assert!(!format!("{key:?}").contains(&raw));
    }
}

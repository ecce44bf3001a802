//! ES256 compact JWS (RFC 7515/7518), the only algorithm we sign or accept.
//! Used for access tokens (verified by every function) and for check-in
//! credentials (verified offline on staff devices, in wasm), so it lives in
//! the shared crate. Only `alg: ES256` with a known `kid` and the expected
//! `typ` passes: `none`, HS256-with-a-public-key and other confusions fail
//! before any key is touched.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use p256::ecdsa::signature::Signer as _;
#[cfg(not(feature = "jws-aws-lc"))]
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::Digest;

/// Larger tokens are refused before parsing (headers are attacker-controlled).
pub const MAX_TOKEN_BYTES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("the token is too large")]
    TooLarge,
    #[error("the token is not a well-formed JWS")]
    Malformed,
    #[error("only ES256 tokens are accepted")]
    UnsupportedAlgorithm,
    #[error("the token is of the wrong type")]
    WrongType,
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the token signature is not valid")]
    BadSignature,
    #[error("the key is not a P-256 key: {0}")]
    BadKey(String),
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    /// Extensions we do not understand must make us refuse (RFC 7515 §4.1.11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crit: Option<serde_json::Value>,
}

/// A public key as published in `/.well-known/jwks.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
    pub kid: String,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// The JWK of a P-256 public key; its `kid` is derived from the key, so every function
/// computes the same id for a key it only knows the public half of (a KMS key).
pub fn jwk_of(key: &VerifyingKey) -> Jwk {
    let point = key.to_encoded_point(false);
    let kid = B64.encode(sha2::Sha256::digest(point.as_bytes()))[..16].to_owned();
    Jwk {
        kty: "EC".into(),
        crv: "P-256".into(),
        x: B64.encode(point.x().expect("uncompressed point")),
        y: B64.encode(point.y().expect("uncompressed point")),
        kid,
        alg: Some("ES256".into()),
        use_: Some("sig".into()),
    }
}

/// A private signing key with its key id (derived from the public key).
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    jwk: Jwk,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer(kid={})", self.jwk.kid)
    }
}

impl Signer {
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, JwsError> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| JwsError::BadKey(e.to_string()))?;
        Ok(Self::new(key))
    }
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, JwsError> {
        let key = SigningKey::from_pkcs8_der(der).map_err(|e| JwsError::BadKey(e.to_string()))?;
        Ok(Self::new(key))
    }
    pub fn new(key: SigningKey) -> Self {
        let jwk = jwk_of(key.verifying_key());
        Self { key, jwk }
    }
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        self.key.to_pkcs8_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }
    pub fn to_pkcs8_pem(&self) -> String {
        self.key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).map(|p| p.to_string()).unwrap_or_default()
    }
    pub fn kid(&self) -> &str {
        &self.jwk.kid
    }
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Compact serialisation `header.payload.signature` with the given `typ`.
    pub fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> String {
        let input = signing_input(&self.jwk.kid, typ, claims);
        let sig: Signature = self.key.sign(input.as_bytes());
        with_signature(input, &sig)
    }
}

/// `base64url(header).base64url(claims)`: what an ES256 signer signs (here or in KMS).
pub fn signing_input<T: Serialize>(kid: &str, typ: &str, claims: &T) -> String {
    let header = Header { alg: "ES256".into(), typ: Some(typ.into()), kid: Some(kid.into()), crit: None };
    let h = B64.encode(serde_json::to_vec(&header).expect("header serialises"));
    let p = B64.encode(serde_json::to_vec(claims).expect("claims serialise"));
    format!("{h}.{p}")
}

/// The compact JWS: the signing input and the fixed-size `r‖s` signature (RFC 7518 §3.4).
pub fn with_signature(input: String, sig: &Signature) -> String {
    format!("{input}.{}", B64.encode(sig.to_bytes()))
}

/// Public keys accepted for verification: during rotation the old and the new key are both live.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<(String, VerifyingKey)>,
}

/// ECDSA P-256 / SHA-256 over `msg` with a fixed-size (r||s) signature.
#[cfg(feature = "jws-aws-lc")]
fn verify_es256(key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
    let point = key.to_encoded_point(false);
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point.as_bytes()).verify(msg, sig).is_ok()
}

#[cfg(not(feature = "jws-aws-lc"))]
fn verify_es256(key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    Signature::from_slice(sig).is_ok_and(|s| key.verify(msg, &s).is_ok())
}

impl KeySet {
    pub fn from_jwks(jwks: &Jwks) -> Result<Self, JwsError> {
        let mut keys = Vec::new();
        for k in &jwks.keys {
            if k.kty != "EC" || k.crv != "P-256" || k.alg.as_deref().is_some_and(|a| a != "ES256") {
                return Err(JwsError::BadKey(format!("key {} is not an ES256 key", k.kid)));
            }
            let x = B64.decode(&k.x).map_err(|_| JwsError::BadKey("x is not base64url".into()))?;
            let y = B64.decode(&k.y).map_err(|_| JwsError::BadKey("y is not base64url".into()))?;
            if x.len() != 32 || y.len() != 32 {
                return Err(JwsError::BadKey("coordinates must be 32 bytes".into()));
            }
            let mut sec1 = vec![4u8];
            sec1.extend_from_slice(&x);
            sec1.extend_from_slice(&y);
            let vk =
                VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| JwsError::BadKey("not a point on P-256".into()))?;
            keys.push((k.kid.clone(), vk));
        }
        Ok(Self { keys })
    }

    pub fn add(&mut self, kid: impl Into<String>, key: VerifyingKey) {
        self.keys.push((kid.into(), key));
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Checks form, algorithm, type, key id and signature; returns the payload.
    /// Claim checks (issuer, audience, time) are the caller's, see [`check_time`].
    pub fn verify<T: DeserializeOwned>(&self, token: &str, typ: &str) -> Result<T, JwsError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwsError::TooLarge);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(JwsError::Malformed);
        };
        let header: Header = serde_json::from_slice(&B64.decode(h).map_err(|_| JwsError::Malformed)?)
            .map_err(|_| JwsError::Malformed)?;
        if header.alg != "ES256" {
            return Err(JwsError::UnsupportedAlgorithm);
        }
        if header.crit.is_some() {
            return Err(JwsError::Malformed);
        }
        if header.typ.as_deref() != Some(typ) {
            return Err(JwsError::WrongType);
        }
        let kid = header.kid.ok_or(JwsError::UnknownKey)?;
        let key = self.keys.iter().find(|(k, _)| *k == kid).map(|(_, k)| k).ok_or(JwsError::UnknownKey)?;
        let sig = B64.decode(s).map_err(|_| JwsError::Malformed)?;
        if sig.len() != 64 || !verify_es256(key, &token.as_bytes()[..h.len() + 1 + p.len()], &sig) {
            return Err(JwsError::BadSignature);
        }
        let payload = B64.decode(p).map_err(|_| JwsError::Malformed)?;
        serde_json::from_slice(&payload).map_err(|_| JwsError::Malformed)
    }
}

impl From<&Signer> for KeySet {
    fn from(s: &Signer) -> Self {
        let mut k = KeySet::default();
        k.add(s.kid(), *s.key.verifying_key());
        k
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
}

/// `exp`/`nbf` with a small leeway for clock skew between devices (seconds).
pub fn check_time(now: i64, nbf: i64, exp: i64, leeway: i64) -> Result<(), TimeError> {
    // Saturating: `exp`/`nbf` come from the token (found by the credential fuzz target).
    if now >= exp.saturating_add(leeway) {
        return Err(TimeError::Expired);
    }
    if now.saturating_add(leeway) < nbf {
        return Err(TimeError::NotYetValid);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signer(seed: u8) -> Signer {
        Signer::new(SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    #[test]
    fn roundtrip_and_key_rotation() {
        let (old, new) = (signer(1), signer(2));
        let jwks = Jwks { keys: vec![old.jwk().clone(), new.jwk().clone()] };
        let keys = KeySet::from_jwks(&jwks).unwrap();
        for s in [&old, &new] {
            let t = s.sign("at+jwt", &json!({"sub": "x"}));
            assert_eq!(keys.verify::<serde_json::Value>(&t, "at+jwt").unwrap()["sub"], "x");
        }
        let only_new = KeySet::from(&new);
        let t = old.sign("at+jwt", &json!({}));
        assert_eq!(only_new.verify::<serde_json::Value>(&t, "at+jwt"), Err(JwsError::UnknownKey));
    }

    #[test]
    fn pem_roundtrip_keeps_kid() {
        let s = signer(3);
        assert_eq!(Signer::from_pkcs8_pem(&s.to_pkcs8_pem()).unwrap().kid(), s.kid());
    }

    fn forge(header: serde_json::Value, payload: serde_json::Value, sig: &[u8]) -> String {
        format!("{}.{}.{}", B64.encode(header.to_string()), B64.encode(payload.to_string()), B64.encode(sig))
    }

    #[test]
    fn refuses_confusions_and_tampering() {
        let s = signer(4);
        let keys = KeySet::from(&s);
        let v = |t: &str| keys.verify::<serde_json::Value>(t, "at+jwt");
        // alg none, with and without a signature part.
        let none = forge(json!({"alg": "none", "typ": "at+jwt", "kid": s.kid()}), json!({"sub": "a"}), b"");
        assert_eq!(v(&none), Err(JwsError::UnsupportedAlgorithm));
        // HS256 "signed" with the public key bytes.
        let hs = forge(json!({"alg": "HS256", "typ": "at+jwt", "kid": s.kid()}), json!({}), &[0u8; 32]);
        assert_eq!(v(&hs), Err(JwsError::UnsupportedAlgorithm));
        // Payload swapped under a valid signature.
        let good = s.sign("at+jwt", &json!({"role": "resident"}));
        let parts: Vec<&str> = good.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], B64.encode(json!({"role": "admin"}).to_string()), parts[2]);
        assert_eq!(v(&tampered), Err(JwsError::BadSignature));
        // Unknown kid, missing kid, wrong typ, crit header.
        let other = signer(5).sign("at+jwt", &json!({}));
        assert_eq!(v(&other), Err(JwsError::UnknownKey));
        assert_eq!(keys.verify::<serde_json::Value>(&good, "checkin+jwt"), Err(JwsError::WrongType));
        let crit = forge(json!({"alg": "ES256", "typ": "at+jwt", "kid": s.kid(), "crit": ["x"]}), json!({}), &[0; 64]);
        assert_eq!(v(&crit), Err(JwsError::Malformed));
        // Garbage and oversize.
        for junk in ["", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.e30"] {
            assert!(v(junk).is_err(), "{junk}");
        }
        assert_eq!(v(&"a".repeat(MAX_TOKEN_BYTES + 1)), Err(JwsError::TooLarge));
    }

    #[test]
    fn time_window_with_leeway() {
        assert_eq!(check_time(100, 50, 200, 30), Ok(()));
        assert_eq!(check_time(229, 50, 200, 30), Ok(()));
        assert_eq!(check_time(230, 50, 200, 30), Err(TimeError::Expired));
        assert_eq!(check_time(19, 50, 200, 30), Err(TimeError::NotYetValid));
        assert_eq!(check_time(20, 50, 200, 30), Ok(()));
        // Extreme claims from a signed token never overflow (fuzz/seeds/credential/regression-exp-overflow).
        assert_eq!(check_time(100, i64::MIN, i64::MAX, 300), Ok(()));
        assert_eq!(check_time(i64::MAX, 50, 200, 300), Err(TimeError::Expired));
        assert_eq!(check_time(i64::MIN, i64::MAX, i64::MAX, 300), Err(TimeError::NotYetValid));
    }
}

//! The resident's check-in QR: a compact ES256-signed credential naming the
//! resident's pseudonymous id and the members checking in. Staff devices verify
//! it offline against cached public keys (JWKS), so it lives in the shared crate.

use crate::household::MemberId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// JWS `typ` of check-in credentials; an access token can never pass as one.
pub const CHECKIN_TYPE: &str = "checkin+jwt";
/// Valid for three days: shown offline for as long as a network outage lasts, refreshed when online.
pub const CHECKIN_TTL_SECONDS: i64 = 3 * 24 * 3600;

/// Short claim names keep the QR small (reliably scannable at version ≤ 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInClaims {
    pub iss: String,
    /// Resident pseudonym.
    pub sub: String,
    /// Member ids checking in.
    pub m: Vec<String>,
    /// Municipality code.
    pub mu: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CredentialRequest {
    pub members: Vec<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInCredential {
    /// Compact JWS to encode in the QR code.
    pub credential: String,
    pub expires_at: Timestamp,
}

#[cfg(feature = "jws")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Signature(#[from] crate::jws::JwsError),
    #[error(transparent)]
    Time(#[from] crate::jws::TimeError),
    #[error("the credential was issued by another municipality")]
    OtherMunicipality,
    #[error("the credential names no members")]
    NoMembers,
}

/// What a staff device checks before checking anyone in, with no network.
#[cfg(feature = "jws")]
pub fn verify_credential(
    keys: &crate::jws::KeySet,
    credential: &str,
    municipality: &str,
    now_seconds: i64,
) -> Result<CheckInClaims, CredentialError> {
    let c: CheckInClaims = keys.verify(credential, CHECKIN_TYPE)?;
    crate::jws::check_time(now_seconds, c.iat, c.exp, 300)?;
    if c.mu != municipality {
        return Err(CredentialError::OtherMunicipality);
    }
    if c.m.is_empty() || c.m.iter().any(|m| MemberId::parse(m).is_err()) {
        return Err(CredentialError::NoMembers);
    }
    Ok(c)
}

#[cfg(all(test, feature = "jws"))]
mod tests {
    use super::*;
    use crate::jws::{KeySet, Signer};

    #[test]
    fn credential_checks() {
        let s = Signer::new(p256::ecdsa::SigningKey::from_slice(&[3; 32]).unwrap());
        let keys = KeySet::from(&s);
        let claims = |mu: &str, m: Vec<&str>| CheckInClaims {
            iss: "x".into(),
            sub: "r_1".into(),
            m: m.into_iter().map(String::from).collect(),
            mu: mu.into(),
            iat: 1000,
            exp: 1000 + CHECKIN_TTL_SECONDS,
        };
        let good = s.sign(CHECKIN_TYPE, &claims("041009", vec!["self", "m-1"]));
        assert!(good.len() < 400, "fits a small QR: {}", good.len());
        assert_eq!(verify_credential(&keys, &good, "041009", 2000).unwrap().m.len(), 2);
        assert_eq!(verify_credential(&keys, &good, "131016", 2000), Err(CredentialError::OtherMunicipality));
        assert!(matches!(verify_credential(&keys, &good, "041009", 1000 + CHECKIN_TTL_SECONDS + 301), Err(CredentialError::Time(_))));
        let none = s.sign(CHECKIN_TYPE, &claims("041009", vec![]));
        assert_eq!(verify_credential(&keys, &none, "041009", 2000), Err(CredentialError::NoMembers));
        // An access token is not a credential, even from the same key.
        let at = s.sign("at+jwt", &claims("041009", vec!["self"]));
        assert!(matches!(verify_credential(&keys, &at, "041009", 2000), Err(CredentialError::Signature(_))));
    }
}

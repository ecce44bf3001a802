//! Verification of My Number Card certificates (JPKI, 公的個人認証) as J-LIS issues
//! them: the issuing root chosen by signature among the anchors of the certificate's
//! own purpose, the J-LIS certificate profile (critical certificatePolicies, DirName
//! CRL distribution points), validity to the second, revocation by CRL that fails
//! closed, and the card's signature over exactly the issued nonce. No I/O.
//!
//! Roots, certificate parsing and RSA verification come from `myna-card`; it does not
//! check profiles, key usage or revocation, which is what this crate adds.

pub mod basic_four;
pub mod crl;
mod profile;
pub mod trust;

pub use basic_four::basic_four;
pub use crl::{Crl, CrlError, CrlSet};
pub use trust::{hex, Anchor, Hierarchy, Purpose, TrustStore};

use myna_card::Certificate;
use std::sync::{Arc, RwLock};
use x509_cert::der::Encode;

/// Larger input is not a card certificate (J-LIS's are about 1.6 KB).
pub const MAX_CERT_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpkiError {
    #[error("the certificate could not be read")]
    Unreadable,
    #[error("the certificate was not issued by a trusted authority")]
    Untrusted,
    #[error("the certificate is for the other purpose (user authentication vs digital signature)")]
    WrongPurpose,
    #[error("the certificate is from J-LIS's test hierarchy, which this deployment does not accept")]
    TestCard,
    #[error("the certificate does not follow the J-LIS profile (no JPKI certificate policy)")]
    NotJpkiProfile,
    #[error("the certificate carries a critical extension that is not understood: {0}")]
    UnsupportedExtension(String),
    #[error("the certificate's key is weaker than RSA-2048")]
    WeakKey,
    #[error("the certificate has expired")]
    Expired,
    #[error("the certificate is not valid yet")]
    NotYetValid,
    #[error("the certificate has been revoked")]
    Revoked,
    #[error("the revocation status is unavailable (no current CRL covers the certificate)")]
    RevocationUnavailable,
    #[error("the certificate may not be used for signing")]
    WrongKeyUsage,
    #[error("the signature does not match the challenge")]
    BadSignature,
    #[error("the signing certificate does not carry the basic four items")]
    MissingBasicFour,
    #[error("trust configuration: {0}")]
    Config(String),
}

/// A certificate that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCert {
    /// The anchor that issued it (`auth-g3`, `local-auth-…`).
    pub anchor_id: String,
    /// SHA-256 of the issuing root's public key: with `serial`, identifies the certificate
    /// across CA generations (whose names and serial ranges overlap).
    pub ca_key_id: [u8; 32],
    /// Serial number, unsigned big-endian without leading zeros.
    pub serial: Vec<u8>,
    /// Seconds since the epoch.
    pub not_after: i64,
}

/// A certificate whose chain, profile and validity checked out (no key use or revocation yet).
pub struct Chain<'a> {
    cert: Certificate,
    anchor: &'a Anchor,
    distribution_point: Option<Vec<u8>>,
    serial: Vec<u8>,
    not_after: i64,
}

impl Chain<'_> {
    pub fn anchor_id(&self) -> &str {
        &self.anchor.id
    }
}

pub struct JpkiVerifier {
    trust: TrustStore,
    crls: RwLock<Arc<CrlSet>>,
}

impl std::fmt::Debug for JpkiVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JpkiVerifier({} anchors, {} CRLs)", self.trust.anchors().len(), self.crls().crls().len())
    }
}

/// DER blocks from PEM text (`-----BEGIN X-----`), in order.
pub fn pem_blocks(pem: &str, label: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let (begin, end) = (format!("-----BEGIN {label}-----"), format!("-----END {label}-----"));
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let Some(stop) = after.find(&end) else { break };
        let b64: String = after[..stop].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
            out.push(der);
        }
        rest = &after[stop + end.len()..];
    }
    out
}

impl JpkiVerifier {
    pub fn new(trust: TrustStore, crls: CrlSet) -> Self {
        Self { trust, crls: RwLock::new(Arc::new(crls)) }
    }

    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    pub fn crls(&self) -> Arc<CrlSet> {
        self.crls.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Swap in freshly loaded CRLs (the reload schedule; sign-ins in flight keep the old set).
    pub fn replace_crls(&self, crls: CrlSet) {
        *self.crls.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(crls);
    }

    /// Issuer, purpose, profile and validity: everything that needs no key of the card.
    pub fn check_chain(&self, purpose: Purpose, cert_der: &[u8], now: i64) -> Result<Chain<'_>, JpkiError> {
        if cert_der.len() > MAX_CERT_BYTES {
            return Err(JpkiError::Unreadable);
        }
        let cert = Certificate::parse(cert_der).map_err(|_| JpkiError::Unreadable)?;
        let tbs = cert.inner().tbs_certificate();
        let issuer_der = tbs.issuer().to_der().map_err(|_| JpkiError::Unreadable)?;
        let anchor = match self.trust.issuer_of(&cert, &issuer_der) {
            Some(a) if a.purpose != purpose => return Err(JpkiError::WrongPurpose),
            Some(a) => a,
            None if trust::is_jpki_test_card(&cert) => return Err(JpkiError::TestCard),
            None => return Err(JpkiError::Untrusted),
        };
        let profile = profile::check(cert.inner(), purpose)?;
        if cert.public_key().map_err(|_| JpkiError::Unreadable)?.bits() < profile::MIN_RSA_BITS {
            return Err(JpkiError::WeakKey);
        }
        let v = tbs.validity();
        let (not_before, not_after) =
            (v.not_before.to_unix_duration().as_secs() as i64, v.not_after.to_unix_duration().as_secs() as i64);
        if now < not_before || now < anchor.not_before {
            return Err(JpkiError::NotYetValid);
        }
        if now > not_after || now > anchor.not_after {
            return Err(JpkiError::Expired);
        }
        let serial = crl::normalise_serial(&cert.serial_number());
        Ok(Chain { cert, anchor, distribution_point: profile.distribution_point, serial, not_after })
    }

    /// The whole check of one certificate and its key's SHA256withRSA `signature` over
    /// `message`. Revocation comes last: a card's status is only looked up once it proved
    /// it holds the key.
    pub fn verify(
        &self,
        purpose: Purpose,
        cert_der: &[u8],
        message: &[u8],
        signature: &[u8],
        now: i64,
    ) -> Result<VerifiedCert, JpkiError> {
        let chain = self.check_chain(purpose, cert_der, now)?;
        let key = chain.cert.public_key().map_err(|_| JpkiError::Unreadable)?;
        // PKCS#1 v1.5 signatures are exactly as long as the modulus.
        if signature.len() != key.bits().div_ceil(8) || key.verify_pkcs1_sha256(message, signature).is_err() {
            return Err(JpkiError::BadSignature);
        }
        self.crls().check(&chain.anchor.key_id, chain.distribution_point.as_deref(), &chain.serial, now)?;
        Ok(VerifiedCert {
            anchor_id: chain.anchor.id.clone(),
            ca_key_id: chain.anchor.key_id,
            serial: chain.serial,
            not_after: chain.not_after,
        })
    }
}

#[cfg(test)]
mod tests;

//! Certificate revocation lists of the trusted CAs. J-LIS partitions its CRLs by
//! distribution point (one per municipality: `CN=Kiyose-shi CRLDP`, a DirName), so a
//! CRL covers a card when it was signed by the card's CA and either has no
//! issuingDistributionPoint (a full CRL) or names the card's distribution point.
//! No covering CRL, or one past its nextUpdate, means the status is unknown: refused.

use crate::trust::TrustStore;
use crate::JpkiError;
use myna_card::Certificate;
use std::collections::HashSet;
use x509_cert::certificate::Rfc5280;
use x509_cert::crl::CertificateList;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;

const OID_ISSUING_DP: &str = "2.5.29.28";
const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_AUTHORITY_KEY_ID: &str = "2.5.29.35";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
/// A CRL larger than this is not a J-LIS partition (they are far smaller); refuse it.
pub const MAX_CRL_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrlError {
    #[error("the CRL could not be read (not DER or PEM X.509 CRL)")]
    Unparsable,
    #[error("the CRL is larger than {} MB", MAX_CRL_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the CRL was not signed by any trusted CA (a CRL of another CA?)")]
    UnknownIssuer,
    #[error("the CRL has no nextUpdate, so it can never be known to be current")]
    NoNextUpdate,
    #[error("the CRL uses an unsupported critical extension {0} (delta or indirect CRLs are not supported)")]
    UnsupportedExtension(String),
}

/// One verified CRL.
#[derive(Debug, Clone)]
pub struct Crl {
    pub anchor_id: String,
    anchor_key: [u8; 32],
    pub this_update: i64,
    pub next_update: i64,
    /// The DER of the issuingDistributionPoint's name; None for a full CRL.
    scope: Option<Vec<u8>>,
    revoked: HashSet<Vec<u8>>,
}

/// Serials compare as unsigned integers: leading zero bytes (DER sign padding) are dropped.
pub(crate) fn normalise_serial(s: &[u8]) -> Vec<u8> {
    let first = s.iter().position(|b| *b != 0).unwrap_or(s.len());
    s[first..].to_vec()
}

impl Crl {
    /// Parse and verify a CRL against the anchors it may come from.
    pub fn parse(der: &[u8], trust: &TrustStore) -> Result<Self, CrlError> {
        if der.len() > MAX_CRL_BYTES {
            return Err(CrlError::TooLarge);
        }
        let list = CertificateList::<Rfc5280>::from_der(der).map_err(|_| CrlError::Unparsable)?;
        let tbs = &list.tbs_cert_list;
        if list.signature_algorithm.oid.to_string() != SHA256_WITH_RSA {
            return Err(CrlError::UnknownIssuer);
        }
        let tbs_der = tbs.to_der().map_err(|_| CrlError::Unparsable)?;
        let signature = list.signature.as_bytes().ok_or(CrlError::Unparsable)?;
        let issuer_der = tbs.issuer.to_der().map_err(|_| CrlError::Unparsable)?;
        let anchor = trust
            .anchors()
            .iter()
            .find(|a| a.subject_der == issuer_der && verify_with(&a.cert, &tbs_der, signature))
            .ok_or(CrlError::UnknownIssuer)?;
        let next_update = tbs.next_update.ok_or(CrlError::NoNextUpdate)?;
        let mut scope = None;
        for ext in tbs.crl_extensions.iter().flatten() {
            let oid = ext.extn_id.to_string();
            match oid.as_str() {
                // x509-cert 0.3 gives IssuingDistributionPoint the wrong OID: match it by hand.
                OID_ISSUING_DP => {
                    let idp = IssuingDistributionPoint::from_der(ext.extn_value.as_bytes())
                        .map_err(|_| CrlError::Unparsable)?;
                    if idp.indirect_crl || idp.only_some_reasons.is_some() || idp.only_contains_ca_certs {
                        return Err(CrlError::UnsupportedExtension(format!("{oid} (partial CRL)")));
                    }
                    scope =
                        idp.distribution_point.map(|dp| dp.to_der()).transpose().map_err(|_| CrlError::Unparsable)?;
                }
                OID_CRL_NUMBER | OID_AUTHORITY_KEY_ID => {}
                _ if ext.critical => return Err(CrlError::UnsupportedExtension(oid)),
                _ => {}
            }
        }
        let revoked =
            tbs.revoked_certificates.iter().flatten().map(|r| normalise_serial(r.serial_number.as_bytes())).collect();
        Ok(Self {
            anchor_id: anchor.id.clone(),
            anchor_key: anchor.key_id,
            this_update: tbs.this_update.to_unix_duration().as_secs() as i64,
            next_update: next_update.to_unix_duration().as_secs() as i64,
            scope,
            revoked,
        })
    }

    pub fn revoked_count(&self) -> usize {
        self.revoked.len()
    }
}

fn verify_with(issuer: &Certificate, msg: &[u8], sig: &[u8]) -> bool {
    issuer.public_key().is_ok_and(|k| k.verify_pkcs1_sha256(msg, sig).is_ok())
}

/// The CRLs in force: replaced whole when they are reloaded.
#[derive(Debug, Clone, Default)]
pub struct CrlSet {
    crls: Vec<Crl>,
}

impl CrlSet {
    pub fn new(crls: Vec<Crl>) -> Self {
        Self { crls }
    }

    /// Parse every CRL; one bad file fails the whole set (a half-loaded set would
    /// silently drop a municipality's revocations).
    pub fn parse_all(ders: &[Vec<u8>], trust: &TrustStore) -> Result<Self, CrlError> {
        Ok(Self { crls: ders.iter().map(|d| Crl::parse(d, trust)).collect::<Result<_, _>>()? })
    }

    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// Revocation status of a card certificate issued by `anchor_key`, at `now`.
    pub(crate) fn check(
        &self,
        anchor_key: &[u8; 32],
        distribution_point: Option<&[u8]>,
        serial: &[u8],
        now: i64,
    ) -> Result<(), JpkiError> {
        let newest = self
            .crls
            .iter()
            .filter(|c| &c.anchor_key == anchor_key)
            .filter(|c| c.scope.is_none() || c.scope.as_deref() == distribution_point)
            .max_by_key(|c| c.this_update)
            .ok_or(JpkiError::RevocationUnavailable)?;
        if newest.next_update < now || newest.this_update > now + 300 {
            return Err(JpkiError::RevocationUnavailable);
        }
        if newest.revoked.contains(&normalise_serial(serial)) {
            return Err(JpkiError::Revoked);
        }
        Ok(())
    }

    /// Current anchors with no current CRL at `now` (a production start refuses these).
    pub fn uncovered<'a>(&self, trust: &'a TrustStore, now: i64) -> Vec<&'a str> {
        trust
            .anchors()
            .iter()
            .filter(|a| a.is_current(now))
            .filter(|a| {
                !self.crls.iter().any(|c| c.anchor_key == a.key_id && c.this_update <= now && now <= c.next_update)
            })
            .map(|a| a.id.as_str())
            .collect()
    }
}

//! What a J-LIS card certificate must look like (the J-LIS certificate profile),
//! checked without any key: extensions, policies, key usage, key size.

use crate::trust::Purpose;
use crate::JpkiError;
use std::collections::HashSet;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::crl::CrlDistributionPoints;
use x509_cert::ext::pkix::{BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage};

pub const OID_KEY_USAGE: &str = "2.5.29.15";
pub const OID_CERT_POLICIES: &str = "2.5.29.32";
pub const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub const OID_SAN: &str = "2.5.29.17";
/// J-LIS's certificate policies live under this arc (`…8.5.1.0.30` user authentication,
/// `…8.5.1.0.20` digital signature on the cards seen).
pub const JPKI_POLICY_ARC: &str = "1.2.392.200149.8.5.1.";
const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
pub const MIN_RSA_BITS: usize = 2048;

/// Extensions that may be critical: the ones J-LIS marks critical, and the ones we
/// process. Any other critical extension makes the certificate unusable (RFC 5280 §4.2).
const UNDERSTOOD_CRITICAL: [&str; 4] = [OID_KEY_USAGE, OID_CERT_POLICIES, OID_BASIC_CONSTRAINTS, OID_SAN];

/// What the profile check learns for the later steps.
pub(crate) struct Profile {
    /// DER of the first CRL distribution point's name (a DirName on J-LIS cards).
    pub distribution_point: Option<Vec<u8>>,
}

fn decode<'a, T: Decode<'a>>(bytes: &'a [u8]) -> Result<T, JpkiError> {
    T::from_der(bytes).map_err(|_| JpkiError::Unreadable)
}

pub(crate) fn check(cert: &x509_cert::Certificate, purpose: Purpose) -> Result<Profile, JpkiError> {
    let tbs = cert.tbs_certificate();
    let exts = tbs.extensions().ok_or(JpkiError::NotJpkiProfile)?;
    let mut seen = HashSet::new();
    let (mut policies, mut key_usage, mut distribution_point) = (false, None, None);
    for ext in exts {
        let oid = ext.extn_id.to_string();
        if !seen.insert(oid.clone()) {
            return Err(JpkiError::Unreadable); // an extension twice (RFC 5280 §4.2)
        }
        if ext.critical && !UNDERSTOOD_CRITICAL.contains(&oid.as_str()) {
            return Err(JpkiError::UnsupportedExtension(oid));
        }
        let value = ext.extn_value.as_bytes();
        match oid.as_str() {
            OID_CERT_POLICIES => {
                let cp: CertificatePolicies = decode(value)?;
                policies = cp.0.iter().any(|p| p.policy_identifier.to_string().starts_with(JPKI_POLICY_ARC));
            }
            OID_KEY_USAGE => key_usage = Some(decode::<KeyUsage>(value)?),
            OID_BASIC_CONSTRAINTS if decode::<BasicConstraints>(value)?.ca => return Err(JpkiError::WrongKeyUsage),
            "2.5.29.37" => {
                let eku: ExtendedKeyUsage = decode(value)?;
                let client_auth = eku.0.iter().any(|o| o.to_string() == OID_CLIENT_AUTH);
                if purpose == Purpose::UserAuthentication && !client_auth {
                    return Err(JpkiError::WrongKeyUsage);
                }
            }
            "2.5.29.31" => {
                let dps: CrlDistributionPoints = decode(value)?;
                distribution_point = dps
                    .0
                    .first()
                    .and_then(|dp| dp.distribution_point.as_ref())
                    .map(|n| n.to_der())
                    .transpose()
                    .map_err(|_| JpkiError::Unreadable)?;
            }
            _ => {}
        }
    }
    if !policies {
        return Err(JpkiError::NotJpkiProfile);
    }
    let ku = key_usage.ok_or(JpkiError::WrongKeyUsage)?;
    if !ku.digital_signature() || ku.key_cert_sign() || ku.crl_sign() {
        return Err(JpkiError::WrongKeyUsage);
    }
    Ok(Profile { distribution_point })
}

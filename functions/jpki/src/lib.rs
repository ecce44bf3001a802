//! Verification of My Number Card certificates (JPKI, 公的個人認証): chain to
//! the configured trust anchors, validity, key usage, revocation by CRL, and
//! the card's signature over exactly the issued nonce.

use bosai_types::auth::BasicFour;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{CertRevocationList, EndEntityCert, KeyUsage, OwnedCertRevocationList, RevocationOptionsBuilder};
use x509_cert::der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{KeyUsage as X509KeyUsage, SubjectAltName};

const OID_KEY_USAGE: &str = "2.5.29.15";
const OID_SAN: &str = "2.5.29.17";
/// JPKI's arc for the basic four items in the signing certificate (署名用電子証明書).
const OID_NAME: &str = "1.2.392.200149.8.5.5.1";
const OID_SEX: &str = "1.2.392.200149.8.5.5.3";
const OID_DATE_OF_BIRTH: &str = "1.2.392.200149.8.5.5.4";
const OID_ADDRESS: &str = "1.2.392.200149.8.5.5.5";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpkiError {
    #[error("the certificate could not be read")]
    Unreadable,
    #[error("the certificate was not issued by a trusted authority")]
    Untrusted,
    #[error("the certificate has expired")]
    Expired,
    #[error("the certificate is not valid yet")]
    NotYetValid,
    #[error("the certificate has been revoked")]
    Revoked,
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
    /// Serial number (unique within the JPKI user-authentication CA); input to the pseudonym.
    pub serial: Vec<u8>,
    /// Seconds since the epoch.
    pub not_after: i64,
}

pub struct JpkiVerifier {
    anchors: Vec<TrustAnchor<'static>>,
    crls: Vec<CertRevocationList<'static>>,
}

impl std::fmt::Debug for JpkiVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JpkiVerifier({} anchors, {} CRLs)", self.anchors.len(), self.crls.len())
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
    /// `anchors_der`: CA certificates (the JPKI CAs in production, a test CA in tests).
    /// `crls_der`: CRLs of those CAs; when given, a card whose status is unknown is refused.
    pub fn new(anchors_der: &[Vec<u8>], crls_der: &[Vec<u8>]) -> Result<Self, JpkiError> {
        if anchors_der.is_empty() {
            return Err(JpkiError::Config("no trust anchors".into()));
        }
        let anchors = anchors_der
            .iter()
            .map(|der| {
                webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice()))
                    .map(|a| a.to_owned())
                    .map_err(|e| JpkiError::Config(format!("bad trust anchor: {e:?}")))
            })
            .collect::<Result<_, _>>()?;
        let crls = crls_der
            .iter()
            .map(|der| {
                OwnedCertRevocationList::from_der(der)
                    .map(CertRevocationList::from)
                    .map_err(|e| JpkiError::Config(format!("bad CRL: {e:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { anchors, crls })
    }

    /// Check the certificate and that `signature` (SHA256withRSA) is its key's signature over `message`.
    pub fn verify(
        &self,
        cert_der: &[u8],
        intermediates_der: &[Vec<u8>],
        message: &[u8],
        signature: &[u8],
        now: i64,
    ) -> Result<VerifiedCert, JpkiError> {
        let parsed = x509_cert::Certificate::from_der(cert_der).map_err(|_| JpkiError::Unreadable)?;
        let der = CertificateDer::from(cert_der);
        let ee = EndEntityCert::try_from(&der).map_err(|_| JpkiError::Unreadable)?;
        let intermediates: Vec<CertificateDer<'_>> =
            intermediates_der.iter().map(|d| CertificateDer::from(d.as_slice())).collect();
        let crl_refs: Vec<&CertRevocationList<'_>> = self.crls.iter().collect();
        let revocation = RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
            b.with_status_policy(webpki::UnknownStatusPolicy::Deny)
                .with_depth(webpki::RevocationCheckDepth::Chain)
                .build()
        });
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(now.max(0) as u64));
        let algs = [webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256, webpki::aws_lc_rs::ECDSA_P256_SHA256];
        ee.verify_for_usage(&algs, &self.anchors, &intermediates, time, KeyUsage::client_auth(), revocation, None)
            .map_err(map_webpki)?;
        if !has_digital_signature(&parsed) {
            return Err(JpkiError::WrongKeyUsage);
        }
        ee.verify_signature(webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256, message, signature)
            .map_err(|_| JpkiError::BadSignature)?;
        let tbs = &parsed.tbs_certificate;
        let not_after = tbs.validity.not_after.to_unix_duration().as_secs() as i64;
        Ok(VerifiedCert { serial: tbs.serial_number.as_bytes().to_vec(), not_after })
    }
}

fn map_webpki(e: webpki::Error) -> JpkiError {
    use webpki::Error as E;
    match e {
        E::CertExpired { .. } => JpkiError::Expired,
        E::CertNotValidYet { .. } => JpkiError::NotYetValid,
        E::CertRevoked => JpkiError::Revoked,
        // Without a current CRL we cannot tell: refuse as if revoked.
        E::UnknownRevocationStatus | E::CrlExpired { .. } => JpkiError::Revoked,
        E::BadDer | E::BadDerTime | E::TrailingData(_) => JpkiError::Unreadable,
        _ => JpkiError::Untrusted,
    }
}

fn extension<'a>(cert: &'a x509_cert::Certificate, oid: &str) -> Option<&'a [u8]> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes())
}

fn has_digital_signature(cert: &x509_cert::Certificate) -> bool {
    extension(cert, OID_KEY_USAGE)
        .and_then(|v| X509KeyUsage::from_der(v).ok())
        .is_some_and(|ku| ku.digital_signature())
}

/// The basic four items from a signing certificate's subjectAltName otherNames.
pub fn basic_four(cert_der: &[u8]) -> Result<BasicFour, JpkiError> {
    let cert = x509_cert::Certificate::from_der(cert_der).map_err(|_| JpkiError::Unreadable)?;
    let san = extension(&cert, OID_SAN)
        .and_then(|v| SubjectAltName::from_der(v).ok())
        .ok_or(JpkiError::MissingBasicFour)?;
    let get = |oid: &str| {
        san.0.iter().find_map(|gn| match gn {
            GeneralName::OtherName(on) if on.type_id.to_string() == oid => {
                on.value.decode_as::<String>().ok().filter(|s| !s.trim().is_empty())
            }
            _ => None,
        })
    };
    let dob = get(OID_DATE_OF_BIRTH).ok_or(JpkiError::MissingBasicFour)?;
    // JPKI writes YYYYMMDD, sometimes behind a one-digit calendar flag.
    // `get`, not indexing: a multi-byte value must be refused, not split mid-character
    // (found by the `certificate` fuzz target).
    let digits = dob.get(dob.len().saturating_sub(8)..).unwrap_or_default();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(JpkiError::MissingBasicFour);
    }
    Ok(BasicFour {
        name: get(OID_NAME).ok_or(JpkiError::MissingBasicFour)?,
        address: get(OID_ADDRESS).ok_or(JpkiError::MissingBasicFour)?,
        date_of_birth: format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]),
        sex: get(OID_SEX).ok_or(JpkiError::MissingBasicFour)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_companion::{CardHolder, TestCa};
    use time::{Duration, OffsetDateTime};

    fn holder() -> CardHolder {
        CardHolder {
            name: "防災 花子".into(),
            address: "宮城県仙台市青葉区片平一丁目2-1".into(),
            date_of_birth: "1985-12-24".into(),
            sex: "2".into(),
        }
    }

    fn now() -> i64 {
        OffsetDateTime::now_utc().unix_timestamp()
    }

    fn der(pem: &str) -> Vec<u8> {
        pem_blocks(pem, "CERTIFICATE").remove(0)
    }

    #[test]
    fn good_card_passes_and_bad_ones_fail() {
        let ca = TestCa::generate("test CA").unwrap();
        let other_ca = TestCa::generate("rogue CA").unwrap();
        let card = ca.issue_card(&holder()).unwrap();
        let revoked = ca.issue_card(&holder()).unwrap();
        let crl = ca.crl(std::slice::from_ref(&revoked.auth_serial)).unwrap();
        let v = JpkiVerifier::new(&[der(&ca.cert_pem)], &[crl]).unwrap();
        let nonce = b"nonce-123";
        let sig = card.sign_with_auth_key(nonce).unwrap();
        let ok = v.verify(&card.auth_cert_der, &[], nonce, &sig, now()).unwrap();
        assert!(ok.not_after > now());

        // Signature over another nonce, or by the signing key instead of the auth key.
        assert_eq!(v.verify(&card.auth_cert_der, &[], b"nonce-999", &sig, now()), Err(JpkiError::BadSignature));
        let wrong_key = card.sign_with_signing_key(nonce).unwrap();
        assert_eq!(v.verify(&card.auth_cert_der, &[], nonce, &wrong_key, now()), Err(JpkiError::BadSignature));
        // Revoked by the CRL.
        let rsig = revoked.sign_with_auth_key(nonce).unwrap();
        assert_eq!(v.verify(&revoked.auth_cert_der, &[], nonce, &rsig, now()), Err(JpkiError::Revoked));
        // Another CA's card.
        let rogue = other_ca.issue_card(&holder()).unwrap();
        let gsig = rogue.sign_with_auth_key(nonce).unwrap();
        assert_eq!(v.verify(&rogue.auth_cert_der, &[], nonce, &gsig, now()), Err(JpkiError::Untrusted));
        // Checked at a time after expiry and before issue.
        assert_eq!(v.verify(&card.auth_cert_der, &[], nonce, &sig, now() + 6 * 365 * 86400), Err(JpkiError::Expired));
        assert_eq!(v.verify(&card.auth_cert_der, &[], nonce, &sig, now() - 10 * 86400), Err(JpkiError::NotYetValid));
        // Garbage.
        assert_eq!(v.verify(b"not a certificate", &[], nonce, &sig, now()), Err(JpkiError::Unreadable));
    }

    #[test]
    fn expired_card_is_refused() {
        let ca = TestCa::generate("test CA").unwrap();
        let t = OffsetDateTime::now_utc();
        let card = ca.issue_card_valid(&holder(), t - Duration::days(400), t - Duration::days(1)).unwrap();
        let v = JpkiVerifier::new(&[der(&ca.cert_pem)], &[ca.crl(&[]).unwrap()]).unwrap();
        let sig = card.sign_with_auth_key(b"n").unwrap();
        assert_eq!(v.verify(&card.auth_cert_der, &[], b"n", &sig, now()), Err(JpkiError::Expired));
    }

    #[test]
    fn missing_crl_coverage_is_refused() {
        let ca = TestCa::generate("test CA").unwrap();
        let other = TestCa::generate("other CA").unwrap();
        let card = ca.issue_card(&holder()).unwrap();
        // Only another CA's CRL is configured: the card's status is unknown.
        let v = JpkiVerifier::new(&[der(&ca.cert_pem)], &[other.crl(&[]).unwrap()]).unwrap();
        let sig = card.sign_with_auth_key(b"n").unwrap();
        assert_eq!(v.verify(&card.auth_cert_der, &[], b"n", &sig, now()), Err(JpkiError::Revoked));
    }

    #[test]
    fn multibyte_birth_date_is_refused_not_a_panic() {
        let ca = TestCa::generate("test CA").unwrap();
        for dob in ["１９８５１２２４", "昭和60年12月24日", "x１９８５１２２"] {
            let card = ca.issue_card(&CardHolder { date_of_birth: dob.into(), ..holder() }).unwrap();
            assert_eq!(basic_four(&card.sign_cert_der), Err(JpkiError::MissingBasicFour), "{dob}");
        }
    }

    #[test]
    fn reads_basic_four() {
        let ca = TestCa::generate("test CA").unwrap();
        let card = ca.issue_card(&holder()).unwrap();
        let b4 = basic_four(&card.sign_cert_der).unwrap();
        assert_eq!(b4.name, "防災 花子");
        assert_eq!(b4.date_of_birth, "1985-12-24");
        assert_eq!(b4.sex, "2");
        assert!(b4.address.starts_with("宮城県"));
        // The authentication certificate carries no personal data.
        assert_eq!(basic_four(&card.auth_cert_der), Err(JpkiError::MissingBasicFour));
    }
}

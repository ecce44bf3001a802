//! Trust anchors in two slots: "JPKI for user authentication" roots issue the
//! 利用者証明用電子証明書, "JPKI for digital signature" roots the 署名用電子証明書.
//! A certificate is only ever checked against roots of its own purpose.

use crate::JpkiError;
use myna_card::certificate::roots::{self, Hierarchy as CrateHierarchy};
use myna_card::Certificate;
use sha2::{Digest, Sha256};
use x509_cert::der::Encode;

pub use myna_card::certificate::roots::Purpose;

/// Where an anchor comes from. Only `Production` belongs in a deployment for residents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hierarchy {
    /// J-LIS's published roots (`O=JPKI`), compiled into `myna-card`.
    Production,
    /// J-LIS's test hierarchy (`O=JPKI-TEST`), read off test cards.
    JpkiTest,
    /// A CA generated for the local stack and tests (`tests/companion`).
    Local,
}

/// One trust anchor: a self-signed CA certificate and what it may issue.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// Stable label: `auth-g3`, `sign-g2`, `test-auth-218887`, `local-auth-1a2b3c4d`.
    pub id: String,
    pub purpose: Purpose,
    pub hierarchy: Hierarchy,
    /// SHA-256 of the subjectPublicKeyInfo: tells generations apart, whose names are equal.
    pub key_id: [u8; 32],
    pub not_before: i64,
    pub not_after: i64,
    pub(crate) cert: Certificate,
    /// The subject Name, DER (what issuer names and CRL issuers are compared with).
    pub(crate) subject_der: Vec<u8>,
}

impl Anchor {
    fn new(der: &[u8], purpose: Purpose, hierarchy: Hierarchy, id: String) -> Result<Self, JpkiError> {
        let cert = Certificate::parse(der).map_err(|e| JpkiError::Config(format!("trust anchor: {e}")))?;
        let tbs = cert.inner().tbs_certificate();
        let spki = tbs.subject_public_key_info().to_der().map_err(|_| JpkiError::Config("trust anchor key".into()))?;
        let subject_der = tbs.subject().to_der().map_err(|_| JpkiError::Config("trust anchor name".into()))?;
        let v = tbs.validity();
        Ok(Self {
            id,
            purpose,
            hierarchy,
            key_id: Sha256::digest(&spki).into(),
            not_before: v.not_before.to_unix_duration().as_secs() as i64,
            not_after: v.not_after.to_unix_duration().as_secs() as i64,
            cert,
            subject_der,
        })
    }

    /// Valid at `now` (an anchor past its notAfter can vouch for no certificate today).
    pub fn is_current(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    pub fn subject(&self) -> String {
        self.cert.subject()
    }
}

fn purpose_tag(p: Purpose) -> &'static str {
    match p {
        Purpose::UserAuthentication => "auth",
        Purpose::DigitalSignature => "sign",
    }
}

/// Lower-case hex of bytes (anchor ids, serials).
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The purpose a CA certificate's name declares, as J-LIS names them
/// (`OU=JPKI for user authentication` / `OU=JPKI for digital signature`).
pub fn purpose_from_name(subject: &str) -> Option<Purpose> {
    if subject.contains("JPKI for user authentication") {
        Some(Purpose::UserAuthentication)
    } else if subject.contains("JPKI for digital signature") {
        Some(Purpose::DigitalSignature)
    } else {
        None
    }
}

/// The anchors a deployment trusts.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
}

impl TrustStore {
    /// J-LIS's six production roots (3 generations × 2 purposes): the default.
    pub fn production() -> Self {
        let anchors = roots::KNOWN
            .iter()
            .filter(|r| r.hierarchy == CrateHierarchy::Production)
            .map(|r| {
                let id = format!("{}-g{}", purpose_tag(r.purpose), r.generation.unwrap_or(0));
                Anchor::new(r.der, r.purpose, Hierarchy::Production, id).expect("myna-card's roots parse")
            })
            .collect();
        Self { anchors }
    }

    /// Also J-LIS's test hierarchy (`O=JPKI-TEST`): test cards, never in production.
    pub fn with_jpki_test_roots(mut self) -> Self {
        for r in roots::KNOWN.iter().filter(|r| r.hierarchy == CrateHierarchy::Test) {
            let serial = Certificate::parse(r.der).map(|c| hex(&c.serial_number())).unwrap_or_default();
            let id = format!("test-{}-{serial}", purpose_tag(r.purpose));
            self.anchors.push(Anchor::new(r.der, r.purpose, Hierarchy::JpkiTest, id).expect("myna-card's roots parse"));
        }
        self
    }

    /// A locally generated CA (local stack and tests); its purpose is read from its name.
    pub fn with_local_ca(mut self, der: &[u8]) -> Result<Self, JpkiError> {
        let cert = Certificate::parse(der).map_err(|e| JpkiError::Config(format!("local CA: {e}")))?;
        let purpose = purpose_from_name(&cert.subject()).ok_or_else(|| {
            JpkiError::Config(format!(
                "local CA '{}' names no purpose (OU=JPKI for user authentication / digital signature)",
                cert.subject()
            ))
        })?;
        let mut anchor = Anchor::new(der, purpose, Hierarchy::Local, String::new())?;
        anchor.id = format!("local-{}-{}", purpose_tag(purpose), hex(&anchor.key_id[..4]));
        if !self.anchors.iter().any(|a| a.key_id == anchor.key_id) {
            self.anchors.push(anchor);
        }
        Ok(self)
    }

    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    pub fn get(&self, id: &str) -> Option<&Anchor> {
        self.anchors.iter().find(|a| a.id == id)
    }

    pub fn has_test_material(&self) -> bool {
        self.anchors.iter().any(|a| a.hierarchy != Hierarchy::Production)
    }

    /// The anchor that signed `cert`: narrowed by name, decided by signature (three
    /// generations share one name). Any purpose: the caller checks it is the right one.
    pub(crate) fn issuer_of(&self, cert: &Certificate, issuer_der: &[u8]) -> Option<&Anchor> {
        self.anchors.iter().find(|a| a.subject_der == issuer_der && cert.verify_signature(&a.cert).is_ok())
    }

    /// The newest current anchor of a purpose (the CA that issues renewed cards today).
    pub fn newest(&self, purpose: Purpose, now: i64) -> Option<&Anchor> {
        self.anchors.iter().filter(|a| a.purpose == purpose && a.is_current(now)).max_by_key(|a| a.not_before)
    }
}

/// Whether one of J-LIS's test roots signed `cert` (to tell a test card from a forgery).
pub(crate) fn is_jpki_test_card(cert: &Certificate) -> bool {
    roots::issuer_of(cert, roots::Accept::ProductionAndTest).is_ok_and(|root| {
        roots::issuer_of(cert, roots::Accept::ProductionOnly).is_err() && root.issuer().contains("JPKI-TEST")
    })
}

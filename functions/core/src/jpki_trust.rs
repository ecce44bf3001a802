//! The JPKI trust configuration from files: which roots, which CRLs, and the CRL
//! reload schedule. A production configuration refuses to start with test material or
//! without a current CRL for every current root; sign-in fails closed (503) when the
//! covering CRL goes stale later.

use crate::config::{read, AuthConfig, ConfigError, JpkiTrust};
use crate::domain::jpki::{pem_blocks, CrlSet, JpkiVerifier, TrustStore};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};

/// CRL files: each named file, and every `.crl`/`.der`/`.pem` in each named directory.
fn crl_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ConfigError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| ConfigError::File(p.clone(), e))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "crl" || x == "der" || x == "pem"))
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Every CRL in the files (a PEM file may hold several), verified against `trust`.
pub fn load_crls(paths: &[PathBuf], trust: &TrustStore) -> Result<CrlSet, ConfigError> {
    let mut ders = Vec::new();
    for file in crl_files(paths)? {
        let bytes = read(&file)?;
        // PEM text contributes its CRL blocks (and nothing else); anything else is DER.
        if bytes.starts_with(b"-----BEGIN") {
            ders.extend(pem_blocks(&String::from_utf8_lossy(&bytes), "X509 CRL"));
        } else {
            ders.push(bytes)
        }
    }
    CrlSet::parse_all(&ders, trust).map_err(|e| ConfigError::Invalid("BOSAI_JPKI_CRLS", e.to_string()))
}

/// The verifier an `AuthConfig` describes, or why this configuration must not start.
pub fn verifier(cfg: &AuthConfig, now: i64) -> Result<JpkiVerifier, ConfigError> {
    let mut trust = TrustStore::production();
    match cfg.jpki_trust {
        JpkiTrust::Production if !cfg.jpki_test_cas.is_empty() => return Err(ConfigError::Invalid(
            "BOSAI_JPKI_TEST_CAS",
            "test CAs are named but BOSAI_JPKI_TRUST is production: a production deployment never trusts test cards \
                 (set BOSAI_JPKI_TRUST=test only for the local stack and tests)"
                .into(),
        )),
        JpkiTrust::Production => {}
        JpkiTrust::Test => {
            trust = trust.with_jpki_test_roots();
            for path in &cfg.jpki_test_cas {
                for der in pem_blocks(&String::from_utf8_lossy(&read(path)?), "CERTIFICATE") {
                    trust = trust
                        .with_local_ca(&der)
                        .map_err(|e| ConfigError::Invalid("BOSAI_JPKI_TEST_CAS", e.to_string()))?;
                }
            }
        }
    }
    let crls = load_crls(&cfg.jpki_crls, &trust)?;
    if cfg.jpki_trust == JpkiTrust::Production {
        let uncovered = crls.uncovered(&trust, now);
        if !uncovered.is_empty() {
            return Err(ConfigError::Invalid(
                "BOSAI_JPKI_CRLS",
                format!(
                    "no current CRL for the trusted root(s) {}: without one a revoked card would be accepted \
                     (get J-LIS's CRLs through the platform-operator arrangement, see docs)",
                    uncovered.join(", ")
                ),
            ));
        }
    }
    Ok(JpkiVerifier::new(trust, crls))
}

/// Re-reads the CRL files on a schedule, checked at each sign-in (Lambda has no timers
/// between invocations). A bad new file keeps the previous set: revocation then fails
/// closed when that set's nextUpdate passes.
#[derive(Debug)]
pub struct CrlSource {
    paths: Vec<PathBuf>,
    interval: i64,
    next_check: AtomicI64,
}

impl CrlSource {
    pub fn new(paths: Vec<PathBuf>, interval: i64) -> Self {
        Self { paths, interval: interval.max(1), next_check: AtomicI64::new(crate::clock::now_seconds() + interval) }
    }

    /// Reload when due. Returns whether a new set was swapped in.
    pub fn refresh(&self, verifier: &JpkiVerifier, now: i64) -> bool {
        let due = self.next_check.load(Ordering::Relaxed);
        if now < due
            || self.next_check.compare_exchange(due, now + self.interval, Ordering::AcqRel, Ordering::Relaxed).is_err()
        {
            return false;
        }
        self.reload(verifier)
    }

    /// Reload now (also what the schedule does).
    pub fn reload(&self, verifier: &JpkiVerifier) -> bool {
        match load_crls(&self.paths, verifier.trust()) {
            Ok(set) => {
                tracing::info!(crls = set.crls().len(), "JPKI CRLs reloaded");
                verifier.replace_crls(set);
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "JPKI CRL reload failed; keeping the previous CRLs");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_companion::{pki, Purpose, TestCa};

    fn local(dir: &std::path::Path) -> (AuthConfig, TestCa) {
        let ca = pki::ensure_ca(dir).unwrap();
        let cfg = AuthConfig {
            jpki_trust: JpkiTrust::Test,
            jpki_test_cas: vec![dir.join("auth-ca.pem"), dir.join("sign-ca.pem")],
            jpki_crls: vec![dir.to_path_buf()],
            ..AuthConfig::default()
        };
        (cfg, ca)
    }

    fn err(cfg: &AuthConfig) -> String {
        verifier(cfg, crate::clock::now_seconds()).unwrap_err().to_string()
    }

    #[test]
    fn production_refuses_test_material_and_missing_crls() {
        let dir = tempfile::tempdir().unwrap();
        let (cfg, _) = local(dir.path());
        assert!(verifier(&cfg, crate::clock::now_seconds()).is_ok(), "the local configuration starts");
        // The same files under a production configuration: refused, naming the variable.
        let prod = AuthConfig { jpki_trust: JpkiTrust::Production, ..cfg.clone() };
        assert!(err(&prod).contains("BOSAI_JPKI_TEST_CAS"), "{}", err(&prod));
        // Production without a CRL for each current J-LIS root: refused, naming them.
        let bare = AuthConfig { jpki_test_cas: vec![], jpki_crls: vec![], ..prod };
        let e = err(&bare);
        assert!(e.contains("auth-g3") && e.contains("sign-g2") && !e.contains("auth-g1"), "{e}");
    }

    #[test]
    fn bad_crl_files_are_refused_at_start_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let (mut cfg, _) = local(dir.path());
        let other = TestCa::generate("JPKI-TEST").unwrap();
        let bad = dir.path().join("bad");
        std::fs::create_dir(&bad).unwrap();
        std::fs::write(bad.join("other.crl"), other.auth.crl(&[]).unwrap()).unwrap();
        cfg.jpki_crls = vec![bad.clone()];
        assert!(err(&cfg).contains("not signed by any trusted CA"), "{}", err(&cfg));
        std::fs::write(bad.join("other.crl"), b"not a CRL").unwrap();
        assert!(err(&cfg).contains("could not be read"), "{}", err(&cfg));
        cfg.jpki_crls = vec![dir.path().join("missing.crl")];
        assert!(err(&cfg).contains("missing.crl"), "{}", err(&cfg));
    }

    #[test]
    fn reload_swaps_good_sets_and_keeps_the_old_one_on_a_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let (cfg, ca) = local(dir.path());
        let v = verifier(&cfg, crate::clock::now_seconds()).unwrap();
        let source = CrlSource::new(cfg.jpki_crls.clone(), 60);
        assert_eq!(v.crls().crls().len(), 2);
        std::fs::write(pki::crl_path(dir.path(), Purpose::UserAuthentication), b"garbage").unwrap();
        assert!(!source.reload(&v));
        assert_eq!(v.crls().crls().len(), 2, "previous CRLs kept");
        // Not due yet: nothing is read; due: the fixed file is loaded.
        pki::write_crls(dir.path(), &ca).unwrap();
        let now = crate::clock::now_seconds();
        assert!(!source.refresh(&v, now));
        assert!(source.refresh(&v, now + 61));
        assert!(!source.refresh(&v, now + 62), "once per interval");
    }
}

use crate::CompanionError;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bosai_types::auth::JpkiSubmission;
use std::path::Path;

/// A test "My Number Card": two RSA-2048 keys and their certificates, issued by the
/// user-authentication and the digital-signature CA of a [`crate::TestCa`].
#[derive(Clone)]
pub struct Card {
    /// Serial numbers of the two certificates (for CRLs in tests).
    pub auth_serial: Vec<u8>,
    pub sign_serial: Vec<u8>,
    pub auth_cert_der: Vec<u8>,
    pub auth_key_der: Vec<u8>,
    pub sign_cert_der: Vec<u8>,
    pub sign_key_der: Vec<u8>,
}

fn rsa_sign(key_der: &[u8], msg: &[u8]) -> Result<Vec<u8>, CompanionError> {
    let kp = RsaKeyPair::from_pkcs8(key_der).map_err(|e| CompanionError::Key(e.to_string()))?;
    let mut sig = vec![0u8; kp.public_modulus_len()];
    kp.sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), msg, &mut sig)
        .map_err(|e| CompanionError::Key(e.to_string()))?;
    Ok(sig)
}

const FILES: [&str; 6] = ["auth.serial", "auth.crt", "auth.key", "sign.crt", "sign.key", "sign.serial"];

impl Card {
    /// What the card computes with the user-authentication PIN (4 digits) entered.
    pub fn sign_with_auth_key(&self, msg: &[u8]) -> Result<Vec<u8>, CompanionError> {
        rsa_sign(&self.auth_key_der, msg)
    }

    /// What the card computes with the signing PIN (6–16 characters) entered.
    pub fn sign_with_signing_key(&self, msg: &[u8]) -> Result<Vec<u8>, CompanionError> {
        rsa_sign(&self.sign_key_der, msg)
    }

    /// The companion's POST body for `/api/auth/jpki`.
    pub fn submission(&self, nonce: &str, share_basic_four: bool) -> Result<JpkiSubmission, CompanionError> {
        let (signing_certificate, signing_signature) = if share_basic_four {
            (Some(B64.encode(&self.sign_cert_der)), Some(B64.encode(self.sign_with_signing_key(nonce.as_bytes())?)))
        } else {
            (None, None)
        };
        Ok(JpkiSubmission {
            nonce: nonce.to_owned(),
            auth_certificate: B64.encode(&self.auth_cert_der),
            auth_signature: B64.encode(self.sign_with_auth_key(nonce.as_bytes())?),
            intermediates: vec![],
            signing_certificate,
            signing_signature,
        })
    }

    pub fn save(&self, dir: &Path) -> Result<(), CompanionError> {
        std::fs::create_dir_all(dir)?;
        let parts = [
            &self.auth_serial,
            &self.auth_cert_der,
            &self.auth_key_der,
            &self.sign_cert_der,
            &self.sign_key_der,
            &self.sign_serial,
        ];
        for (name, bytes) in FILES.iter().zip(parts) {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }

    pub fn load(dir: &Path) -> Result<Self, CompanionError> {
        let r = |n: &str| std::fs::read(dir.join(n));
        Ok(Self {
            auth_serial: r(FILES[0])?,
            auth_cert_der: r(FILES[1])?,
            auth_key_der: r(FILES[2])?,
            sign_cert_der: r(FILES[3])?,
            sign_key_der: r(FILES[4])?,
            sign_serial: r(FILES[5])?,
        })
    }
}

//! Identity material for the local stack and tests: an ES256 token key, a test
//! JPKI CA with its CRL, the pseudonym secret and demo cards — created once in
//! a directory and reused, so `make run` keeps residents signed in across restarts.

use crate::{Card, CardHolder, CompanionError, TestCa};
use bosai_types::jws::Signer;
use std::path::{Path, PathBuf};

pub struct DevIdentity {
    pub token_key: PathBuf,
    /// The test CA pair's certificates (PEM, both purposes) and its two CRLs.
    pub ca_dir: PathBuf,
    pub ca_certs: Vec<PathBuf>,
    pub crls: Vec<PathBuf>,
    pub pseudonym_secret: PathBuf,
    /// (label, card directory)
    pub cards: Vec<(String, PathBuf)>,
}

pub fn demo_holders() -> Vec<(&'static str, CardHolder)> {
    vec![
        (
            "taro",
            CardHolder {
                name: "防災 太郎".into(),
                address: "宮城県仙台市青葉区片平一丁目1-1".into(),
                date_of_birth: "1980-04-01".into(),
                sex: "1".into(),
                ..CardHolder::default()
            },
        ),
        (
            "hanako",
            CardHolder {
                name: "防災 花子".into(),
                address: "宮城県仙台市若林区清水小路6-1".into(),
                date_of_birth: "1983-09-01".into(),
                sex: "2".into(),
                ..CardHolder::default()
            },
        ),
    ]
}

fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut b).expect("system randomness");
    b
}

pub fn new_token_key() -> Result<Signer, CompanionError> {
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &aws_lc_rs::rand::SystemRandom::new())
        .map_err(|e| CompanionError::Key(e.to_string()))?;
    Signer::from_pkcs8_der(doc.as_ref()).map_err(|e| CompanionError::Key(e.to_string()))
}

pub fn ensure_dev_identity(dir: &Path) -> Result<DevIdentity, CompanionError> {
    std::fs::create_dir_all(dir.join("keys"))?;
    let token_key = dir.join("keys/token-1.pem");
    if !token_key.exists() {
        std::fs::write(&token_key, new_token_key()?.to_pkcs8_pem())?;
    }
    let pseudonym_secret = dir.join("keys/pseudonym.secret");
    if !pseudonym_secret.exists() {
        std::fs::write(&pseudonym_secret, random(32))?;
    }
    // The J-LIS-profile CA pair (a single test CA left by earlier versions is ignored).
    let ca_dir = dir.join("jpki");
    let ca: TestCa = crate::pki::ensure_ca(&ca_dir)?;
    let mut cards = Vec::new();
    for (label, holder) in demo_holders() {
        // Cards of the earlier single test CA have no `sign.serial`: issue them anew.
        let path = dir.join("cards").join(label);
        if !path.join("sign.serial").exists() {
            ca.issue_card(&holder)?.save(&path)?;
        }
        cards.push((label.to_owned(), path));
    }
    use crate::pki::{crl_path, Purpose};
    Ok(DevIdentity {
        token_key,
        ca_certs: vec![ca_dir.join("auth-ca.pem"), ca_dir.join("sign-ca.pem")],
        crls: vec![crl_path(&ca_dir, Purpose::UserAuthentication), crl_path(&ca_dir, Purpose::DigitalSignature)],
        ca_dir,
        pseudonym_secret,
        cards,
    })
}

impl DevIdentity {
    pub fn card(&self, label: &str) -> Result<Card, CompanionError> {
        let path = self.cards.iter().find(|(l, _)| l == label).map(|(_, p)| p.clone());
        Card::load(&path.ok_or_else(|| CompanionError::Other(format!("no demo card '{label}'")))?)
    }
}

//! Card sign-in verification per second on one core: the user-authentication
//! certificate's chain to its J-LIS-profile root, the profile checks, the card's
//! signature over the nonce and the CRL lookup — what `/api/auth/jpki` pays per sign-in.
//! Floor: two raw RSA-2048 PKCS#1 verifications with aws-lc-rs (chain + nonce signature).

use crate::Row;
use bosai_companion::{CardHolder, TestCa};
use bosai_jpki::{pem_blocks, CrlSet, JpkiVerifier, Purpose, TrustStore};
use std::time::{Duration, Instant};

fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..16 {
            f();
        }
        n += 16;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

pub fn rows(smoke: bool) -> Vec<Row> {
    let ca = TestCa::generate("JPKI-TEST").expect("test CA");
    let holder = CardHolder {
        name: "防災 太郎".into(),
        address: "宮城県仙台市".into(),
        date_of_birth: "1980-04-01".into(),
        sex: "1".into(),
        ..CardHolder::default()
    };
    let card = ca.issue_card(&holder).expect("card");
    let der = |pem: &str| pem_blocks(pem, "CERTIFICATE").remove(0);
    let trust = TrustStore::production()
        .with_local_ca(&der(&ca.auth.cert_pem))
        .expect("CA")
        .with_local_ca(&der(&ca.sign.cert_pem))
        .expect("CA");
    // A CRL with 10 000 revoked serials, so the lookup is not of an empty list.
    let revoked: Vec<Vec<u8>> = (0u32..10_000).map(|i| (i + 1).to_be_bytes().to_vec()).collect();
    let crls = CrlSet::parse_all(&[ca.auth.crl(&revoked).expect("CRL")], &trust).expect("CRL parses");
    let verifier = JpkiVerifier::new(trust, crls);
    let nonce = b"bench-nonce-0123456789abcdefghijklmnopqrstu";
    let sig = card.sign_with_auth_key(nonce).expect("signature");
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let budget = if smoke { Duration::from_millis(200) } else { Duration::from_secs(3) };
    verifier
        .verify(Purpose::UserAuthentication, &card.auth_cert_der, nonce, &sig, now)
        .expect("the bench card verifies");
    let value = rate(budget, || {
        let v = verifier.verify(Purpose::UserAuthentication, &card.auth_cert_der, nonce, &sig, now);
        std::hint::black_box(v.expect("verifies"));
    });
    // The floor: what the two RSA verifications alone cost with the fastest library here.
    let spki = x509_spki(&card.auth_cert_der);
    let key = aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, spki);
    let raw = rate(budget, || {
        std::hint::black_box(key.verify(nonce, &sig).is_ok());
    });
    eprintln!("jpki: {value:.0} sign-ins/s, raw RSA verify {raw:.0}/s");
    vec![Row::new("jpki_verify_per_s_core", Some(value), "sign-ins/s").against(Some(raw / 2.0))]
}

/// The RSAPublicKey (PKCS#1) inside a certificate's subjectPublicKeyInfo.
fn x509_spki(cert: &[u8]) -> Vec<u8> {
    let c = myna_card::Certificate::parse(cert).expect("certificate");
    c.inner().tbs_certificate().subject_public_key_info().subject_public_key.as_bytes().expect("whole bytes").to_vec()
}

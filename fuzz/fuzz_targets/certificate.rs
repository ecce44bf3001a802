//! Certificate verifier (both trust slots), basic-four parser and CRL parser on arbitrary DER.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

// A fixed trust anchor (self-signed, generated once by rcgen for this target) as a local CA,
// beside J-LIS's compiled-in roots.
fn verifier() -> &'static bosai_jpki::JpkiVerifier {
    static V: OnceLock<bosai_jpki::JpkiVerifier> = OnceLock::new();
    V.get_or_init(|| {
        let der = bosai_jpki::pem_blocks(include_str!("anchor.pem"), "CERTIFICATE");
        let trust = der.iter().fold(bosai_jpki::TrustStore::production().with_jpki_test_roots(), |t, d| {
            t.clone().with_local_ca(d).unwrap_or(t)
        });
        bosai_jpki::JpkiVerifier::new(trust, bosai_jpki::CrlSet::default())
    })
}

fuzz_target!(|data: &[u8]| {
    let split = data.first().map(|b| *b as usize).unwrap_or(0).min(data.len().saturating_sub(1));
    let (cert, sig) = data.split_at(split.max(1).min(data.len()));
    for purpose in [bosai_jpki::Purpose::UserAuthentication, bosai_jpki::Purpose::DigitalSignature] {
        let _ = verifier().verify(purpose, cert, b"nonce", sig, 1_800_000_000);
    }
    let _ = bosai_jpki::basic_four(data);
    let _ = bosai_jpki::Crl::parse(data, verifier().trust());
    let _ = bosai_jpki::pem_blocks(&String::from_utf8_lossy(data), "CERTIFICATE");
});

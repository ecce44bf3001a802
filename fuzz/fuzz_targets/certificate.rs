//! Certificate chain verifier and basic-four parser on arbitrary DER.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

// A fixed trust anchor (self-signed, generated once by rcgen for this target).
fn verifier() -> &'static bosai_jpki::JpkiVerifier {
    static V: OnceLock<bosai_jpki::JpkiVerifier> = OnceLock::new();
    V.get_or_init(|| {
        let pem = include_str!("anchor.pem");
        let der = bosai_jpki::pem_blocks(pem, "CERTIFICATE");
        bosai_jpki::JpkiVerifier::new(&der, &[]).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let split = data.first().map(|b| *b as usize).unwrap_or(0).min(data.len().saturating_sub(1));
    let (cert, sig) = data.split_at(split.max(1).min(data.len()));
    let _ = verifier().verify(cert, &[sig.to_vec()], b"nonce", sig, 1_800_000_000);
    let _ = bosai_jpki::basic_four(data);
    let _ = bosai_jpki::pem_blocks(&String::from_utf8_lossy(data), "CERTIFICATE");
});

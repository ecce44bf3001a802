//! Token parser/verifier: any input is refused cleanly, never panics, and
//! nothing but a genuinely signed token is accepted.
#![no_main]
use bosai_types::auth::Claims;
use bosai_types::jws::{KeySet, Signer};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static KeySet {
    static K: OnceLock<KeySet> = OnceLock::new();
    K.get_or_init(|| KeySet::from(&Signer::new(p256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap())))
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    if let Ok(s) = std::str::from_utf8(data) {
        // Forging a P-256 signature is out of reach: any acceptance is a bug.
        assert!(keys.verify::<Claims>(s, "at+jwt").is_err(), "accepted an unsigned token");
        let _ = keys.verify::<serde_json::Value>(s, "checkin+jwt");
    }
    if let Ok(jwks) = serde_json::from_slice(data) {
        let _ = KeySet::from_jwks(&jwks);
    }
});

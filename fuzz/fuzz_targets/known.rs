// Shared by the credential and scan_batch targets (included with `mod known;`).
// The key and the claims the seeds were signed with (fuzz/seeds/{credential,scan_batch}):
// ES256 signing is deterministic, so they are rebuilt here instead of being stored.
#![allow(dead_code)]
use bosai_types::checkin::{CheckInClaims, PosterClaims, CHECKIN_TTL_SECONDS};
use bosai_types::jws::{KeySet, Signer};
use std::sync::OnceLock;

/// "Now" for every check, in seconds (the seeds were issued around it).
pub const NOW: i64 = 1_800_000_000;
pub const MUNICIPALITY: &str = "041009";

/// Built once: making a key derives its public point, a scalar multiplication.
pub fn signing_key() -> &'static p256::ecdsa::SigningKey {
    static K: OnceLock<p256::ecdsa::SigningKey> = OnceLock::new();
    K.get_or_init(|| p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap())
}

pub fn keys() -> &'static KeySet {
    static K: OnceLock<KeySet> = OnceLock::new();
    K.get_or_init(|| KeySet::from(&Signer::new(signing_key().clone())))
}

fn claims(sub: &str, m: &[&str], mu: &str, iat: i64) -> CheckInClaims {
    CheckInClaims {
        iss: "bosai-local".into(),
        sub: sub.into(),
        m: m.iter().map(|x| x.to_string()).collect(),
        mu: mu.into(),
        iat,
        exp: iat + CHECKIN_TTL_SECONDS,
    }
}

/// Every check-in credential a seed carries. Nothing else signed by this key
/// can appear in an input, since forging a P-256 signature is out of reach.
pub fn signed_credentials() -> [CheckInClaims; 4] {
    [
        claims("r_fuzz", &["self", "m-1"], MUNICIPALITY, NOW - 3600),
        claims("r_fuzz", &["self"], MUNICIPALITY, NOW - 10 * 86400),
        claims("r_fuzz", &["self"], "131016", NOW - 3600),
        claims("d_desk-0123456789", &["p1", "p2"], MUNICIPALITY, NOW - 3600),
    ]
}

pub fn signed_poster() -> PosterClaims {
    // The id the committed seed `seeds/credential/signed-poster` was signed with (any valid id).
    PosterClaims { iss: "bosai-local".into(), sh: "aoba-katahira-es".into(), mu: MUNICIPALITY.into(), iat: NOW - 86400 }
}

//! Access-token verification per second on one core: the check every API call pays
//! for a token it has not seen yet (jsonwebtoken ES256 on aws-lc-rs, then the claims).

use crate::Row;
use bosai_types::auth::Role;
use bosai_types::jws::Signer;
use std::time::{Duration, Instant};

pub fn verify_per_second(smoke: bool) -> Row {
    let signer = Signer::new(p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("valid scalar"));
    let keys = bosai_core::auth::TokenKeys::new("bench", signer, vec![], vec![]);
    // A staff token as the server issues it (valid for 15 minutes from t = 0; checked at t = 1).
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let token = rt
        .block_on(keys.issue("staff:bench", Role::ShelterStaff, vec!["041009-aoba-katahira-es".into()], None, 0))
        .expect("a local key signs");
    let budget = if smoke { Duration::from_millis(200) } else { Duration::from_secs(3) };
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..64 {
            let p = keys.verify_uncached(&token, 1).expect("valid token");
            std::hint::black_box(p);
        }
        n += 64;
    }
    Row::new("token_verify_per_s_core", Some(n as f64 / start.elapsed().as_secs_f64()), "verifications/s")
}

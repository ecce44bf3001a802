//! The check-in QR credential (`checkin+jwt`) and the shelter poster code
//! (`shelter+jwt`) as a staff device decodes a scan (`verify_credential` on the
//! trimmed text, p256 as in the wasm) and as the server checks the same scan
//! (`check_scan` + `scanned_members`) or a poster: nothing panics, nothing but a
//! genuinely signed code is accepted, what the device accepts the server accepts,
//! and accepted claims satisfy every rule.
//!
//! Input: the scanned text; or a 0x00 byte, a JWS header, '\n' and a payload,
//! which the target signs itself, so the checks behind the signature (header
//! fields, claims, times, members) are fuzzed too.
#![no_main]
mod known;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use bosai_types::checkin::{
    check_scan, scanned_members, verify_credential, EventKind, PosterClaims, ScanRecord, POSTER_TYPE,
};
use bosai_types::household::MemberId;
use bosai_types::jws::check_time;
use bosai_types::{ShelterId, Timestamp};
use known::{keys, signed_credentials, signed_poster, MUNICIPALITY, NOW};
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::Signer as _;

fn sign_raw(header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", B64.encode(header), B64.encode(payload));
    let sig: p256::ecdsa::Signature = known::signing_key().sign(input.as_bytes());
    format!("{input}.{}", B64.encode(sig.to_bytes()))
}

fuzz_target!(|data: &[u8]| {
    let (text, self_signed) = match data.split_first() {
        Some((0, rest)) => {
            let cut = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            let (header, payload) = rest.split_at(cut);
            (sign_raw(header, payload.get(1..).unwrap_or_default()), true)
        }
        _ => match std::str::from_utf8(data) {
            Ok(s) => (s.to_owned(), false),
            Err(_) => return,
        },
    };
    let scanned = text.trim();

    // The staff device, offline.
    let device = verify_credential(keys(), scanned, NOW);
    if let Ok(c) = &device {
        if !self_signed {
            assert!(signed_credentials().contains(c), "accepted a credential nobody signed: {c:?}");
        }
        // Any municipality of the deployment is accepted offline (広域避難); the server checks
        // that it is served, with the store.
        assert!(!c.m.is_empty() && c.m.iter().all(|m| MemberId::parse(m).is_ok()), "{c:?}");
        assert!(check_time(NOW, c.iat, c.exp, 300).is_ok(), "{c:?}");
    }

    // The server, when the device syncs that scan at once.
    let record = ScanRecord {
        event_id: "ev-fuzz-0001".into(),
        kind: EventKind::CheckIn,
        at: Timestamp(NOW * 1000),
        credential: scanned.to_owned(),
        members: None,
    };
    let server = check_scan(keys(), &record, NOW * 1000).and_then(|c| scanned_members(&record, &c).map(|m| (c, m)));
    if let Ok((c, members)) = &server {
        if !self_signed {
            assert!(signed_credentials().contains(c), "server accepted a credential nobody signed: {c:?}");
        }
        assert!(!members.is_empty() && members.iter().all(|m| c.m.iter().any(|x| x == m.as_str())), "{c:?}");
    }
    if let Ok(c) = &device {
        let (sc, members) = server.as_ref().expect("the device accepted a scan the server refuses");
        assert_eq!(c, sc);
        assert_eq!(members.iter().map(|m| m.as_str()).collect::<Vec<_>>(), c.m);
    }

    // The poster the resident's phone scans (server side: signature, municipality, shelter id).
    if let Ok(p) = keys().verify::<PosterClaims>(scanned, POSTER_TYPE) {
        if !self_signed {
            assert_eq!(p, signed_poster(), "accepted a poster nobody signed");
        }
        assert!(device.is_err() && server.is_err(), "one code passed as both a poster and a credential");
        if p.mu == MUNICIPALITY {
            let _ = ShelterId::parse(&p.sh);
        }
    }
    // Never an access token, whatever the payload.
    if !self_signed {
        assert!(keys().verify::<serde_json::Value>(scanned, "at+jwt").is_err());
    }
});

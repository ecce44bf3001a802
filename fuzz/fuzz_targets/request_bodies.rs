//! The main request bodies: decoding and validation never panic.
#![no_main]
use bosai_types::auth::{valid_code_challenge, valid_code_verifier, ChallengeRequest, JpkiSubmission, TokenRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = serde_json::from_slice::<ChallengeRequest>(data) {
        let _ = valid_code_challenge(&c.code_challenge);
    }
    let _ = serde_json::from_slice::<JpkiSubmission>(data);
    if let Ok(TokenRequest::AuthorizationCode { code_verifier, .. }) = serde_json::from_slice::<TokenRequest>(data) {
        let _ = valid_code_verifier(&code_verifier);
    }
    if let Ok(u) = serde_json::from_slice::<bosai_types::ShelterStatusUpdate>(data) {
        let _ = u.validate();
    }
    if let Ok(n) = serde_json::from_slice::<bosai_types::notices::NewNotice>(data) {
        let _ = n.validate();
        let _ = serde_json::to_vec(&bosai_types::notices::PushPayload {
            id: n.id,
            level: n.level,
            title: n.title,
            body: n.body,
            url: String::new(),
            lang: None,
            replaces: n.replaces,
        });
    }
    let _ = serde_json::from_slice::<bosai_types::notices::PushSubscriptionInput>(data);
    let _ = serde_json::from_slice::<bosai_types::household::AreaRegistration>(data);
    let _ = serde_json::from_slice::<bosai_types::Shelter>(data);
    let _ = serde_json::from_slice::<bosai_types::GeoPoint>(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = bosai_types::MunicipalityCode::parse(s);
        let _ = bosai_types::ShelterId::parse(s);
    }
});

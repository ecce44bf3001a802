//! Sign-in with the card through the companion flow, tokens and their misuse.

use crate::common::TestApp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use bosai_companion::client::pkce;
use serde_json::{json, Value};

on_both_stores!(
    sign_in_and_read_me,
    pseudonym_is_stable_per_card,
    refresh_rotation_detects_reuse,
    a_lost_refresh_answer_can_be_retried,
    logout_revokes,
    codes_are_single_use_and_pkce_bound,
    nonces_are_single_use_and_signed_exactly,
    bad_cards_are_refused,
    bad_challenge_requests,
    forged_tokens_are_refused,
    jwks_publishes_the_signing_key,
    bad_card_input_is_a_clear_4xx,
    revocation_fails_closed_and_reloads,
    sessions_are_bound_to_sign_in_and_card,
    deleting_my_data_ends_every_session,
    renewed_card_signs_in_as_the_same_resident,
);

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.http.get(app.url("/api/me")).bearer_auth(token).send().await.unwrap()
}

async fn sign_in_and_read_me(app: TestApp) {
    let t = app.login("taro", true).await;
    assert_eq!(t.token_type, "Bearer");
    assert!(t.expires_in <= 900);
    let body: Value = me(&app, &t.access_token).await.json().await.unwrap();
    assert_eq!(body["role"], "resident");
    assert_eq!(body["basic_four"]["name"], "防災 太郎");
    assert_eq!(body["basic_four"]["date_of_birth"], "1980-04-01");
    // No personal data in the token itself.
    let payload = String::from_utf8(B64.decode(t.access_token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    // (The birth date as a date: "1980" alone turns up inside an `iat` now and then.)
    assert!(!payload.contains("防災") && !payload.contains("1980-04") && !payload.contains("仙台"), "{payload}");
    // Without consent the basic four are not stored.
    let h = app.login("hanako", false).await;
    let body: Value = me(&app, &h.access_token).await.json().await.unwrap();
    assert!(body["basic_four"].is_null());
}

fn sub(token: &str) -> String {
    let payload: Value = serde_json::from_slice(&B64.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    payload["sub"].as_str().unwrap().to_owned()
}

async fn pseudonym_is_stable_per_card(app: TestApp) {
    let a = sub(&app.login("taro", false).await.access_token);
    let b = sub(&app.login("taro", false).await.access_token);
    let c = sub(&app.login("hanako", false).await.access_token);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let serial: String = app.identity.card("taro").unwrap().auth_serial.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!a.contains(&serial[..8]), "the pseudonym does not reveal the serial");
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/api/auth/token", json!({"grant_type": "refresh_token", "refresh_token": token})).await
}

async fn refresh_rotation_detects_reuse(app: TestApp) {
    let first = app.login("taro", false).await;
    let res = refresh(&app, &first.refresh_token).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    let second_rt = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_rt, first.refresh_token, "rotated");
    assert_eq!(me(&app, second["access_token"].as_str().unwrap()).await.status(), 200);
    // The resident refreshes again with the new token.
    let res = refresh(&app, &second_rt).await;
    assert_eq!(res.status(), 200);
    let third_rt = res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_owned();
    // The first token comes back after its successor was used (a stolen copy): refused,
    // and the whole family is signed out.
    let reuse = refresh(&app, &first.refresh_token).await;
    assert_eq!(reuse.status(), 400);
    assert_eq!(reuse.json::<Value>().await.unwrap()["code"], "invalid_grant");
    assert_eq!(refresh(&app, &third_rt).await.status(), 400);
    // Another sign-in is unaffected.
    let other = app.login("taro", false).await;
    assert_eq!(refresh(&app, &other.refresh_token).await.status(), 200);
    assert_eq!(refresh(&app, "not-a-token").await.status(), 400);
}

/// On one bar of signal a refresh can reach the server and its answer be lost; the app then
/// sends the same token again. That is a retry, not a theft, while the lost successor was never used.
async fn a_lost_refresh_answer_can_be_retried(app: TestApp) {
    use bosai_core::domain::sessions::{self, REFRESH_RETRY_SECONDS};
    let first = app.login("taro", false).await;
    let lost = refresh(&app, &first.refresh_token).await;
    assert_eq!(lost.status(), 200);
    let lost_rt = lost.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_owned();
    // The retry gets a new pair that works; the lost token is superseded.
    let retry = refresh(&app, &first.refresh_token).await;
    assert_eq!(retry.status(), 200);
    let retry: Value = retry.json().await.unwrap();
    let retry_rt = retry["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(retry_rt, lost_rt);
    assert_eq!(me(&app, retry["access_token"].as_str().unwrap()).await.status(), 200);
    let res = refresh(&app, &retry_rt).await;
    assert_eq!(res.status(), 200);
    let next_rt = res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_owned();
    // The superseded token turning up means someone else had the first one: everyone is signed out.
    let stolen = refresh(&app, &lost_rt).await;
    assert_eq!(
        (stolen.status().as_u16(), stolen.json::<Value>().await.unwrap()["code"].clone()),
        (400, json!("invalid_grant"))
    );
    assert_eq!(refresh(&app, &next_rt).await.status(), 400);

    // The same by the clock: two lost answers in a row are fine; past the window it is reuse.
    let settings = app.auth_settings();
    let store = app.store.as_ref();
    let t0 = bosai_core::clock::now_seconds();
    let t1 = sessions::start(store, &settings, "r_retry_test", t0 + 86_400, t0).await.unwrap();
    for after in [0, 60, REFRESH_RETRY_SECONDS] {
        sessions::rotate(store, &settings, &t1.refresh_token, t0 + after).await.unwrap();
    }
    let c = sessions::rotate(store, &settings, &t1.refresh_token, t0 + REFRESH_RETRY_SECONDS).await.unwrap();
    let late = sessions::rotate(store, &settings, &t1.refresh_token, t0 + REFRESH_RETRY_SECONDS + 1).await;
    assert_eq!(late.unwrap_err().problem().1.code, "invalid_grant");
    let revoked = sessions::rotate(store, &settings, &c.refresh_token, t0 + REFRESH_RETRY_SECONDS + 2).await;
    assert_eq!(revoked.unwrap_err().problem().1.code, "invalid_grant", "the late copy signed the family out");
}

async fn logout_revokes(app: TestApp) {
    let t = app.login("hanako", false).await;
    let res = app.post_json("/api/auth/logout", json!({"refresh_token": t.refresh_token})).await;
    assert_eq!(res.status(), 204);
    assert_eq!(refresh(&app, &t.refresh_token).await.status(), 400);
    // Idempotent, and says nothing about unknown tokens.
    assert_eq!(app.post_json("/api/auth/logout", json!({"refresh_token": "unknown"})).await.status(), 204);
}

async fn challenge(app: &TestApp, code_challenge: &str) -> Value {
    let res = app
        .post_json(
            "/api/auth/challenge",
            json!({"code_challenge": code_challenge, "code_challenge_method": "S256", "redirect_uri": app.url("/auth/callback")}),
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn submit(app: &TestApp, card: &str, nonce: &str) -> reqwest::Response {
    let body = app.identity.card(card).unwrap().submission(nonce, false).unwrap();
    app.http.post(app.url("/api/auth/jpki")).json(&body).send().await.unwrap()
}

async fn codes_are_single_use_and_pkce_bound(app: TestApp) {
    let (verifier, cc) = pkce();
    let ch = challenge(&app, &cc).await;
    assert!(ch["companion_url"].as_str().unwrap().contains(ch["nonce"].as_str().unwrap()));
    let res: Value = submit(&app, "taro", ch["nonce"].as_str().unwrap()).await.json().await.unwrap();
    let code = res["code"].as_str().unwrap().to_owned();
    assert!(res["redirect_to"].as_str().unwrap().ends_with(&format!("/auth/callback?code={code}")));
    let (wrong, _) = pkce();
    let bad = app
        .post_json("/api/auth/token", json!({"grant_type": "authorization_code", "code": code, "code_verifier": wrong}))
        .await;
    assert_eq!(bad.status(), 400);
    // A failed exchange burns the code, so the right verifier is too late now.
    let late = app
        .post_json(
            "/api/auth/token",
            json!({"grant_type": "authorization_code", "code": code, "code_verifier": verifier}),
        )
        .await;
    assert_eq!(late.status(), 400);

    let (verifier, cc) = pkce();
    let ch = challenge(&app, &cc).await;
    let res: Value = submit(&app, "taro", ch["nonce"].as_str().unwrap()).await.json().await.unwrap();
    let body = json!({"grant_type": "authorization_code", "code": res["code"], "code_verifier": verifier});
    assert_eq!(app.post_json("/api/auth/token", body.clone()).await.status(), 200);
    let replay = app.post_json("/api/auth/token", body).await;
    assert_eq!(replay.status(), 400);
    assert_eq!(replay.json::<Value>().await.unwrap()["code"], "invalid_grant");
    let short = app
        .post_json(
            "/api/auth/token",
            json!({"grant_type": "authorization_code", "code": "x", "code_verifier": "short"}),
        )
        .await;
    assert_eq!(short.status(), 400);
    let unknown_grant = app.post_json("/api/auth/token", json!({"grant_type": "password", "username": "a"})).await;
    assert_eq!(unknown_grant.status(), 400);
}

async fn nonces_are_single_use_and_signed_exactly(app: TestApp) {
    let (_, cc) = pkce();
    let nonce = challenge(&app, &cc).await["nonce"].as_str().unwrap().to_owned();
    assert_eq!(submit(&app, "taro", &nonce).await.status(), 200);
    let again = submit(&app, "taro", &nonce).await;
    assert_eq!(again.status(), 400);
    assert_eq!(again.json::<Value>().await.unwrap()["code"], "challenge_used");
    // A signature over another nonce.
    let nonce2 = challenge(&app, &cc).await["nonce"].as_str().unwrap().to_owned();
    let mut body = app.identity.card("taro").unwrap().submission("some-other-nonce", false).unwrap();
    body.nonce = nonce2;
    let res = app.http.post(app.url("/api/auth/jpki")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "signature_invalid");
    let unknown = submit(&app, "taro", "never-issued").await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(unknown.json::<Value>().await.unwrap()["code"], "unknown_challenge");
}

async fn bad_cards_are_refused(app: TestApp) {
    let (_, cc) = pkce();
    for (card, code) in
        [("revoked", "certificate_revoked"), ("expired", "certificate_expired"), ("rogue", "certificate_untrusted")]
    {
        let nonce = challenge(&app, &cc).await["nonce"].as_str().unwrap().to_owned();
        let res = submit(&app, card, &nonce).await;
        assert_eq!(res.status(), 400, "{card}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], code, "{card}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    let nonce = challenge(&app, &cc).await["nonce"].as_str().unwrap().to_owned();
    let garbage = app
        .post_json("/api/auth/jpki", json!({"nonce": nonce, "auth_certificate": "!!!", "auth_signature": "AAAA"}))
        .await;
    assert_eq!(garbage.status(), 400);
    assert_eq!(garbage.json::<Value>().await.unwrap()["code"], "invalid_encoding");
    let not_a_cert = app
        .post_json("/api/auth/jpki", json!({"nonce": nonce, "auth_certificate": "AAAAAAAA", "auth_signature": "AAAA"}))
        .await;
    assert_eq!(not_a_cert.status(), 400);
    assert_eq!(not_a_cert.json::<Value>().await.unwrap()["code"], "certificate_unreadable");
}

async fn bad_challenge_requests(app: TestApp) {
    let (_, cc) = pkce();
    let cb = app.url("/auth/callback");
    for (body, code) in [
        (json!({"code_challenge": cc, "code_challenge_method": "plain", "redirect_uri": cb}), "invalid_code_challenge"),
        (
            json!({"code_challenge": "short", "code_challenge_method": "S256", "redirect_uri": cb}),
            "invalid_code_challenge",
        ),
        (
            json!({"code_challenge": cc, "code_challenge_method": "S256", "redirect_uri": "https://evil.example/cb"}),
            "invalid_redirect_uri",
        ),
        (json!({"code_challenge": cc}), "invalid_field"),
    ] {
        let res = app.post_json("/api/auth/challenge", body).await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code);
    }
    let res = app
        .http
        .post(app.url("/api/auth/challenge"))
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "malformed_json");
}

fn forge(header: Value, payload: Value, sig: &[u8]) -> String {
    format!("{}.{}.{}", B64.encode(header.to_string()), B64.encode(payload.to_string()), B64.encode(sig))
}

async fn forged_tokens_are_refused(app: TestApp) {
    let good = app.login("taro", false).await.access_token;
    let parts: Vec<&str> = good.split('.').collect();
    let header: Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
    let mut payload: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    let kid = header["kid"].clone();
    let now = bosai_core::clock::now_seconds();
    let mut cases = vec![
        ("none", forge(json!({"alg": "none", "typ": "at+jwt", "kid": kid}), payload.clone(), b"")),
        ("hs256", forge(json!({"alg": "HS256", "typ": "at+jwt", "kid": kid}), payload.clone(), &[7; 32])),
        ("unknown kid", forge(json!({"alg": "ES256", "typ": "at+jwt", "kid": "nope"}), payload.clone(), &[7; 64])),
        ("garbage", "a.b.c".to_owned()),
        ("oversized", "a".repeat(5000)),
    ];
    payload["role"] = json!("admin");
    cases.push(("tampered", format!("{}.{}.{}", parts[0], B64.encode(payload.to_string()), parts[2])));
    let sign = |p: Value| app.signer.sign("at+jwt", &p);
    let base = |exp: i64, nbf: i64, aud: &str| json!({"iss": "bosai-local", "aud": aud, "sub": "x", "iat": now, "nbf": nbf, "exp": exp, "role": "resident"});
    cases.push(("expired", sign(base(now - 120, now - 900, "bosai-api"))));
    cases.push(("not yet valid", sign(base(now + 900, now + 600, "bosai-api"))));
    cases.push(("wrong audience", sign(base(now + 900, now, "another-api"))));
    cases.push(("wrong typ", app.signer.sign("JWT", &base(now + 900, now, "bosai-api"))));
    for (what, token) in cases {
        let res = me(&app, &token).await;
        assert_eq!(res.status(), 401, "{what}");
        assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"), "{what}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "unauthorized", "{what}");
    }
    let no_scheme = app.http.get(app.url("/api/me")).header("authorization", good.clone()).send().await.unwrap();
    assert_eq!(no_scheme.status(), 401);
    assert_eq!(me(&app, &good).await.status(), 200, "the genuine token still works");
}

async fn jwks_publishes_the_signing_key(app: TestApp) {
    let jwks: Value = app.http.get(app.url("/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys[0]["kty"], "EC");
    assert_eq!(keys[0]["crv"], "P-256");
    assert_eq!(keys[0]["kid"], app.signer.kid());
    assert!(keys[0].get("d").is_none(), "no private part");
}

async fn post_jpki(app: &TestApp, body: &Value) -> (u16, Value) {
    let res = app.http.post(app.url("/api/auth/jpki")).json(body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn fresh_nonce(app: &TestApp) -> String {
    challenge(app, &pkce().1).await["nonce"].as_str().unwrap().to_owned()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn bad_card_input_is_a_clear_4xx(app: TestApp) {
    let card = app.identity.card("taro").unwrap();
    // Each case on a fresh nonce, signed over that nonce (a nonce is consumed by any attempt).
    let good = || async { serde_json::to_value(card.submission(&fresh_nonce(&app).await, true).unwrap()).unwrap() };
    let real = |f: &str| {
        std::fs::read(format!("{}/../jpki/tests/fixtures/real-card/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let cert = card.auth_cert_der.clone();
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, u16, &str)> = vec![
        // The signing certificate (and its key's signature) in the user-authentication slot.
        (
            "wrong purpose",
            Box::new(|b: &mut Value| {
                b["auth_certificate"] = b["signing_certificate"].clone();
                b["auth_signature"] = b["signing_signature"].clone();
            }),
            400,
            "certificate_wrong_purpose",
        ),
        (
            "truncated certificate",
            Box::new(move |b: &mut Value| b["auth_certificate"] = json!(b64(&cert[..cert.len() / 2]))),
            400,
            "certificate_unreadable",
        ),
        (
            "signature of the wrong length",
            Box::new(|b: &mut Value| b["auth_signature"] = json!(b64(&[1; 255]))),
            400,
            "signature_invalid",
        ),
        // A real JPKI test card: its chain checks out, but no one here holds its key.
        (
            "real test card without its key",
            Box::new(move |b: &mut Value| b["auth_certificate"] = json!(b64(&real("jpki-auth-cert.der")))),
            400,
            "signature_invalid",
        ),
        (
            "certificate over 8 KB",
            Box::new(|b: &mut Value| b["auth_certificate"] = json!(b64(&[0x30; 9000]))),
            400,
            "invalid_encoding",
        ),
        // Any body over 256 KB stops at the door (the verifier itself refuses 10 MB: unit test).
        (
            "2 MB certificate",
            Box::new(|b: &mut Value| b["auth_certificate"] = json!(b64(&vec![0x30; 2 * 1024 * 1024]))),
            413,
            "payload_too_large",
        ),
        (
            "signing certificate without its signature",
            Box::new(|b: &mut Value| b["signing_signature"] = Value::Null),
            400,
            "invalid_request",
        ),
    ];
    for (what, change, status, code) in cases {
        let mut body = good().await;
        change(&mut body);
        let (got, problem) = post_jpki(&app, &body).await;
        assert_eq!((got, problem["code"].as_str().unwrap_or_default()), (status, code), "{what}: {problem}");
        assert!(!problem["message"].as_str().unwrap_or_default().is_empty(), "{what}");
    }
    // Nothing was written by any of those: no resident exists for the card until it signs in.
    let settings = app.auth_settings();
    let card_sign_in = settings.card().unwrap();
    let anchor = card_sign_in.jpki.trust().anchors().iter().find(|a| a.id.starts_with("local-auth-")).unwrap();
    let key = bosai_core::keys::cert_subject(&bosai_core::domain::auth::cert_pseudonym(
        card_sign_in,
        &anchor.key_id,
        &card.auth_serial,
    ));
    assert!(app.store.get(&key).await.unwrap().is_none());
    assert_eq!(post_jpki(&app, &good().await).await.0, 200);
    assert!(app.store.get(&key).await.unwrap().is_some());
}

async fn revocation_fails_closed_and_reloads(app: TestApp) {
    use bosai_companion::{pki, Purpose, TestCa};
    use time::{Duration, OffsetDateTime};
    let dir = &app.identity.ca_dir;
    let ca = TestCa::load(dir).unwrap();
    let card = app.identity.card("hanako").unwrap();
    let sign_in = || async {
        post_jpki(&app, &serde_json::to_value(card.submission(&fresh_nonce(&app).await, false).unwrap()).unwrap()).await
    };
    let reload = || tokio::time::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(sign_in().await.0, 200);
    // The CRL goes past its nextUpdate: sign-in pauses (503), it does not silently accept.
    let stale = ca.auth.crl_at(&[], OffsetDateTime::now_utc() - Duration::days(8), Duration::days(7)).unwrap();
    std::fs::write(pki::crl_path(dir, Purpose::UserAuthentication), stale).unwrap();
    reload().await;
    let (status, problem) = sign_in().await;
    assert_eq!((status, problem["code"].as_str().unwrap()), (503, "revocation_unavailable"), "{problem}");
    // A garbage file or another CA's CRL on reload keeps the previous (stale) set: still 503.
    std::fs::write(pki::crl_path(dir, Purpose::UserAuthentication), b"garbage").unwrap();
    reload().await;
    assert_eq!(sign_in().await.0, 503);
    let other = TestCa::generate("JPKI-TEST").unwrap();
    std::fs::write(pki::crl_path(dir, Purpose::UserAuthentication), other.auth.crl(&[]).unwrap()).unwrap();
    reload().await;
    assert_eq!(sign_in().await.0, 503);
    // A current CRL arrives: accepted again without a restart; then the card is revoked.
    pki::write_crls(dir, &ca).unwrap();
    reload().await;
    assert_eq!(sign_in().await.0, 200);
    pki::revoke(dir, &ca, &card).unwrap();
    reload().await;
    let (status, problem) = sign_in().await;
    assert_eq!((status, problem["code"].as_str().unwrap()), (400, "certificate_revoked"));
}

async fn sessions_are_bound_to_sign_in_and_card(app: TestApp) {
    use bosai_core::domain::sessions;
    let settings = app.auth_settings();
    let store = app.store.as_ref();
    let t0 = bosai_core::clock::now_seconds();
    let day = 86_400;
    // Refreshing every day does not extend the session past 30 days from the sign-in.
    let mut t = sessions::start(store, &settings, "r_session_test", t0 + 365 * day, t0).await.unwrap();
    for d in 1..30 {
        t = sessions::rotate(store, &settings, &t.refresh_token, t0 + d * day).await.unwrap();
    }
    let over = sessions::rotate(store, &settings, &t.refresh_token, t0 + 30 * day).await.unwrap_err();
    assert_eq!(over.problem().1.code, "session_expired");
    // A card certificate that expires in 10 days ends the session then.
    let t = sessions::start(store, &settings, "r_session_test", t0 + 10 * day, t0).await.unwrap();
    let t = sessions::rotate(store, &settings, &t.refresh_token, t0 + 9 * day).await.unwrap();
    let over = sessions::rotate(store, &settings, &t.refresh_token, t0 + 10 * day + 1).await.unwrap_err();
    assert_eq!(over.problem().1.code, "session_expired");
    // An already expired card certificate gets no session at all.
    assert!(sessions::start(store, &settings, "r_session_test", t0 - 1, t0).await.is_err());
}

async fn deleting_my_data_ends_every_session(app: TestApp) {
    let phone = app.login("taro", false).await;
    let tablet = app.login("taro", false).await;
    let res = app
        .http
        .delete(app.url("/api/me"))
        .bearer_auth(&phone.access_token)
        .json(&json!({"confirm": "delete"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    for t in [&phone, &tablet] {
        let res = refresh(&app, &t.refresh_token).await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_grant");
    }
    // The card can sign in again afresh.
    assert_eq!(refresh(&app, &app.login("taro", false).await.refresh_token).await.status(), 200);
}

async fn renewed_card_signs_in_as_the_same_resident(app: TestApp) {
    use bosai_companion::TestCa;
    let old = sub(&app.login("taro", false).await.access_token);
    let ca = TestCa::load(&app.identity.ca_dir).unwrap();
    let renewed = ca.issue_card(&bosai_companion::dev::demo_holders().remove(0).1).unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let admin = app.staff_token(bosai_types::auth::Role::Admin, &[], None);
    let app = &app;
    let link = |old_serial: String, new_serial: String, old_ca: Option<&str>| {
        let admin = admin.clone();
        let body = json!({"old_serial": old_serial, "new_serial": new_serial, "old_ca": old_ca});
        async move { app.call("POST", "/api/admin/card-renewals", &admin, Some(body)).await }
    };
    let taro = app.identity.card("taro").unwrap();
    // A malformed CA name, an unknown one, and a serial nobody signed in with, are refused clearly.
    let (status, body) = link(hex(&taro.auth_serial), hex(&renewed.auth_serial), Some("")).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "invalid_ca"));
    let (status, body) = link(hex(&taro.auth_serial), hex(&renewed.auth_serial), Some("auth-g9")).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (404, "not_found"));
    assert_eq!(link("0badcafe".into(), hex(&renewed.auth_serial), None).await.0, 404);
    assert_eq!(link(hex(&taro.auth_serial), hex(&renewed.auth_serial), None).await.0, 204);
    let tokens = bosai_companion::client::login(&app.base, &renewed, false).await.unwrap();
    assert_eq!(sub(&tokens.access_token), old, "the renewed card is the same resident");
}

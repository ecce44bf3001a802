//! Staff sign-in through an OpenID Provider: the code exchange, every ID-token check, key
//! rotation, and the staff records that grant roles, on both stores.
//!
//! The provider here is a stand-in served in-process (a boundary we cannot reach in a Rust
//! test: an organisation's IdP). It signs real RS256 and ES256 ID tokens with jsonwebtoken.
//! The real OpenID Provider (`tools/oidc-provider`, npm `oidc-provider`) signs staff in
//! through a real browser in tests/browser/staff-oidc.test.mjs.

use crate::common::TestApp;
use axum::extract::{Form, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use bosai_core::oidc::{OidcClient, OidcConfig, OidcError};
use bosai_types::auth::Role;
use bosai_types::jws::Signer;
use bosai_types::staff::{StaffAccount, StaffSession};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const CLIENT: &str = "bosai-staff";
const REDIRECT: &str = "http://127.0.0.1/shelter/callback";
const SHELTER: &str = bosai_core::seed::DEMO_STAFF_SHELTER;
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A signing key of the stand-in provider.
struct IdpKey {
    alg: Algorithm,
    kid: String,
    key: EncodingKey,
}

impl IdpKey {
    fn rsa(kid: &str) -> Self {
        let pem = include_str!("../fixtures/test-idp-rsa.pem");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap();
        Self { alg: Algorithm::RS256, kid: kid.into(), key: EncodingKey::from_rsa_der(&der) }
    }

    fn ec(kid: &str, seed: u8) -> Self {
        let signer = Signer::new(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap());
        Self { alg: Algorithm::ES256, kid: kid.into(), key: EncodingKey::from_ec_der(&signer.to_pkcs8_der()) }
    }

    fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).unwrap();
        jwk.common.key_id = Some(self.kid.clone());
        jwk
    }

    fn sign(&self, claims: &Value) -> String {
        let mut h = Header::new(self.alg);
        h.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&h, claims, &self.key).unwrap()
    }
}

#[derive(Clone, Default)]
struct Idp {
    jwks: Arc<Mutex<Vec<Jwk>>>,
    codes: Arc<Mutex<HashMap<String, String>>>,
}

struct RunningIdp {
    issuer: String,
    state: Idp,
}

impl RunningIdp {
    async fn start(keys: &[&IdpKey]) -> Self {
        let state = Idp::default();
        state.jwks.lock().unwrap().extend(keys.iter().map(|k| k.jwk()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let iss = issuer.clone();
        let app = Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move {
                    Json(json!({"issuer": iss, "authorization_endpoint": format!("{iss}/auth"),
                        "token_endpoint": format!("{iss}/token"), "jwks_uri": format!("{iss}/jwks")}))
                }),
            )
            .route(
                "/jwks",
                get(|State(s): State<Idp>| async move { Json(JwkSet { keys: s.jwks.lock().unwrap().clone() }) }),
            )
            .route("/token", post(token_endpoint))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { issuer, state }
    }

    fn config(&self) -> OidcConfig {
        OidcConfig {
            idp: "test-idp".into(),
            issuer: self.issuer.clone(),
            client_id: CLIENT.into(),
            client_secret: None,
            redirect_uris: vec![REDIRECT.into()],
        }
    }

    /// What the provider will answer for `code` (an ID token with these claims changed).
    fn prepare(&self, code: &str, key: &IdpKey, sub: &str, nonce: &str, changes: Value) -> String {
        let now = bosai_core::clock::now_seconds();
        let mut claims = json!({"iss": self.issuer, "aud": CLIENT, "sub": sub, "nonce": nonce,
            "iat": now, "exp": now + 600, "name": "片平 花子"});
        for (k, v) in changes.as_object().unwrap() {
            claims[k] = v.clone();
        }
        let token = key.sign(&claims);
        self.state.codes.lock().unwrap().insert(code.into(), token.clone());
        token
    }
}

/// RFC 6749 §4.1.3 as far as the server uses it: a single-use code, PKCE verifier present.
async fn token_endpoint(
    State(s): State<Idp>,
    Form(f): Form<HashMap<String, String>>,
) -> (axum::http::StatusCode, Json<Value>) {
    let ok = f.get("grant_type").map(String::as_str) == Some("authorization_code")
        && f.get("client_id").map(String::as_str) == Some(CLIENT)
        && f.get("redirect_uri").map(String::as_str) == Some(REDIRECT)
        && f.get("code_verifier").is_some_and(|v| v.len() >= 43);
    match f.get("code").and_then(|c| s.codes.lock().unwrap().remove(c)).filter(|_| ok) {
        Some(id_token) => (
            axum::http::StatusCode::OK,
            Json(json!({"id_token": id_token, "access_token": "x", "token_type": "Bearer"})),
        ),
        None => (axum::http::StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))),
    }
}

async fn exchange(app: &TestApp, code: &str, nonce: &str) -> (u16, Value) {
    let body = json!({"code": code, "code_verifier": VERIFIER, "redirect_uri": REDIRECT, "nonce": nonce});
    let res = app.http.post(app.url("/api/auth/staff/token")).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn admin_put(app: &TestApp, token: &str, code: &str, subject: &str, body: Value) -> (u16, Value) {
    let url = app.url(&format!("/api/admin/municipalities/{code}/staff/{subject}"));
    let res = app.http.put(url).bearer_auth(token).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn run(store: Arc<dyn bosai_store::Store>) {
    let (es, rs) = (IdpKey::ec("ec-1", 7), IdpKey::rsa("rsa-1"));
    let idp = RunningIdp::start(&[&es, &rs]).await;
    let app = crate::common::spawn_app_with(store, |c| c.oidc = Some(idp.config())).await;
    let admin = app.staff_token(Role::Admin, &[], Some("041009"));
    let nonce = "n-0S6_WzA2Mj-aaaaaaaaaaaa";

    // Signed in at the provider, but nobody gave the account a role here.
    idp.prepare("c0", &es, "idp-sub-1", nonce, json!({}));
    let (status, body) = exchange(&app, "c0", nonce).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("no_staff_account")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("idp-sub-1"), "names the account to register");

    // The admin registers them as shelter staff of the demo shelter.
    let (status, saved) = admin_put(
        &app,
        &admin,
        "041009",
        "idp-sub-1",
        json!({"name": "片平 花子", "role": "shelter_staff", "shelters": [SHELTER]}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let listed: Vec<StaffAccount> = app
        .http
        .get(app.url("/api/admin/municipalities/041009/staff"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.iter().any(|a| a.subject == "idp-sub-1" && a.shelters == [SHELTER]));

    // ES256 and RS256 ID tokens both sign in, as the role the record grants.
    for (code, key) in [("c1", &es), ("c2", &rs)] {
        idp.prepare(code, key, "idp-sub-1", nonce, json!({"role": "admin", "shelters": ["x"]}));
        let (status, body) = exchange(&app, code, nonce).await;
        assert_eq!(status, 200, "{body}");
        let s: StaffSession = serde_json::from_value(body).unwrap();
        assert_eq!(
            (s.role, s.shelters.as_slice(), s.name.as_str()),
            (Role::ShelterStaff, [SHELTER.to_string()].as_slice(), "片平 花子"),
            "claims in the ID token grant nothing"
        );
        let roster = app
            .http
            .get(app.url(&format!("/api/shelters/{SHELTER}/roster")))
            .bearer_auth(&s.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(roster.status().as_u16(), 200, "the token works on the staff's own shelter");
        let hq = app.http.get(app.url("/api/hq/summary")).bearer_auth(&s.access_token).send().await.unwrap();
        assert_eq!(hq.status().as_u16(), 403, "and nowhere else");
    }

    // A code is single-use.
    let (status, body) = exchange(&app, "c1", nonce).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("code_rejected")), "{body}");

    // Every ID-token check names its problem, and nothing is signed in.
    let bad_key = IdpKey::ec("ec-1", 9); // the published kid, another key
    let unknown = IdpKey::ec("ec-unpublished", 7);
    let now = bosai_core::clock::now_seconds();
    let cases: [(&str, &IdpKey, &str, Value, &str); 6] = [
        ("b1", &es, "another-nonce-aaaaaaaaaaaa", json!({}), "nonce_mismatch"),
        ("b2", &es, nonce, json!({"iss": "https://evil.example"}), "wrong_issuer"),
        ("b3", &es, nonce, json!({"aud": "another-client"}), "wrong_audience"),
        ("b4", &es, nonce, json!({"exp": now - 3600, "iat": now - 4200}), "id_token_expired"),
        ("b5", &bad_key, nonce, json!({}), "id_token_invalid"),
        ("b6", &unknown, nonce, json!({}), "id_token_invalid"),
    ];
    for (code, key, token_nonce, changes, expected) in cases {
        idp.prepare(code, key, "idp-sub-1", token_nonce, changes);
        let (status, body) = exchange(&app, code, nonce).await;
        assert_eq!((status, body["code"].as_str()), (400, Some(expected)), "{code}: {body}");
    }
    let wrong_redirect =
        json!({"code": "c9", "code_verifier": VERIFIER, "redirect_uri": "https://evil.example/cb", "nonce": nonce});
    let res = app.http.post(app.url("/api/auth/staff/token")).json(&wrong_redirect).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);

    // Scope of the admin: another town's admin cannot touch 041009's records; a town's admin
    // cannot assign another town's shelter; HQ and admins get no shelters.
    let other_admin = app.staff_token(Role::Admin, &[], Some("042021"));
    let refused = [
        // Another town's admin touching 041009's records.
        (&other_admin, "041009", json!({"name": "応援 職員", "role": "hq"}), 403, None),
        // A town's admin assigning another town's shelter (mutual aid needs that town's admin).
        (
            &other_admin,
            "042021",
            json!({"name": "応援 職員", "role": "shelter_staff", "shelters": [SHELTER]}),
            400,
            Some("shelter_of_other_municipality"),
        ),
        // HQ and admins act for the whole municipality: no shelters.
        (
            &admin,
            "041009",
            json!({"name": "本部", "role": "hq", "shelters": [SHELTER]}),
            400,
            Some("shelters_only_for_staff"),
        ),
        // Residents are never made by a staff record.
        (&admin, "041009", json!({"name": "本部", "role": "resident"}), 400, Some("invalid_field")),
        // The prefecture's role goes with the prefecture's code.
        (&admin, "041009", json!({"name": "県", "role": "prefecture_hq"}), 400, Some("prefecture_role_mismatch")),
    ];
    for (token, code, body, status, problem) in refused {
        let (got, answer) = admin_put(&app, token, code, "idp-sub-2", body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        if let Some(p) = problem {
            assert_eq!(answer["code"].as_str(), Some(p), "{body}: {answer}");
        }
    }

    // Removing the record ends sign-in (the audit keeps who did it).
    let del = app
        .http
        .delete(app.url("/api/admin/municipalities/041009/staff/idp-sub-1"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status().as_u16(), 204);
    idp.prepare("c3", &es, "idp-sub-1", nonce, json!({}));
    assert_eq!(exchange(&app, "c3", nonce).await.0, 403);
}

#[tokio::test]
async fn staff_sign_in_embedded_store() {
    run(crate::common::embedded_store().await).await
}

#[tokio::test]
async fn staff_sign_in_dynamodb_local() {
    if let Some(store) = crate::common::dynamodb_store().await {
        run(store).await
    }
}

/// The provider rotates its keys: a new kid is fetched (at most once a minute), so a token
/// from the new key is accepted without a restart, and the old key's tokens stop once the
/// provider stops publishing it.
#[tokio::test]
async fn provider_key_rotation_is_picked_up() {
    let (old, new) = (IdpKey::ec("2026-11", 1), IdpKey::rsa("2026-12"));
    let idp = RunningIdp::start(&[&old]).await;
    let client = OidcClient::new(idp.config()).unwrap();
    let now = bosai_core::clock::now_seconds();
    let nonce = "rotation-nonce-aaaaaaaaaa";
    let token = |key: &IdpKey| idp.prepare("unused", key, "sub-r", nonce, json!({}));
    assert_eq!(client.verify_id_token(&token(&old), nonce, now).await.unwrap().subject, "sub-r");
    *idp.state.jwks.lock().unwrap() = vec![new.jwk()];
    // Within a minute of the last fetch an unknown kid is refused without asking again…
    assert_eq!(client.verify_id_token(&token(&new), nonce, now + 10).await, Err(OidcError::UnknownKey));
    // …after that the JWKS is fetched again and the new key verifies.
    let who = client.verify_id_token(&token(&new), nonce, now + 61).await.unwrap();
    assert_eq!((who.subject.as_str(), who.name.as_deref()), ("sub-r", Some("片平 花子")));
    // The provider no longer publishes the old key: its tokens are refused.
    assert_eq!(client.verify_id_token(&token(&old), nonce, now + 62).await, Err(OidcError::UnknownKey));
}

/// A provider whose discovery document names another issuer is not used at all.
#[tokio::test]
async fn a_discovery_document_for_another_issuer_is_refused() {
    let key = IdpKey::ec("k", 3);
    let idp = RunningIdp::start(&[&key]).await;
    // Same server, another name: the document it serves names 127.0.0.1.
    let client =
        OidcClient::new(OidcConfig { issuer: idp.issuer.replace("127.0.0.1", "localhost"), ..idp.config() }).unwrap();
    let err = client.start(bosai_core::clock::now_seconds()).await.unwrap_err();
    assert!(matches!(err, OidcError::BadDiscovery(_)), "{err}");
}

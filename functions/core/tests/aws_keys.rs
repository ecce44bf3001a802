//! Token signing in KMS and secrets from Secrets Manager, as the functions do it on AWS,
//! against moto's server (`scripts/with-moto.sh`; KMS and Secrets Manager are the AWS
//! boundary we cannot reach from here). The token function signs through `kms:Sign`; the
//! api function only holds public keys and refuses to sign; a token of the previous key
//! still verifies during a rotation. Skipped without moto unless `BOSAI_REQUIRE_MOTO` is set.

mod common;

use common::aws::{new_secret, new_token_key};

use aws_sdk_kms::types::{KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec};
use bosai_core::config::AuthConfig;
use bosai_core::deployment::Function;
use bosai_core::secrets::SecretSource;
use bosai_core::{AppState, Config};
use bosai_types::jws::{Jwks, KeySet};
use serde_json::json;
use std::sync::Arc;

fn moto() -> bool {
    if std::env::var("BOSAI_MOTO_ENDPOINT").is_ok() {
        return true;
    }
    assert!(
        std::env::var("BOSAI_REQUIRE_MOTO").is_err(),
        "BOSAI_REQUIRE_MOTO is set but moto is not running: use scripts/with-moto.sh"
    );
    eprintln!("skipping: BOSAI_MOTO_ENDPOINT not set");
    false
}

async fn kms() -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(bosai_core::secrets::aws().await)
}

/// The router of one function on a free port, over the shared store: its base URL.
async fn serve(
    store: Arc<dyn bosai_store::Store>,
    config: Config,
    auth: Arc<bosai_core::auth::AuthSettings>,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = bosai_core::router(AppState::new(store, config, auth));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

async fn call(
    base: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let req = reqwest::Client::new().request(method.parse().unwrap(), format!("{base}{path}")).bearer_auth(token);
    let res = match body {
        Some(b) => req.json(&b),
        None => req,
    }
    .send()
    .await
    .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn the_token_function_signs_in_kms_and_the_api_function_only_verifies() {
    if !moto() {
        return;
    }
    let kms = kms().await;
    let (current, previous) = (new_token_key().await, new_token_key().await);
    let dir = tempfile::tempdir().unwrap();
    let identity = bosai_companion::dev::ensure_dev_identity(dir.path()).unwrap();
    let store = common::embedded_store().await;
    bosai_core::seed::seed(store.as_ref(), bosai_types::Timestamp(1_790_000_000_000)).await.unwrap();
    // Both functions behind one address, as API Gateway puts them: the token function's
    // base is the one the companion and the redirect URIs name.
    let token_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let token_base = format!("http://{}", token_listener.local_addr().unwrap());
    let aws_config = |keys: Vec<String>| AuthConfig {
        token_keys: vec![],
        token_kms_keys: keys,
        pseudonym_secret: None,
        ..common::auth_config(&token_base, &identity)
    };
    let pseudonym = new_secret("bosai-pseudonym", &"k".repeat(64)).await;
    let mut token_cfg = aws_config(vec![current.clone(), previous.clone()]);
    token_cfg.pseudonym_secret = Some(SecretSource::SecretsManager(pseudonym));
    let token_auth =
        token_cfg.load_for(Function::Token).await.expect("the token function starts with KMS and Secrets Manager");
    // The api function: no pseudonym secret configured at all, and it does not need one.
    let api_auth = aws_config(vec![current.clone(), previous.clone()])
        .load_for(Function::Api)
        .await
        .expect("the api function starts");
    assert!(api_auth.card().is_err(), "no card sign-in in the api function");
    assert_eq!(token_auth.tokens.jwks(), api_auth.tokens.jwks(), "both publish the same two public keys");
    assert_eq!(token_auth.tokens.jwks().keys.len(), 2);
    let router = bosai_core::router(AppState::new(store.clone(), common::test_config(), token_auth.clone()));
    tokio::spawn(async move { axum::serve(token_listener, router).await.unwrap() });
    let api_base = serve(store.clone(), common::test_config(), api_auth.clone()).await;

    // A resident signs in with a card through the token function; the access token is signed in KMS.
    let tokens = bosai_companion::client::login(&token_base, &identity.card("taro").unwrap(), false).await.unwrap();
    let header: serde_json::Value = {
        use base64::Engine;
        let h = tokens.access_token.split('.').next().unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
    };
    assert_eq!(header["kid"], json!(token_auth.tokens.jwks().keys[0].kid), "signed by the current key");
    // KMS itself agrees the signature is its own (an independent verifier: moto's).
    let (input, sig) = tokens.access_token.rsplit_once('.').unwrap();
    let sig = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig).unwrap()
    };
    let der = p256::ecdsa::Signature::from_slice(&sig).unwrap().to_der();
    let verified = kms
        .verify()
        .key_id(&current)
        .message(aws_sdk_kms::primitives::Blob::new(input.as_bytes()))
        .message_type(MessageType::Raw)
        .signature(aws_sdk_kms::primitives::Blob::new(der.as_bytes()))
        .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
        .send()
        .await
        .unwrap();
    assert!(verified.signature_valid());

    // The api function accepts it with the public key only.
    let (s, me) = call(&api_base, "GET", "/api/me", &tokens.access_token, None).await;
    assert_eq!(s, 200, "{me}");
    // A route that signs, sent to the api function by mistake: 503 (the log names the
    // routing mistake), nothing signed.
    let body = json!({"members": ["self"]});
    let (s, e) = call(&api_base, "POST", "/api/me/checkin-credential", &tokens.access_token, Some(body.clone())).await;
    assert_eq!(s, 503, "{e}");
    assert_eq!(e["code"], "unavailable", "{e}");
    // The token function signs the check-in QR; staff devices verify it with the published JWKS.
    let (s, cred) = call(&token_base, "POST", "/api/me/checkin-credential", &tokens.access_token, Some(body)).await;
    assert_eq!(s, 200, "{cred}");
    let jwks: Jwks = reqwest::get(format!("{token_base}/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
    let claims: serde_json::Value = KeySet::from_jwks(&jwks)
        .unwrap()
        .verify(cred["credential"].as_str().unwrap(), bosai_types::checkin::CHECKIN_TYPE)
        .unwrap();
    assert_eq!(claims["m"], json!(["self"]));

    // Rotation: a token signed by the previous key (before the switch) still verifies while
    // that key is listed; once it is dropped it does not.
    let before = AuthConfig { token_kms_keys: vec![previous.clone()], ..token_cfg.clone() }
        .load_for(Function::Token)
        .await
        .unwrap();
    let old = before
        .tokens
        .issue("staff:x", bosai_types::auth::Role::Hq, vec![], Some("041009".into()), bosai_core::clock::now_seconds())
        .await
        .unwrap();
    assert!(api_auth.tokens.verify(&old, bosai_core::clock::now_seconds()).is_ok(), "old key still listed");
    let after = aws_config(vec![current.clone()]).load_for(Function::Api).await.unwrap();
    assert!(after.tokens.verify(&old, bosai_core::clock::now_seconds()).is_err(), "old key dropped");
}

#[tokio::test]
async fn a_function_does_not_start_on_a_wrong_key_or_secret() {
    if !moto() {
        return;
    }
    let kms = kms().await;
    let dir = tempfile::tempdir().unwrap();
    let identity = bosai_companion::dev::ensure_dev_identity(dir.path()).unwrap();
    let base = common::auth_config("http://127.0.0.1:9", &identity);
    // A KMS key of the wrong kind: refused at init, naming the variable.
    let rsa = kms.create_key().key_spec(KeySpec::Rsa2048).key_usage(KeyUsageType::SignVerify).send().await.unwrap();
    let rsa = rsa.key_metadata().unwrap().arn().unwrap().to_owned();
    let cfg = AuthConfig { token_keys: vec![], token_kms_keys: vec![rsa], ..base.clone() };
    let e = cfg.load_for(Function::Api).await.unwrap_err().to_string();
    assert!(e.contains("BOSAI_TOKEN_KMS_KEYS") && e.contains("ECC_NIST_P256"), "{e}");
    // A key that does not exist.
    let cfg = AuthConfig { token_keys: vec![], token_kms_keys: vec!["alias/nothing-here".into()], ..base.clone() };
    assert!(cfg.load_for(Function::Token).await.unwrap_err().to_string().contains("BOSAI_TOKEN_KMS_KEYS"));
    // A pseudonym secret that is too short, or missing.
    let key = new_token_key().await;
    let short = new_secret("short", "too-short").await;
    let cfg = AuthConfig {
        token_keys: vec![],
        token_kms_keys: vec![key.clone()],
        pseudonym_secret: Some(SecretSource::SecretsManager(short)),
        ..base.clone()
    };
    assert!(cfg.load_for(Function::Token).await.unwrap_err().to_string().contains("32 bytes"));
    let cfg = AuthConfig {
        token_keys: vec![],
        token_kms_keys: vec![key],
        pseudonym_secret: Some(SecretSource::SecretsManager("no-such-secret".into())),
        ..base
    };
    assert!(cfg.load_for(Function::Token).await.unwrap_err().to_string().contains("cannot read secret"));
}

#[tokio::test]
async fn a_token_function_without_current_crls_starts_with_card_sign_in_closed() {
    let dir = tempfile::tempdir().unwrap();
    let identity = bosai_companion::dev::ensure_dev_identity(dir.path()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Production trust and no CRL at all: J-LIS's roots are uncovered.
    let cfg = AuthConfig {
        jpki_trust: bosai_core::config::JpkiTrust::Production,
        jpki_test_cas: vec![],
        jpki_crls: vec![],
        ..common::auth_config(&base, &identity)
    };
    assert!(cfg.load().is_err(), "the local stack refuses to start");
    // The token function starts: card sign-in fails closed, signing goes on.
    let auth = cfg.load_for(Function::Token).await.expect("starts without current CRLs");
    assert!(matches!(auth.card(), Err(bosai_core::ApiError::RevocationUnavailable)));
    let now = bosai_core::clock::now_seconds();
    let staff =
        auth.tokens.issue("staff:x", bosai_types::auth::Role::Hq, vec![], Some("041009".into()), now).await.unwrap();
    assert!(auth.tokens.verify(&staff, now).is_ok());
    // Over HTTP: the card sign-in's challenge still works, the card itself gets 503 revocation_unavailable.
    let router = bosai_core::router(AppState::new(common::embedded_store().await, common::test_config(), auth));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let e =
        bosai_companion::client::login(&base, &identity.card("taro").unwrap(), false).await.unwrap_err().to_string();
    assert!(e.contains("503") && e.contains("revocation_unavailable"), "{e}");
}

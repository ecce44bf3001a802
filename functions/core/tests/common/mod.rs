//! `spawn_app`: the real router on a free 127.0.0.1 port over a chosen store,
//! with real identity material (test CA, cards, ES256 key) in a temp dir.
#![allow(dead_code)]

pub mod aws;
pub mod dynamodb_local;

use bosai_companion::dev::{ensure_dev_identity, DevIdentity};
use bosai_core::config::{AuthConfig, StoreConfig};
use bosai_core::{seed, AppState, Config};
use bosai_store::dynamo::DynamoStore;
use bosai_store::sqlite::SqliteStore;
use bosai_store::Store;
use bosai_types::auth::{Claims, Role, TokenResponse};
use bosai_types::jws::Signer;
use bosai_types::{MunicipalityCode, Timestamp};
use std::sync::Arc;

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub http: reqwest::Client,
    pub identity: DevIdentity,
    pub signer: Signer,
    /// The server's push settings (a fresh VAPID key; loopback endpoints allowed for the
    /// test push service). Tests run the fan-out themselves with it.
    pub push: bosai_core::domain::subscriptions::PushSettings,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// A shelter's occupancy as the public sees it (`GET /api/shelters/{id}`).
    pub async fn public_occupancy(&self, shelter: &str) -> i64 {
        let s: serde_json::Value =
            self.http.get(self.url(&format!("/api/shelters/{shelter}"))).send().await.unwrap().json().await.unwrap();
        s["occupancy"].as_i64().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A staff/HQ/admin token as the staff IdP (here: the local key) would issue it.
    pub fn staff_token(&self, role: Role, shelters: &[&str], municipality: Option<&str>) -> String {
        let now = bosai_core::clock::now_seconds();
        let claims = Claims {
            iss: "bosai-local".into(),
            aud: "bosai-api".into(),
            sub: format!("staff:{}", role.as_str()),
            iat: now,
            nbf: now,
            exp: now + 600,
            role,
            shelters: shelters.iter().map(|s| s.to_string()).collect(),
            municipality: municipality.map(str::to_owned),
        };
        self.signer.sign("at+jwt", &claims)
    }

    /// Settings equal to the server's (same keys and secret), for calling domain functions.
    pub fn auth_settings(&self) -> Arc<bosai_core::auth::AuthSettings> {
        auth_config(&self.base, &self.identity).load().unwrap()
    }

    /// The full companion flow with a demo card.
    pub async fn login(&self, card: &str, share_basic_four: bool) -> TokenResponse {
        bosai_companion::client::login(&self.base, &self.identity.card(card).unwrap(), share_basic_four).await.unwrap()
    }

    /// The resident agrees to the collection of needs (要配慮個人情報), as the app asks first.
    pub async fn consent(&self, token: &str) {
        let body = serde_json::json!({"version": bosai_types::consent::SENSITIVE_DATA_CONSENT_VERSION});
        let (s, v) = self.call("PUT", "/api/me/consent", token, Some(body)).await;
        assert_eq!(s, 200, "consent: {v}");
    }

    /// One authenticated JSON call: status and body (Null when the body is not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.call_with(method, path, token, body, &[]).await
    }

    /// [`Self::call`] with extra headers (a queued write's device times, say).
    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
        headers: &[(&str, String)],
    ) -> (u16, serde_json::Value) {
        let mut req = self.http.request(method.parse().unwrap(), self.url(path)).bearer_auth(token);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(&body).send().await.unwrap()
    }
}

pub async fn embedded_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::in_memory().unwrap())
}

/// A fresh table on DynamoDB Local, or None (skip) when it is not running.
pub async fn dynamodb_store() -> Option<Arc<dyn Store>> {
    DynamoStore::fresh_test_table("api").await.map(|s| Arc::new(s) as Arc<dyn Store>)
}

/// Cards that must be refused: revoked (in the CRL), expired, and one from a rogue CA.
fn extra_cards(dir: &std::path::Path, identity: &mut DevIdentity) {
    use bosai_companion::{pki, TestCa};
    use time::{Duration, OffsetDateTime};
    let ca_dir = identity.ca_dir.clone();
    let ca = TestCa::load(&ca_dir).unwrap();
    let holder = bosai_companion::dev::demo_holders().remove(0).1;
    let revoked = ca.issue_card(&holder).unwrap();
    pki::revoke(&ca_dir, &ca, &revoked).unwrap();
    let t = OffsetDateTime::now_utc();
    let expired = ca.issue_card_valid(&holder, t - Duration::days(400), t - Duration::days(1)).unwrap();
    // Same names as the real test CAs, other keys.
    let rogue = TestCa::generate("JPKI-TEST").unwrap().issue_card(&holder).unwrap();
    for (label, card) in [("revoked", revoked), ("expired", expired), ("rogue", rogue)] {
        let path = dir.join("cards").join(label);
        card.save(&path).unwrap();
        identity.cards.push((label.into(), path));
    }
}

/// The local trust configuration, with CRLs re-read every second (tests swap them).
pub fn auth_config(base: &str, identity: &DevIdentity) -> AuthConfig {
    let mut cfg = AuthConfig::local(
        base,
        identity.token_key.clone(),
        identity.ca_certs.clone(),
        identity.crls.clone(),
        identity.pseudonym_secret.clone(),
    );
    cfg.crl_reload_seconds = 1;
    cfg
}

/// The tests' deployment settings: the demo municipality, 90 days' retention, no snapshot cache.
pub fn test_config() -> Config {
    Config {
        store: StoreConfig::Embedded { dir: "unused".into() },
        municipality: MunicipalityCode::parse(seed::DEMO_MUNICIPALITY).unwrap(),
        retention_days: 90,
        public_cache_seconds: 0,
        inactive: Default::default(),
    }
}

pub async fn spawn_app(store: Arc<dyn Store>) -> TestApp {
    spawn_app_with(store, |_| {}).await
}

/// `spawn_app` with changed identity settings (e.g. a staff OpenID Provider).
pub async fn spawn_app_with(store: Arc<dyn Store>, tweak: impl FnOnce(&mut AuthConfig)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut identity = ensure_dev_identity(dir.path()).unwrap();
    extra_cards(dir.path(), &mut identity);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut cfg = auth_config(&base, &identity);
    tweak(&mut cfg);
    let auth = cfg.load().unwrap();
    let signer = Signer::from_pkcs8_pem(&std::fs::read_to_string(&identity.token_key).unwrap()).unwrap();
    let config = test_config();
    seed::seed(store.as_ref(), Timestamp(1_790_000_000_000)).await.unwrap();
    let vapid = bosai_push::VapidKey::generate("mailto:test@example.jp").unwrap();
    let push = bosai_core::domain::subscriptions::PushSettings {
        client: bosai_push::PushClient::new(vapid).unwrap(),
        allow_loopback: true,
    };
    let router = bosai_core::router(AppState::new(store.clone(), config, auth).with_push(push.clone(), None));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    TestApp { base, store, http: reqwest::Client::new(), identity, signer, push, _dir: dir }
}

/// Runs each listed async test fn (taking a `TestApp`) on both store backends.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod embedded_store { $( #[tokio::test] async fn $name() { super::$name($crate::common::spawn_app($crate::common::embedded_store().await).await).await } )* }
        mod dynamodb_local { $( #[tokio::test] async fn $name() { if let Some(s) = $crate::common::dynamodb_store().await { super::$name($crate::common::spawn_app(s).await).await } } )* }
    };
}

/// The keys (`pk / sk`) of every stored item, expired ones included, whose keys or attributes
/// contain `needle`: what a deletion must leave nothing of.
pub async fn naming(store: &dyn Store, needle: &str) -> Vec<String> {
    use bosai_store::Value;
    let (mut out, mut cursor) = (Vec::new(), None);
    loop {
        let page = store.scan(cursor).await.unwrap();
        for i in page.items {
            let text = i
                .values()
                .map(|v| match v {
                    Value::S(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
                .join("|");
            if text.contains(needle) {
                let key = |k: &str| i.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                out.push(format!("{} / {}", key("pk"), key("sk")));
            }
        }
        cursor = page.next;
        if cursor.is_none() {
            return out;
        }
    }
}

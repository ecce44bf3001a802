use crate::auth::{CardSignIn, CardSignInClosed};
use crate::deployment::Function;
use crate::secrets::SecretSource;
use crate::signing::{KmsKey, SignError, TokenSigner};
use bosai_store::dynamo::{DynamoConfig, DynamoStore};
use bosai_store::sqlite::SqliteStore;
use bosai_store::Store;
use bosai_types::jws::{Jwk, Jwks, Signer};
use bosai_types::MunicipalityCode;
use std::path::PathBuf;
use std::sync::Arc;

/// Runtime configuration, from environment variables (Lambda and local alike).
#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    /// The municipality this deployment serves (全国地方公共団体コード).
    pub municipality: MunicipalityCode,
    /// Days a closed real incident's personal data is kept (`BOSAI_RETENTION_DAYS`, default 90).
    pub retention_days: u32,
    /// Seconds the public shelter list is served from a snapshot (`BOSAI_PUBLIC_CACHE_SECONDS`,
    /// default 10; 0: none).
    pub public_cache_seconds: u64,
    /// `BOSAI_INACTIVE_DAYS` (default 730) and `BOSAI_INACTIVE_WARNING_DAYS` (default 30).
    pub inactive: crate::domain::activity::InactivePolicy,
}

/// Which JPKI roots a deployment trusts (`BOSAI_JPKI_TRUST`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JpkiTrust {
    /// J-LIS's six production roots only; every current root needs a current CRL to start.
    #[default]
    Production,
    /// Also J-LIS's test hierarchy and the local test CAs: the local stack and tests only.
    Test,
}

/// Where the identity material lives (files: PEM keys, CA certificates, CRLs).
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    pub issuer: String,
    /// PKCS#8 PEM files of ES256 keys; the first signs, the rest only verify (rotation).
    pub token_keys: Vec<PathBuf>,
    /// On AWS instead: KMS keys (ARNs or aliases); the first signs, the rest only verify.
    pub token_kms_keys: Vec<String>,
    pub jpki_trust: JpkiTrust,
    /// PEM files of locally generated CAs (`tests/companion`); refused unless `jpki_trust` is Test.
    pub jpki_test_cas: Vec<PathBuf>,
    /// CRL files (DER or PEM) or directories of them, re-read every `crl_reload_seconds`.
    pub jpki_crls: Vec<PathBuf>,
    pub crl_reload_seconds: i64,
    /// Needed where card sign-in is served (the token function, the local stack).
    pub pseudonym_secret: Option<SecretSource>,
    pub redirect_uris: Vec<String>,
    pub companion_url: String,
    /// External OIDC issuer of staff/HQ tokens and its JWKS file.
    pub staff_issuer: Option<(String, PathBuf)>,
    /// Staff sign-in through an OpenID Provider (authorization code + PKCE).
    pub oidc: Option<crate::oidc::OidcConfig>,
}

#[derive(Debug, Clone)]
pub enum StoreConfig {
    Embedded { dir: PathBuf },
    Dynamo(DynamoConfig),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not valid: {1}")]
    Invalid(&'static str, String),
    #[error("cannot read {0}: {1}")]
    File(PathBuf, std::io::Error),
    #[error("cannot open the store: {0}")]
    Store(#[from] bosai_store::StoreError),
}

/// CRLs are re-read hourly by default (J-LIS publishes more often than it expires them).
pub const DEFAULT_CRL_RELOAD_SECONDS: i64 = 3600;

pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// `BOSAI_STORE=dynamodb` (with `BOSAI_TABLE`, optional `BOSAI_DYNAMODB_ENDPOINT`)
    /// or the embedded store in `BOSAI_DATA_DIR` (default `.bosai/data`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let municipality = var("BOSAI_MUNICIPALITY").unwrap_or_else(|| crate::seed::DEMO_MUNICIPALITY.into());
        let municipality = MunicipalityCode::parse(&municipality)
            .map_err(|e| ConfigError::Invalid("BOSAI_MUNICIPALITY", e.to_string()))?;
        let store = match var("BOSAI_STORE").as_deref() {
            Some("dynamodb") => {
                // Checked here so a typo stops the start, not the first request.
                bosai_store::aws_http::AwsTrust::from_env().map_err(|e| ConfigError::Invalid("BOSAI_AWS_TRUST", e))?;
                StoreConfig::Dynamo(DynamoConfig {
                    table: var("BOSAI_TABLE").unwrap_or_else(|| "bosai".into()),
                    endpoint: var("BOSAI_DYNAMODB_ENDPOINT"),
                    region: var("AWS_REGION"),
                })
            }
            None | Some("embedded") => {
                StoreConfig::Embedded { dir: var("BOSAI_DATA_DIR").unwrap_or_else(|| ".bosai/data".into()).into() }
            }
            Some(other) => {
                return Err(ConfigError::Invalid("BOSAI_STORE", format!("'{other}' (use embedded or dynamodb)")))
            }
        };
        let retention_days = match var("BOSAI_RETENTION_DAYS") {
            None => crate::domain::incidents::DEFAULT_RETENTION_DAYS,
            Some(v) => v
                .parse()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or(ConfigError::Invalid("BOSAI_RETENTION_DAYS", format!("'{v}' (1-3650 days)")))?,
        };
        let public_cache_seconds = match var("BOSAI_PUBLIC_CACHE_SECONDS") {
            None => 10,
            Some(v) => v
                .parse()
                .ok()
                .filter(|s| *s <= 300)
                .ok_or(ConfigError::Invalid("BOSAI_PUBLIC_CACHE_SECONDS", format!("'{v}' (0-300 seconds)")))?,
        };
        let days = |name: &'static str, default: u32| match var(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .ok()
                .filter(|d| (1..=36500).contains(d))
                .ok_or(ConfigError::Invalid(name, format!("'{v}' (1-36500 days)"))),
        };
        let inactive = crate::domain::activity::InactivePolicy {
            inactive_days: days("BOSAI_INACTIVE_DAYS", 730)?,
            warning_days: days("BOSAI_INACTIVE_WARNING_DAYS", 30)?,
        };
        Ok(Self { store, municipality, retention_days, public_cache_seconds, inactive })
    }

    pub async fn open_store(&self) -> Result<Arc<dyn Store>, ConfigError> {
        Ok(match &self.store {
            StoreConfig::Embedded { dir } => Arc::new(SqliteStore::open(dir)?),
            StoreConfig::Dynamo(cfg) => {
                let store = DynamoStore::connect(cfg).await;
                // Local endpoints start empty; on AWS the table comes from infra/.
                if cfg.endpoint.is_some() {
                    store.create_table().await?;
                }
                Arc::new(store)
            }
        })
    }
}

fn list(name: &str) -> Vec<String> {
    var(name).map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

fn oidc_from_env() -> Result<Option<crate::oidc::OidcConfig>, ConfigError> {
    let Some(issuer) = var("BOSAI_OIDC_ISSUER") else { return Ok(None) };
    let client_id =
        var("BOSAI_OIDC_CLIENT_ID").ok_or(ConfigError::Invalid("BOSAI_OIDC_CLIENT_ID", "missing".into()))?;
    let redirect_uris = list("BOSAI_OIDC_REDIRECT_URIS");
    if redirect_uris.is_empty() {
        return Err(ConfigError::Invalid(
            "BOSAI_OIDC_REDIRECT_URIS",
            "name the staff app's /shelter/callback URL".into(),
        ));
    }
    let client_secret = match var("BOSAI_OIDC_CLIENT_SECRET_FILE").map(PathBuf::from) {
        None => None,
        Some(p) => Some(String::from_utf8_lossy(&read(&p)?).trim().to_owned()),
    };
    let idp = var("BOSAI_OIDC_IDP").unwrap_or_else(|| "oidc".into());
    Ok(Some(crate::oidc::OidcConfig { idp, issuer, client_id, client_secret, redirect_uris }))
}

pub(crate) fn read(path: &PathBuf) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| ConfigError::File(path.clone(), e))
}

impl AuthConfig {
    /// The local stack's settings: files made by `bosai_companion::dev`, redirects to `base_url`.
    /// Trusts the local test CAs and J-LIS's test hierarchy, never in production.
    pub fn local(
        base_url: &str,
        token_key: PathBuf,
        test_cas: Vec<PathBuf>,
        crls: Vec<PathBuf>,
        secret: PathBuf,
    ) -> Self {
        Self {
            issuer: var("BOSAI_ISSUER").unwrap_or_else(|| "bosai-local".into()),
            token_keys: vec![token_key],
            token_kms_keys: vec![],
            jpki_trust: JpkiTrust::Test,
            jpki_test_cas: test_cas,
            jpki_crls: crls,
            crl_reload_seconds: DEFAULT_CRL_RELOAD_SECONDS,
            pseudonym_secret: Some(SecretSource::File(secret)),
            redirect_uris: vec![format!("{base_url}/auth/callback")],
            companion_url: format!("{base_url}/dev/companion"),
            staff_issuer: None,
            oidc: None,
        }
    }

    /// BOSAI_ISSUER, BOSAI_TOKEN_KEYS (files) or BOSAI_TOKEN_KMS_KEYS (AWS), BOSAI_JPKI_TRUST
    /// (production | test), BOSAI_JPKI_TEST_CAS, BOSAI_JPKI_CRLS, BOSAI_JPKI_CRL_RELOAD_SECONDS,
    /// BOSAI_PSEUDONYM_SECRET_FILE or BOSAI_PSEUDONYM_SECRET_ID (Secrets Manager), BOSAI_REDIRECT_URIS, BOSAI_COMPANION_URL,
    /// BOSAI_STAFF_ISSUER with BOSAI_STAFF_JWKS_FILE; staff sign-in: BOSAI_OIDC_ISSUER,
    /// BOSAI_OIDC_CLIENT_ID, BOSAI_OIDC_REDIRECT_URIS, BOSAI_OIDC_IDP (default `oidc`),
    /// BOSAI_OIDC_CLIENT_SECRET_FILE (confidential clients only).
    pub fn from_env() -> Result<Self, ConfigError> {
        let need = |name: &'static str| list(name).into_iter().map(PathBuf::from).collect::<Vec<_>>();
        let cfg = Self {
            issuer: var("BOSAI_ISSUER").ok_or(ConfigError::Invalid("BOSAI_ISSUER", "missing".into()))?,
            token_keys: need("BOSAI_TOKEN_KEYS"),
            token_kms_keys: list("BOSAI_TOKEN_KMS_KEYS"),
            jpki_trust: match var("BOSAI_JPKI_TRUST").as_deref() {
                None | Some("production") => JpkiTrust::Production,
                Some("test") => JpkiTrust::Test,
                Some(other) => {
                    return Err(ConfigError::Invalid("BOSAI_JPKI_TRUST", format!("'{other}' (use production or test)")))
                }
            },
            jpki_test_cas: need("BOSAI_JPKI_TEST_CAS"),
            jpki_crls: need("BOSAI_JPKI_CRLS"),
            crl_reload_seconds: match var("BOSAI_JPKI_CRL_RELOAD_SECONDS") {
                None => DEFAULT_CRL_RELOAD_SECONDS,
                Some(v) => {
                    v.parse().ok().filter(|s| *s > 0).ok_or(ConfigError::Invalid("BOSAI_JPKI_CRL_RELOAD_SECONDS", v))?
                }
            },
            pseudonym_secret: SecretSource::from_env("BOSAI_PSEUDONYM_SECRET_FILE", "BOSAI_PSEUDONYM_SECRET_ID"),
            redirect_uris: list("BOSAI_REDIRECT_URIS"),
            companion_url: var("BOSAI_COMPANION_URL").unwrap_or_else(|| "bosai-companion://jpki".into()),
            staff_issuer: var("BOSAI_STAFF_ISSUER").zip(var("BOSAI_STAFF_JWKS_FILE").map(PathBuf::from)),
            oidc: oidc_from_env()?,
        };
        Ok(cfg)
    }

    /// The local stack and the tests: keys and secrets in files, everything served; refuses to
    /// start when the JPKI trust does not load.
    pub fn load(&self) -> Result<Arc<crate::auth::AuthSettings>, ConfigError> {
        let mut signers = self.file_keys()?;
        let signer = signers.remove(0);
        let verify_only = signers.iter().map(|s| s.jwk().clone()).collect();
        let secret = match &self.pseudonym_secret {
            Some(SecretSource::File(path)) => read(path)?,
            _ => return Err(ConfigError::Invalid("BOSAI_PSEUDONYM_SECRET_FILE", "missing".into())),
        };
        let card = self.card_sign_in(&secret)?;
        self.assemble(Some(TokenSigner::Local(signer)), verify_only, Ok(card))
    }

    /// What `function` needs, resolved once at init: the signing key only where it signs
    /// (KMS on AWS: `kms:Sign` for the token function, `kms:GetPublicKey` for the rest),
    /// the pseudonym secret only where cards sign in. A token function whose JPKI trust does
    /// not load (CRLs expired, say) still starts: card sign-in answers 503 and fails closed,
    /// staff sign-in and the check-in QR go on.
    pub async fn load_for(&self, function: Function) -> Result<Arc<crate::auth::AuthSettings>, ConfigError> {
        let bad = |e: SignError| ConfigError::Invalid("BOSAI_TOKEN_KMS_KEYS", e.to_string());
        let (signer, verify_only) = if self.token_kms_keys.is_empty() {
            let mut signers = self.file_keys()?;
            match function.signs() {
                true => {
                    let first = signers.remove(0);
                    (Some(TokenSigner::Local(first)), signers.iter().map(|s| s.jwk().clone()).collect())
                }
                false => (None, signers.iter().map(|s| s.jwk().clone()).collect()),
            }
        } else {
            let kms = aws_sdk_kms::Client::new(crate::secrets::aws().await);
            let mut ids = self.token_kms_keys.iter();
            let signer = match function.signs() {
                true => Some(TokenSigner::Kms(
                    KmsKey::load(kms.clone(), ids.next().expect("not empty")).await.map_err(bad)?,
                )),
                false => None,
            };
            let mut verify_only = Vec::new();
            for id in ids {
                verify_only.push(crate::signing::kms_public_jwk(&kms, id).await.map_err(bad)?);
            }
            (signer, verify_only)
        };
        let card = match (function.signs(), &self.pseudonym_secret) {
            (false, _) => Err(CardSignInClosed::NotHere),
            (true, Some(source)) => {
                let secret = source.read("BOSAI_PSEUDONYM_SECRET_ID").await?;
                match self.card_sign_in(&secret) {
                    Ok(card) => Ok(card),
                    Err(e @ ConfigError::Invalid("BOSAI_PSEUDONYM_SECRET_ID", _)) => return Err(e),
                    Err(e) => {
                        tracing::error!(error = %e, "card sign-in is closed until the JPKI trust loads");
                        Err(CardSignInClosed::TrustNotLoaded(e.to_string()))
                    }
                }
            }
            (true, None) => {
                return Err(ConfigError::Invalid(
                    "BOSAI_PSEUDONYM_SECRET_ID",
                    "missing (or BOSAI_PSEUDONYM_SECRET_FILE)".into(),
                ))
            }
        };
        self.assemble(signer, verify_only, card)
    }

    /// The JPKI trust with its CRLs and the pseudonym key.
    fn card_sign_in(&self, pseudonym_secret: &[u8]) -> Result<CardSignIn, ConfigError> {
        if pseudonym_secret.len() < 32 {
            return Err(ConfigError::Invalid("BOSAI_PSEUDONYM_SECRET_ID", "needs at least 32 bytes".into()));
        }
        let jpki = crate::jpki_trust::verifier(self, crate::clock::now_seconds())?;
        let crl_source = crate::jpki_trust::CrlSource::new(self.jpki_crls.clone(), self.crl_reload_seconds);
        Ok(CardSignIn::new(jpki, crl_source, pseudonym_secret))
    }

    fn file_keys(&self) -> Result<Vec<Signer>, ConfigError> {
        let mut signers = Vec::new();
        for path in &self.token_keys {
            let pem = String::from_utf8_lossy(&read(path)?).into_owned();
            signers.push(
                Signer::from_pkcs8_pem(&pem).map_err(|e| ConfigError::Invalid("BOSAI_TOKEN_KEYS", e.to_string()))?,
            );
        }
        if signers.is_empty() {
            return Err(ConfigError::Invalid(
                "BOSAI_TOKEN_KEYS",
                "at least one key is needed (or BOSAI_TOKEN_KMS_KEYS)".into(),
            ));
        }
        Ok(signers)
    }

    fn assemble(
        &self,
        signer: Option<TokenSigner>,
        verify_only: Vec<Jwk>,
        card: Result<CardSignIn, CardSignInClosed>,
    ) -> Result<Arc<crate::auth::AuthSettings>, ConfigError> {
        let bad = |what: &'static str| move |e: String| ConfigError::Invalid(what, e);
        let staff = match &self.staff_issuer {
            None => vec![],
            Some((iss, path)) => {
                let jwks: Jwks =
                    serde_json::from_slice(&read(path)?).map_err(|e| bad("BOSAI_STAFF_JWKS_FILE")(e.to_string()))?;
                vec![crate::auth::TrustedIssuer::new(iss, &jwks)
                    .map_err(|e| bad("BOSAI_STAFF_JWKS_FILE")(e.to_string()))?]
            }
        };
        let tokens = crate::auth::TokenKeys::with_signer(&self.issuer, signer, verify_only, staff)
            .map_err(|e| bad("BOSAI_TOKEN_KEYS")(e.to_string()))?;
        let oidc = self.oidc.clone().map(crate::oidc::OidcClient::new).transpose().map_err(bad("BOSAI_OIDC_ISSUER"))?;
        Ok(crate::auth::AuthSettings::new(tokens, card, self.redirect_uris.clone(), self.companion_url.clone(), oidc))
    }
}

/// Push from the environment: the VAPID key (PKCS#8 PEM of a P-256 key) from
/// `BOSAI_VAPID_KEY_FILE` or the Secrets Manager secret `BOSAI_VAPID_KEY_SECRET_ID`,
/// `BOSAI_VAPID_SUBJECT` (`mailto:` or `https:` contact for push services),
/// `BOSAI_PUSH_ALLOW_LOOPBACK=1` only for the local test push service. None without a key.
pub async fn push_from_env() -> Result<Option<crate::domain::subscriptions::PushSettings>, ConfigError> {
    let Some(source) = SecretSource::from_env("BOSAI_VAPID_KEY_FILE", "BOSAI_VAPID_KEY_SECRET_ID") else {
        return Ok(None);
    };
    let pem = String::from_utf8(source.read("BOSAI_VAPID_KEY_SECRET_ID").await?)
        .map_err(|e| ConfigError::Invalid("BOSAI_VAPID_KEY_FILE", e.to_string()))?;
    let subject = var("BOSAI_VAPID_SUBJECT").unwrap_or_else(|| "mailto:bosai-ops@example.jp".into());
    let vapid = bosai_push::VapidKey::from_pkcs8_pem(&pem, subject)
        .map_err(|e| ConfigError::Invalid("BOSAI_VAPID_KEY_FILE", e.to_string()))?;
    let client = bosai_push::PushClient::new(vapid).map_err(|e| ConfigError::Invalid("push client", e.to_string()))?;
    Ok(Some(crate::domain::subscriptions::PushSettings {
        client,
        allow_loopback: var("BOSAI_PUSH_ALLOW_LOOPBACK").as_deref() == Some("1"),
    }))
}

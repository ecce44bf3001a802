//! Staff sign-in through the organisation's OpenID Provider (Cognito in AWS, or Entra ID,
//! Google Workspace, an LGWAN-side IdP…): authorization code + PKCE, the code exchanged
//! here at the provider's token endpoint, the ID token checked against the provider's
//! JWKS (RS256 or ES256; `iss`, `aud`, `exp`, `nonce`). The discovery document and the
//! keys are cached; a key id we have not seen refetches the JWKS (at most once a minute),
//! so the provider can rotate keys without a restart.

use bosai_types::staff::{StaffSignInStart, StaffTokenRequest};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::sync::Mutex;
use std::time::Duration;

/// Clock skew tolerated on the ID token's `exp`/`iat`.
const LEEWAY_SECONDS: i64 = 60;
/// The discovery document and the keys are fetched again after this long.
const CACHE_SECONDS: i64 = 3600;
/// An unknown key id refetches the JWKS at most this often (a flood of forged ids cannot
/// make us hammer the provider).
const MIN_REFETCH_SECONDS: i64 = 60;
const SCOPE: &str = "openid profile";

/// One OpenID Provider as a deployment configures it.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The label staff records are keyed by (`cognito`, `sendai-entra`): an issuer URL may
    /// change with a tenant move, the records should not.
    pub idp: String,
    pub issuer: String,
    pub client_id: String,
    /// Confidential clients only (Cognito app clients with a secret); PKCE either way.
    pub client_secret: Option<String>,
    /// Exact redirect URIs the staff app may name (`https://…/shelter/callback`).
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    #[error("staff sign-in is not configured on this deployment")]
    NotConfigured,
    #[error("the redirect URI is not one of this deployment's")]
    RedirectNotAllowed,
    #[error("the identity provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider's discovery document is not usable: {0}")]
    BadDiscovery(String),
    #[error("the identity provider refused the code: {0}")]
    CodeRejected(String),
    #[error("the ID token was not issued by the configured provider")]
    WrongIssuer,
    #[error("the ID token was issued for another client")]
    WrongAudience,
    #[error("the ID token does not carry the nonce of this sign-in")]
    NonceMismatch,
    #[error("the ID token has expired")]
    Expired,
    #[error("the ID token is signed with a key the provider does not publish")]
    UnknownKey,
    #[error("the ID token's signature is not valid")]
    BadSignature,
    #[error("the ID token uses an algorithm other than RS256 or ES256")]
    UnsupportedAlgorithm,
    #[error("the ID token is malformed: {0}")]
    Malformed(String),
}

#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    end_session_endpoint: Option<String>,
}

#[derive(Default)]
struct Cache {
    discovery: Option<(Discovery, i64)>,
    keys: Option<(JwkSet, i64)>,
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpIdentity {
    pub subject: String,
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct IdTokenClaims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    name: Option<String>,
}

pub struct OidcClient {
    config: OidcConfig,
    http: reqwest::Client,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OidcClient({}, {})", self.config.idp, self.config.issuer)
    }
}

impl OidcClient {
    pub fn new(config: OidcConfig) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(bosai_push::tls_config().map_err(|e| e.to_string())?)
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(8))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { config, http, cache: Mutex::default() })
    }

    pub fn idp(&self) -> &str {
        &self.config.idp
    }

    /// What the staff app needs to send someone to the provider.
    pub async fn start(&self, now: i64) -> Result<StaffSignInStart, OidcError> {
        let d = self.discovery(now).await?;
        Ok(StaffSignInStart {
            authorization_endpoint: d.authorization_endpoint,
            client_id: self.config.client_id.clone(),
            scope: SCOPE.into(),
            end_session_endpoint: d.end_session_endpoint,
        })
    }

    /// Trade the code (with the PKCE verifier) for an ID token and check it.
    pub async fn exchange(&self, req: &StaffTokenRequest, now: i64) -> Result<IdpIdentity, OidcError> {
        if !self.config.redirect_uris.iter().any(|u| u == &req.redirect_uri) {
            return Err(OidcError::RedirectNotAllowed);
        }
        let d = self.discovery(now).await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", req.code.as_str()),
            ("redirect_uri", req.redirect_uri.as_str()),
            ("client_id", self.config.client_id.as_str()),
            ("code_verifier", req.code_verifier.as_str()),
        ];
        if let Some(secret) = &self.config.client_secret {
            form.push(("client_secret", secret.as_str()));
        }
        let res = self
            .http
            .post(&d.token_endpoint)
            .form(&form)
            .send()
            .await
            .map_err(|e| OidcError::Unreachable(e.to_string()))?;
        let status = res.status();
        let body: serde_json::Value = res.json().await.map_err(|e| OidcError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            // RFC 6749 §5.2: `invalid_grant` for a used, expired or mismatched code or verifier.
            let why = body.get("error").and_then(|e| e.as_str()).unwrap_or("error");
            return Err(if status.is_client_error() {
                OidcError::CodeRejected(why.into())
            } else {
                OidcError::Unreachable(status.to_string())
            });
        }
        let id_token = body
            .get("id_token")
            .and_then(|t| t.as_str())
            .ok_or(OidcError::Malformed("no id_token in the answer".into()))?;
        self.verify_id_token(id_token, &req.nonce, now).await
    }

    /// Signature by a published key, then issuer, audience, time and nonce.
    pub async fn verify_id_token(&self, token: &str, nonce: &str, now: i64) -> Result<IdpIdentity, OidcError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| OidcError::UnsupportedAlgorithm)?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(OidcError::UnsupportedAlgorithm);
        }
        let kid = header.kid.ok_or(OidcError::UnknownKey)?;
        let key = self.key(&kid, header.alg, now).await?;
        let mut v = Validation::new(header.alg);
        v.validate_exp = false; // checked below against `now`, like every other token here
        v.validate_aud = false;
        v.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &v).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => OidcError::BadSignature,
            jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => OidcError::UnsupportedAlgorithm,
            other => OidcError::Malformed(format!("{other:?}")),
        })?;
        let raw = data.claims;
        if raw.get("iss").and_then(|i| i.as_str()) != Some(self.config.issuer.as_str()) {
            return Err(OidcError::WrongIssuer);
        }
        let aud_ok = match raw.get("aud") {
            Some(serde_json::Value::String(a)) => a == &self.config.client_id,
            Some(serde_json::Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(self.config.client_id.as_str())),
            _ => false,
        };
        if !aud_ok {
            return Err(OidcError::WrongAudience);
        }
        let claims: IdTokenClaims = serde_json::from_value(raw).map_err(|e| OidcError::Malformed(e.to_string()))?;
        if claims.exp + LEEWAY_SECONDS < now || claims.iat.is_some_and(|iat| iat - LEEWAY_SECONDS > now) {
            return Err(OidcError::Expired);
        }
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(OidcError::NonceMismatch);
        }
        Ok(IdpIdentity { subject: claims.sub, name: claims.name.filter(|n| !n.trim().is_empty()) })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let res = self.http.get(url).send().await.map_err(|e| OidcError::Unreachable(e.to_string()))?;
        if !res.status().is_success() {
            return Err(OidcError::Unreachable(format!("{url}: {}", res.status())));
        }
        res.json().await.map_err(|e| OidcError::BadDiscovery(format!("{url}: {e}")))
    }

    async fn discovery(&self, now: i64) -> Result<Discovery, OidcError> {
        if let Some((d, at)) = &self.cache.lock().expect("oidc cache").discovery {
            if now - at < CACHE_SECONDS {
                return Ok(d.clone());
            }
        }
        let url = format!("{}/.well-known/openid-configuration", self.config.issuer.trim_end_matches('/'));
        let d: Discovery = self.get_json(&url).await?;
        // OpenID Connect Discovery §4.3: the document must name the issuer we asked.
        if d.issuer != self.config.issuer {
            return Err(OidcError::BadDiscovery(format!("it names the issuer '{}'", d.issuer)));
        }
        self.cache.lock().expect("oidc cache").discovery = Some((d.clone(), now));
        Ok(d)
    }

    /// The provider's key `kid`, refetching the JWKS when it is stale or does not know `kid`.
    async fn key(&self, kid: &str, alg: Algorithm, now: i64) -> Result<DecodingKey, OidcError> {
        let cached = self.cache.lock().expect("oidc cache").keys.clone();
        if let Some((set, at)) = &cached {
            if now - at < CACHE_SECONDS {
                if let Some(k) = set.find(kid) {
                    return decoding_key(k, alg);
                }
                if now - at < MIN_REFETCH_SECONDS {
                    return Err(OidcError::UnknownKey);
                }
            }
        }
        let d = self.discovery(now).await?;
        let set: JwkSet = self.get_json(&d.jwks_uri).await?;
        let found = set.find(kid).cloned();
        self.cache.lock().expect("oidc cache").keys = Some((set, now));
        decoding_key(&found.ok_or(OidcError::UnknownKey)?, alg)
    }
}

fn decoding_key(jwk: &jsonwebtoken::jwk::Jwk, alg: Algorithm) -> Result<DecodingKey, OidcError> {
    use jsonwebtoken::jwk::AlgorithmParameters;
    // The key's type must fit the header's algorithm: an RSA key never verifies "ES256".
    let fits = matches!(
        (&jwk.algorithm, alg),
        (AlgorithmParameters::RSA(_), Algorithm::RS256) | (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
    );
    if !fits {
        return Err(OidcError::UnsupportedAlgorithm);
    }
    DecodingKey::from_jwk(jwk).map_err(|e| OidcError::Malformed(e.to_string()))
}

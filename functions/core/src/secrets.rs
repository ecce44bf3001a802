//! Secrets read once at init: from a file (the local stack, tests) or from AWS Secrets
//! Manager (on AWS, so nothing secret is in the package or the function's settings).

use crate::config::ConfigError;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    File(PathBuf),
    /// A Secrets Manager secret's ARN or name; its string (or binary) value is the secret.
    SecretsManager(String),
}

impl SecretSource {
    /// `file_var` names a file, `id_var` a Secrets Manager secret; the file wins (local runs).
    pub fn from_env(file_var: &str, id_var: &str) -> Option<Self> {
        crate::config::var(file_var)
            .map(|p| Self::File(p.into()))
            .or_else(|| crate::config::var(id_var).map(Self::SecretsManager))
    }

    pub async fn read(&self, what: &'static str) -> Result<Vec<u8>, ConfigError> {
        match self {
            Self::File(path) => crate::config::read(path),
            Self::SecretsManager(id) => {
                let client = aws_sdk_secretsmanager::Client::new(aws().await);
                let out = client.get_secret_value().secret_id(id).send().await.map_err(|e| {
                    ConfigError::Invalid(what, format!("cannot read secret {id}: {}", crate::signing::sdk_message(&e)))
                })?;
                match (out.secret_string(), out.secret_binary()) {
                    (Some(s), _) => Ok(s.as_bytes().to_vec()),
                    (None, Some(b)) => Ok(b.as_ref().to_vec()),
                    (None, None) => Err(ConfigError::Invalid(what, format!("secret {id} has no value"))),
                }
            }
        }
    }
}

/// The AWS SDK's configuration (region, credentials, endpoint overrides such as
/// `AWS_ENDPOINT_URL_KMS` in tests), loaded once per process.
pub async fn aws() -> &'static aws_config::SdkConfig {
    static CONFIG: tokio::sync::OnceCell<aws_config::SdkConfig> = tokio::sync::OnceCell::const_new();
    CONFIG
        .get_or_init(|| {
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .http_client(bosai_store::aws_http::from_env())
                .load()
        })
        .await
}

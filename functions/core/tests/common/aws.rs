//! What infra/template.yaml creates in KMS and Secrets Manager, made on moto's server
//! (`scripts/with-moto.sh` points the SDK at it).

use aws_sdk_kms::types::{KeySpec, KeyUsageType};

/// A new token key as the template declares it (`ECC_NIST_P256`, `SIGN_VERIFY`): its ARN.
pub async fn new_token_key() -> String {
    let kms = aws_sdk_kms::Client::new(bosai_core::secrets::aws().await);
    let key = kms.create_key().key_spec(KeySpec::EccNistP256).key_usage(KeyUsageType::SignVerify).send().await.unwrap();
    key.key_metadata().unwrap().arn().unwrap().to_owned()
}

/// A new Secrets Manager secret holding `value`: its ARN.
pub async fn new_secret(name: &str, value: &str) -> String {
    let sm = aws_sdk_secretsmanager::Client::new(bosai_core::secrets::aws().await);
    let name = format!("{name}-{}", uuid::Uuid::new_v4());
    sm.create_secret().name(name).secret_string(value).send().await.unwrap().arn().unwrap().to_owned()
}

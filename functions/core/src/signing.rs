//! Who signs what we issue: access tokens, check-in credentials, shelter posters.
//!
//! Locally the key is a PKCS#8 file. On AWS it is a KMS key (`ECC_NIST_P256`,
//! `SIGN_VERIFY`) whose private half never leaves KMS: only the token function's role may
//! call `kms:Sign`; every function reads the public key once at init (`kms:GetPublicKey`)
//! to verify. A function without a signer (the api function) refuses to sign, and the
//! routes that sign are routed to the token function (`crate::deployment`).

use bosai_types::jws::{jwk_of, signing_input, with_signature, Jwk, Signer};
use p256::ecdsa::Signature;
use p256::pkcs8::DecodePublicKey;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A signing route reached a function that holds no signing key: a routing mistake.
    #[error("this function does not sign tokens; the request belongs to the token function")]
    NotHere,
    #[error("the signing key could not be used: {0}")]
    Kms(String),
}

impl From<SignError> for crate::ApiError {
    fn from(e: SignError) -> Self {
        tracing::error!(error = %e, "signing failed");
        crate::ApiError::Unavailable(e.to_string())
    }
}

/// A KMS key we sign with: its id (ARN or alias) and the JWK of its public half.
#[derive(Clone)]
pub struct KmsKey {
    client: aws_sdk_kms::Client,
    key_id: String,
    jwk: Jwk,
}

impl std::fmt::Debug for KmsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KmsKey({}, kid={})", self.key_id, self.jwk.kid)
    }
}

/// The public half of a KMS key as a JWK (init: one `GetPublicKey` per key).
pub async fn kms_public_jwk(client: &aws_sdk_kms::Client, key_id: &str) -> Result<Jwk, SignError> {
    let out = client.get_public_key().key_id(key_id).send().await.map_err(|e| SignError::Kms(sdk_message(&e)))?;
    let not_p256 = || SignError::Kms(format!("{key_id} is not an ECC_NIST_P256 signing key"));
    if out.key_spec().is_some_and(|s| *s != aws_sdk_kms::types::KeySpec::EccNistP256) {
        return Err(not_p256());
    }
    let der = out.public_key().ok_or_else(|| SignError::Kms(format!("{key_id}: no public key")))?;
    let key = p256::ecdsa::VerifyingKey::from_public_key_der(der.as_ref()).map_err(|_| not_p256())?;
    Ok(jwk_of(&key))
}

/// `Code: message` of an AWS SDK error (KMS, Secrets Manager), for logs and 503 bodies.
pub(crate) fn sdk_message<E: aws_sdk_kms::error::ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: &aws_sdk_kms::error::SdkError<E, R>,
) -> String {
    use aws_sdk_kms::error::ProvideErrorMetadata as _;
    match (e.code(), e.message()) {
        (Some(code), Some(m)) => format!("{code}: {m}"),
        (Some(code), None) => code.to_owned(),
        _ => format!("{e:?}").chars().take(300).collect(),
    }
}

impl KmsKey {
    pub async fn load(client: aws_sdk_kms::Client, key_id: &str) -> Result<Self, SignError> {
        let jwk = kms_public_jwk(&client, key_id).await?;
        Ok(Self { client, key_id: key_id.to_owned(), jwk })
    }

    /// ECDSA_SHA_256 over the raw signing input (always under KMS's 4 KB message limit: our
    /// tokens are), DER signature converted to JOSE `r‖s`.
    async fn sign_input(&self, input: &str) -> Result<Signature, SignError> {
        use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
        let out = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(aws_sdk_kms::primitives::Blob::new(input.as_bytes()))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .map_err(|e| SignError::Kms(sdk_message(&e)))?;
        let der = out.signature().ok_or_else(|| SignError::Kms("KMS returned no signature".into()))?;
        let sig = Signature::from_der(der.as_ref()).map_err(|e| SignError::Kms(format!("KMS signature: {e}")))?;
        // Low-S form, as every ES256 verifier accepts.
        Ok(sig.normalize_s().unwrap_or(sig))
    }
}

/// The key that signs new tokens.
#[derive(Debug, Clone)]
pub enum TokenSigner {
    /// A key in a file: the local stack and the tests.
    Local(Signer),
    /// A KMS key: on AWS, in the token function.
    Kms(KmsKey),
}

impl TokenSigner {
    pub fn jwk(&self) -> &Jwk {
        match self {
            Self::Local(s) => s.jwk(),
            Self::Kms(k) => &k.jwk,
        }
    }

    pub fn kid(&self) -> &str {
        &self.jwk().kid
    }

    /// A compact ES256 JWS of `claims` with header `typ`.
    pub async fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, SignError> {
        match self {
            Self::Local(s) => Ok(s.sign(typ, claims)),
            Self::Kms(k) => {
                let input = signing_input(&k.jwk.kid, typ, claims);
                let sig = k.sign_input(&input).await?;
                Ok(with_signature(input, &sig))
            }
        }
    }
}

//! Web Push for shelter notices, with no third-party push library.
//!
//! - [`ece`]: the payload encryption of RFC 8291 (`aes128gcm`, RFC 8188), both directions,
//!   so that push services only ever see ciphertext.
//! - [`vapid`]: RFC 8292 application-server identification (ES256 JWT), signing and checking.
//! - [`send`]: [`PushClient`], which encrypts, signs and POSTs, and sorts the push service's
//!   answer into what the caller must do next ([`Delivery`]).
//! - `receiver` (feature `test-receiver`): a local push service that decrypts for real, so
//!   the whole path is tested without reaching FCM or Mozilla's service.

pub mod ece;
#[cfg(feature = "test-receiver")]
pub mod receiver;
pub mod send;
pub mod vapid;

pub use ece::{decrypt, encrypt, encrypt_with, SubscriptionKeys, MAX_BODY_LEN, MAX_PLAINTEXT_LEN};
#[cfg(feature = "test-receiver")]
pub use receiver::{Fault, RequestMeta, TestPushHandle, TestPushService, TestPushStats};
pub use send::{tls_config, Delivery, PushClient, SendOptions, Subscription, Urgency};
pub use vapid::{verify_vapid, VapidKey};

/// Everything that can go wrong on our side of a push; a push service's answer is a
/// [`Delivery`], not an error.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// A subscription's `p256dh` or `auth` is not what a browser hands out.
    #[error("invalid subscription key: {0}")]
    InvalidKey(&'static str),
    /// The encrypted body would exceed the 4096 octets every push service must accept.
    #[error("payload of {len} bytes is too large (at most {max} bytes)")]
    PayloadTooLarge { len: usize, max: usize },
    /// An `aes128gcm` body that cannot be parsed (receiving side).
    #[error("malformed aes128gcm body: {0}")]
    MalformedBody(&'static str),
    /// Authentication failed: wrong key, wrong auth secret or a tampered body.
    #[error("decryption failed")]
    DecryptFailed,
    /// The endpoint is not a URL we may post to (https, or http on loopback only).
    #[error("invalid push endpoint: {0}")]
    InvalidEndpoint(String),
    /// The `Topic` header must be at most 32 base64url characters (RFC 8030, section 5.4).
    #[error("invalid topic: at most 32 characters of the base64url alphabet")]
    InvalidTopic,
    /// The VAPID `sub` must be a `mailto:` or `https:` URI (RFC 8292, section 2.1).
    #[error("invalid VAPID subject: must start with mailto: or https:")]
    InvalidSubject,
    /// The VAPID private key could not be read.
    #[error("invalid VAPID key: {0}")]
    InvalidVapidKey(String),
    /// A VAPID `Authorization` header that does not verify (receiving side).
    #[error("VAPID verification failed: {0}")]
    VapidRejected(&'static str),
    /// The TLS configuration could not be built.
    #[error("TLS: {0}")]
    Tls(String),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// Unpadded base64url, as browsers produce; padded input is accepted too.
pub(crate) mod b64 {
    use base64::alphabet::URL_SAFE;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;

    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &URL_SAFE,
        GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );

    pub fn encode(bytes: impl AsRef<[u8]>) -> String {
        ENGINE.encode(bytes)
    }

    pub fn decode(text: &str) -> Option<Vec<u8>> {
        ENGINE.decode(text.trim()).ok()
    }
}

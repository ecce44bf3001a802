//! Stands in for the native companion app and for the card itself, which we
//! cannot reach from here: a pair of test CAs shaped like J-LIS's issues "My Number
//! Cards" to the J-LIS certificate profile (an RSA-2048 user-authentication
//! certificate and a signing certificate carrying the basic four items in
//! subjectAltName), and the client runs the same challenge → sign → code → token
//! flow as the app.

pub mod card;
pub mod client;
pub mod dev;
pub mod pki;

pub use card::Card;
pub use pki::{CardHolder, Purpose, TestCa};
/// For tests that shape certificates by hand (`TestCa::issue_auth_with`).
pub use rcgen;

#[derive(Debug, thiserror::Error)]
pub enum CompanionError {
    #[error("certificate generation failed: {0}")]
    Pki(#[from] rcgen::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("key error: {0}")]
    Key(String),
    #[error("server said {status}: {body}")]
    Server { status: u16, body: String },
    #[error("network error: {0}")]
    Http(#[from] reqwest::Error),
    #[error("{0}")]
    Other(String),
}

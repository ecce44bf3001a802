//! The companion's side of sign-in, over HTTP, as the native app does it.

use crate::{Card, CompanionError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use bosai_types::auth::{ChallengeRequest, ChallengeResponse, JpkiResult, TokenRequest, TokenResponse};
use sha2::Digest;

/// A PKCE pair: the PWA keeps the verifier, the server sees only the challenge.
pub fn pkce() -> (String, String) {
    let mut b = [0u8; 32];
    aws_lc_rs::rand::fill(&mut b).expect("system randomness");
    let verifier = B64URL.encode(b);
    let challenge = B64URL.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

async fn post<B: serde::Serialize, R: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: String,
    body: &B,
) -> Result<R, CompanionError> {
    let res = http.post(url).json(body).send().await?;
    let status = res.status();
    if !status.is_success() {
        return Err(CompanionError::Server { status: status.as_u16(), body: res.text().await.unwrap_or_default() });
    }
    Ok(res.json().await?)
}

/// The whole flow: challenge → card signs the nonce → one-time code → tokens.
pub async fn login(server: &str, card: &Card, share_basic_four: bool) -> Result<TokenResponse, CompanionError> {
    let http = reqwest::Client::new();
    let server = server.trim_end_matches('/');
    let (verifier, challenge) = pkce();
    let ch: ChallengeResponse = post(
        &http,
        format!("{server}/api/auth/challenge"),
        &ChallengeRequest {
            code_challenge: challenge,
            code_challenge_method: "S256".into(),
            redirect_uri: format!("{server}/auth/callback"),
        },
    )
    .await?;
    let result: JpkiResult =
        post(&http, format!("{server}/api/auth/jpki"), &card.submission(&ch.nonce, share_basic_four)?).await?;
    post(
        &http,
        format!("{server}/api/auth/token"),
        &TokenRequest::AuthorizationCode { code: result.code, code_verifier: verifier },
    )
    .await
}

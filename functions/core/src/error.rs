//! The one place where failures become HTTP responses.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bosai_store::{CancelReason, StoreError};
use bosai_types::Problem;

/// What a refusal needs to be explained (`params` of the problem), e.g. the CSV header found.
pub type Params = Vec<(&'static str, String)>;

/// Each error's `message` is Japanese, for API users; apps render their own text in the reader's
/// language from `code` and `params` (the catalogs' `problem_<code>` and `error_<reason>`).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is understood but its content is wrong; `code` is stable for clients.
    #[error("{code}: {message}")]
    Invalid { code: &'static str, message: String, params: Params },
    /// A field filled in wrongly: `reason` is the rule it broke (`params.reason` of the problem).
    #[error("{code} ({reason}): {message}")]
    InvalidInput { code: &'static str, reason: &'static str, message: String },
    /// What was not found (in Japanese, e.g. 「避難所」).
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("method not allowed")]
    MethodNotAllowed,
    /// No valid token: sign in again.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// A valid token whose role or scope does not cover this request.
    #[error("forbidden")]
    Forbidden,
    /// Larger than the route accepts (`limit` bytes).
    #[error("the request body is too large")]
    PayloadTooLarge { limit: usize },
    #[error("the request body must be JSON")]
    UnsupportedMediaType,
    /// What was changed by someone else (in Japanese).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The request is well formed but the record's state does not allow it (e.g. closing a
    /// closed incident); `code` is stable for clients.
    #[error("{code}: {message}")]
    StateConflict { code: &'static str, message: String, params: Params },
    #[error("busy, retry later")]
    Busy,
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// No current CRL covers the card: sign-in fails closed until one is loaded.
    #[error("revocation status unavailable")]
    RevocationUnavailable,
    /// The identity provider vouched for someone with no staff record here.
    #[error("no staff record for this account")]
    NoStaffAccount { subject: String },
    /// The staff sign-in failed at the identity provider or its ID token did not check out.
    #[error("staff sign-in failed: {0}")]
    StaffSignIn(#[from] crate::oidc::OidcError),
}

impl ApiError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid { code, message: message.into(), params: Params::new() }
    }

    /// A field filled in wrongly: `code` names the input, `reason` the rule it broke (the domain
    /// error's `code()`), sent as the problem's `params.reason`.
    pub fn invalid_input(code: &'static str, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError::InvalidInput { code, reason, message: message.into() }
    }

    /// The record's state does not allow the request (409).
    pub fn state_conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::StateConflict { code, message: message.into(), params: Params::new() }
    }

    /// Adds a parameter to a refusal (`Invalid`, `StateConflict`; other kinds have none).
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        if let ApiError::Invalid { params, .. } | ApiError::StateConflict { params, .. } = &mut self {
            params.push((name, value.into()));
        }
        self
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Invalid { code, message, .. } | ApiError::InvalidInput { code, message, .. } => {
                (StatusCode::BAD_REQUEST, code, message.clone())
            }
            ApiError::StateConflict { code, message, .. } => (StatusCode::CONFLICT, code, message.clone()),
            ApiError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what}が見つかりません。アドレスやIDを確認してください。"),
            ),
            ApiError::Unauthorized(_) => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "もう一度サインインしてください。".into())
            }
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "このアカウントではこの操作はできません。必要な場合は責任者に確認してください。".into(),
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "この操作はこのアドレスでは使えません（/api/openapi.json を参照）。".into(),
            ),
            ApiError::PayloadTooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("送信データが大きすぎます（上限 {} KB）。分けて送ってください。", limit / 1024),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "本文は JSON（Content-Type: application/json）で送ってください。".into(),
            ),
            ApiError::Conflict(what) => (
                StatusCode::CONFLICT,
                "conflict",
                format!("{what}は他の操作で変更されました。再読み込みしてからやり直してください。"),
            ),
            ApiError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "混み合っています。データは失われていません。数秒後にもう一度お試しください。".into(),
            ),
            ApiError::RevocationUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "revocation_unavailable",
                "カードの失効確認が今はできないため、サインインを一時停止しています。しばらくしてからお試しください。".into(),
            ),
            ApiError::NoStaffAccount { subject } => (
                StatusCode::FORBIDDEN,
                "no_staff_account",
                format!("サインインはできましたが、このアカウントには職員の権限がありません。自治体の管理者に、アカウント「{subject}」の登録を依頼してください。"),
            ),
            ApiError::StaffSignIn(e) => oidc_parts(e),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "一時的に利用できません。しばらくしてからお試しください。".into(),
            ),
        }
    }

    fn params(&self) -> std::collections::BTreeMap<String, String> {
        let pairs: Vec<(&str, String)> = match self {
            ApiError::Invalid { params, .. } | ApiError::StateConflict { params, .. } => params.clone(),
            ApiError::InvalidInput { reason, .. } => vec![("reason", (*reason).to_owned())],
            ApiError::PayloadTooLarge { limit } => vec![("limit_kb", (limit / 1024).to_string())],
            ApiError::NoStaffAccount { subject } => vec![("subject", subject.clone())],
            _ => vec![],
        };
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    pub fn problem(&self) -> (StatusCode, Problem) {
        let (status, code, message) = self.parts();
        (status, Problem { code: code.into(), params: self.params(), message })
    }
}

/// Each failed staff sign-in names its cause; only an unreachable provider is worth retrying.
fn oidc_parts(e: &crate::oidc::OidcError) -> (StatusCode, &'static str, String) {
    use crate::oidc::OidcError as E;
    let again = "もう一度サインインしてください。";
    let (status, code, ja) = match e {
        E::NotConfigured => (
            StatusCode::NOT_FOUND,
            "staff_sign_in_not_configured",
            "この環境では職員アカウントでのサインインが設定されていません。".to_string(),
        ),
        E::Unreachable(_) | E::BadDiscovery(_) => (
            StatusCode::BAD_GATEWAY,
            "identity_provider_unavailable",
            "職員認証のサーバーにつながりません。しばらくしてからお試しください。".to_string(),
        ),
        E::RedirectNotAllowed => {
            (StatusCode::BAD_REQUEST, "redirect_not_allowed", "このアドレスからはサインインできません。".to_string())
        }
        E::CodeRejected(_) => {
            (StatusCode::BAD_REQUEST, "code_rejected", format!("サインインの手続きが無効か期限切れです。{again}"))
        }
        E::WrongIssuer => (StatusCode::BAD_REQUEST, "wrong_issuer", format!("別の認証サーバーからの応答です。{again}")),
        E::WrongAudience => {
            (StatusCode::BAD_REQUEST, "wrong_audience", format!("このアプリ向けではない応答です。{again}"))
        }
        E::NonceMismatch => {
            (StatusCode::BAD_REQUEST, "nonce_mismatch", format!("このサインインの応答ではありません。{again}"))
        }
        E::Expired => (
            StatusCode::BAD_REQUEST,
            "id_token_expired",
            format!("サインインの応答が期限切れです。端末の時計を確認して、{again}"),
        ),
        E::UnknownKey | E::BadSignature | E::UnsupportedAlgorithm | E::Malformed(_) => {
            (StatusCode::BAD_REQUEST, "id_token_invalid", format!("認証サーバーの署名を確認できませんでした。{again}"))
        }
    };
    (status, code, ja)
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Throttled => ApiError::Busy,
            // DynamoDB cancels a transaction that raced another on the same items
            // (`TransactionConflict`): nothing is wrong with the request, it can be sent again
            // (503 is what the apps retry; a 409 would be shown as refused and dropped).
            StoreError::TransactionCanceled { reasons } if !reasons.contains(&CancelReason::ConditionFailed) => {
                ApiError::Busy
            }
            StoreError::ConditionFailed | StoreError::TransactionCanceled { .. } => ApiError::Conflict("このデータ"),
            // A validation error from the store is a bug in our code, not the caller's.
            StoreError::Validation(m) | StoreError::Unavailable(m) => ApiError::Unavailable(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Unavailable(detail) = &self {
            tracing::error!(error = %detail, "store unavailable");
        }
        let (status, problem) = self.problem();
        let mut res = (status, axum::Json(problem)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("3"));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(e: StoreError) -> StatusCode {
        ApiError::from(e).problem().0
    }

    #[test]
    fn store_errors_map_to_what_a_client_should_do() {
        use CancelReason::*;
        // A condition that failed is the request's fault (already done, or changed meanwhile).
        assert_eq!(status(StoreError::ConditionFailed), StatusCode::CONFLICT);
        assert_eq!(
            status(StoreError::TransactionCanceled { reasons: vec![None, ConditionFailed] }),
            StatusCode::CONFLICT
        );
        // A race with another transaction is not: the same request may simply be sent again.
        assert_eq!(
            status(StoreError::TransactionCanceled { reasons: vec![None, Conflict] }),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(status(StoreError::Throttled), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(StoreError::Unavailable("down".into())), StatusCode::SERVICE_UNAVAILABLE);
    }
}

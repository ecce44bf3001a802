//! Card sessions: a sign-in starts a refresh-token family that lives at most
//! `SESSION_LIFETIME_SECONDS` from the sign-in and never past the card certificate's
//! notAfter; refresh tokens rotate with reuse detection. Families and tokens are indexed
//! by resident (GSI1 `RES#{sub}#SESSIONS`) so "delete my data" ends every one of them.

use crate::auth::{AuthSettings, SESSION_LIFETIME_SECONDS};
use crate::{keys, ApiError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use bosai_store::{
    attr, item::item, CancelReason, Condition, ItemExt, Key, Query, Store, StoreError, TransactOp, Update, Value,
    WriteOp,
};
use bosai_types::auth::{Role, TokenResponse};

pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    aws_lc_rs::rand::fill(&mut b).expect("system randomness");
    B64URL.encode(b)
}

pub(crate) fn invalid_grant() -> ApiError {
    ApiError::invalid(
        "invalid_grant",
        "サインインの有効期限が切れたか、無効です。もう一度カードでサインインしてください。",
    )
}

fn session_over() -> ApiError {
    ApiError::invalid("session_expired", "サインインの有効期間（30日、またはカードの電子証明書の期限）が過ぎました。もう一度カードでサインインしてください。")
}

/// When a session started at `signed_in_at` with a card valid until `cert_not_after` ends.
pub fn session_end(signed_in_at: i64, cert_not_after: i64) -> i64 {
    (signed_in_at + SESSION_LIFETIME_SECONDS).min(cert_not_after)
}

async fn tokens(
    settings: &AuthSettings,
    sub: &str,
    refresh_token: String,
    now: i64,
) -> Result<TokenResponse, ApiError> {
    Ok(TokenResponse {
        access_token: settings.tokens.issue(sub, Role::Resident, vec![], None, now).await?,
        token_type: "Bearer".into(),
        expires_in: crate::auth::ACCESS_TTL_SECONDS,
        refresh_token,
        role: Role::Resident,
    })
}

/// A new session after a card sign-in (the one-time code was exchanged).
pub async fn start(
    store: &dyn Store,
    settings: &AuthSettings,
    sub: &str,
    cert_not_after: i64,
    now: i64,
) -> Result<TokenResponse, ApiError> {
    let ends = session_end(now, cert_not_after);
    if ends <= now {
        return Err(session_over());
    }
    let family = random_token();
    let refresh = new_refresh(store, sub, &family, Origin::SignIn { signed_in_at: now, ends }).await?;
    tokens(settings, sub, refresh, now).await
}

/// How a new refresh token comes about.
enum Origin<'a> {
    /// A card sign-in: the family starts (sign-in time, end).
    SignIn { signed_in_at: i64, ends: i64 },
    /// A refresh: the presented token (hash) is spent and points at the new one.
    Rotation { presented: &'a str, ends: i64, now: i64 },
    /// The same refresh again after its answer was lost: the unused successor is superseded.
    Retry { presented: &'a str, successor: &'a str, ends: i64 },
}

/// A refresh token presented again within this long of its rotation, whose successor was never
/// used, is a retry whose answer was lost (one bar of signal), not a stolen copy: it gets a new
/// token instead of signing the family out. A thief within the window supersedes the resident's
/// token, and the resident's next refresh then revokes the family, so theft is still caught.
pub const REFRESH_RETRY_SECONDS: i64 = 5 * 60;

/// Whether a spent token presented at `now` may be a lost answer's retry (see [`REFRESH_RETRY_SECONDS`]).
pub fn may_be_retry(used_at: Option<i64>, now: i64) -> bool {
    used_at.is_some_and(|t| now >= t && now - t <= REFRESH_RETRY_SECONDS)
}

/// Stores a new refresh token, atomically with what its [`Origin`] retires.
async fn new_refresh(store: &dyn Store, sub: &str, family: &str, origin: Origin<'_>) -> Result<String, ApiError> {
    let token = random_token();
    let h = keys::digest(&token);
    let ends = match origin {
        Origin::SignIn { ends, .. } | Origin::Rotation { ends, .. } | Origin::Retry { ends, .. } => ends,
    };
    let mut ops = vec![TransactOp::Put {
        item: item(&keys::refresh_token(&h))
            .with("sub", Value::s(sub))
            .with("family", Value::s(family))
            .with("state", Value::s("active"))
            .with("ttl", Value::n(ends))
            .with(attr::GSI1_PK, Value::s(keys::sessions_of(sub)))
            .with(attr::GSI1_SK, Value::s(format!("TOKEN#{h}"))),
        condition: Some(Condition::absent()),
    }];
    let family_check = TransactOp::Check {
        key: keys::refresh_family(family),
        condition: Condition::eq("revoked", Value::Bool(false)),
    };
    match origin {
        Origin::SignIn { signed_in_at, ends } => ops.push(TransactOp::Put {
            item: item(&keys::refresh_family(family))
                .with("sub", Value::s(sub))
                .with("signed_in_at", Value::n(signed_in_at))
                .with("ends_at", Value::n(ends))
                .with("revoked", Value::Bool(false))
                .with("ttl", Value::n(ends))
                .with(attr::GSI1_PK, Value::s(keys::sessions_of(sub)))
                .with(attr::GSI1_SK, Value::s(format!("FAMILY#{family}"))),
            condition: Some(Condition::absent()),
        }),
        Origin::Rotation { presented, now, .. } => ops.extend([
            TransactOp::Update {
                key: keys::refresh_token(presented),
                update: Update::new()
                    .set("state", Value::s("used"))
                    .set("used_at", Value::n(now))
                    .set("next", Value::s(&h)),
                condition: Some(Condition::eq("state", Value::s("active"))),
            },
            family_check,
        ]),
        Origin::Retry { presented, successor, .. } => ops.extend([
            TransactOp::Update {
                key: keys::refresh_token(successor),
                update: Update::new().set("state", Value::s("superseded")),
                condition: Some(Condition::eq("state", Value::s("active"))),
            },
            TransactOp::Update {
                key: keys::refresh_token(presented),
                update: Update::new().set("next", Value::s(&h)),
                condition: Some(Condition::eq("next", Value::s(successor))),
            },
            family_check,
        ]),
    }
    match store.transact_write(ops).await {
        Ok(()) => Ok(token),
        Err(StoreError::TransactionCanceled { reasons }) if reasons.contains(&CancelReason::ConditionFailed) => {
            // The old token was used concurrently, or the family was revoked.
            revoke_family(store, family).await?;
            Err(invalid_grant())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_family(store: &dyn Store, family: &str) -> Result<(), ApiError> {
    let cond = Condition::present();
    match store.update(&keys::refresh_family(family), Update::new().set("revoked", Value::Bool(true)), Some(cond)).await
    {
        Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub async fn rotate(
    store: &dyn Store,
    settings: &AuthSettings,
    presented: &str,
    now: i64,
) -> Result<TokenResponse, ApiError> {
    let h = keys::digest(presented);
    let old = store.get(&keys::refresh_token(&h)).await?.ok_or_else(invalid_grant)?;
    let (Some(sub), Some(family)) = (old.str("sub"), old.str("family")) else { return Err(invalid_grant()) };
    let Some(fam) = store.get(&keys::refresh_family(family)).await? else { return Err(invalid_grant()) };
    if fam.bool("revoked").unwrap_or(true) {
        return Err(invalid_grant());
    }
    let ends = fam.i64("ends_at").unwrap_or(0);
    let origin = match (old.str("state"), old.str("next")) {
        (Some("active"), _) => Origin::Rotation { presented: &h, ends, now },
        (Some("used"), Some(successor))
            if may_be_retry(old.i64("used_at"), now) && unused(store, successor).await? =>
        {
            Origin::Retry { presented: &h, successor, ends }
        }
        _ => {
            // A spent token came back: someone holds a copy. Sign the whole family out.
            tracing::warn!("refresh token reuse detected; family revoked");
            revoke_family(store, family).await?;
            return Err(invalid_grant());
        }
    };
    if now >= ends {
        return Err(session_over());
    }
    let refresh = new_refresh(store, sub, family, origin).await?;
    // Using the app is being active: it keeps the resident's data from the inactive sweep.
    crate::domain::profile::seen(store, sub, bosai_types::Timestamp(now * 1000)).await?;
    tokens(settings, sub, refresh, now).await
}

/// Whether the refresh token with this hash was never presented.
async fn unused(store: &dyn Store, token_hash: &str) -> Result<bool, ApiError> {
    Ok(store.get(&keys::refresh_token(token_hash)).await?.is_some_and(|t| t.str("state") == Some("active")))
}

/// Sign-out: revokes every refresh token descended from this sign-in. Idempotent.
pub async fn logout(store: &dyn Store, refresh_token: &str) -> Result<(), ApiError> {
    if let Some(old) = store.get(&keys::refresh_token(&keys::digest(refresh_token))).await? {
        if let Some(family) = old.str("family") {
            revoke_family(store, family).await?;
        }
    }
    Ok(())
}

/// Every session item of a resident, deleted (their data is being deleted): no refresh
/// token of theirs works afterwards. Returns how many items went.
pub async fn end_all(store: &dyn Store, sub: &str) -> Result<usize, ApiError> {
    let mut removed = 0;
    let mut cursor = None;
    loop {
        let page = store.query(Query::gsi1(keys::sessions_of(sub)).after(cursor)).await?;
        let ops: Vec<WriteOp> = page.items.iter().filter_map(|i| Key::of(i).ok()).map(WriteOp::Delete).collect();
        removed += ops.len();
        store.batch_write(ops).await?;
        cursor = page.next;
        if cursor.is_none() {
            return Ok(removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_token_is_a_retry_only_soon_after_its_rotation() {
        let used = 1_000_000;
        assert!(may_be_retry(Some(used), used));
        assert!(may_be_retry(Some(used), used + REFRESH_RETRY_SECONDS));
        assert!(!may_be_retry(Some(used), used + REFRESH_RETRY_SECONDS + 1));
        // Before its rotation (a clock step back) or rotated before retries were recorded: reuse.
        assert!(!may_be_retry(Some(used), used - 1));
        assert!(!may_be_retry(None, used));
    }
}

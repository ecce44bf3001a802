//! Consent to collecting sensitive personal data (要配慮個人情報). Needs are stored only while
//! the resident's consent to the current text stands — checked in the same transaction as the
//! write, so a withdrawal racing an edit cannot leave needs behind. Withdrawing deletes every
//! member's needs and their copies on shelter rosters; the anonymous counters stay.

use crate::{keys, ApiError};
use bosai_store::{Condition, Item, ItemExt, Store, StoreError, TransactOp, Update, Value};
use bosai_types::consent::{Consent, ConsentInput, SENSITIVE_DATA_CONSENT_VERSION};
use bosai_types::Timestamp;

const VERSION: &str = "consent_sensitive_version";
const GIVEN_AT: &str = "consent_sensitive_at";

/// The consent recorded on a profile item.
pub fn of(profile: Option<&Item>) -> Option<Consent> {
    let p = profile?;
    Some(Consent { version: p.str(VERSION)?.to_owned(), given_at: Timestamp(p.i64(GIVEN_AT)?) })
}

pub async fn give(store: &dyn Store, sub: &str, input: &ConsentInput, now: Timestamp) -> Result<Consent, ApiError> {
    if input.version != SENSITIVE_DATA_CONSENT_VERSION {
        return Err(ApiError::invalid(
            "consent_outdated",
            "同意の内容が新しくなりました。もう一度内容を確認してください。",
        ));
    }
    // Agreeing again to the same text keeps the first time it was agreed to.
    let update = Update::new().set(VERSION, Value::s(&input.version)).set(GIVEN_AT, Value::n(now.millis()));
    let same = Condition::Or(vec![
        Condition::NotExists(VERSION.into()),
        Condition::Ne(VERSION.into(), Value::s(&input.version)),
    ]);
    match store.update(&keys::profile(sub), update, Some(same)).await {
        Ok(p) => of(Some(&p)).ok_or_else(|| ApiError::Unavailable("consent not stored".into())),
        Err(StoreError::ConditionFailed) => of(store.get(&keys::profile(sub)).await?.as_ref())
            .ok_or_else(|| ApiError::Unavailable("consent vanished".into())),
        Err(e) => Err(e.into()),
    }
}

/// The check a needs write carries: the resident's consent to the current text stands.
pub fn required(sub: &str) -> TransactOp {
    TransactOp::Check {
        key: keys::profile(sub),
        condition: Condition::eq(VERSION, Value::s(SENSITIVE_DATA_CONSENT_VERSION)),
    }
}

pub fn missing() -> ApiError {
    ApiError::invalid("consent_required", "アレルギー・医療・介護の情報を登録するには、先に同意が必要です。")
}

/// Takes the consent mark off the profile: new needs are refused from here on. The needs
/// already given go next (`household::withdraw_consent`). Idempotent.
pub async fn remove_mark(store: &dyn Store, sub: &str) -> Result<(), ApiError> {
    store
        .update(&keys::profile(sub), Update::new().remove(VERSION).remove(GIVEN_AT), Some(Condition::present()))
        .await
        .or_else(ignore_absent)?;
    Ok(())
}

/// An update whose condition failed because the item is not there: nothing to do.
pub(crate) fn ignore_absent<T: Default>(e: StoreError) -> Result<T, StoreError> {
    match e {
        StoreError::ConditionFailed => Ok(T::default()),
        e => Err(e),
    }
}

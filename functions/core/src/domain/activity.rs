//! Residents who stopped using the app (長期間サインインのない住民). A resident's household and
//! needs are not incident data: they stay until the resident deletes them, or until they have
//! not signed in for `BOSAI_INACTIVE_DAYS` (default two years). Then they are warned on their
//! own devices (push) and, `BOSAI_INACTIVE_WARNING_DAYS` later (default 30) still without a
//! sign-in, everything of theirs is deleted as "Delete my data" deletes it.
//!
//! The profile is listed by the month of the last sign-in (GSI1 `ACTIVE#{yyyy-mm}`): a card
//! sign-in or a token refresh moves it to the current month and clears a warning; the sweep
//! reads only the months past the limit.

use crate::domain::profile::{month, WARNED_AT};
use crate::domain::{fanout, home, mydata, subscriptions::PushSettings};
use crate::keys;
use crate::ApiError;
use bosai_store::{attr, Condition, ItemExt, Query, Store, StoreError, Update, Value};
use bosai_types::household::DeleteConfirmation;
use bosai_types::notices::{NoticeId, NoticeLevel, PushPayload};
use bosai_types::surveys::Localized;
use bosai_types::{MunicipalityCode, Timestamp};

const DAY_MS: i64 = 24 * 3600 * 1000;
/// How far back the sweep looks for months of last sign-ins.
const MONTHS_BACK: i32 = 12 * 20;

/// `BOSAI_INACTIVE_DAYS` and `BOSAI_INACTIVE_WARNING_DAYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InactivePolicy {
    pub inactive_days: u32,
    pub warning_days: u32,
}

impl Default for InactivePolicy {
    fn default() -> Self {
        Self { inactive_days: 730, warning_days: 30 }
    }
}

/// What one sweep did (counts only).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InactiveRun {
    pub warned: u64,
    /// Warnings that reached at least one device.
    pub pushed: u64,
    pub deleted: u64,
}

/// Warns the residents past the limit and deletes those warned long enough ago. `deployment`:
/// the deployment's own municipality (a resident's home when they named none).
pub async fn sweep(
    store: &dyn Store,
    push: Option<&PushSettings>,
    deployment: &MunicipalityCode,
    policy: InactivePolicy,
    now: Timestamp,
) -> Result<InactiveRun, ApiError> {
    let mut out = InactiveRun::default();
    let cutoff = Timestamp(now.millis() - i64::from(policy.inactive_days) * DAY_MS);
    // Months wholly before the cutoff's month: everyone listed there last signed in before it.
    let last = month(cutoff);
    let (mut y, mut m): (i32, i32) = (last[..4].parse().unwrap_or(1970), last[5..].parse().unwrap_or(1));
    for _ in 0..MONTHS_BACK {
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        let partition = keys::active_in(&format!("{y:04}-{m:02}"));
        for profile in super::query_all(store, Query::gsi1(&partition)).await? {
            let Some(sub) = profile.str(attr::GSI1_SK).and_then(|s| s.strip_prefix("RES#")).map(str::to_owned) else {
                continue;
            };
            match profile.i64(WARNED_AT) {
                None => {
                    // Only if they did not sign in meanwhile (then the profile moved to this month).
                    let mark = Update::new().set(WARNED_AT, Value::n(now.millis()));
                    match store
                        .update(
                            &keys::profile(&sub),
                            mark,
                            Some(Condition::Eq(attr::GSI1_PK.into(), Value::s(&partition))),
                        )
                        .await
                    {
                        Ok(_) => {}
                        Err(StoreError::ConditionFailed) => continue,
                        Err(e) => return Err(e.into()),
                    }
                    out.warned += 1;
                    let until = Timestamp(now.millis() + i64::from(policy.warning_days) * DAY_MS);
                    if let Some(push) = push {
                        if fanout::send_to_resident(store, push, &sub, &warning(&sub, until)).await? > 0 {
                            out.pushed += 1;
                        }
                    }
                }
                Some(at) if at + i64::from(policy.warning_days) * DAY_MS <= now.millis() => {
                    let m = home::acting_for(store, deployment, &sub).await?;
                    mydata::delete(store, &m, &sub, &DeleteConfirmation { confirm: "delete".into() }, now).await?;
                    out.deleted += 1;
                }
                Some(_) => {}
            }
        }
    }
    Ok(out)
}

/// The warning a resident's devices show: when their data goes, and how to keep it.
pub fn warning(sub: &str, until: Timestamp) -> PushPayload {
    let digest = crate::keys::digest(&format!("inactive:{sub}"));
    let id = NoticeId::parse(&format!("inactive-{}", &digest[..16])).expect("a valid notice id");
    let date = until.jst_date();
    PushPayload {
        id,
        level: NoticeLevel::Warning,
        title: Localized::new("登録データの削除のお知らせ", "Your data will be deleted"),
        body: Localized::new(
            &format!("長い間サインインがないため、{date}に世帯と配慮事項の登録を削除します。残す場合は、それまでにアプリを開いてサインインしてください。"),
            &format!("You have not signed in for a long time. Your household and needs will be deleted on {date}. To keep them, open the app and sign in before then."),
        ),
        url: "/".into(),
        lang: None,
        replaces: None,
    }
}

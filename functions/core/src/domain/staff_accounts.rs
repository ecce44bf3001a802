//! Staff records (職員アカウント): which role an account of the organisation's identity
//! provider has here, for which municipality and shelters. The provider proves who someone
//! is; these records, kept by the municipality's admin, say what they may do (never the
//! provider's own claims, which any tenant admin there could edit).

use crate::auth::{AuthSettings, Principal};
use crate::domain::shelters;
use crate::{keys, ApiError};
use bosai_store::item::item;
use bosai_store::{attr, ItemExt, Query, Store, Value};
use bosai_types::staff::{StaffAccount, StaffAccountInput, StaffRole, StaffSession, StaffTokenRequest};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

/// How long a staff sign-in lasts: about a shift at the desk. There is no refresh token; a
/// new sign-in is one tap while the provider's own session lasts. Short, because tablets are
/// shared: the token lives only in the tab (sessionStorage) and dies with it.
pub const STAFF_TTL_SECONDS: i64 = 4 * 3600;
const MAX_SUBJECT_CHARS: usize = 255;
const MAX_NAME_CHARS: usize = 100;

/// An IdP `sub`: 1-255 printable characters (OpenID Connect Core §2).
pub fn check_subject(subject: &str) -> Result<(), ApiError> {
    let n = subject.chars().count();
    if n == 0 || n > MAX_SUBJECT_CHARS || subject.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "invalid_subject",
            "アカウントID（認証サーバーの sub）は1〜255文字で指定してください。",
        ));
    }
    Ok(())
}

fn check(input: &StaffAccountInput) -> Result<String, ApiError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid("invalid_name", "氏名を1〜100文字で入力してください。"));
    }
    match (input.role, input.shelters.is_empty()) {
        (StaffRole::ShelterStaff, true) => {
            Err(ApiError::invalid("shelters_required", "避難所スタッフには担当の避難所を1つ以上指定してください。"))
        }
        (StaffRole::Hq | StaffRole::Admin | StaffRole::PrefectureHq, false) => {
            Err(ApiError::invalid("shelters_only_for_staff", "担当避難所を指定できるのは避難所スタッフだけです。"))
        }
        _ => Ok(name.to_owned()),
    }
}

/// Creates or replaces the record of `subject` in municipality `m` (its admin only). Shelter
/// assignments may name another municipality's shelters (mutual-aid staff, 応援職員) when
/// the caller may administer that municipality too.
pub async fn save(
    store: &dyn Store,
    p: &Principal,
    idp: &str,
    m: &MunicipalityCode,
    subject: &str,
    input: &StaffAccountInput,
    now: Timestamp,
) -> Result<StaffAccount, ApiError> {
    if !p.may_administer(m) {
        return Err(ApiError::Forbidden);
    }
    check_subject(subject)?;
    let name = check(input)?;
    // A prefecture HQ's record lives under the prefecture's code, and only there.
    if (input.role == StaffRole::PrefectureHq) != m.is_prefecture() {
        return Err(ApiError::invalid(
            "prefecture_role_mismatch",
            "県災害対策本部の役割は県のコード（例: 040002）でのみ登録できます。",
        ));
    }
    let mut assigned = Vec::new();
    for raw in &input.shelters {
        let id = ShelterId::parse(raw)
            .map_err(|_| ApiError::invalid("unknown_shelter", "避難所IDの形式が正しくありません。"))?;
        let shelter = shelters::get(store, &id).await?;
        if !p.may_administer(&shelter.municipality) {
            return Err(ApiError::invalid(
                "shelter_of_other_municipality",
                "他の市町村の避難所です。その市町村の管理者に割り当てを依頼してください。",
            ));
        }
        if !assigned.contains(&id.to_string()) {
            assigned.push(id.to_string());
        }
    }
    if let Some(other) = find(store, idp, subject).await?.filter(|a| a.municipality != m.as_str()) {
        // One record per account: moving someone to another town is that town's admin's call.
        if !p.may_administer(&MunicipalityCode::parse(&other.municipality).map_err(|_| ApiError::Forbidden)?) {
            return Err(ApiError::Conflict("このアカウント（他の市町村で登録済み）"));
        }
    }
    let account = StaffAccount {
        subject: subject.into(),
        name,
        role: input.role,
        municipality: m.to_string(),
        shelters: assigned,
    };
    store.put(record(idp, m, &account, &p.sub, now), None).await?;
    audit(store, m, now, "staff_account_saved", &p.sub, subject).await?;
    Ok(account)
}

/// The stored form of a staff record.
pub fn record(
    idp: &str,
    m: &MunicipalityCode,
    account: &StaffAccount,
    updated_by: &str,
    now: Timestamp,
) -> bosai_store::Item {
    item(&keys::staff_account(idp, &account.subject))
        .with(attr::GSI1_PK, Value::s(keys::staff_of(m)))
        .with(attr::GSI1_SK, Value::s(format!("STAFF#{idp}#{}", account.subject)))
        .with("account", Value::s(serde_json::to_string(account).expect("serialisable")))
        .with("updated_by", Value::s(updated_by))
        .with("updated_at", Value::n(now.millis()))
}

pub async fn find(store: &dyn Store, idp: &str, subject: &str) -> Result<Option<StaffAccount>, ApiError> {
    let item = store.get(&keys::staff_account(idp, subject)).await?;
    Ok(item.as_ref().and_then(|i| i.str("account")).and_then(|j| serde_json::from_str(j).ok()))
}

/// The municipality's staff records, by account id.
pub async fn list(store: &dyn Store, p: &Principal, m: &MunicipalityCode) -> Result<Vec<StaffAccount>, ApiError> {
    if !p.may_administer(m) {
        return Err(ApiError::Forbidden);
    }
    let items = crate::domain::query_all(store, Query::gsi1(keys::staff_of(m)).begins_with("STAFF#")).await?;
    Ok(items.iter().filter_map(|i| i.str("account")).filter_map(|j| serde_json::from_str(j).ok()).collect())
}

/// Removes the record: that account signs in no more (tokens already issued run out).
pub async fn remove(
    store: &dyn Store,
    p: &Principal,
    idp: &str,
    m: &MunicipalityCode,
    subject: &str,
    now: Timestamp,
) -> Result<(), ApiError> {
    if !p.may_administer(m) {
        return Err(ApiError::Forbidden);
    }
    check_subject(subject)?;
    match find(store, idp, subject).await? {
        Some(a) if a.municipality == m.as_str() => {}
        _ => return Err(ApiError::NotFound("職員アカウント")),
    }
    store.delete(&keys::staff_account(idp, subject), None).await?;
    audit(store, m, now, "staff_account_removed", &p.sub, subject).await
}

async fn audit(
    store: &dyn Store,
    m: &MunicipalityCode,
    now: Timestamp,
    action: &str,
    actor: &str,
    subject: &str,
) -> Result<(), ApiError> {
    crate::domain::audit::record(store, m, now, action, actor, [("staff_account", Value::s(subject))]).await
}

/// The staff app's callback: the provider's code becomes our own short-lived token carrying
/// the role and scope of the account's staff record.
pub async fn sign_in(
    store: &dyn Store,
    auth: &AuthSettings,
    req: &StaffTokenRequest,
    now: Timestamp,
) -> Result<StaffSession, ApiError> {
    let oidc = auth.oidc.as_ref().ok_or(crate::oidc::OidcError::NotConfigured)?;
    let identity = oidc.exchange(req, now.millis() / 1000).await?;
    let account = find(store, oidc.idp(), &identity.subject)
        .await?
        .ok_or(ApiError::NoStaffAccount { subject: identity.subject.clone() })?;
    let m = MunicipalityCode::parse(&account.municipality)
        .map_err(|_| ApiError::Unavailable("unreadable staff record".into()))?;
    let sub = format!("staff:{}:{}", oidc.idp(), identity.subject);
    let role = account.role.into();
    let access_token = auth
        .tokens
        .issue_for(
            &sub,
            role,
            account.shelters.clone(),
            Some(account.municipality.clone()),
            now.millis() / 1000,
            STAFF_TTL_SECONDS,
        )
        .await?;
    audit(store, &m, now, "staff_signed_in", &sub, &identity.subject).await?;
    Ok(StaffSession {
        access_token,
        token_type: "Bearer".into(),
        expires_in: STAFF_TTL_SECONDS,
        role,
        municipality: Some(account.municipality),
        shelters: account.shelters,
        name: account.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: StaffRole, shelters: &[&str]) -> StaffAccountInput {
        StaffAccountInput {
            name: "片平 花子".into(), role, shelters: shelters.iter().map(|s| s.to_string()).collect()
        }
    }

    #[test]
    fn shelter_staff_need_shelters_and_only_they_get_them() {
        assert!(check(&input(StaffRole::ShelterStaff, &["041009-a"])).is_ok());
        assert!(matches!(
            check(&input(StaffRole::ShelterStaff, &[])),
            Err(ApiError::Invalid { code: "shelters_required", .. })
        ));
        assert!(matches!(
            check(&input(StaffRole::Hq, &["041009-a"])),
            Err(ApiError::Invalid { code: "shelters_only_for_staff", .. })
        ));
        assert!(check(&input(StaffRole::Admin, &[])).is_ok());
        assert!(matches!(
            check(&StaffAccountInput { name: "  ".into(), ..input(StaffRole::Hq, &[]) }),
            Err(ApiError::Invalid { .. })
        ));
    }

    #[test]
    fn subjects_are_printable_and_bounded() {
        assert!(check_subject("248289761001").is_ok());
        assert!(check_subject("").is_err());
        assert!(check_subject("a\nb").is_err());
        assert!(check_subject(&"x".repeat(256)).is_err());
    }
}

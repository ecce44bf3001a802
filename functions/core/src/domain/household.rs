//! Household members and their needs (世帯・事前登録). Everything lives in the
//! resident's own partition, so another resident's ids are simply not found.

use crate::{keys, ApiError};
use bosai_store::{
    item::item, CancelReason, Condition, Item, ItemExt, Key, Query, Store, StoreError, TransactOp, Update, Value,
    WriteOp,
};
use bosai_types::household::{
    BirthDate, HouseholdError, HouseholdView, Member, MemberId, MemberInput, MemberView, Relationship, Sex, MAX_MEMBERS,
};
use bosai_types::made::Made;
use bosai_types::needs::{Needs, NeedsInput};
use bosai_types::Timestamp;
use std::collections::BTreeMap;

fn enum_str<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn enum_from<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

pub fn household_error(e: HouseholdError) -> ApiError {
    let code = match e {
        HouseholdError::BadMemberId => "invalid_member_id",
        HouseholdError::BadName => "invalid_name",
        HouseholdError::BadBirthDate => "invalid_birth_date",
        HouseholdError::TooManyMembers => "too_many_members",
        HouseholdError::SelfMember => "self_member",
    };
    ApiError::invalid_input(code, e.code(), e.message_ja())
}

pub fn member_not_found() -> ApiError {
    ApiError::NotFound("世帯のメンバー")
}

pub(crate) fn member_item(sub: &str, m: &Member) -> Item {
    let mut it = item(&keys::member(sub, m.id.as_str()))
        .with("id", Value::s(m.id.as_str()))
        .with("display_name", Value::s(&m.display_name))
        .with("sex", Value::s(enum_str(&m.sex)))
        .with("relationship", Value::s(enum_str(&m.relationship)))
        .with("updated_at", Value::n(m.updated_at.millis()));
    if let Some(b) = m.birth {
        it = it.with("birth", Value::s(b.to_string()));
    }
    it
}

fn member_from(i: &Item) -> Option<Member> {
    Some(Member {
        id: MemberId::parse(i.str("id")?).ok()?,
        display_name: i.str("display_name")?.to_owned(),
        birth: i.str("birth").and_then(|b| BirthDate::parse(b).ok()),
        sex: enum_from(i.str("sex")?)?,
        relationship: enum_from(i.str("relationship")?)?,
        updated_at: Timestamp(i.i64("updated_at").unwrap_or(0)),
        name_unconfirmed: false,
    })
}

fn list_of<T: serde::Serialize>(v: &[T]) -> Value {
    Value::L(v.iter().map(|x| Value::s(enum_str(x))).collect())
}

fn list_from<T: serde::de::DeserializeOwned>(i: &Item, name: &str) -> Vec<T> {
    match i.get(name) {
        Some(Value::L(l)) => l.iter().filter_map(|v| v.as_str().and_then(enum_from)).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn needs_item(sub: &str, member: &MemberId, n: &NeedsInput, at: Timestamp) -> Item {
    let mut it = item(&keys::needs(sub, member.as_str()))
        .with("allergens", list_of(&n.allergens))
        .with("other_allergies", Value::s(&n.other_allergies))
        .with("dietary", list_of(&n.dietary))
        .with("medical", list_of(&n.medical))
        .with("medical_note", Value::s(&n.medical_note))
        .with("care", list_of(&n.care))
        .with("updated_at", Value::n(at.millis()));
    if let Some(l) = n.nursing_care_level {
        it = it.with("nursing_care_level", Value::s(enum_str(&l)));
    }
    it
}

fn needs_from(i: &Item) -> Needs {
    Needs {
        needs: NeedsInput {
            allergens: list_from(i, "allergens"),
            other_allergies: i.str("other_allergies").unwrap_or_default().to_owned(),
            dietary: list_from(i, "dietary"),
            medical: list_from(i, "medical"),
            medical_note: i.str("medical_note").unwrap_or_default().to_owned(),
            care: list_from(i, "care"),
            nursing_care_level: i.str("nursing_care_level").and_then(enum_from),
        },
        updated_at: Timestamp(i.i64("updated_at").unwrap_or(0)),
    }
}

/// Every item of the resident's partition, by sort key.
pub(crate) async fn partition(store: &dyn Store, sub: &str) -> Result<BTreeMap<String, Item>, ApiError> {
    let mut out = BTreeMap::new();
    let mut cursor = None;
    loop {
        let page = store.query(Query::partition(keys::resident_partition(sub)).after(cursor)).await?;
        for it in page.items {
            if let Some(sk) = it.str("sk").map(str::to_owned) {
                out.insert(sk, it);
            }
        }
        cursor = page.next;
        if cursor.is_none() {
            return Ok(out);
        }
    }
}

/// The resident themself, from what the card told us when nothing was entered yet.
fn self_from_profile(profile: Option<&Item>) -> Member {
    let b4 = profile.and_then(|p| match p.get("basic_four") {
        Some(Value::M(m)) => Some(m.clone()),
        _ => None,
    });
    let field = |k: &str| b4.as_ref().and_then(|m| m.get(k)).and_then(Value::as_str).map(str::to_owned);
    let card = profile.and_then(|p| p.get("basic_four")).and_then(crate::domain::profile::basic_four_of);
    Member {
        id: MemberId::myself(),
        display_name: field("name").unwrap_or_else(|| "本人".into()),
        birth: field("date_of_birth").and_then(|d| BirthDate::parse(&d).ok()),
        // The card's 3 is 不明 (the register does not record it), not "other".
        sex: match field("sex").as_deref() {
            Some("1") => Sex::Male,
            Some("2") => Sex::Female,
            _ => Sex::NoAnswer,
        },
        relationship: Relationship::Myself,
        updated_at: Timestamp(0),
        name_unconfirmed: card.is_some_and(|b| !b.name_is_certain()),
    }
}

/// A member's latest safety report, as kept in the household's partition (`SAFETY#<member>`).
pub fn report_from(i: &Item) -> Option<bosai_types::safety::SafetyReport> {
    serde_json::from_str(i.str("report")?).ok()
}

/// The household as read from the resident's partition (one query).
pub(crate) fn view_of(items: &BTreeMap<String, Item>) -> HouseholdView {
    let mut members: Vec<Member> =
        items.iter().filter(|(sk, _)| sk.starts_with("MEMBER#")).filter_map(|(_, i)| member_from(i)).collect();
    if !members.iter().any(|m| m.id.is_self()) {
        members.insert(0, self_from_profile(items.get("PROFILE")));
    }
    // The resident first, then in the order they were added.
    members.sort_by_key(|m| (!m.id.is_self(), m.updated_at));
    let members = members
        .into_iter()
        .map(|m| MemberView {
            needs: items.get(&format!("NEEDS#{}", m.id)).map(needs_from),
            safety: items.get(&format!("SAFETY#{}", m.id)).and_then(report_from),
            help: items.get(&format!("SAFETY#{}", m.id)).and_then(super::help_list::progress_of),
            checked_in: None,
            member: m,
        })
        .collect();
    HouseholdView { members }
}

pub async fn put_member(
    store: &dyn Store,
    sub: &str,
    id: &MemberId,
    input: MemberInput,
    made: Made,
) -> Result<Member, ApiError> {
    input.validate(id, &made.received_at.jst_date()).map_err(household_error)?;
    let existing = partition(store, sub).await?;
    let count = existing.keys().filter(|sk| sk.starts_with("MEMBER#")).count();
    let is_new = !existing.contains_key(&format!("MEMBER#{id}"));
    if is_new && count >= MAX_MEMBERS {
        return Err(household_error(HouseholdError::TooManyMembers));
    }
    let member = Member {
        id: id.clone(),
        display_name: input.display_name.trim().to_owned(),
        birth: Some(input.birth),
        sex: input.sex,
        relationship: input.relationship,
        updated_at: made.at,
        name_unconfirmed: false,
    };
    let it = member_item(sub, &member).with("received_at", Value::n(made.received_at.millis()));
    match store.put(it, Some(not_newer(made))).await {
        Ok(()) => Ok(member),
        // An edit made before the stored one, sent late: the stored one stays.
        Err(StoreError::ConditionFailed) => store
            .get(&keys::member(sub, id.as_str()))
            .await?
            .as_ref()
            .and_then(member_from)
            .ok_or_else(member_not_found),
        Err(e) => Err(e.into()),
    }
}

/// The stored item is absent or was made no later than this write (writes are ordered by made time).
fn not_newer(made: Made) -> Condition {
    Condition::Or(vec![Condition::absent(), Condition::Le("updated_at".into(), Value::n(made.at.millis()))])
}

pub async fn put_needs(
    store: &dyn Store,
    sub: &str,
    id: &MemberId,
    input: NeedsInput,
    made: Made,
) -> Result<Needs, ApiError> {
    input.validate().map_err(|e| ApiError::invalid_input("invalid_needs", e.code(), e.message_ja()))?;
    let item = needs_item(sub, id, &input, made.at).with("received_at", Value::n(made.received_at.millis()));
    // The resident themself may register needs before ever editing their member record.
    let member = (!id.is_self())
        .then(|| TransactOp::Check { key: keys::member(sub, id.as_str()), condition: Condition::present() });
    // Clearing needs never needs consent; entering them does (要配慮個人情報).
    let consent = (!input.is_empty()).then(|| crate::domain::consent::required(sub));
    let (has_member, has_consent) = (member.is_some(), consent.is_some());
    let ops =
        member.into_iter().chain(consent).chain([TransactOp::Put { item, condition: Some(not_newer(made)) }]).collect();
    match store.transact_write(ops).await {
        Ok(()) => Ok(Needs { needs: input, updated_at: made.at }),
        Err(StoreError::TransactionCanceled { reasons }) => {
            let failed = |i: usize| reasons.get(i) == Some(&CancelReason::ConditionFailed);
            if has_member && failed(0) {
                Err(member_not_found())
            } else if has_consent && failed(usize::from(has_member)) {
                Err(crate::domain::consent::missing())
            } else if failed(reasons.len().saturating_sub(1)) {
                // An edit made before the stored one, sent late: the stored one stays.
                store.get(&keys::needs(sub, id.as_str())).await?.as_ref().map(needs_from).ok_or_else(member_not_found)
            } else {
                Err(ApiError::Busy)
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// True when the member exists (the resident themself always does).
/// Registers (or clears) the resident's area. Safety reports already made stay counted
/// under the area they were made in; the next report counts under the new one.
pub async fn set_area(
    store: &dyn Store,
    m: &bosai_types::MunicipalityCode,
    sub: &str,
    reg: &bosai_types::household::AreaRegistration,
) -> Result<(), ApiError> {
    if let Some(a) = &reg.area {
        crate::domain::areas::check(store, m, std::slice::from_ref(a)).await?;
    }
    let update = match &reg.area {
        Some(a) => bosai_store::Update::new().set("area", Value::s(a.as_str())),
        None => bosai_store::Update::new().remove("area"),
    };
    store.update(&keys::profile(sub), update, None).await?;
    crate::domain::subscriptions::move_subscriptions(store, sub, m, reg.area.as_ref()).await
}

pub async fn member_exists(store: &dyn Store, sub: &str, id: &MemberId) -> Result<bool, ApiError> {
    Ok(id.is_self() || store.get(&keys::member(sub, id.as_str())).await?.is_some())
}

/// The member's display name and birth year, for HQ lists.
pub async fn member_summary(store: &dyn Store, sub: &str, id: &MemberId) -> Result<(String, Option<u16>), ApiError> {
    let stored = store.get(&keys::member(sub, id.as_str())).await?.and_then(|i| member_from(&i));
    let m = match stored {
        Some(m) => m,
        None if id.is_self() => self_from_profile(store.get(&keys::profile(sub)).await?.as_ref()),
        None => return Err(member_not_found()),
    };
    Ok((m.display_name, m.birth.map(|b| b.year())))
}

/// Withdraws consent: first the mark (new needs are refused from here on), then every member's
/// needs and the copies on the rosters of shelters they are checked in to. Idempotent.
pub async fn withdraw_consent(store: &dyn Store, sub: &str) -> Result<usize, ApiError> {
    use crate::domain::consent::{ignore_absent, remove_mark};
    remove_mark(store, sub).await?;
    let items = partition(store, sub).await?;
    let needs: Vec<Key> =
        items.iter().filter(|(sk, _)| sk.starts_with("NEEDS#")).filter_map(|(_, i)| Key::of(i).ok()).collect();
    let removed = needs.len();
    store.batch_write(needs.into_iter().map(WriteOp::Delete).collect()).await?;
    for m in view_of(&items).members {
        let loc = keys::location(&keys::person_of_resident(sub, m.member.id.as_str()));
        store
            .update(&loc, Update::new().remove("needs"), Some(Condition::Exists("needs".into())))
            .await
            .or_else(ignore_absent)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::erasure::remove_member;
    use crate::domain::household_view::view;
    use bosai_store::sqlite::SqliteStore;
    use bosai_types::needs::AllergenCode;

    fn child() -> MemberInput {
        MemberInput {
            display_name: "はな".into(),
            birth: BirthDate::parse("2018").unwrap(),
            sex: Sex::Female,
            relationship: Relationship::Child,
        }
    }

    #[tokio::test]
    async fn members_and_needs_roundtrip_and_cleanup() {
        let s = SqliteStore::in_memory().unwrap();
        let now = Timestamp(1_795_300_000_000);
        let id = MemberId::parse("m-1").unwrap();
        put_member(&s, "r_a", &id, child(), Made::now(now)).await.unwrap();
        put_member(&s, "r_a", &id, child(), Made::now(now)).await.unwrap(); // a retry
        let needs = NeedsInput { allergens: vec![AllergenCode::Egg], ..Default::default() };
        let refused = put_needs(&s, "r_a", &id, needs.clone(), Made::now(now)).await;
        assert!(matches!(refused, Err(ApiError::Invalid { code: "consent_required", .. })), "{refused:?}");
        let agreed =
            bosai_types::consent::ConsentInput { version: bosai_types::consent::SENSITIVE_DATA_CONSENT_VERSION.into() };
        crate::domain::consent::give(&s, "r_a", &agreed, now).await.unwrap();
        put_needs(&s, "r_a", &id, needs.clone(), Made::now(now)).await.unwrap();
        let v = view(&s, "r_a").await.unwrap();
        assert_eq!(v.members.len(), 2, "self + child");
        assert!(v.members[0].member.id.is_self());
        assert_eq!(v.members[1].needs.as_ref().unwrap().needs, needs);
        // Another resident sees nothing of it and cannot write to it.
        assert_eq!(view(&s, "r_b").await.unwrap().members.len(), 1);
        assert!(matches!(
            put_needs(&s, "r_b", &id, NeedsInput::default(), Made::now(now)).await,
            Err(ApiError::NotFound(..))
        ));
        // An edit made before the stored one but sent later does not overwrite it.
        let late = Made::stamp(Some(bosai_types::made::DeviceTimes { made_at: 0, sent_at: 60_000 }), now, None);
        let older = NeedsInput { allergens: vec![AllergenCode::Milk], ..Default::default() };
        assert_eq!(
            put_needs(&s, "r_a", &id, older, late).await.unwrap().needs,
            needs,
            "the stored, later edit is returned"
        );
        let renamed = MemberInput { display_name: "はなこ".into(), ..child() };
        assert_eq!(put_member(&s, "r_a", &id, renamed.clone(), late).await.unwrap().display_name, "はな");
        let later = Made::now(Timestamp(now.millis() + 1));
        assert_eq!(put_member(&s, "r_a", &id, renamed, later).await.unwrap().display_name, "はなこ");
        assert_eq!(view(&s, "r_a").await.unwrap().members[1].member.display_name, "はなこ");
        remove_member(&s, "r_a", &id, Timestamp(5)).await.unwrap();
        remove_member(&s, "r_a", &id, Timestamp(5)).await.unwrap();
        let left = partition(&s, "r_a").await.unwrap();
        assert!(left.keys().all(|k| !k.contains("m-1")), "{left:?}");
    }

    #[tokio::test]
    async fn limits_and_self() {
        let s = SqliteStore::in_memory().unwrap();
        let now = Timestamp(1_795_300_000_000);
        for i in 0..MAX_MEMBERS {
            put_member(&s, "r", &MemberId::parse(&format!("m{i}")).unwrap(), child(), Made::now(now)).await.unwrap();
        }
        let over = put_member(&s, "r", &MemberId::parse("m-over").unwrap(), child(), Made::now(now)).await;
        assert!(matches!(over, Err(ApiError::InvalidInput { code: "too_many_members", .. })));
        let future = MemberInput { birth: BirthDate::parse("2030").unwrap(), ..child() };
        let r = put_member(&s, "r", &MemberId::parse("m0").unwrap(), future, Made::now(now)).await;
        assert!(matches!(r, Err(ApiError::InvalidInput { code: "invalid_birth_date", .. })));
        assert!(matches!(
            remove_member(&s, "r", &MemberId::myself(), Timestamp(5)).await,
            Err(ApiError::InvalidInput { code: "self_member", reason: "self_member", .. })
        ));
    }
}

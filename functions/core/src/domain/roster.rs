//! The roster of people present at a shelter, its filters and CSV export.
//! Every view and export is audited (who, when, which filter).

use crate::domain::checkin;
use crate::domain::csv::cell;
use crate::domain::person::Person;
use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{Item, ItemExt, Query, Store, Value};
use bosai_types::checkin::{EventKind, RecordOutcome};
use bosai_types::household::MemberId;
use bosai_types::needs::NeedsInput;
use bosai_types::roster::{AgeBand, ManualCheckOut, RosterEntry, RosterFilter};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

/// The roster's opaque name for a person's stay: staff act on it without learning the
/// resident's id.
pub fn entry_id(person: &str) -> String {
    crate::keys::digest(&format!("roster-entry:{person}"))[..24].to_owned()
}

fn entry(i: &Item, this_year: u16) -> Option<RosterEntry> {
    let needs: NeedsInput = i.str("needs").and_then(|n| serde_json::from_str(n).ok()).unwrap_or_default();
    let birth_year = i.i64("birth_year").and_then(|y| u16::try_from(y).ok());
    Some(RosterEntry {
        entry_id: entry_id(i.str(bosai_store::attr::GSI1_SK)?),
        name: i.str("name")?.to_owned(),
        birth_year,
        age_band: AgeBand::of(birth_year, this_year),
        sex: i.str("sex").unwrap_or("no_answer").to_owned(),
        allergens: needs.allergens,
        other_allergies: needs.other_allergies,
        dietary: needs.dietary,
        medical: needs.medical,
        care: needs.care,
        medical_note: needs.medical_note,
        nursing_care_level: needs.nursing_care_level,
        checked_in_at: Timestamp(i.i64("at")?),
        source: i.str("source").unwrap_or("card").to_owned(),
        name_unconfirmed: i.bool("name_unconfirmed").unwrap_or(false),
    })
}

/// Every location item on the shelter's roster.
async fn present(store: &dyn Store, shelter: &ShelterId, space: &Space) -> Result<Vec<Item>, ApiError> {
    crate::domain::query_all(store, Query::gsi1(keys::present_at(shelter, space))).await
}

/// The roster of `space`: the real one, or during a drill the drill's (never both).
pub async fn list(
    store: &dyn Store,
    shelter: &ShelterId,
    space: &Space,
    filter: &RosterFilter,
    now: Timestamp,
) -> Result<Vec<RosterEntry>, ApiError> {
    let this_year: u16 = now.jst_date()[..4].parse().unwrap_or(2026);
    let mut out: Vec<RosterEntry> = present(store, shelter, space)
        .await?
        .iter()
        .filter_map(|i| entry(i, this_year))
        .filter(|e| filter.matches(e))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The location item of the roster entry `entry`, if that person is on the shelter's roster.
pub async fn find(
    store: &dyn Store,
    shelter: &ShelterId,
    space: &Space,
    entry: &str,
) -> Result<Option<Item>, ApiError> {
    Ok(present(store, shelter, space)
        .await?
        .into_iter()
        .find(|i| i.str(bosai_store::attr::GSI1_SK).is_some_and(|p| entry_id(p) == entry)))
}

/// A person registered at the desk (no card, no phone) asks for their record to be deleted:
/// staff of the shelter they are on the roster of erase them (off the roster and its counters,
/// their check-in history and desk entry; the registration goes with its last person). A card
/// holder deletes their own data from their phone instead (400 `not_a_desk_record`). Audited.
pub async fn delete_desk_person(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    shelter: &ShelterId,
    entry: &str,
    staff: &str,
    now: Timestamp,
) -> Result<(), ApiError> {
    let space = checkin::scope_now(store, municipality, now).await?.space;
    let Some(loc) = find(store, shelter, &space, entry).await? else {
        return Err(ApiError::NotFound("名簿のこの方"));
    };
    let person = loc.str(bosai_store::attr::GSI1_SK).unwrap_or_default().to_owned();
    if !person.starts_with("D#") {
        return Err(ApiError::invalid("not_a_desk_record", "この方はマイナンバーカードで登録しています。ご本人のスマートフォンの「わたしのデータ」から削除してください。"));
    }
    let removed = crate::domain::desk::erase_person(store, &person, now).await?;
    let details = [
        ("shelter", Value::s(shelter.as_str())),
        ("entry", Value::s(entry)),
        ("items_removed", Value::n(removed as i64)),
    ];
    crate::domain::audit::record(store, municipality, now, "desk_record_deleted", staff, details).await
}

/// Staff check out someone who left without scanning (退所の手動記録): a check-out event like a
/// scan's, recorded by the staff member. A resend (same `event_id`) after it went through is
/// answered as done; someone no longer on this roster is 404.
pub async fn check_out_by_hand(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    shelter: &ShelterId,
    entry: &str,
    req: &ManualCheckOut,
    staff: &str,
    now: Timestamp,
) -> Result<RecordOutcome, ApiError> {
    if !bosai_types::checkin::valid_event_id(&req.event_id) {
        return Err(ApiError::invalid("invalid_event_id", "記録IDが正しくありません。もう一度操作してください。"));
    }
    let scope = checkin::scope_now(store, municipality, now).await?;
    let Some(loc) = find(store, shelter, &scope.space, entry).await? else {
        if store.get(&keys::event_id(&req.event_id)).await?.is_some() {
            return Ok(RecordOutcome::Duplicate);
        }
        return Err(ApiError::NotFound("名簿のこの方"));
    };
    let person = Person {
        key: loc.str(bosai_store::attr::GSI1_SK).unwrap_or_default().to_owned(),
        member_id: loc
            .str("member_id")
            .and_then(|m| MemberId::parse(m).ok())
            .ok_or_else(|| ApiError::Unavailable("a location without a member id".into()))?,
        roster: Item::new(),
    };
    // After the stay it ends, even when a device's clock put the check-in ahead of ours.
    let at = Timestamp(now.millis().max(loc.i64("at").unwrap_or(0) + 1));
    let place = checkin::Place::of(shelter, &scope);
    let outcome =
        checkin::record_guarded(store, &[person], EventKind::CheckOut, place, at, &req.event_id, staff, &scope.guards)
            .await?
            .map_err(checkin::drill_ended)?;
    let details =
        [("shelter", Value::s(shelter.as_str())), ("entry", Value::s(entry)), ("event_id", Value::s(&req.event_id))];
    crate::domain::audit::record(store, municipality, now, "manual_check_out", staff, details).await?;
    Ok(outcome)
}

/// One roster view or export, as the audit log records it.
pub struct RosterAccess<'a> {
    pub action: &'a str,
    pub actor: &'a str,
    pub shelter: &'a ShelterId,
    pub filter: &'a RosterFilter,
    pub rows: usize,
}

pub async fn audit(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    a: RosterAccess<'_>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let RosterAccess { action, actor, shelter, filter, rows } = a;
    let details = [
        ("shelter", Value::s(shelter.as_str())),
        ("filter", Value::s(serde_json::to_string(filter).unwrap_or_default())),
        ("rows", Value::n(rows as i64)),
    ];
    crate::domain::audit::record(store, municipality, now, action, actor, details).await
}

fn names<T: Copy>(v: &[T], f: impl Fn(T) -> String) -> String {
    v.iter().map(|x| f(*x)).collect::<Vec<_>>().join("・")
}

fn code<T: serde::Serialize>(x: T) -> String {
    serde_json::to_value(x).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The words the staff see on the roster screen (the app's Japanese catalog: `sex_male` 男性,
/// `care_wheelchair` 車いす, …), so the spreadsheet a shelter opens reads the same; the code
/// itself where the catalog has no word for it.
static JA: std::sync::LazyLock<serde_json::Map<String, serde_json::Value>> = std::sync::LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../../app/i18n/resident/ja.json")).unwrap_or_default()
});

fn label(prefix: &str, code: &str) -> String {
    JA.get(&format!("{prefix}_{code}")).and_then(|v| v.as_str()).unwrap_or(code).to_owned()
}

fn labels<T: Copy + serde::Serialize>(prefix: &str, v: &[T]) -> String {
    names(v, |x| label(prefix, &code(x)))
}

/// UTF-8 with a byte-order mark, so Excel on Windows opens the Japanese correctly.
pub fn csv(entries: &[RosterEntry]) -> String {
    let mut out = String::from("\u{FEFF}氏名,生年,年齢区分,性別,アレルギー,その他のアレルギー,食事,医療,医療メモ,配慮,要介護度,チェックイン,登録\r\n");
    for e in entries {
        let row = [
            cell(&e.name),
            e.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            e.age_band.label_ja().to_owned(),
            cell(&label("sex", &e.sex)),
            names(&e.allergens, |a| a.info().ja.to_owned()),
            cell(&e.other_allergies),
            labels("dietary", &e.dietary),
            labels("medical", &e.medical),
            cell(&e.medical_note),
            labels("care", &e.care),
            e.nursing_care_level.map(|l| label("nursing", &code(l))).unwrap_or_default(),
            e.checked_in_at.jst_minute(),
            match e.source.as_str() {
                "desk" => "窓口登録（未確認）".into(),
                "family" => "家族（未確認）".into(),
                _ => "マイナンバーカード".into(),
            },
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_types::needs::{AllergenCode, CareNeed, DietaryNeed, MedicalNeed};

    #[test]
    fn csv_has_bom_and_escapes() {
        let e = RosterEntry {
            entry_id: "e".into(),
            name: "=HYPERLINK(\"x\"), 太郎".into(),
            birth_year: Some(1980),
            age_band: AgeBand::Adult,
            sex: "male".into(),
            allergens: vec![AllergenCode::Egg, AllergenCode::Milk],
            other_allergies: String::new(),
            dietary: vec![DietaryNeed::SoftFood, DietaryNeed::Halal],
            medical: vec![MedicalNeed::HomeOxygen],
            care: vec![CareNeed::Wheelchair, CareNeed::HearingImpairment],
            medical_note: "=薬は朝夕".into(),
            nursing_care_level: Some(bosai_types::needs::NursingCareLevel::Care3),
            // 2026-11-23 09:48:30 in Japan.
            checked_in_at: Timestamp(1_795_359_600_000 + 9 * 3_600_000 + 48 * 60_000 + 30_000),
            name_unconfirmed: false,
            source: "desk".into(),
        };
        let out = csv(&[e]);
        assert!(out.starts_with('\u{FEFF}'));
        let line = out.lines().nth(1).unwrap();
        assert!(line.starts_with("\"'=HYPERLINK(\"\"x\"\"), 太郎\""), "{line}");
        assert!(line.contains("卵・乳") && line.contains("窓口登録"));
        assert!(
            line.contains(",'=薬は朝夕,") && line.contains(",要介護3,"),
            "medical note (escaped) and 要介護度: {line}"
        );
        // In the words of the roster screen, not codes; the time in Japan, not milliseconds.
        let cells: Vec<&str> = line.rsplitn(12, ',').collect::<Vec<_>>().into_iter().rev().collect();
        assert_eq!(
            cells[2..],
            [
                "男性",
                "卵・乳",
                "",
                "やわらかい食事・ハラール",
                "在宅酸素",
                "'=薬は朝夕",
                "車いす・聴覚障害",
                "要介護3",
                "2026-11-23 09:48",
                "窓口登録（未確認）"
            ],
            "{line}"
        );
    }
}

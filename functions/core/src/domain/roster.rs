//! The roster of people present at a shelter, its filters and CSV export.
//! Every view and export is audited (who, when, which filter).

use crate::{keys, ApiError};
use bosai_store::{item::item, Item, ItemExt, Query, Store, Value};
use bosai_types::needs::NeedsInput;
use bosai_types::roster::{AgeBand, RosterEntry, RosterFilter};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

fn entry(i: &Item, this_year: u16) -> Option<RosterEntry> {
    let needs: NeedsInput = i.str("needs").and_then(|n| serde_json::from_str(n).ok()).unwrap_or_default();
    let birth_year = i.i64("birth_year").and_then(|y| u16::try_from(y).ok());
    Some(RosterEntry {
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

pub async fn list(store: &dyn Store, shelter: &ShelterId, filter: &RosterFilter, now: Timestamp) -> Result<Vec<RosterEntry>, ApiError> {
    let this_year: u16 = now.jst_date()[..4].parse().unwrap_or(2026);
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.query(Query::gsi1(keys::present_at(shelter)).after(cursor)).await?;
        out.extend(page.items.iter().filter_map(|i| entry(i, this_year)).filter(|e| filter.matches(e)));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// One roster view or export, as the audit log records it.
pub struct RosterAccess<'a> {
    pub action: &'a str,
    pub actor: &'a str,
    pub shelter: &'a ShelterId,
    pub filter: &'a RosterFilter,
    pub rows: usize,
}

pub async fn audit(store: &dyn Store, municipality: &MunicipalityCode, a: RosterAccess<'_>, now: Timestamp) -> Result<(), ApiError> {
    let RosterAccess { action, actor, shelter, filter, rows } = a;
    let id = uuid::Uuid::new_v4().to_string();
    let it = item(&keys::audit(municipality, &now.jst_date(), now.millis(), &id))
        .with("action", Value::s(action))
        .with("actor", Value::s(actor))
        .with("shelter", Value::s(shelter.as_str()))
        .with("filter", Value::s(serde_json::to_string(filter).unwrap_or_default()))
        .with("rows", Value::n(rows as i64))
        .with("at", Value::n(now.millis()));
    store.put(it, None).await?;
    Ok(())
}

/// A spreadsheet cannot be tricked into running a formula from a name someone typed.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn names<T: Copy>(v: &[T], f: impl Fn(T) -> String) -> String {
    v.iter().map(|x| f(*x)).collect::<Vec<_>>().join("・")
}

fn code<T: serde::Serialize>(x: T) -> String {
    serde_json::to_value(x).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// UTF-8 with a byte-order mark, so Excel on Windows opens the Japanese correctly.
pub fn csv(entries: &[RosterEntry]) -> String {
    let mut out = String::from("\u{FEFF}氏名,生年,年齢区分,性別,アレルギー,その他のアレルギー,食事,医療,医療メモ,配慮,要介護度,チェックイン,登録\r\n");
    for e in entries {
        let row = [
            cell(&e.name),
            e.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            e.age_band.label_ja().to_owned(),
            cell(&e.sex),
            names(&e.allergens, |a| a.info().ja.to_owned()),
            cell(&e.other_allergies),
            names(&e.dietary, code),
            names(&e.medical, code),
            cell(&e.medical_note),
            names(&e.care, code),
            e.nursing_care_level.map(code).unwrap_or_default(),
            e.checked_in_at.millis().to_string(),
            if e.source == "desk" { "窓口登録（未確認）".into() } else { "マイナンバーカード".into() },
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_types::needs::AllergenCode;

    #[test]
    fn csv_has_bom_and_escapes() {
        let e = RosterEntry {
            name: "=HYPERLINK(\"x\"), 太郎".into(),
            birth_year: Some(1980),
            age_band: AgeBand::Adult,
            sex: "male".into(),
            allergens: vec![AllergenCode::Egg, AllergenCode::Milk],
            other_allergies: String::new(),
            dietary: vec![],
            medical: vec![],
            care: vec![],
            medical_note: "=薬は朝夕".into(),
            nursing_care_level: Some(bosai_types::needs::NursingCareLevel::Care3),
            checked_in_at: Timestamp(5),
            name_unconfirmed: false,
            source: "desk".into(),
        };
        let out = csv(&[e]);
        assert!(out.starts_with('\u{FEFF}'));
        let line = out.lines().nth(1).unwrap();
        assert!(line.starts_with("\"'=HYPERLINK(\"\"x\"\"), 太郎\""), "{line}");
        assert!(line.contains("卵・乳") && line.contains("窓口登録"));
        assert!(line.contains(",'=薬は朝夕,") && line.contains(",care3,"), "medical note (escaped) and 要介護度: {line}");
    }
}

//! The municipality list (全国地方公共団体コード): names for codes, so codes are data, and the
//! address on a card read as the resident's home municipality (住所地).
//!
//! Read from the table 総務省 publishes (団体コード, 都道府県名（漢字）, 市区町村名（漢字）, …,
//! saved from its workbook as CSV) or the デジタル庁 アドレス・ベース・レジストリ
//! 地方公共団体マスター (全国地方公共団体コード, 都道府県名, 郡名, 市区町村名, 政令市区名, …,
//! 廃止日). A whole-country file is fine: only the rows of the importer's prefecture are kept.

use crate::domain::open_data::{csv_line, decode, looks_garbled, municipality_code, problem, FileError};
use crate::{keys, ApiError};
use bosai_store::{item::item, Condition, ItemExt, Query, Store, StoreError, Update, Value};
use bosai_types::shelter_import::{MunicipalityListReport, RowProblem, TextEncoding};
use bosai_types::MunicipalityCode;
use std::collections::HashMap;

pub mod reading;

const MAX_NAME_CHARS: usize = 40;

/// One municipality (or the prefecture itself, with an empty `name_ja`) as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub code: MunicipalityCode,
    pub prefecture_ja: String,
    pub name_ja: String,
    /// Full-width katakana (the 総務省 table's half-width read as such).
    pub kana: String,
    /// In Latin letters: the list's own (市区町村名_英字) or read from the kana (`reading`).
    pub name_en: String,
}

impl Listed {
    /// The name residents see: the municipality's, or the prefecture's for its own row.
    pub fn display_name(&self) -> &str {
        if self.name_ja.is_empty() {
            &self.prefecture_ja
        } else {
            &self.name_ja
        }
    }
}

struct Columns {
    code: usize,
    prefecture: Option<usize>,
    name: usize,
    kana: Option<usize>,
    latin: Option<usize>,
    ward: Option<usize>,
    abolished: Option<usize>,
}

/// Header cells compared without spaces and line breaks: the 総務省 workbook writes
/// 「都道府県名\n（漢字）」.
fn find(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
        names.iter().any(|n| h == *n)
    })
}

fn columns(header: &[String]) -> Result<Columns, ApiError> {
    let code = find(header, &["団体コード", "全国地方公共団体コード"]);
    let name = find(header, &["市区町村名（漢字）", "市区町村名"]);
    match (code, name) {
        (Some(code), Some(name)) => Ok(Columns {
            code,
            prefecture: find(header, &["都道府県名（漢字）", "都道府県名"]),
            name,
            kana: find(header, &["市区町村名（カナ）", "市区町村名_カナ"]),
            latin: find(header, &["市区町村名_英字"]),
            ward: find(header, &["政令市区名"]),
            abolished: find(header, &["廃止日"]),
        }),
        _ => Err(ApiError::invalid("unknown_header", "見出し行に「団体コード」と「市区町村名」の列が必要です。")
            .with("found", header.join(","))),
    }
}

struct Parsed {
    encoding: TextEncoding,
    rows: u32,
    listed: Vec<Listed>,
    other: u32,
    errors: Vec<RowProblem>,
}

fn parse(bytes: &[u8], pref: &MunicipalityCode) -> Result<Parsed, ApiError> {
    let (text, encoding) = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> =
        reader.headers().map_err(|e| FileError::Csv(csv_line(&e)))?.iter().map(|h| h.trim().to_owned()).collect();
    if looks_garbled(&header.join(",")) {
        return Err(FileError::Garbled.into());
    }
    let c = columns(&header)?;
    let (mut listed, mut errors, mut seen) = (Vec::new(), Vec::new(), HashMap::<MunicipalityCode, u32>::new());
    let (mut rows, mut other) = (0u32, 0u32);
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Csv(csv_line(&e)))?;
        rows += 1;
        let line = record.position().map(|p| p.line() as u32).unwrap_or(rows + 1);
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let Some(code) = municipality_code(cell(Some(c.code)), pref) else {
            errors.push(problem(
                line,
                Some(&header[c.code]),
                format!("'{}' is not a local government code", cell(Some(c.code))),
                "団体コードが正しくありません（6桁、検査数字つき）。".into(),
            ));
            continue;
        };
        // Wards of a designated city are the city's (the city runs the disaster response).
        if !code.in_prefecture(pref) || !cell(c.abolished).is_empty() || !cell(c.ward).is_empty() {
            other += 1;
            continue;
        }
        let name_ja = cell(Some(c.name)).to_owned();
        let prefecture_ja = cell(c.prefecture).to_owned();
        if name_ja.chars().count() > MAX_NAME_CHARS || (name_ja.is_empty() && !code.is_prefecture()) {
            errors.push(problem(
                line,
                Some(&header[c.name]),
                format!("the name must be 1-{MAX_NAME_CHARS} characters"),
                format!("市区町村名は1〜{MAX_NAME_CHARS}文字です。"),
            ));
            continue;
        }
        if let Some(first) = seen.insert(code.clone(), line) {
            errors.push(problem(
                line,
                Some(&header[c.code]),
                format!("code {code} is already on line {first}"),
                format!("団体コード {code} は{first}行目と重複しています。"),
            ));
            continue;
        }
        let kana = reading::katakana(cell(c.kana));
        let name_en = match cell(c.latin) {
            "" => reading::romaji(&name_ja, &kana),
            listed => listed.to_owned(),
        };
        listed.push(Listed { code, prefecture_ja, name_ja, kana, name_en });
    }
    if listed.is_empty() && errors.is_empty() {
        errors.push(problem(
            0,
            None,
            format!("the file lists no municipality of prefecture {pref}"),
            format!("このファイルには都道府県 {pref} の市区町村がありません。"),
        ));
    }
    Ok(Parsed { encoding, rows, listed, other, errors })
}

/// Previews (or, with `apply` and no invalid row, writes) the municipality list of `m`'s prefecture.
pub async fn import(
    store: &dyn Store,
    m: &MunicipalityCode,
    bytes: &[u8],
    apply: bool,
) -> Result<MunicipalityListReport, ApiError> {
    let pref = m.prefecture();
    let p = parse(bytes, &pref)?;
    let before = listed(store, &pref).await?;
    let added =
        p.listed.iter().filter(|l| !before.iter().any(|b| b.code == l.code)).map(|l| l.code.to_string()).collect();
    let renamed = p
        .listed
        .iter()
        .filter(|l| before.iter().any(|b| b.code == l.code && b.display_name() != l.display_name()))
        .map(|l| l.code.to_string())
        .collect();
    let applied = apply && p.errors.is_empty();
    if applied {
        for l in &p.listed {
            let it = item(&keys::listed_municipality(&l.code))
                .with("code", Value::s(l.code.as_str()))
                .with("prefecture_ja", Value::s(&l.prefecture_ja))
                .with("name_ja", Value::s(&l.name_ja))
                .with("kana", Value::s(&l.kana))
                .with("name_en", Value::s(&l.name_en));
            store.put(it, None).await?;
            // A served municipality shows its listed name from now on.
            let named = Update::new().set("name_ja", Value::s(l.display_name()));
            match store.update(&keys::municipality(&l.code), named, Some(Condition::present())).await {
                Ok(_) | Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(MunicipalityListReport {
        encoding: p.encoding,
        rows: p.rows,
        municipalities: p.listed.len() as u32,
        added,
        renamed,
        skipped_other: p.other,
        errors: p.errors,
        applied,
    })
}

/// The listed municipalities of prefecture `pref` (one query).
pub async fn listed(store: &dyn Store, pref: &MunicipalityCode) -> Result<Vec<Listed>, ApiError> {
    let items = crate::domain::query_all(store, Query::partition(keys::municipality_list(pref))).await?;
    Ok(items
        .iter()
        .filter_map(|i| {
            let name_ja = i.str("name_ja").unwrap_or_default().to_owned();
            // Lists imported before readings were kept as written: read them the same way now.
            let kana = reading::katakana(i.str("kana").unwrap_or_default());
            let name_en = match i.str("name_en") {
                Some(n) => n.to_owned(),
                None => reading::romaji(&name_ja, &kana),
            };
            Some(Listed {
                code: MunicipalityCode::parse(i.str("code")?).ok()?,
                prefecture_ja: i.str("prefecture_ja").unwrap_or_default().to_owned(),
                name_ja,
                kana,
                name_en,
            })
        })
        .collect())
}

/// One listed name, if the list has the code.
pub async fn listed_name(store: &dyn Store, m: &MunicipalityCode) -> Result<Option<String>, ApiError> {
    Ok(store.get(&keys::listed_municipality(m)).await?.and_then(|i| {
        let name = i.str("name_ja").filter(|n| !n.is_empty()).or(i.str("prefecture_ja"))?;
        Some(name.to_owned())
    }))
}

/// Spelling a card and a list may differ in: spaces, and ケ/ヶ/ｹ as in 七ヶ宿町.
fn normalise(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).map(|c| if matches!(c, 'ケ' | 'ｹ') { 'ヶ' } else { c }).collect()
}

/// The municipality an address lies in: 「宮城県仙台市青葉区…」 is 仙台市 041009, and
/// 「宮城県柴田郡大河原町…」 is 大河原町 (the list leaves out the 郡). None when no listed
/// municipality matches: the resident then chooses.
pub fn home_from_address(listed: &[Listed], address: &str) -> Option<MunicipalityCode> {
    let address = normalise(address);
    listed
        .iter()
        .filter(|l| !l.name_ja.is_empty())
        .filter_map(|l| {
            let rest = address.strip_prefix(&normalise(&l.prefecture_ja))?;
            let name = normalise(&l.name_ja);
            // 郡 at the very start is a name (郡山市), not a county.
            let county =
                rest.char_indices().skip(1).take(6).find(|(_, c)| *c == '郡').map(|(i, c)| &rest[i + c.len_utf8()..]);
            (rest.starts_with(&name) || county.is_some_and(|r| r.starts_with(&name)))
                .then(|| (name.chars().count(), l.code.clone()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, code)| code)
}

#[cfg(test)]
mod tests;

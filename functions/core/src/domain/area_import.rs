//! Loading a municipality's areas (地区・町丁目) from a CSV, so areas are data, not code:
//! the Digital Agency's アドレス・ベース・レジストリ 町字マスター (全国地方公共団体コード, 町字id,
//! 大字・町名, 丁目名, …, 廃止日; a prefecture's file is filtered to the municipality), or a plain
//! list of code and name (地区コード, 地区名[, 地区名_英字]). Preview first, then apply; any
//! invalid row and nothing is written.

use crate::domain::open_data::{ascii_number, csv_line, decode, looks_garbled, municipality_code, problem, FileError};
use crate::{keys, ApiError};
use bosai_store::{Store, Update, Value};
use bosai_types::household::Area;
use bosai_types::shelter_import::{AreaImportReport, RowProblem, TextEncoding};
use bosai_types::surveys::AreaCode;
use bosai_types::MunicipalityCode;
use std::collections::HashMap;

/// The list is one attribute of the municipality's item (DynamoDB items hold 400 KB): about
/// 80 bytes an area, so a city's 町丁目 fit with room to spare.
pub const MAX_AREAS: usize = 3_000;
const MAX_NAME_CHARS: usize = 60;

/// Where the columns are, by the names either layout uses.
struct Columns {
    code: usize,
    /// 大字・町名 (町字マスター) or the plain name.
    name: usize,
    /// 丁目名, appended to the name (町字マスター).
    chome: Option<usize>,
    name_en: Option<usize>,
    chome_number: Option<usize>,
    municipality: Option<usize>,
    abolished: Option<usize>,
}

fn find(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
}

fn columns(header: &[String]) -> Result<Columns, ApiError> {
    let code = find(header, &["町字id", "地区コード", "コード", "code", "area_code"]);
    let name = find(header, &["大字・町名", "地区名", "名称", "name", "name_ja"]);
    match (code, name) {
        (Some(code), Some(name)) => Ok(Columns {
            code,
            name,
            chome: find(header, &["丁目名"]),
            name_en: find(header, &["大字・町名_英字", "地区名_英字", "名称_英字", "name_en"]),
            chome_number: find(header, &["丁目名_数字"]),
            municipality: find(header, &["全国地方公共団体コード"]),
            abolished: find(header, &["廃止日"]),
        }),
        _ => Err(ApiError::invalid(
            "unknown_header",
            "見出し行に、コードの列（町字id または 地区コード）と名前の列（大字・町名 または 地区名）が必要です。",
        )
        .with("found", header.join(","))),
    }
}

/// `row` is `m` or, when `m` is a designated city (政令指定都市, codes x100–x190), one of its
/// wards: 町字マスター lists Sendai's (041009) towns under 青葉区 041017, 宮城野区 041025, ….
fn belongs_to(row: &MunicipalityCode, m: &MunicipalityCode) -> bool {
    let (r, c) = (row.as_str().as_bytes(), m.as_str().as_bytes());
    let designated = c[2] == b'1' && c[4] == b'0';
    row == m || (designated && r[..4] == c[..4] && r[4] != b'0')
}

/// A published code as an area code: lower case, `_` as `-`, full-width digits as ASCII.
fn area_code(raw: &str) -> Option<AreaCode> {
    AreaCode::parse(&ascii_number(raw.trim()).to_lowercase().replace('_', "-")).ok()
}

struct Parsed {
    encoding: TextEncoding,
    rows: u32,
    areas: Vec<Area>,
    other: u32,
    abolished: u32,
    errors: Vec<RowProblem>,
}

fn parse(bytes: &[u8], m: &MunicipalityCode) -> Result<Parsed, ApiError> {
    let (text, encoding) = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> =
        reader.headers().map_err(|e| FileError::Csv(csv_line(&e)))?.iter().map(|h| h.trim().to_owned()).collect();
    if looks_garbled(&header.join(",")) {
        return Err(FileError::Garbled.into());
    }
    let c = columns(&header)?;
    let (mut areas, mut errors, mut seen) = (Vec::new(), Vec::new(), HashMap::<AreaCode, u32>::new());
    let (mut rows, mut other, mut abolished) = (0u32, 0u32, 0u32);
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Csv(csv_line(&e)))?;
        rows += 1;
        let line = record.position().map(|p| p.line() as u32).unwrap_or(rows + 1);
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        if c.municipality.is_some()
            && !municipality_code(cell(c.municipality), m).is_some_and(|row| belongs_to(&row, m))
        {
            other += 1;
            continue;
        }
        if !cell(c.abolished).is_empty() {
            abolished += 1;
            continue;
        }
        let Some(code) = area_code(cell(Some(c.code))) else {
            let col = &header[c.code];
            errors.push(problem(
                line,
                Some(col),
                format!("'{}' is not an area code (letters, digits and '-', up to 32)", cell(Some(c.code))),
                "地区コードは英数字と「-」で32文字までです。".into(),
            ));
            continue;
        };
        let name_ja = format!("{}{}", cell(Some(c.name)), cell(c.chome));
        if name_ja.is_empty() || name_ja.chars().count() > MAX_NAME_CHARS {
            errors.push(problem(
                line,
                Some(&header[c.name]),
                format!("the name must be 1-{MAX_NAME_CHARS} characters"),
                format!("地区名は1〜{MAX_NAME_CHARS}文字で入力してください。"),
            ));
            continue;
        }
        if let Some(first) = seen.insert(code.clone(), line) {
            errors.push(problem(
                line,
                Some(&header[c.code]),
                format!("code {code} is already on line {first}"),
                format!("地区コード {code} は{first}行目と重複しています。"),
            ));
            continue;
        }
        let en = cell(c.name_en);
        let name_en = match (en.is_empty(), cell(c.chome_number)) {
            (true, _) => String::new(),
            (false, "") => en.to_owned(),
            (false, n) => format!("{en} {}-chome", ascii_number(n)),
        };
        areas.push(Area { code, name_ja, name_en });
    }
    if areas.is_empty() && errors.is_empty() {
        errors.push(problem(
            0,
            None,
            format!("the file has no area of municipality {m}"),
            format!("このファイルには市町村 {m} の地区がありません。"),
        ));
    }
    if areas.len() > MAX_AREAS {
        errors.push(problem(
            0,
            None,
            format!("more than {MAX_AREAS} areas; merge 町丁目 into larger 地区"),
            format!("地区が{MAX_AREAS}を超えています。町丁目をまとめた地区にしてください。"),
        ));
    }
    Ok(Parsed { encoding, rows, areas, other, abolished, errors })
}

/// Previews (or, with `apply` and no invalid row, writes) the municipality's new area list.
pub async fn import(
    store: &dyn Store,
    m: &MunicipalityCode,
    bytes: &[u8],
    apply: bool,
) -> Result<AreaImportReport, ApiError> {
    let p = parse(bytes, m)?;
    let current = crate::domain::areas::list(store, m).await?;
    let before: HashMap<&AreaCode, &Area> = current.iter().map(|a| (&a.code, a)).collect();
    let added = p.areas.iter().filter(|a| !before.contains_key(&a.code)).map(|a| a.code.to_string()).collect();
    let renamed =
        p.areas.iter().filter(|a| before.get(&a.code).is_some_and(|b| *b != *a)).map(|a| a.code.to_string()).collect();
    let removed =
        current.iter().filter(|b| !p.areas.iter().any(|a| a.code == b.code)).map(|b| b.code.to_string()).collect();
    let applied = apply && p.errors.is_empty();
    if applied {
        crate::domain::areas::register(store, m, None).await?;
        let json = serde_json::to_string(&p.areas).expect("serialisable");
        store.update(&keys::municipality(m), Update::new().set("areas", Value::s(json)), None).await?;
    }
    Ok(AreaImportReport {
        encoding: p.encoding,
        rows: p.rows,
        areas: p.areas.len() as u32,
        added,
        renamed,
        removed,
        skipped_other_municipality: p.other,
        skipped_abolished: p.abolished,
        errors: p.errors,
        applied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_store::sqlite::SqliteStore;

    const ABR: &[u8] = include_bytes!("../../../../tests/fixtures/opendata/abr-town-miyagi-excerpt.csv");
    const DEMO: &[u8] = include_bytes!("../../seed/041009-areas.csv");

    fn sendai() -> MunicipalityCode {
        MunicipalityCode::parse("041009").unwrap()
    }

    #[test]
    fn the_address_base_registry_town_list_of_a_designated_city_through_its_wards() {
        let p = parse(ABR, &sendai()).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let got: Vec<(&str, &str, &str)> =
            p.areas.iter().map(|a| (a.code.as_str(), a.name_ja.as_str(), a.name_en.as_str())).collect();
        assert_eq!(
            got,
            [
                ("0001001", "片平一丁目", "Katahira 1-chome"),
                ("0001002", "片平二丁目", "Katahira 2-chome"),
                ("0002001", "榴岡一丁目", "Tsutsujigaoka 1-chome"),
                ("0003000", "泉中央", "Izumichuo"),
            ]
        );
        assert_eq!((p.rows, p.other, p.abolished), (6, 1, 1), "石巻市's row and the abolished town are skipped");
        // 石巻市 (042021) is not a designated city: only its own code counts.
        let ishinomaki = parse(ABR, &MunicipalityCode::parse("042021").unwrap()).unwrap();
        assert_eq!(ishinomaki.areas.len(), 1);
        assert_eq!(ishinomaki.other, 5);
    }

    #[test]
    fn a_plain_code_and_name_list_in_either_encoding() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(std::str::from_utf8(DEMO).unwrap());
        for (bytes, enc) in [(DEMO.to_vec(), TextEncoding::Utf8), (sjis.into_owned(), TextEncoding::ShiftJis)] {
            let p = parse(&bytes, &sendai()).unwrap();
            assert_eq!((p.encoding, p.areas.len(), p.errors.len()), (enc, 7, 0));
            assert_eq!(p.areas[0].name_ja, "青葉区 片平・一番町");
            assert_eq!(p.areas[0].name_en, "Aoba: Katahira, Ichibancho");
        }
    }

    #[test]
    fn bad_rows_are_listed_with_line_and_column() {
        let csv = "地区コード,地区名\nA_1,東\nbad code!,西\na-1,南\nb-2,\n";
        let p = parse(csv.as_bytes(), &sendai()).unwrap();
        let found: Vec<(u32, Option<&str>)> = p.errors.iter().map(|e| (e.line, e.column.as_deref())).collect();
        assert_eq!(found, [(3, Some("地区コード")), (4, Some("地区コード")), (5, Some("地区名"))], "{:?}", p.errors);
        assert!(p.errors[1].reason_ja.contains("2行目"), "the duplicate names the first line: {:?}", p.errors[1]);
        assert!(matches!(
            parse("名前,住所\nx,y\n".as_bytes(), &sendai()),
            Err(ApiError::Invalid { code: "unknown_header", .. })
        ));
        let nothing = parse("地区コード,地区名\n".as_bytes(), &sendai()).unwrap();
        assert_eq!(nothing.errors.len(), 1, "an empty list would wipe the areas");
    }

    #[tokio::test]
    async fn preview_writes_nothing_apply_replaces_and_reports_changes() {
        let store = SqliteStore::in_memory().unwrap();
        let m = sendai();
        import(&store, &m, DEMO, true).await.unwrap();
        let edited = "地区コード,地区名,地区名_英字\naoba-1,青葉区 片平・一番町・国分町,\"Aoba: Katahira, Ichibancho, Kokubuncho\"\naoba-2,青葉区 上杉・北山,\"Aoba: Kamisugi, Kitayama\"\naoba-3,青葉区 川内,Aoba: Kawauchi\n";
        let preview = import(&store, &m, edited.as_bytes(), false).await.unwrap();
        assert_eq!(
            (preview.added.as_slice(), preview.renamed.as_slice()),
            (["aoba-3".to_string()].as_slice(), ["aoba-1".to_string()].as_slice())
        );
        assert_eq!(preview.removed.len(), 5);
        assert!(!preview.applied);
        assert_eq!(crate::domain::areas::list(&store, &m).await.unwrap().len(), 7, "a preview writes nothing");
        let bad = import(&store, &m, "地区コード,地区名\nx!,y\n".as_bytes(), true).await.unwrap();
        assert!(!bad.applied);
        assert_eq!(crate::domain::areas::list(&store, &m).await.unwrap().len(), 7, "an invalid file writes nothing");
        assert!(import(&store, &m, edited.as_bytes(), true).await.unwrap().applied);
        let now: Vec<String> =
            crate::domain::areas::list(&store, &m).await.unwrap().into_iter().map(|a| a.code.to_string()).collect();
        assert_eq!(now, ["aoba-1", "aoba-2", "aoba-3"]);
    }
}

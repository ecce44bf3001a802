//! Reading a published shelter CSV: the bytes' encoding, the header's layout, and each row
//! checked into an [`ImportedShelter`] or the problems that stop it. No I/O.

use crate::domain::open_data::{
    ascii_number, csv_line, decode, looks_garbled, municipality_code, problem, FileError, MAX_ROWS,
};
use bosai_types::shelter::MAX_CAPACITY;
use bosai_types::shelter_import::{Hazard, ImportFormat, RowProblem, ShelterKind, TextEncoding};
use bosai_types::{GeoPoint, MunicipalityCode, ShelterId};
use std::collections::HashMap;

const MAX_ID_CHARS: usize = 40;
const MAX_NAME_CHARS: usize = 100;
const MAX_ADDRESS_CHARS: usize = 200;

/// Where each value is found in one layout.
#[derive(Debug)]
pub struct Layout {
    pub format: ImportFormat,
    columns: HashMap<String, usize>,
    names: Vec<String>,
}

impl Layout {
    fn of(header: &csv::StringRecord) -> Result<Self, FileError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().trim_start_matches('\u{FEFF}').to_owned()).collect();
        let columns: HashMap<String, usize> = names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        let has = |n: &str| columns.contains_key(n);
        let format = if has("全国地方公共団体コード") && has("ID") {
            if has("指定避難所との重複") || names.iter().any(|n| n.starts_with("災害種別_")) {
                ImportFormat::OpenDataEvacuationSites
            } else {
                ImportFormat::OpenDataShelters
            }
        } else if has("共通ID") && has("施設・場所名") {
            if has("指定避難所との住所同一") || Hazard::ALL.iter().any(|h| has(h.column_ja())) {
                ImportFormat::GsiEvacuationSites
            } else {
                ImportFormat::GsiShelters
            }
        } else if looks_garbled(&names.join(",")) {
            return Err(FileError::Garbled);
        } else {
            let shown: String = names.join(",").chars().take(120).collect();
            return Err(FileError::UnknownHeader(shown));
        };
        let layout = Self { format, columns, names };
        for c in [layout.id_column(), layout.name_column(), "緯度", "経度"] {
            if !layout.columns.contains_key(c) {
                return Err(FileError::MissingColumn(c));
            }
        }
        Ok(layout)
    }

    fn open_data(&self) -> bool {
        matches!(self.format, ImportFormat::OpenDataShelters | ImportFormat::OpenDataEvacuationSites)
    }

    fn id_column(&self) -> &'static str {
        if self.open_data() {
            "ID"
        } else {
            "共通ID"
        }
    }

    fn name_column(&self) -> &'static str {
        if self.open_data() {
            "名称"
        } else {
            "施設・場所名"
        }
    }

    fn hazard_column(&self, h: Hazard) -> String {
        if self.open_data() {
            format!("災害種別_{}", h.column_ja())
        } else {
            h.column_ja().to_owned()
        }
    }

    /// The column marking the other designation ("also a 指定避難所" and vice versa).
    fn both_column(&self) -> &'static [&'static str] {
        match self.format {
            ImportFormat::OpenDataEvacuationSites => &["指定避難所との重複"],
            ImportFormat::OpenDataShelters => &["指定緊急避難場所との重複"],
            ImportFormat::GsiEvacuationSites => &["指定避難所との住所同一"],
            ImportFormat::GsiShelters => &["指定緊急避難場所との住所同一"],
        }
    }

    fn has(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }
}

/// One valid row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedShelter {
    pub line: u32,
    pub id: ShelterId,
    /// The ID as published.
    pub source_id: String,
    pub name_ja: String,
    /// None: the file has no 名称_英字 column (keep what is stored).
    pub name_en: Option<String>,
    pub address_ja: String,
    pub location: GeoPoint,
    /// None: not stated.
    pub capacity: Option<u32>,
    pub kind: ShelterKind,
    pub hazards: Vec<Hazard>,
}

pub struct Parsed {
    pub format: ImportFormat,
    pub encoding: TextEncoding,
    pub rows: Vec<ImportedShelter>,
    pub errors: Vec<RowProblem>,
    pub total_rows: u32,
    /// 地方公共団体名 (open data) or 都道府県名及び市町村名 (GSI) of the first row, when the file has it.
    pub municipality_name: Option<String>,
}

/// Reads every row of the file for municipality `m`, collecting every problem (not just the first).
pub fn parse(bytes: &[u8], m: &MunicipalityCode) -> Result<Parsed, FileError> {
    let (text, encoding) = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| FileError::Csv(csv_line(&e)))?.clone();
    let layout = Layout::of(&header)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<ShelterId, u32> = HashMap::new();
    let mut total = 0usize;
    let mut municipality_name = None;
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Csv(csv_line(&e)))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue; // trailing blank lines Excel leaves
        }
        total += 1;
        if total > MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        // csv counts lines from 0 here; spreadsheets and people count from 1.
        if municipality_name.is_none() {
            municipality_name = ["地方公共団体名", "都道府県名及び市町村名"]
                .iter()
                .find_map(|c| {
                    layout
                        .columns
                        .get(*c)
                        .and_then(|&i| record.get(i))
                        .map(str::trim)
                        .filter(|n| !n.is_empty() && n.chars().count() <= 40)
                })
                .map(str::to_owned);
        }
        let line = record.position().map(|p| p.line() + 1).unwrap_or(0) as u32;
        match row(&layout, &record, line, m) {
            Ok(r) => match seen.get(&r.id) {
                Some(first) => errors.push(problem(
                    line,
                    Some(layout.id_column()),
                    format!("ID {} is also on line {first}; each place needs its own ID", r.source_id),
                    format!("ID「{}」は{first}行目と重複しています。", r.source_id),
                )),
                None => {
                    seen.insert(r.id.clone(), line);
                    rows.push(r);
                }
            },
            Err(mut p) => errors.append(&mut p),
        }
    }
    Ok(Parsed { format: layout.format, encoding, rows, errors, total_rows: total as u32, municipality_name })
}

/// Japan from Okinotorishima to Etorofu and from Yonaguni to Minamitorishima.
fn in_japan(lat: f64, lon: f64) -> bool {
    (20.0..=46.0).contains(&lat) && (122.0..=154.0).contains(&lon)
}

fn row(l: &Layout, r: &csv::StringRecord, line: u32, m: &MunicipalityCode) -> Result<ImportedShelter, Vec<RowProblem>> {
    let mut errs = Vec::new();
    let cell = |name: &str| l.columns.get(name).and_then(|&i| r.get(i)).map(str::trim).unwrap_or("");
    let mut err = |col: &str, en: String, ja: String| errs.push(problem(line, Some(col), en, ja));
    if r.len() != l.names.len() {
        err(
            l.names.get(r.len().min(l.names.len().saturating_sub(1))).map(String::as_str).unwrap_or(""),
            format!("the row has {} fields but the header has {}", r.len(), l.names.len()),
            format!("列の数が見出し（{}列）と違います（{}列）。", l.names.len(), r.len()),
        );
    }

    let id_col = l.id_column();
    let source_id = cell(id_col).to_owned();
    let id = if source_id.is_empty() {
        err(id_col, "the ID is blank".into(), "IDが空欄です。".into());
        None
    } else if source_id.chars().count() > MAX_ID_CHARS
        || !source_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        err(
            id_col,
            format!("the ID {source_id:?} may only have letters, digits, - and _ (at most {MAX_ID_CHARS})"),
            format!("ID「{source_id}」に使えるのは英数字と - _ だけです（{MAX_ID_CHARS}文字まで）。"),
        );
        None
    } else {
        ShelterId::parse(&format!("{m}-{}", source_id.to_ascii_lowercase().replace('_', "-"))).ok()
    };

    // The municipality the row belongs to: stated (open data) or inside GSI's 共通ID.
    let stated = if l.open_data() {
        let raw = cell("全国地方公共団体コード");
        match municipality_code(raw, m) {
            Some(c) => Some(c),
            None => {
                err(
                    "全国地方公共団体コード",
                    format!("{raw:?} is not a local government code (6 digits with check digit, or 5 without)"),
                    format!("「{raw}」は全国地方公共団体コードではありません。"),
                );
                None
            }
        }
    } else {
        source_id.get(1..6).and_then(|c| municipality_code(c, m))
    };
    if let Some(c) = stated.filter(|c| c != m) {
        err(
            if l.open_data() { "全国地方公共団体コード" } else { id_col },
            format!("this row is for municipality {c}, not {m}; import each municipality's file under its own code"),
            format!("この行は{c}の避難所です（取込先は{m}）。市町村ごとに取り込んでください。"),
        );
    }

    let name_col = l.name_column();
    let name_ja = cell(name_col).to_owned();
    if name_ja.is_empty() {
        err(name_col, "the name is blank".into(), "名称が空欄です。".into());
    } else if name_ja.chars().count() > MAX_NAME_CHARS || name_ja.chars().any(char::is_control) {
        err(
            name_col,
            format!("the name is longer than {MAX_NAME_CHARS} characters or has control characters"),
            format!("名称は{MAX_NAME_CHARS}文字以内で、改行を含めないでください。"),
        );
    }
    let name_en = l.has("名称_英字").then(|| cell("名称_英字").to_owned());

    let address_ja = if l.open_data() {
        match cell("所在地_連結表記") {
            "" => ["所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下", "建物名等(方書)"]
                .map(cell)
                .concat(),
            joined => joined.to_owned(),
        }
    } else {
        cell("住所").to_owned()
    };
    if address_ja.chars().count() > MAX_ADDRESS_CHARS || address_ja.chars().any(char::is_control) {
        err(
            "所在地",
            format!("the address is longer than {MAX_ADDRESS_CHARS} characters or has line breaks"),
            "所在地が長すぎるか、改行を含んでいます。".into(),
        );
    }

    let number = |col: &str| -> Result<f64, ()> {
        ascii_number(cell(col)).parse::<f64>().ok().filter(|v| v.is_finite()).ok_or(())
    };
    let location = match (number("緯度"), number("経度")) {
        (Ok(lat), Ok(lon)) if in_japan(lat, lon) => GeoPoint::new(lat, lon).ok(),
        (Ok(lat), Ok(lon)) if in_japan(lon, lat) => {
            err(
                "緯度",
                format!("latitude {lat} and longitude {lon} look swapped"),
                "緯度と経度が入れ替わっているようです。".into(),
            );
            None
        }
        (Ok(lat), Ok(lon)) => {
            err(
                "緯度",
                format!("{lat}, {lon} is outside Japan"),
                format!("緯度経度（{lat}, {lon}）が日本の範囲外です。"),
            );
            None
        }
        (lat, lon) => {
            for (col, v) in [("緯度", lat), ("経度", lon)] {
                if v.is_err() {
                    let raw = cell(col);
                    err(
                        col,
                        format!("{raw:?} is not a decimal number of degrees"),
                        format!("{col}「{raw}」が数値（10進の度）ではありません。"),
                    );
                }
            }
            None
        }
    };

    let capacity = match ascii_number(cell("想定収容人数")).trim_end_matches('人').replace(',', "").as_str() {
        "" => None,
        s => match s.parse::<u32>() {
            Ok(c) if c <= MAX_CAPACITY => Some(c),
            _ => {
                err(
                    "想定収容人数",
                    format!("{s:?} is not a number of people from 0 to {MAX_CAPACITY}"),
                    format!("想定収容人数「{s}」は0〜{MAX_CAPACITY}の数で入力してください。"),
                );
                None
            }
        },
    };

    let mut flag = |col: &str| -> bool {
        match cell(col) {
            "1" | "○" | "◯" => true,
            "" | "0" => false,
            other => {
                err(
                    col,
                    format!("{other:?}: use 1 for yes and leave it blank for no"),
                    format!("「{other}」: 対象なら1、対象外なら空欄にしてください。"),
                );
                false
            }
        }
    };
    let hazards: Vec<Hazard> =
        Hazard::ALL.into_iter().filter(|&h| l.has(&l.hazard_column(h)) && flag(&l.hazard_column(h))).collect();
    let both = l.both_column().iter().any(|c| l.has(c) && flag(c));
    let kind = match (l.format, both) {
        (_, true) => ShelterKind::Both,
        (ImportFormat::OpenDataEvacuationSites | ImportFormat::GsiEvacuationSites, false) => {
            ShelterKind::EvacuationSite
        }
        _ => ShelterKind::Shelter,
    };

    match (id, location) {
        (Some(id), Some(location)) if errs.is_empty() => {
            Ok(ImportedShelter { line, id, source_id, name_ja, name_en, address_ja, location, capacity, kind, hazards })
        }
        _ => Err(errs),
    }
}

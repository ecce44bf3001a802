//! Reading the CSV files municipalities publish as open data (shelters, areas, the list of
//! municipalities): the bytes' encoding, a garbled header, full-width numbers, local government
//! codes as spreadsheets leave them, and the problems a row or a whole file can have. No I/O;
//! each importer reads its own columns with these.

use crate::ApiError;
use bosai_types::shelter_import::{RowProblem, TextEncoding};
use bosai_types::MunicipalityCode;

/// More rows than any municipality publishes (a city has at most a few thousand places).
pub const MAX_ROWS: usize = 20_000;

/// Why a whole file is refused before any row is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither UTF-8 nor Shift_JIS text (is it an Excel workbook? Save it as CSV)")]
    NotText,
    #[error("the header is garbled (文字化け): the file was converted with the wrong encoding. Export it again as UTF-8 or Shift_JIS")]
    Garbled,
    #[error("the header is not a shelter list this importer knows (expected the 自治体標準オープンデータセット or GSI columns); found: {0}")]
    UnknownHeader(String),
    #[error("the header has no {0} column")]
    MissingColumn(&'static str),
    #[error("the file has more than {MAX_ROWS} rows; import one municipality at a time")]
    TooManyRows,
    #[error("the file is not valid CSV near line {0}")]
    Csv(u64),
}

impl FileError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_file",
            Self::NotText => "unreadable_encoding",
            Self::Garbled => "garbled_text",
            Self::UnknownHeader(_) => "unknown_header",
            Self::MissingColumn(_) => "missing_column",
            Self::TooManyRows => "too_many_rows",
            Self::Csv(_) => "invalid_csv",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "ファイルが空です。".into(),
            Self::NotText => {
                "UTF-8 でも Shift_JIS でもありません。Excel のブックなら CSV で保存し直してください。".into()
            }
            Self::Garbled => "見出し行が文字化けしています。UTF-8 か Shift_JIS で出力し直してください。".into(),
            Self::UnknownHeader(_) => {
                "見出し行が自治体標準オープンデータセットや国土地理院の避難所データの形式ではありません。".into()
            }
            Self::MissingColumn(c) => format!("見出しに「{c}」の列がありません。"),
            Self::TooManyRows => format!("{MAX_ROWS}行を超えています。市町村ごとに取り込んでください。"),
            Self::Csv(l) => format!("{l}行目付近が CSV として読めません（引用符の閉じ忘れなど）。"),
        }
    }
}

/// Text from the bytes: UTF-8 (with or without BOM), else Shift_JIS as Windows writes it.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), FileError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_owned(), TextEncoding::Utf8Bom))
            .map_err(|_| FileError::NotText);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_owned(), TextEncoding::Utf8));
    }
    // encoding_rs's Shift_JIS is the WHATWG one, i.e. CP932 with its NEC and IBM extensions.
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors || text.contains('\0') {
        return Err(FileError::NotText);
    }
    Ok((text.into_owned(), TextEncoding::ShiftJis))
}

/// Characters a Japanese header never has but mis-decoded Japanese is full of: Latin-1
/// letters (Shift_JIS read as Latin-1), half-width katakana next to rare kanji (UTF-8 read as
/// Shift_JIS), and the replacement character.
pub fn looks_garbled(header: &str) -> bool {
    header.chars().any(|c| matches!(c, '\u{80}'..='\u{FF}' | '\u{FF61}'..='\u{FF9F}' | '\u{FFFD}'))
}

pub fn csv_line(e: &csv::Error) -> u64 {
    e.position().map(|p| p.line() + 1).unwrap_or(1)
}

pub fn problem(line: u32, column: Option<&str>, reason: String, reason_ja: String) -> RowProblem {
    RowProblem { line, column: column.map(str::to_owned), reason, reason_ja }
}

/// Full-width digits and signs as typed in Japanese spreadsheets, to ASCII.
pub fn ascii_number(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' | '−' | 'ー' => '-',
            '，' => ',',
            '＋' => '+',
            c => c,
        })
        .collect()
}

/// A local government code as spreadsheets leave it: six digits with the check digit, the
/// five-digit JIS X 0402 code without it, or either with its leading zero dropped (a column
/// Excel read as a number: `92011` is 092011). When two readings are valid, `expected` wins.
pub fn municipality_code(raw: &str, expected: &MunicipalityCode) -> Option<MunicipalityCode> {
    let s = ascii_number(raw);
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let with_check = |five: &str| (0..10).find_map(|d| MunicipalityCode::parse(&format!("{five}{d}")).ok());
    let candidates: Vec<MunicipalityCode> = match s.len() {
        6 => MunicipalityCode::parse(&s).ok().into_iter().collect(),
        5 => [MunicipalityCode::parse(&format!("0{s}")).ok(), with_check(&s)].into_iter().flatten().collect(),
        4 => with_check(&format!("0{s}")).into_iter().collect(),
        _ => Vec::new(),
    };
    let prefecture_exists = |c: &MunicipalityCode| matches!(c.as_str()[..2].parse::<u8>(), Ok(1..=47));
    let mut valid = candidates.into_iter().filter(prefecture_exists);
    let first = valid.next()?;
    Some(std::iter::once(first.clone()).chain(valid).find(|c| c == expected).unwrap_or(first))
}

impl From<FileError> for ApiError {
    fn from(e: FileError) -> Self {
        let error = ApiError::invalid(e.code(), e.message_ja());
        match e {
            FileError::UnknownHeader(found) => error.with("found", found),
            FileError::MissingColumn(column) => error.with("column", column),
            FileError::Csv(line) => error.with("line", line.to_string()),
            _ => error,
        }
    }
}

//! The birth-year field of the resident and desk forms: 西暦, 和暦 (昭和15年, S15) or an
//! age (85歳), read by [`bosai_types::wareki`], with what it was read as shown under it.

use crate::i18n::Lang;
use bosai_types::wareki::{normalize_birth, wareki, BirthInputError};

/// This year on this device (the server checks again against its own clock).
pub fn this_year() -> u16 {
    js_sys::Date::new_0().get_full_year() as u16
}

/// `YYYY` or `YYYY-MM-DD` from what was typed.
pub fn read(input: &str) -> Result<String, BirthInputError> {
    normalize_birth(input, this_year())
}

/// The year alone (the desk form keeps only the year); empty input is "not known".
pub fn read_year(input: &str) -> Result<Option<u16>, BirthInputError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    read(input).map(|s| s[..4].parse().ok())
}

/// 「→ 1940年（昭和15年）」: what the field was read as, so a wrong guess shows at once.
pub fn reading(input: &str, l: Lang) -> String {
    if input.trim().is_empty() {
        return String::new();
    }
    match read(input) {
        Ok(s) => {
            let year: u16 = s[..4].parse().unwrap_or_default();
            let date = s.get(5..).map(|md| md.replace('-', "/")).map(|md| format!(" {md}")).unwrap_or_default();
            match (l.is_ja(), wareki(year)) {
                (true, Some(w)) => format!("→ {year}年（{w}）{date}"),
                _ => format!("→ {year}{date}"),
            }
        }
        Err(e) => message(e, l),
    }
}

pub fn message(e: BirthInputError, l: Lang) -> String {
    l.tr().error(e.code()).unwrap_or(e.message_ja()).into()
}

//! The birth-year field of the resident and desk forms: 西暦, 和暦 (昭和15年, S15) or an
//! age (85歳), read by [`bosai_types::wareki`], with what it was read as shown under it.

use crate::i18n::Lang;
use bosai_types::household::{BirthDate, HouseholdError};
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
    let refused = |e: HouseholdError| l.tr().error(e.code()).unwrap_or(e.message_ja()).to_string();
    match read(input) {
        // A month or day that does not exist (1900-13-01), or a day still to come, is said now,
        // not at submit (the server refuses both).
        Ok(s) => match BirthDate::parse(&s) {
            Ok(b) if b.not_after(&crate::dom::now().jst_date()) => shown(&s, l),
            Ok(_) => refused(HouseholdError::BadBirthDate),
            Err(e) => refused(e),
        },
        Err(e) => message(e, l),
    }
}

/// `YYYY` or `YYYY-MM-DD`, read back: 3月15日 in Japanese; elsewhere the ISO date, which no
/// reader takes for 15 March or March 15th the wrong way round.
fn shown(s: &str, l: Lang) -> String {
    let year: u16 = s[..4].parse().unwrap_or_default();
    let md: Option<(u8, u8)> =
        s.get(5..7).zip(s.get(8..10)).and_then(|(m, d)| Some((m.parse().ok()?, d.parse().ok()?)));
    match (l.is_ja(), wareki(year), md) {
        (true, Some(w), Some((m, d))) => format!("→ {year}年（{w}）{m}月{d}日"),
        (true, Some(w), None) => format!("→ {year}年（{w}）"),
        (_, _, Some(_)) => format!("→ {s}"),
        _ => format!("→ {year}"),
    }
}

pub fn message(e: BirthInputError, l: Lang) -> String {
    l.tr().error(e.code()).unwrap_or(e.message_ja()).into()
}

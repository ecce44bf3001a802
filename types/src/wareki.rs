//! Years as people say them (和暦・年齢): 「昭和15年」, 「S15」, 「85歳」 as well as
//! 1940, typed with full-width digits or not. Elderly residents often know their
//! birth year only by era, or only their age.

/// 明治 to 令和: name, initial, first year (元年) in the Gregorian calendar, last year.
const ERAS: [(&str, char, u16, Option<u16>); 5] = [
    ("明治", 'M', 1868, Some(1912)),
    ("大正", 'T', 1912, Some(1926)),
    ("昭和", 'S', 1926, Some(1989)),
    ("平成", 'H', 1989, Some(2019)),
    ("令和", 'R', 2019, None),
];

/// The oldest age the form takes; older is almost certainly a typo.
pub const MAX_AGE: u16 = 120;
/// 「85歳」: the age words residents write (Japanese 歳・才, Chinese 岁・歲, Korean 세).
const AGE_SUFFIXES: [char; 5] = ['歳', '才', '岁', '歲', '세'];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BirthInputError {
    #[error("write the year as 1940, an era year such as 昭和15 or S15, or an age such as 85歳")]
    Unreadable,
    #[error("that era has no such year")]
    NoSuchEraYear,
    #[error("the year is in the future or before 1900")]
    OutOfRange,
}

impl BirthInputError {
    /// Stable for clients: the problem's `reason`, and the app's catalog key `error_<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreadable => "birth_unreadable",
            Self::NoSuchEraYear => "birth_no_such_era_year",
            Self::OutOfRange => "birth_out_of_range",
        }
    }
    pub fn message_ja(&self) -> &'static str {
        match self {
            Self::Unreadable => "生まれた年は 1940、昭和15年（S15）、または年齢（85歳）のように入力してください。",
            Self::NoSuchEraYear => "その元号にその年はありません（例: 昭和は64年まで）。",
            Self::OutOfRange => "生まれた年は1900年から今年までで入力してください。",
        }
    }
}

/// Full-width digits and letters to ASCII, spaces removed.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match crate::typed::fold_wide(c) {
            '/' | '.' => '-',
            c => c,
        })
        .collect()
}

fn number(s: &str) -> Option<u16> {
    (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// 「4月1日」 or 「-04-01」 after the year, if any.
fn month_day(rest: &str) -> Result<Option<(u8, u8)>, BirthInputError> {
    let rest = rest.trim_start_matches('年').trim_start_matches('-');
    if rest.is_empty() {
        return Ok(None);
    }
    let rest = rest.trim_end_matches('日');
    let (m, d) = rest.split_once('月').or_else(|| rest.split_once('-')).ok_or(BirthInputError::Unreadable)?;
    let (m, d) = (number(m).ok_or(BirthInputError::Unreadable)?, number(d).ok_or(BirthInputError::Unreadable)?);
    Ok(Some((
        u8::try_from(m).map_err(|_| BirthInputError::Unreadable)?,
        u8::try_from(d).map_err(|_| BirthInputError::Unreadable)?,
    )))
}

/// Reads a birth year or date as typed and gives it as `YYYY` or `YYYY-MM-DD` (what
/// [`crate::household::BirthDate`] takes). An age gives the year `this_year - age`.
pub fn normalize_birth(input: &str, this_year: u16) -> Result<String, BirthInputError> {
    let s = fold(input);
    let (year, rest) = if let Some((name, _, first, last)) = ERAS.iter().find(|(name, initial, ..)| {
        s.starts_with(name) || s.starts_with(*initial) || s.starts_with(initial.to_ascii_lowercase())
    }) {
        let body = s.strip_prefix(name).or_else(|| s.get(1..)).unwrap_or_default();
        let digits = body.chars().take_while(char::is_ascii_digit).collect::<String>();
        let (n, rest) = match body.strip_prefix('元') {
            Some(rest) => (1, rest),
            None => (number(&digits).ok_or(BirthInputError::Unreadable)?, &body[digits.len()..]),
        };
        let year = first + n - 1;
        if n == 0 || last.is_some_and(|l| year > l) {
            return Err(BirthInputError::NoSuchEraYear);
        }
        (year, rest)
    } else if let Some(age) = AGE_SUFFIXES
        .iter()
        .find_map(|suffix| s.strip_suffix(*suffix))
        .and_then(number)
        .or_else(|| number(&s).filter(|_| s.len() <= 3))
    {
        if age > MAX_AGE {
            return Err(BirthInputError::OutOfRange);
        }
        (this_year.saturating_sub(age), "")
    } else {
        let digits = s.chars().take_while(char::is_ascii_digit).collect::<String>();
        if digits.len() != 4 {
            return Err(BirthInputError::Unreadable);
        }
        (number(&digits).ok_or(BirthInputError::Unreadable)?, &s[4..])
    };
    if !(1900..=this_year).contains(&year) {
        return Err(BirthInputError::OutOfRange);
    }
    Ok(match month_day(rest)? {
        None => format!("{year:04}"),
        Some((m, d)) => format!("{year:04}-{m:02}-{d:02}"),
    })
}

/// A Gregorian year in 和暦: 「昭和15年」, 「平成元年」; both names in a year an era changed.
pub fn wareki(year: u16) -> Option<String> {
    let names: Vec<String> = ERAS
        .iter()
        .filter(|(_, _, first, last)| year >= *first && last.is_none_or(|l| year <= l))
        .map(|(name, _, first, _)| match year - first + 1 {
            1 => format!("{name}元年"),
            n => format!("{name}{n}年"),
        })
        .collect();
    (!names.is_empty()).then(|| names.join("・"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_years_ages_and_western_years() {
        let n = |s| normalize_birth(s, 2026);
        assert_eq!(n("昭和15年"), Ok("1940".into()));
        assert_eq!(n("昭和１５"), Ok("1940".into()));
        assert_eq!(n("S15"), Ok("1940".into()));
        assert_eq!(n("ｓ１５"), Ok("1940".into()));
        assert_eq!(n("平成元年"), Ok("1989".into()));
        assert_eq!(n("令和2年4月1日"), Ok("2020-04-01".into()));
        assert_eq!(n("昭和15年 4月 1日"), Ok("1940-04-01".into()));
        assert_eq!(n("大正15"), Ok("1926".into()));
        assert_eq!(n("85歳"), Ok("1941".into()));
        // As residents of other languages write an age: Chinese 岁/歲, Korean 세.
        for age in ["85岁", "85歲", "85세", "85 세"] {
            assert_eq!(n(age), Ok("1941".into()), "{age}");
        }
        assert_eq!(n("８５"), Ok("1941".into()));
        assert_eq!(n("1940"), Ok("1940".into()));
        assert_eq!(n("１９４０"), Ok("1940".into()));
        assert_eq!(n("2015-04-01"), Ok("2015-04-01".into()));
        assert_eq!(n("2015/4/1"), Ok("2015-04-01".into()));
    }

    #[test]
    fn refusals() {
        let n = |s| normalize_birth(s, 2026);
        assert_eq!(n("昭和65年"), Err(BirthInputError::NoSuchEraYear));
        assert_eq!(n("平成0年"), Err(BirthInputError::NoSuchEraYear));
        assert_eq!(n("令和9年"), Err(BirthInputError::OutOfRange), "2027 is next year");
        assert_eq!(n("130歳"), Err(BirthInputError::OutOfRange));
        assert_eq!(n("1890"), Err(BirthInputError::OutOfRange));
        assert_eq!(n("2030"), Err(BirthInputError::OutOfRange));
        assert_eq!(n("むかし"), Err(BirthInputError::Unreadable));
        assert_eq!(n(""), Err(BirthInputError::Unreadable));
        assert_eq!(n("19400"), Err(BirthInputError::Unreadable));
    }

    #[test]
    fn years_in_wareki() {
        assert_eq!(wareki(1940).as_deref(), Some("昭和15年"));
        assert_eq!(wareki(1989).as_deref(), Some("昭和64年・平成元年"));
        assert_eq!(wareki(2026).as_deref(), Some("令和8年"));
        assert_eq!(wareki(1800), None);
    }
}

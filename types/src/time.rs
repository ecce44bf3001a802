use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC). The app formats it in the user's locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// A whole number, also when spelled `1795300000000.0` (see [`crate::whole`]).
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::whole::deserialize(d).map(Timestamp)
    }
}

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

impl Timestamp {
    /// The calendar date in Japan, `YYYY-MM-DD`.
    pub fn jst_date(self) -> String {
        JstDate::of(self).to_string()
    }

    /// The date and time in Japan to the minute, `YYYY-MM-DD HH:MM` (what a person reads in a
    /// page or a spreadsheet; the API itself carries milliseconds).
    pub fn jst_minute(self) -> String {
        let s = self.jst_seconds_of_day();
        format!("{} {:02}:{:02}", self.jst_date(), s / 3600, s % 3600 / 60)
    }

    /// The same to the second, `YYYY-MM-DD HH:MM:SS` (the audit log's export).
    pub fn jst_second(self) -> String {
        format!("{}:{:02}", self.jst_minute(), self.jst_seconds_of_day() % 60)
    }

    fn jst_seconds_of_day(self) -> i64 {
        (self.seconds() + JST_OFFSET_MS / 1000).rem_euclid(86_400)
    }
}

/// A calendar date in Japan (UTC+9, no daylight saving).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JstDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

pub const MS_PER_DAY: i64 = 86_400_000;
const JST_OFFSET_MS: i64 = 9 * 3_600_000;

impl JstDate {
    pub fn of(t: Timestamp) -> Self {
        let days = (t.millis() + JST_OFFSET_MS).div_euclid(MS_PER_DAY);
        // Days since 1970-01-01 → civil date (proleptic Gregorian), counting eras of 400 years from March 0000.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// `YYYY-MM-DD` of a real date (leap years included).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num =
            |r: std::ops::Range<usize>| s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?.parse::<u32>().ok();
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month).contains(&day).then_some(Self { year: year as i32, month: month as u8, day: day as u8 })
    }
}

impl std::fmt::Display for JstDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn timestamps_are_whole_numbers() {
        assert_eq!(serde_json::from_str::<Timestamp>("1795300000000").unwrap(), Timestamp(1_795_300_000_000));
        assert_eq!(serde_json::from_str::<Timestamp>("1795300000000.0").unwrap(), Timestamp(1_795_300_000_000));
        assert_eq!(serde_json::from_str::<Timestamp>("-5").unwrap(), Timestamp(-5));
        assert!(serde_json::from_str::<Timestamp>("1.5").is_err());
        assert_eq!(serde_json::to_string(&Timestamp(7)).unwrap(), "7");
    }

    #[test]
    fn jst_dates() {
        assert_eq!(Timestamp(0).jst_date(), "1970-01-01");
        // 2026-11-22T14:59:59Z is 23:59:59 in Japan; one second later it is the 23rd.
        assert_eq!(Timestamp(1_795_359_599_000).jst_date(), "2026-11-22");
        assert_eq!(Timestamp(1_795_359_600_000).jst_date(), "2026-11-23");
        assert_eq!(Timestamp(951_750_000_000).jst_date(), "2000-02-29");
    }

    #[test]
    fn jst_times() {
        // 2026-11-22T14:59:59.999Z: the last moment of the 22nd in Japan.
        assert_eq!(Timestamp(1_795_359_599_999).jst_minute(), "2026-11-22 23:59");
        assert_eq!(Timestamp(1_795_359_599_999).jst_second(), "2026-11-22 23:59:59");
        assert_eq!(
            Timestamp(1_795_359_600_000 + 14 * 3_600_000 + 5 * 60_000 + 9_000).jst_second(),
            "2026-11-23 14:05:09"
        );
        // Before 1970 too (whole seconds round down, as the date does).
        assert_eq!(Timestamp(-1).jst_second(), "1970-01-01 08:59:59");
    }
}

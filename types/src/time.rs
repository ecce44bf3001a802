use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC). The app formats it in the user's locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

impl Timestamp {
    /// The calendar date in Japan (UTC+9, no daylight saving), `YYYY-MM-DD`.
    pub fn jst_date(self) -> String {
        let days = (self.0 + 9 * 3_600_000).div_euclid(86_400_000);
        // Civil-from-days (Howard Hinnant's algorithm), valid for the proleptic Gregorian calendar.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;
    #[test]
    fn jst_dates() {
        assert_eq!(Timestamp(0).jst_date(), "1970-01-01");
        // 2026-11-22T14:59:59Z is 23:59:59 in Japan; one second later it is the 23rd.
        assert_eq!(Timestamp(1_795_359_599_000).jst_date(), "2026-11-22");
        assert_eq!(Timestamp(1_795_359_600_000).jst_date(), "2026-11-23");
        assert_eq!(Timestamp(951_750_000_000).jst_date(), "2000-02-29");
    }
}

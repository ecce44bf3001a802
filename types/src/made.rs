//! When a write was made on the device (端末で操作した時刻), as opposed to when it
//! reached the server. A write queued offline at 21:05 and sent at 06:00 happened
//! at 21:05: that is the time people see and the order reports are kept in.
//!
//! The device's clock may be wrong, so the app sends two device times with every
//! queued write: when it was made and when it is being sent. Their difference is
//! how long it waited, which a wrong clock does not change; the server subtracts it
//! from its own clock. How far the device clock is off is noted, not trusted.

use crate::Timestamp;

/// Request headers carrying the device's times, in milliseconds since the epoch.
pub const MADE_AT_HEADER: &str = "bosai-made-at";
pub const SENT_AT_HEADER: &str = "bosai-sent-at";

/// A device clock further off than this is noted with the write.
pub const SKEW_NOTED_MS: i64 = 2 * 60 * 1000;
/// The oldest a queued write may claim to be. Issue 15's incidents tighten it to
/// the incident's start; until then a week covers any night offline.
pub const MAX_QUEUED_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The device's own times for one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceTimes {
    pub made_at: i64,
    pub sent_at: i64,
}

/// A write's times as the server keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Made {
    /// When the person made it, on the server's clock (bounded, see [`Made::stamp`]).
    pub at: Timestamp,
    /// When the server received it.
    pub received_at: Timestamp,
    /// How far ahead (+) or behind (−) the device's clock was, when more than [`SKEW_NOTED_MS`].
    pub clock_skew_ms: Option<i64>,
}

impl Made {
    /// A write made now (no device times: sent the moment it was made).
    pub fn now(now: Timestamp) -> Self {
        Made { at: now, received_at: now, clock_skew_ms: None }
    }

    /// The made time of a write received `now`: now minus how long the device held
    /// it, never in the future, never before `not_before` nor older than [`MAX_QUEUED_MS`].
    pub fn stamp(device: Option<DeviceTimes>, now: Timestamp, not_before: Option<Timestamp>) -> Self {
        let Some(d) = device else { return Self::now(now) };
        // A clock set back between making and sending gives a negative wait: count it as none.
        let waited = d.sent_at.saturating_sub(d.made_at).max(0);
        let floor = now.millis().saturating_sub(MAX_QUEUED_MS).max(not_before.map_or(i64::MIN, Timestamp::millis));
        let at = now.millis().saturating_sub(waited).max(floor).min(now.millis());
        let skew = d.sent_at.saturating_sub(now.millis());
        Made { at: Timestamp(at), received_at: now, clock_skew_ms: (skew.abs() > SKEW_NOTED_MS).then_some(skew) }
    }

    /// Parses the two header values; `None` when neither is sent. Only one, or a value
    /// that is not a whole number of milliseconds, is an error for the caller to fix.
    pub fn parse_headers(made: Option<&str>, sent: Option<&str>) -> Result<Option<DeviceTimes>, MadeError> {
        let num = |s: &str| s.trim().parse::<i64>().ok().filter(|n| *n >= 0).ok_or(MadeError::NotMillis);
        match (made, sent) {
            (None, None) => Ok(None),
            (Some(m), Some(s)) => Ok(Some(DeviceTimes { made_at: num(m)?, sent_at: num(s)? })),
            _ => Err(MadeError::OnlyOne),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MadeError {
    #[error("Bosai-Made-At and Bosai-Sent-At must be whole, non-negative milliseconds since 1970")]
    NotMillis,
    #[error("send both Bosai-Made-At and Bosai-Sent-At, or neither")]
    OnlyOne,
}

impl MadeError {
    pub fn message_ja(&self) -> &'static str {
        "操作した時刻の形式が正しくありません。アプリを更新してください。"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_300_000_000;
    const MIN: i64 = 60_000;

    fn at(made_at: i64, sent_at: i64) -> Made {
        Made::stamp(Some(DeviceTimes { made_at, sent_at }), Timestamp(NOW), None)
    }

    #[test]
    fn made_time_is_now_minus_the_wait() {
        // Pressed at 21:05, sent at 21:06 by a correct clock: made a minute ago.
        let m = at(NOW - MIN, NOW);
        assert_eq!((m.at, m.received_at, m.clock_skew_ms), (Timestamp(NOW - MIN), Timestamp(NOW), None));
        // The same with the phone's clock an hour fast: same made time, skew noted.
        let fast = at(NOW + 59 * MIN, NOW + 60 * MIN);
        assert_eq!((fast.at, fast.clock_skew_ms), (Timestamp(NOW - MIN), Some(60 * MIN)));
        // A clock set back in between: no negative wait, made "now".
        assert_eq!(at(NOW, NOW - 5 * MIN).at, Timestamp(NOW));
        // No device times: made now.
        assert_eq!(Made::stamp(None, Timestamp(NOW), None), Made::now(Timestamp(NOW)));
    }

    #[test]
    fn made_time_is_bounded() {
        // Never older than a week, nor than the given floor (the incident's start).
        assert_eq!(at(0, NOW).at, Timestamp(NOW - MAX_QUEUED_MS));
        let floor = Timestamp(NOW - 60 * MIN);
        let m = Made::stamp(Some(DeviceTimes { made_at: NOW - 600 * MIN, sent_at: NOW }), Timestamp(NOW), Some(floor));
        assert_eq!(m.at, floor);
        // A floor in the future (clock trouble on our side) still never puts a write after now.
        let m =
            Made::stamp(Some(DeviceTimes { made_at: NOW, sent_at: NOW }), Timestamp(NOW), Some(Timestamp(NOW + MIN)));
        assert_eq!(m.at, Timestamp(NOW));
    }

    #[test]
    fn headers() {
        assert_eq!(Made::parse_headers(None, None), Ok(None));
        assert_eq!(Made::parse_headers(Some("5"), Some(" 7 ")), Ok(Some(DeviceTimes { made_at: 5, sent_at: 7 })));
        assert_eq!(Made::parse_headers(Some("5"), None), Err(MadeError::OnlyOne));
        assert_eq!(Made::parse_headers(Some("21:05"), Some("7")), Err(MadeError::NotMillis));
        assert_eq!(Made::parse_headers(Some("-1"), Some("7")), Err(MadeError::NotMillis));
        assert_eq!(Made::parse_headers(Some("1.5"), Some("7")), Err(MadeError::NotMillis));
    }
}

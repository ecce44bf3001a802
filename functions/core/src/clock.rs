//! Wall-clock time at the edges; domain functions take `now` as an argument.

pub fn now_seconds() -> i64 {
    now_millis().div_euclid(1000)
}

pub fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

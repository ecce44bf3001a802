//! Seconds until a first visit is usable over a congested cell (400 kbit/s down, 100 kbit/s up,
//! 400 ms latency, no cache): headless Chromium with CDP network emulation, driven by
//! `tests/browser/bench/first-usable.mjs` against the release local stack. `readable`: the
//! loading page's shelter list (public/boot.js), before the app starts; `usable`: each shelter
//! with its map link (that list has them), and the app's home (`home_app`); the safety form usable
//! before the app (public/boot-lang.js, the report queued in the app's outbox), and the app's
//! own (`safety_app`). Issue 18's targets:
//! ≤ 4 s for the home page's shelter list and a signed-in resident's safety form, ≤ 6 s for the
//! shelter device's scan screen.

use crate::Row;
use std::path::Path;
use std::process::Command;

pub fn rows(root: &Path, bin: &Path, dist: &Path, smoke: bool) -> Vec<Row> {
    let names = [
        ("home_readable_s", "app_first_readable_s_throttled"),
        ("home_s", "app_first_usable_s_throttled"),
        ("home_app_s", "app_home_app_s_throttled"),
        ("safety_s", "app_safety_usable_s_throttled"),
        ("safety_app_s", "app_safety_app_s_throttled"),
        ("staff_scan_s", "staff_scan_usable_s_throttled"),
    ];
    let mut cmd = Command::new("node");
    cmd.arg(root.join("tests/browser/bench/first-usable.mjs"))
        .env("BOSAI_LOCAL_BIN", bin)
        .env("BOSAI_DIST", dist)
        .stderr(std::process::Stdio::inherit());
    if smoke {
        cmd.arg("--smoke");
    }
    let measured = cmd
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
    if measured.is_none() {
        eprintln!("firstload: the browser run failed (see above); rows missing");
    }
    names.iter().map(|(key, name)| Row::new(name, measured.as_ref().and_then(|m| m[*key].as_f64()), "s")).collect()
}

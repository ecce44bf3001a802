//! Benchmarks measured in one run on this machine. Rows whose feature does not
//! exist yet are reported as null, never faked. `--smoke` shortens every
//! measurement so CI proves the bench still runs. `load` runs the open-loop load
//! test instead (`make load`, see `load.rs`).

mod app_size;
mod checkin;
mod first_usable;
mod hq;
mod init;
mod jpki;
mod load;
mod prefecture;
mod purge;
mod push;
mod stack;
mod sync;
mod token;

use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize, Clone)]
pub struct Row {
    pub name: &'static str,
    pub value: Option<f64>,
    pub unit: &'static str,
    pub floor: Option<f64>,
    pub ratio: Option<f64>,
}

impl Row {
    pub fn new(name: &'static str, value: Option<f64>, unit: &'static str) -> Self {
        Self { name, value, unit, floor: None, ratio: None }
    }
    pub fn missing(name: &'static str, unit: &'static str) -> Self {
        Self::new(name, None, unit)
    }
    pub fn against(mut self, floor: Option<f64>) -> Self {
        self.floor = floor;
        self.ratio = self.value.zip(floor).filter(|(_, f)| *f != 0.0).map(|(v, f)| v / f);
        self
    }
    /// The named ratio row of a figure measured `against` a floor: its value is the ratio,
    /// so results can be compared by name across versions.
    pub fn ratio_of(name: &'static str, figure: &Row) -> Self {
        Self { name, value: figure.ratio, unit: "ratio", floor: figure.floor, ratio: figure.ratio }
    }
}

fn fmt(v: Option<f64>) -> String {
    match v {
        None => "null".into(),
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.3}"),
    }
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let root = PathBuf::from(std::env::var("BOSAI_ROOT").unwrap_or_else(|_| ".".into()));
    let dist = PathBuf::from(std::env::var("BOSAI_DIST").unwrap_or_else(|_| root.join("dist").display().to_string()));
    let bin = PathBuf::from(std::env::var("BOSAI_LOCAL_BIN").expect("BOSAI_LOCAL_BIN: the release bosai-local"));
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("load") {
        let opts = load::Opts::from_args(&args[1..]).unwrap_or_else(|e| {
            eprintln!("bosai-bench: {e}");
            std::process::exit(2)
        });
        let report = load::run(&bin, &dist, &opts);
        load::print(&report);
        let out = root.join("target/bench");
        std::fs::create_dir_all(&out).expect("create target/bench");
        std::fs::write(out.join("load.json"), serde_json::to_string_pretty(&report).expect("report serialises"))
            .expect("write load.json");
        eprintln!("wrote {}", out.join("load.json").display());
        std::process::exit(if report.passed { 0 } else { 1 });
    }
    // `--only SECTION` (checkin, token (with jpki), sync, hq, purge, push, size, firstload, init) runs one part while working on it.
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
    let run = |section: &str| only.as_deref().is_none_or(|o| o == section);
    let mut rows = Vec::new();
    if run("checkin") {
        rows.extend(checkin::rows(&bin, &dist, smoke));
    }
    if run("token") {
        rows.push(token::verify_per_second(smoke));
        rows.extend(jpki::rows(smoke));
    }
    if run("sync") {
        rows.extend(sync::rows(&bin, &dist, smoke));
    }
    if run("hq") {
        rows.extend(hq::rows(&bin, &dist, smoke));
        rows.extend(prefecture::rows(&bin, &dist, smoke));
    }
    if run("purge") {
        rows.extend(purge::rows(smoke));
    }
    if run("push") {
        rows.extend(push::rows(&bin, &dist, smoke));
    }
    if run("size") {
        rows.extend(app_size::rows(&dist));
        app_size::print_crate_breakdown();
    }
    if run("firstload") {
        rows.extend(first_usable::rows(&root, &bin, &dist, smoke));
    }
    if run("init") {
        rows.extend(init::rows(bin.parent().expect("release dir"), smoke));
    }

    println!("| name | value | unit | floor | ratio |");
    println!("| --- | ---: | --- | ---: | ---: |");
    for r in &rows {
        println!("| {} | {} | {} | {} | {} |", r.name, fmt(r.value), r.unit, fmt(r.floor), fmt(r.ratio));
    }
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out).expect("create target/bench");
    let json = serde_json::to_string_pretty(&rows).expect("rows serialise");
    std::fs::write(out.join("results.json"), json).expect("write results.json");
    eprintln!("wrote {}", out.join("results.json").display());
}

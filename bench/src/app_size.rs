//! First-load bytes of the resident app: what a phone downloads before the app works.

use crate::Row;
use std::path::Path;

/// The files index.html pulls in (hashed js, wasm, css) plus index.html itself.
fn first_load(dist: &Path) -> Option<Vec<String>> {
    let index = std::fs::read_to_string(dist.join("index.html")).ok()?;
    let mut files = vec!["index.html".to_owned()];
    for entry in std::fs::read_dir(dist).ok()? {
        let name = entry.ok()?.file_name().to_string_lossy().into_owned();
        let asset = [".js", ".wasm", ".css"].iter().any(|e| name.ends_with(e));
        // The wasm is named by the js glue, not by index.html.
        if asset && (index.contains(&name) || name.ends_with(".wasm")) {
            files.push(name);
        }
    }
    Some(files)
}

fn size(path: &Path) -> Option<f64> {
    std::fs::metadata(path).ok().map(|m| m.len() as f64)
}

pub fn rows(dist: &Path) -> Vec<Row> {
    let Some(files) = first_load(dist) else {
        return vec![Row::missing("app_first_load_brotli_bytes", "bytes"), Row::missing("app_vs_hello_ratio", "ratio")];
    };
    let total = |suffix: &str| -> Option<f64> {
        files.iter().map(|f| size(&dist.join(format!("{f}{suffix}")))).sum::<Option<f64>>()
    };
    let wasm = files.iter().find(|f| f.ends_with(".wasm")).cloned().unwrap_or_default();
    vec![
        Row::new("app_first_load_raw_bytes", total(""), "bytes"),
        Row::new("app_first_load_gzip_bytes", total(".gz"), "bytes"),
        Row::new("app_first_load_brotli_bytes", total(".br"), "bytes"),
        Row::new("app_wasm_raw_bytes", size(&dist.join(&wasm)), "bytes"),
        Row::new("app_wasm_brotli_bytes", size(&dist.join(format!("{wasm}.br"))), "bytes"),
        // Needs a hello-world Leptos build with the same profile (bench issue).
        Row::missing("app_vs_hello_ratio", "ratio"),
    ]
}

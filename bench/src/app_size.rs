//! First-load bytes of the PWA: what a phone downloads before the app works, for the
//! residents' bundle (every phone) and the staff bundle (shelter devices), against a
//! hello-world Leptos app built with the same profile (`BOSAI_HELLO_DIR`, built by bench.sh).

use crate::Row;
use std::path::Path;

/// The page plus the hashed js and css it names and the wasm its js names.
fn first_load(dist: &Path, page: &str) -> Option<Vec<String>> {
    let html = std::fs::read_to_string(dist.join(page)).ok()?;
    let mut files = vec![page.to_owned()];
    let mut js_text = String::new();
    let names: Vec<String> = std::fs::read_dir(dist)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    for name in names.iter().filter(|n| (n.ends_with(".js") || n.ends_with(".css")) && n.as_str() != "sw.js") {
        if html.contains(name.as_str()) {
            if name.ends_with(".js") {
                js_text.push_str(&std::fs::read_to_string(dist.join(name)).ok()?);
            }
            files.push(name.clone());
        }
    }
    files.extend(names.iter().filter(|n| n.ends_with(".wasm") && js_text.contains(n.as_str())).cloned());
    files.iter().any(|f| f.ends_with(".wasm")).then_some(files)
}

fn size(path: &Path) -> Option<f64> {
    std::fs::metadata(path).ok().map(|m| m.len() as f64)
}

fn total(dir: &Path, files: &[String], suffix: &str) -> Option<f64> {
    files.iter().map(|f| size(&dir.join(format!("{f}{suffix}")))).sum()
}

/// The hello-world app's wasm and glue, brotli (it has no page or css of its own).
fn hello_brotli() -> Option<f64> {
    let dir = std::path::PathBuf::from(std::env::var("BOSAI_HELLO_DIR").ok()?);
    Some(size(&dir.join("hello_bg.wasm.br"))? + size(&dir.join("hello.js.br"))?)
}

pub fn rows(dist: &Path) -> Vec<Row> {
    let hello = hello_brotli();
    let mut rows = Vec::new();
    match first_load(dist, "index.html") {
        Some(files) => {
            let wasm = files.iter().find(|f| f.ends_with(".wasm")).cloned().unwrap_or_default();
            // Over the wasm + glue of a hello-world Leptos app (the floor, brotli bytes).
            let brotli = Row::new("app_first_load_brotli_bytes", total(dist, &files, ".br"), "bytes").against(hello);
            rows.extend([
                Row::new("app_first_load_raw_bytes", total(dist, &files, ""), "bytes"),
                Row::new("app_first_load_gzip_bytes", total(dist, &files, ".gz"), "bytes"),
                brotli.clone(),
                Row::new("app_wasm_raw_bytes", size(&dist.join(&wasm)), "bytes"),
                Row::new("app_wasm_brotli_bytes", size(&dist.join(format!("{wasm}.br"))), "bytes"),
                Row::ratio_of("app_vs_hello_ratio", &brotli),
            ]);
        }
        None => rows.extend([
            Row::missing("app_first_load_brotli_bytes", "bytes"),
            Row::missing("app_vs_hello_ratio", "ratio"),
        ]),
    }
    let staff = first_load(dist, "staff.html");
    rows.push(Row::new("staff_first_load_brotli_bytes", staff.and_then(|f| total(dist, &f, ".br")), "bytes"));
    rows.extend(catalog_rows(dist));
    rows
}

/// A language other than Japanese costs its catalog once (fetched when chosen): brotli bytes of
/// the largest and of each (`catalog_<code>_brotli_bytes`).
fn catalog_rows(dist: &Path) -> Vec<Row> {
    let dir = dist.join("i18n/resident");
    let mut sizes: Vec<(String, f64)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            let code = name.strip_suffix(".txt.br")?.to_owned();
            Some((code, size(&dir.join(&name))?))
        })
        .collect();
    sizes.sort_by(|a, b| a.0.cmp(&b.0));
    let largest = sizes.iter().map(|(_, s)| *s).fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let mut rows = vec![Row::new("catalog_largest_brotli_bytes", largest, "bytes")];
    // Row names are static; a dozen leaked names for the run.
    let name = |code: &str| -> &'static str {
        Box::leak(format!("catalog_{}_brotli_bytes", code.replace('-', "_")).into_boxed_str())
    };
    rows.extend(sizes.into_iter().map(|(code, s)| Row::new(name(&code), Some(s), "bytes")));
    rows
}

//! First-load bytes of the PWA: what a phone downloads before the app works, for the
//! residents' bundle (every phone) and the staff bundle (shelter devices), against a
//! hello-world Leptos app built with the same profile (`BOSAI_HELLO_DIR`, built by bench.sh).

use crate::Row;
use std::path::Path;

/// What a first visit downloads before the app runs: the page, the css, js and wasm it names
/// (`/…` in `href`/`src`, the wasm by its preload link), and the modules that js imports
/// (`./__wasm_split.js`, the loader of the later pages' chunks). Paths relative to `dist`.
fn first_load(dist: &Path, page: &str) -> Option<Vec<String>> {
    let html = std::fs::read_to_string(dist.join(page)).ok()?;
    let mut files = vec![page.to_owned()];
    for attr in html.split(['"', '\'']).filter(|v| v.starts_with('/')) {
        let path = attr.trim_start_matches('/');
        if [".js", ".css", ".wasm"].iter().any(|ext| path.ends_with(ext)) && dist.join(path).is_file() {
            files.push(path.to_owned());
        }
    }
    for js in files.clone().iter().filter(|f| f.ends_with(".js")) {
        let dir = Path::new(js).parent().unwrap_or(Path::new(""));
        let text = std::fs::read_to_string(dist.join(js)).ok()?;
        for import in text.split('"').filter(|v| v.starts_with("./") && v.ends_with(".js")) {
            let path = dir.join(import.trim_start_matches("./")).to_string_lossy().into_owned();
            if !files.contains(&path) && dist.join(&path).is_file() {
                files.push(path);
            }
        }
    }
    files.iter().any(|f| f.ends_with(".wasm")).then_some(files)
}

/// A later page (`#[lazy_route]`) opened for the first time: its split module and the chunks it
/// needs, fetched together (one round trip) as `__wasm_split.js` lists them.
struct LaterPage {
    name: String,
    /// Brotli bytes of the module and all its chunks: opened before anything else was fetched.
    cold: f64,
    /// What a signed-in resident's app has not fetched yet: their first load also fetches the
    /// household's sync (`later::sync_household`, see `Account` in pages.rs), whose chunks the pages
    /// share. These pages are a signed-in resident's (signed out they show the sign-in).
    signed_in: f64,
}

fn later_pages(dist: &Path, files: &[String]) -> Vec<LaterPage> {
    let Some(loader) = files.iter().find(|f| f.ends_with("__wasm_split.js")) else { return Vec::new() };
    let dir = dist.join(Path::new(loader).parent().unwrap_or(Path::new("")));
    // The served loader is minified; read the one build-app.sh minified it from
    // (`$BOSAI_APP_STAGE/<bundle>/out/`, the bundle named by its folder `<bundle>-<hash>`).
    let bundle = loader.split(['-', '/']).next().unwrap_or_default();
    let staged = std::env::var_os("BOSAI_APP_STAGE").map(|s| Path::new(&s).join(bundle).join("out/__wasm_split.js"));
    let Ok(text) = std::fs::read_to_string(staged.unwrap_or_else(|| dist.join(loader))) else {
        eprintln!("size: no split loader for {loader} (BOSAI_APP_STAGE unset?): no later-page rows");
        return Vec::new();
    };
    // `export const __wasm_split_load_<name>_<hash> = …("./split_<name>_<hash>.wasm" …), [__chunk_7, …]));`
    // Pages are `__<page>_route_view`; the others are lazy functions (the sync, …).
    let loads: Vec<(&str, Vec<String>)> = text
        .split("export const __wasm_split_load_")
        .skip(1)
        .map(|export| {
            let module = export.split('"').find(|v| v.starts_with("./split_")).map(|v| v[2..].to_owned());
            let deps = export.rsplit_once('[').map_or("", |(_, d)| d.split(']').next().unwrap_or(""));
            let chunks = deps.split(',').map(str::trim).filter_map(|d| d.strip_prefix("__"));
            (export, module.into_iter().chain(chunks.map(|c| format!("{c}.wasm"))).collect())
        })
        .collect();
    let br = |files: &[&String]| -> Option<f64> { files.iter().map(|f| size(&dir.join(format!("{f}.br")))).sum() };
    let sync: Vec<&String> =
        loads.iter().filter(|(e, _)| e.starts_with("sync_household_")).flat_map(|(_, f)| f).collect();
    let mut pages = Vec::new();
    for (export, files) in loads.iter().filter(|(e, _)| e.starts_with("__")) {
        let name = export[2..].split("_route_view").next().unwrap_or(export).to_owned();
        let all: Vec<&String> = files.iter().collect();
        let new: Vec<&String> = files.iter().filter(|f| !sync.contains(f)).collect();
        match (br(&all), br(&new)) {
            (Some(cold), Some(signed_in)) => pages.push(LaterPage { name, cold, signed_in }),
            _ => eprintln!("size: later page {name}: a file is missing in {} ({files:?})", dir.display()),
        }
    }
    if sync.is_empty() {
        eprintln!("size: no household sync module in {loader}: later pages counted whole");
    }
    pages
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
    // The most a resident waits for when opening a later page for the first time (the issue's
    // budget: one round trip of at most 60 KB brotli), signed in (the row judged), and cold.
    let later = first_load(dist, "index.html").map(|f| later_pages(dist, &f)).unwrap_or_default();
    for p in &later {
        eprintln!("size: later page {}: {} bytes brotli signed in, {} cold", p.name, p.signed_in, p.cold);
    }
    let max = |f: fn(&LaterPage) -> f64| later.iter().map(f).reduce(f64::max);
    rows.push(Row::new("app_later_page_max_brotli_bytes", max(|p| p.signed_in), "bytes"));
    rows.push(Row::new("app_later_page_cold_max_brotli_bytes", max(|p| p.cold), "bytes"));
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

/// Where the resident bundle's main module spends its bytes, by crate (generic code counts for
/// the crate that defines it: most of `tachys` is this app's views): `twiggy top` over the main
/// module as served but with its names (`$BOSAI_APP_STAGE/resident/named/resident_bg.wasm`, from
/// build-app.sh). Printed as a table of the top 20; nothing when twiggy is missing.
pub fn print_crate_breakdown() {
    let Some(stage) = std::env::var_os("BOSAI_APP_STAGE") else { return };
    let wasm = Path::new(&stage).join("resident/named/resident_bg.wasm");
    let out = std::process::Command::new("twiggy").args(["top", "-n", "1000000", "-f", "json"]).arg(&wasm).output();
    let Ok(items) = out.map(|o| serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).unwrap_or_default()) else {
        eprintln!("size: twiggy not found; no per-crate breakdown");
        return;
    };
    let mut by_crate = std::collections::BTreeMap::<String, u64>::new();
    for item in &items {
        let (Some(name), Some(bytes)) = (item["name"].as_str(), item["shallow_size"].as_u64()) else { continue };
        if name.starts_with("custom section") || name.starts_with("\"function names\"") {
            continue; // names and relocations: not downloaded
        }
        *by_crate.entry(crate_of(name)).or_default() += bytes;
    }
    let total: u64 = by_crate.values().sum();
    let mut top: Vec<_> = by_crate.into_iter().collect();
    top.sort_by_key(|(_, bytes)| std::cmp::Reverse(*bytes));
    println!("\nResident main module by crate (raw bytes, before compression; total {total}):\n");
    println!("| crate | bytes | share |\n| --- | ---: | ---: |");
    for (name, bytes) in top.into_iter().take(20) {
        println!("| {name} | {bytes} | {:.1} % |", 100.0 * bytes as f64 / total.max(1) as f64);
    }
}

/// `<tachys::view::… as …>::build` → `tachys`; data segments and the like keep their own name.
fn crate_of(item: &str) -> String {
    let mut name = item.trim_start_matches(['<', '&', '(']);
    for prefix in ["dyn ", "mut ", "impl ", "T as ", "F as "] {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    match name.split_once("::") {
        Some((head, _)) if head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '[' || c == ']') => {
            head.split('[').next().unwrap_or(head).to_owned()
        }
        _ if item.starts_with("data segment") => "(data)".to_owned(),
        _ => "(other)".to_owned(),
    }
}

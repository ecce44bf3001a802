//! Turns the language catalogs (`i18n/`) into Rust: the `Lang` enum from `languages.json`, the
//! `Tr` struct with one field per key of the Japanese reference catalog, Japanese compiled in,
//! and a loader for the others (fetched at run time, only the chosen one).
//!
//! The build fails, naming file and key, when a catalog misses a key, has one the reference does
//! not, changes a key's placeholders, drops a plural's `other`, leaves a value empty, has broken
//! furigana markup (Japanese catalogs), or lacks its `_about` header (who made it and its review state).

use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

/// The catalog areas: one file per language in each. The resident area has every language;
/// the staff and HQ areas need Japanese and English, and any other language they have is checked.
const AREAS: &[&str] = &["resident", "templates", "staff", "hq"];
/// Areas compiled into the staff bundle in every language they have (name, struct).
const COMPILED: &[(&str, &str)] = &[("staff", "StaffTr"), ("hq", "HqTr")];
const PLURAL_CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

struct Language {
    variant: String,
    code: String,
    html: String,
    name: String,
}

fn main() {
    // Read at run time, not `env!`: two checkouts sharing a target dir share this script's binary.
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("i18n");
    println!("cargo:rerun-if-changed={}", dir.display());
    let languages = read_languages(&dir.join("languages.json"));
    let mut problems = Vec::new();
    let mut out = String::new();
    out.push_str(&lang_enum(&languages));
    for area in AREAS {
        let area_dir = dir.join(area);
        println!("cargo:rerun-if-changed={}", area_dir.display());
        let reference = read_catalog(&area_dir.join("ja.json"));
        for l in &languages {
            let path = area_dir.join(format!("{}.json", l.code));
            println!("cargo:rerun-if-changed={}", path.display());
            let required = !COMPILED.iter().any(|(a, _)| a == area) || l.code == "ja" || l.code == "en";
            if !path.exists() && !required {
                continue;
            }
            if !path.exists() {
                problems.push(format!("{}: missing (every language in languages.json needs one)", path.display()));
                continue;
            }
            for p in check(&reference, &read_catalog(&path), l.html == "ja") {
                problems.push(format!("{}: {p}", path.display()));
            }
        }
        if let Ok(entries) = std::fs::read_dir(&area_dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().trim_end_matches(".json").to_owned();
                if !languages.iter().any(|l| l.code == name) {
                    problems.push(format!("{}: not a language in languages.json", e.path().display()));
                }
            }
        }
        if *area == "resident" {
            out.push_str(&tr_struct(&reference));
        }
        if *area == "templates" {
            let catalogs: Vec<(String, Map<String, Value>)> = languages
                .iter()
                .filter(|l| area_dir.join(format!("{}.json", l.code)).exists())
                .map(|l| (l.code.clone(), read_catalog(&area_dir.join(format!("{}.json", l.code)))))
                .collect();
            out.push_str(&templates(&reference, &catalogs));
        }
        if let Some((_, name)) = COMPILED.iter().find(|(a, _)| a == area) {
            let catalogs: Vec<(&Language, Map<String, Value>)> = languages
                .iter()
                .filter(|l| area_dir.join(format!("{}.json", l.code)).exists())
                .map(|l| (l, read_catalog(&area_dir.join(format!("{}.json", l.code)))))
                .collect();
            out.push_str(&compiled_struct(area, name, &reference, &catalogs));
        }
    }
    if !problems.is_empty() {
        panic!("language catalogs do not match the Japanese reference:\n  {}", problems.join("\n  "));
    }
    let out_path = Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    std::fs::write(out_path, out).unwrap();
}

fn read_languages(path: &Path) -> Vec<Language> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let field = |l: &Value, k: &str| {
        l[k].as_str().unwrap_or_else(|| panic!("{}: every language needs `{k}`", path.display())).to_owned()
    };
    v.as_array()
        .unwrap_or_else(|| panic!("{}: a list of languages", path.display()))
        .iter()
        .map(|l| Language {
            variant: field(l, "variant"),
            code: field(l, "code"),
            html: field(l, "html"),
            name: field(l, "name"),
        })
        .collect()
}

fn read_catalog(path: &Path) -> Map<String, Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => panic!("{}: a catalog is a JSON object", path.display()),
        Err(e) => panic!("{}: not valid JSON: {e}", path.display()),
    }
}

/// `{name}` placeholders of a value (every plural form).
fn placeholders(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |s: &str| {
        let mut rest = s;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    out.insert(after[..end].to_owned());
                    rest = &after[end + 1..];
                }
                None => {
                    out.insert(format!("unclosed {{ in {s:?}"));
                    break;
                }
            }
        }
    };
    match v {
        Value::String(s) => add(s),
        Value::Object(forms) => forms.values().filter_map(Value::as_str).for_each(add),
        _ => {}
    }
    out
}

/// `[漢字|かんじ]` furigana markup: well formed, or what is wrong with it.
fn ruby_problem(s: &str) -> Option<String> {
    let mut rest = s;
    while let Some(start) = rest.find('[') {
        let after = &rest[start + 1..];
        let end = after.find(']')?;
        let inner = &after[..end];
        match inner.split_once('|') {
            Some((base, reading))
                if !base.is_empty() && !reading.is_empty() && !reading.contains('|') && !inner.contains('[') => {}
            _ => return Some(format!("furigana markup is [漢字|かんじ], not [{inner}]")),
        }
        rest = &after[end + 1..];
    }
    rest.contains(']').then(|| "a `]` without its `[`".to_owned())
}

/// What is wrong with `catalog` against the reference; furigana markup only in Japanese ones.
fn check(reference: &Map<String, Value>, catalog: &Map<String, Value>, japanese: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if catalog.get("_about").and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
        problems.push("no `_about` header (who or what produced it, and whether a native speaker reviewed it)".into());
    }
    for (k, rv) in reference.iter().filter(|(k, _)| !k.starts_with('_')) {
        let Some(v) = catalog.get(k) else {
            problems.push(format!("missing key `{k}`"));
            continue;
        };
        match (rv, v) {
            (Value::String(_), Value::String(s)) if s.trim().is_empty() => problems.push(format!("`{k}` is empty")),
            (Value::String(_), Value::String(_)) => {}
            (Value::Object(_), Value::Object(forms)) => {
                if !forms.get("other").is_some_and(Value::is_string) {
                    problems.push(format!("`{k}` is a plural and needs `other`"));
                }
                for (cat, f) in forms {
                    if !PLURAL_CATEGORIES.contains(&cat.as_str()) {
                        problems.push(format!("`{k}`: `{cat}` is not a CLDR plural category"));
                    }
                    if f.as_str().is_none_or(|s| s.trim().is_empty()) {
                        problems.push(format!("`{k}`.`{cat}` is empty"));
                    }
                }
            }
            (Value::Object(_), _) => problems.push(format!("`{k}` is a plural: an object of forms with `other`")),
            _ => problems.push(format!("`{k}` is a string")),
        }
        let (want, got) = (placeholders(rv), placeholders(v));
        if want != got {
            problems.push(format!("`{k}` has placeholders {got:?}, the reference {want:?}"));
        }
        let texts: Vec<&str> = match v {
            Value::String(s) => vec![s.as_str()],
            Value::Object(forms) => forms.values().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if texts.iter().any(|t| t.contains(['\t', '\n', '\r'])) {
            problems.push(format!("`{k}` has a tab or line break (the served catalog is one line per text)"));
        }
        for t in texts.into_iter().filter(|_| japanese) {
            if let Some(p) = ruby_problem(t) {
                problems.push(format!("`{k}`: {p}"));
            }
        }
    }
    for k in catalog.keys().filter(|k| !k.starts_with('_') && !reference.contains_key(*k)) {
        problems.push(format!("key `{k}` is not in the reference"));
    }
    problems
}

fn lang_enum(languages: &[Language]) -> String {
    let mut s = String::from("/// A language of the app (generated from `i18n/languages.json`).\n");
    s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Lang {\n");
    for l in languages {
        let _ = writeln!(s, "    /// {}", l.name);
        let _ = writeln!(s, "    {},", l.variant);
    }
    s.push_str("}\n\nimpl Lang {\n    /// Every language, in the order the chooser lists them.\n    pub const ALL: &'static [Lang] = &[");
    for l in languages {
        let _ = write!(s, "Lang::{}, ", l.variant);
    }
    s.push_str("];\n");
    for (f, doc, get) in [
        (
            "code",
            "The catalog's file name (and the stored choice).",
            (|l: &Language| l.code.clone()) as fn(&Language) -> String,
        ),
        ("html_lang", "BCP 47 tag for `lang=` and `Intl`.", |l| l.html.clone()),
        ("name", "The language's name in itself.", |l| l.name.clone()),
    ] {
        let _ = writeln!(s, "    /// {doc}\n    pub fn {f}(self) -> &'static str {{\n        match self {{");
        for l in languages {
            let _ = writeln!(s, "            Lang::{} => {:?},", l.variant, get(l));
        }
        s.push_str("        }\n    }\n");
    }
    s.push_str("    pub fn from_code(code: &str) -> Option<Lang> {\n        Lang::ALL.iter().copied().find(|l| l.code() == code)\n    }\n}\n\n");
    s
}

/// The notice templates HQ's composer offers, in every language (`<id>_title`, `<id>_body`
/// keys). A notice is plain text: furigana markup becomes 漢字（かんじ）.
fn templates(ja: &Map<String, Value>, catalogs: &[(String, Map<String, Value>)]) -> String {
    let text = |m: &Map<String, Value>, k: &str| plain(m.get(k).and_then(Value::as_str).unwrap_or_default());
    let mut s = String::from("/// Notice templates (generated from `i18n/templates`): (language code, title, body).\n");
    s.push_str("pub const NOTICE_TEMPLATES: &[NoticeTemplate] = &[\n");
    for id in ja.keys().filter_map(|k| k.strip_suffix("_title")) {
        let (title, body) = (format!("{id}_title"), format!("{id}_body"));
        let _ = write!(s, "    NoticeTemplate {{ id: {id:?}, texts: &[");
        for (code, m) in catalogs {
            let _ = write!(s, "({code:?}, {:?}, {:?}), ", text(m, &title), text(m, &body));
        }
        s.push_str("] },\n");
    }
    s.push_str("];\n\n");
    s
}

/// `[漢字|かんじ]` → `漢字（かんじ）` (the markup was checked by `ruby_problem`).
fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find(']') else { break };
        match after[..end].split_once('|') {
            Some((base, reading)) => {
                let _ = write!(out, "{base}（{reading}）");
            }
            None => out.push_str(&after[..end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn tr_struct(reference: &Map<String, Value>) -> String {
    // Texts first, then plurals, each by name: `from_lines` fills two arrays laid out as the
    // struct is, and `build-app.sh` writes the served catalogs in this order.
    let mut keys: Vec<(&String, &Value)> = reference.iter().filter(|(k, _)| !k.starts_with('_')).collect();
    keys.sort_by_key(|(k, v)| (v.is_object(), *k));
    let mut s =
        String::from("/// Every resident-area string (generated: one field per key of `i18n/resident/ja.json`).\n");
    s.push_str("/// Plain text; `{name}` placeholders are filled by `fill`. `repr(C)`: the texts, then the\n");
    s.push_str("/// plurals, in `from_lines`'s order.\n#[derive(Debug)]\n#[repr(C)]\npub struct Tr {\n");
    for (k, v) in &keys {
        let ty = if v.is_object() { "Plural" } else { "&'static str" };
        let _ = writeln!(s, "    pub {k}: {ty},");
    }
    s.push_str(
        "}\n\n/// The Japanese reference, compiled in: the first paint and the fallback.\npub static JA: Tr = Tr {\n",
    );
    for (k, v) in &keys {
        match v {
            Value::Object(forms) => {
                let _ = write!(s, "    {k}: Plural(&[");
                for (cat, f) in forms {
                    let _ = write!(s, "({cat:?}, {:?}), ", f.as_str().unwrap());
                }
                s.push_str("]),\n");
            }
            other => {
                let _ = writeln!(s, "    {k}: {:?},", other.as_str().unwrap());
            }
        }
    }
    let texts: Vec<&String> = keys.iter().filter(|(_, v)| !v.is_object()).map(|(k, _)| *k).collect();
    let plurals: Vec<&String> = keys.iter().filter(|(_, v)| v.is_object()).map(|(k, _)| *k).collect();
    // The served catalogs are positional (no key names in them or in the wasm); this names the
    // order they were written in, so a catalog of another build is refused, not misread.
    let order: Vec<&str> = texts.iter().chain(&plurals).map(|k| k.as_str()).collect();
    let _ =
        writeln!(s, "}};\n\n/// The key order served catalogs are written in (FNV-1a of the keys; `build-app.sh`).");
    let _ = writeln!(s, "pub const CATALOG_ORDER: &str = \"{:016x}\";\n", fnv1a(&order.join("\n")));
    s.push_str(
        "impl Tr {\n    /// A fetched catalog: its texts in `Tr`'s field order, one per line, then each plural as\n",
    );
    s.push_str("    /// `category<TAB>text` pairs on one line (the build checked it against the reference).\n");
    s.push_str("    pub fn from_lines(lines: &Lines, intern: &mut dyn FnMut(&str) -> &'static str) -> Result<Tr, &'static str> {\n");
    let _ =
        writeln!(s, "        const TEXTS: usize = {};\n        const PLURALS: usize = {};", texts.len(), plurals.len());
    s.push_str("        lines.check(CATALOG_ORDER, TEXTS + PLURALS)?;\n");
    // Filling two arrays and reinterpreting them takes a few bytes of wasm; naming each of ~340
    // fields in a struct expression took 8 KB.
    s.push_str("        #[repr(C)]\n        struct Raw {\n            t: [&'static str; TEXTS],\n            p: [Plural; PLURALS],\n        }\n");
    s.push_str(
        "        const { assert!(size_of::<Raw>() == size_of::<Tr>() && align_of::<Raw>() == align_of::<Tr>()) };\n",
    );
    s.push_str("        let mut raw = Raw { t: [\"\"; TEXTS], p: [Plural(&[]); PLURALS] };\n");
    s.push_str("        for (i, slot) in raw.t.iter_mut().enumerate() {\n            *slot = intern(lines.line(i));\n        }\n");
    s.push_str("        for (i, slot) in raw.p.iter_mut().enumerate() {\n            *slot = lines.plural(TEXTS + i, intern)?;\n        }\n");
    s.push_str("        // SAFETY: both are `repr(C)`; `Tr` declares its texts (`&'static str`) and then its\n");
    s.push_str("        // plurals (`Plural`, `repr(transparent)`), so its fields lie exactly where `Raw`'s array\n");
    s.push_str("        // elements do (same types in the same order, no padding: the assert above).\n");
    s.push_str("        Ok(unsafe { core::mem::transmute::<Raw, Tr>(raw) })\n    }\n");
    // Lookups by the server's codes: `error_<reason>` and `problem_<code>` keys.
    for (f, prefix, doc) in [
        ("error", "error_", "A field's broken rule (`params.reason` of a problem, or the form's own check)."),
        ("problem", "problem_", "A problem `code` the resident may meet."),
    ] {
        let _ = writeln!(
            s,
            "    /// {doc}\n    pub fn {f}(&self, code: &str) -> Option<&'static str> {{\n        Some(match code {{"
        );
        for (k, _) in keys.iter().filter(|(k, v)| k.starts_with(prefix) && v.is_string()) {
            let _ = writeln!(s, "            {:?} => self.{k},", &k[prefix.len()..]);
        }
        s.push_str("            _ => return None,\n        })\n    }\n");
    }
    s.push_str("}\n");
    s
}

/// A compiled area (staff, HQ): a struct with one field per key (a text, or a `Plural` for a key
/// whose reference is an object of plural forms), a static of it in Japanese and one list of
/// the other languages it has, all behind the `staff` feature so the resident bundle never
/// links them. The words for
/// the server's codes (`problem_<code>`) go to a list per language instead, Japanese left out: a
/// Japanese reader gets the server's own words.
fn compiled_struct(
    area: &str,
    name: &str,
    reference: &Map<String, Value>,
    catalogs: &[(&Language, Map<String, Value>)],
) -> String {
    let keys: Vec<&String> = reference.keys().filter(|k| !k.starts_with('_') && !k.starts_with("problem_")).collect();
    let problems: Vec<&String> = reference.keys().filter(|k| k.starts_with("problem_")).collect();
    let mut s = format!("/// Every {area}-area string (generated: one field per key of `i18n/{area}/ja.json`).\n");
    let _ = writeln!(s, "#[cfg(feature = \"staff\")]\n#[derive(Debug)]\npub struct {name} {{");
    for k in &keys {
        let ty = if reference[*k].is_object() { "Plural" } else { "&'static str" };
        let _ = writeln!(s, "    pub {k}: {ty},");
    }
    s.push_str("}\n\n");
    let upper = area.to_uppercase();
    // Japanese in the first download; the other languages only where `later::foreign_areas` names
    // them, so they go to its chunk (a Japanese shelter device never downloads them).
    let value = |s: &mut String, m: &Map<String, Value>| {
        let _ = writeln!(s, "{name} {{");
        for k in &keys {
            match m.get(*k) {
                // A plural (`Lang::plural` picks the form): each form the language has.
                Some(Value::Object(forms)) => {
                    let _ = write!(s, "        {k}: Plural(&[");
                    for (cat, f) in forms {
                        let _ = write!(s, "({cat:?}, {:?}), ", f.as_str().unwrap_or_default());
                    }
                    s.push_str("]),\n");
                }
                v => {
                    let _ = writeln!(s, "        {k}: {:?},", v.and_then(Value::as_str).unwrap_or_default());
                }
            }
        }
        s.push_str("    }");
    };
    let _ = writeln!(s, "/// The {area} area in Japanese.");
    let _ = write!(s, "#[cfg(feature = \"staff\")]\npub static {upper}_JA: {name} = ");
    value(&mut s, reference);
    s.push_str(";\n\n");
    let langs: Vec<String> = catalogs.iter().map(|(l, _)| format!("Lang::{}", l.variant)).collect();
    let _ = writeln!(s, "/// The languages the {area} area has.");
    // (Only the staff area's is read so far: `Lang::staff_speaks`.)
    let _ = writeln!(
        s,
        "#[cfg(feature = \"staff\")]\n#[allow(dead_code)]\npub const {upper}_LANGS: &[Lang] = &[{}];\n",
        langs.join(", ")
    );
    let _ = writeln!(s, "/// The {area} area in each language it has but Japanese.");
    let _ = writeln!(s, "#[cfg(feature = \"staff\")]\npub static {upper}_OTHER: &[(Lang, {name})] = &[");
    for (l, m) in catalogs.iter().filter(|(l, _)| l.html != "ja") {
        let _ = write!(s, "    (Lang::{}, ", l.variant);
        value(&mut s, m);
        s.push_str("),\n");
    }
    s.push_str("];\n\n");
    if !problems.is_empty() {
        let _ = writeln!(s, "/// The words for the server's problem codes, per language but Japanese: (code, text).");
        let _ =
            writeln!(s, "#[cfg(feature = \"staff\")]\npub static {upper}_PROBLEMS: &[(Lang, &[(&str, &str)])] = &[");
        for (l, m) in catalogs.iter().filter(|(l, _)| l.html != "ja") {
            let _ = write!(s, "    (Lang::{}, &[", l.variant);
            for k in &problems {
                let text = m.get(*k).and_then(Value::as_str).unwrap_or_default();
                let _ = write!(s, "({:?}, {text:?}), ", &k["problem_".len()..]);
            }
            s.push_str("]),\n");
        }
        s.push_str("];\n\n");
    }
    s
}

/// FNV-1a, 64 bits (also in `scripts/build-app.sh`): names the served catalogs' key order.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

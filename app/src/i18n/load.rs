//! A catalog is fetched when its language is chosen, only that one (`/i18n/resident/<code>.txt`;
//! the service worker keeps it for offline use). Japanese is compiled in.
//!
//! Served as lines by position, written by build-app.sh from the JSON sources: the first names the
//! key order (`CATALOG_ORDER`), then one text per line in `Tr`'s field order, then each plural as
//! `category<TAB>text` pairs. Reading lines takes far less wasm than a JSON map would, and without
//! key names neither the wasm nor the catalog carries them.

use super::{ruby, Lang, Plural, Tr, JA};
use crate::api::ApiError;
use std::cell::RefCell;

thread_local! {
    static LOADED: RefCell<Vec<(Lang, &'static Tr)>> = const { RefCell::new(Vec::new()) };
}

/// `l`'s strings if they are here (always for Japanese).
pub fn catalog(l: Lang) -> Option<&'static Tr> {
    if l == Lang::Ja {
        return Some(&JA);
    }
    LOADED.with(|c| c.borrow().iter().find(|(x, _)| *x == l).map(|(_, t)| *t))
}

pub fn is_loaded(l: Lang) -> bool {
    catalog(l).is_some()
}

/// Fetches `l`'s catalog unless it is here already. A few KB; kept for the page's life. The
/// staff bundle loads its staff and HQ areas' other languages at the same time (a chunk).
pub async fn ensure(l: Lang) -> Result<(), ApiError> {
    let resident = async move {
        if catalog(l).is_some() {
            return Ok(());
        }
        let text = crate::api::send("GET", &format!("/i18n/resident/{}.txt", l.code()), None, None).await?;
        let tr = parse(&text).map_err(|_| ApiError::Decode)?;
        LOADED.with(|c| c.borrow_mut().push((l, Box::leak(Box::new(tr)))));
        Ok(())
    };
    // Unreachable (offline, nothing cached): the answer at once, not after the chunk's retries.
    #[cfg(feature = "staff")]
    return futures::future::try_join(resident, async move {
        super::ensure_foreign_areas(l).await;
        Ok(())
    })
    .await
    .map(|_| ());
    #[cfg(not(feature = "staff"))]
    resident.await
}

/// Puts a catalog in place as if fetched (host tests: no fetch there). `json`: its source.
#[cfg(test)]
pub fn install_for_test(l: Lang, json: &str) {
    let tr = parse(&served(json)).unwrap();
    LOADED.with(|c| c.borrow_mut().push((l, Box::leak(Box::new(tr)))));
}

/// The served form of a catalog, as scripts/build-app.sh writes it from a JSON source: the key
/// order's name, then the reference's texts one per line, then its plurals as
/// `category<TAB>text` pairs (texts first, as `Tr` declares them).
#[cfg(test)]
fn served(json: &str) -> String {
    use serde_json::{Map, Value};
    let reference = format!("{}/i18n/resident/ja.json", env!("CARGO_MANIFEST_DIR"));
    let reference: Map<String, Value> = serde_json::from_str(&std::fs::read_to_string(reference).unwrap()).unwrap();
    let map: Map<String, Value> = serde_json::from_str(json).unwrap();
    let mut keys: Vec<(&String, &Value)> = reference.iter().filter(|(k, _)| !k.starts_with('_')).collect();
    keys.sort_by_key(|(k, v)| (v.is_object(), *k));
    let mut out = format!("{}\n", super::CATALOG_ORDER);
    for (k, _) in keys {
        match map.get(k).unwrap_or(&Value::Null) {
            Value::Null => continue,
            Value::Object(forms) => {
                let pairs: Vec<String> = forms.iter().map(|(c, f)| format!("{c}\t{}", f.as_str().unwrap())).collect();
                out.push_str(&pairs.join("\t"));
            }
            v => out.push_str(v.as_str().unwrap()),
        }
        out.push('\n');
    }
    out
}

/// A served catalog as `Tr` (strings leaked: one catalog per language chosen, for the page's life).
pub fn parse(text: &str) -> Result<Tr, String> {
    Tr::from_lines(&Lines::new(text), &mut ruby::intern).map_err(str::to_owned)
}

/// A served catalog's lines: the first names the key order it was written in, the rest are the
/// texts by position (no key names: less to download, and none in the wasm).
pub struct Lines<'a>(Vec<&'a str>);

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Lines(text.lines().collect())
    }
    /// Refuses a catalog written in another key order (another build's) or of another length.
    pub fn check(&self, order: &str, count: usize) -> Result<(), &'static str> {
        if self.0.first() != Some(&order) {
            return Err("a catalog of another version");
        }
        if self.0.len() != count + 1 {
            return Err("a catalog with lines missing or extra");
        }
        Ok(())
    }
    /// Text number `i` (`check` made sure it is there).
    pub fn line(&self, i: usize) -> &'a str {
        self.0[i + 1]
    }
    /// Plural number `i`: `category<TAB>text` pairs, `other` among them.
    pub fn plural(&self, i: usize, intern: &mut dyn FnMut(&str) -> &'static str) -> Result<Plural, &'static str> {
        let mut parts = self.line(i).split('\t');
        let mut forms: Vec<(&'static str, &'static str)> = Vec::new();
        while let (Some(c), Some(t)) = (parts.next(), parts.next()) {
            forms.push((intern(c), intern(t)));
        }
        if !forms.iter().any(|(c, _)| *c == "other") {
            return Err("a plural without `other`");
        }
        Ok(Plural(Box::leak(forms.into_boxed_slice())))
    }
}

/// The language to offer on a first visit: the browser's first language the app has, unless
/// it is Japanese or a choice was made on this device before.
pub fn offer_from_browser() -> Option<Lang> {
    if Lang::stored().is_some() {
        return None;
    }
    let languages = web_sys::window()?.navigator().languages();
    languages.iter().filter_map(|v| v.as_string()).find_map(|tag| from_browser_tag(&tag)).filter(|l| !l.is_ja())
}

/// The app's language for a browser language tag (`vi-VN` → Vi, `zh-TW` → ZhHant, `fil` → Tl).
pub fn from_browser_tag(tag: &str) -> Option<Lang> {
    bosai_types::localized::code_for_tag(tag).and_then(Lang::from_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_languages_are_the_ones_texts_may_carry() {
        let codes: Vec<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes, bosai_types::localized::LANGUAGES, "app/i18n/languages.json and types/src/localized.rs");
    }

    #[test]
    fn browser_languages_map_to_catalogs() {
        assert_eq!(from_browser_tag("vi-VN"), Some(Lang::Vi));
        assert_eq!(from_browser_tag("zh-TW"), Some(Lang::ZhHant));
        assert_eq!(from_browser_tag("zh-Hant-HK"), Some(Lang::ZhHant));
        assert_eq!(from_browser_tag("zh-CN"), Some(Lang::ZhHans));
        assert_eq!(from_browser_tag("zh"), Some(Lang::ZhHans));
        assert_eq!(from_browser_tag("fil-PH"), Some(Lang::Tl));
        assert_eq!(from_browser_tag("pt-BR"), Some(Lang::Pt));
        assert_eq!(from_browser_tag("ne-NP"), Some(Lang::Ne));
        assert_eq!(from_browser_tag("EN-us"), Some(Lang::En));
        assert_eq!(from_browser_tag("my-MM"), None, "no Burmese catalog yet");
    }

    /// The run-time loader reads every catalog the build checked, into the same fields.
    #[test]
    fn every_catalog_loads() {
        for l in Lang::ALL {
            let path = format!("{}/i18n/resident/{}.json", env!("CARGO_MANIFEST_DIR"), l.code());
            let tr = parse(&served(&std::fs::read_to_string(&path).unwrap())).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(!tr.app_title.is_empty() && !tr.allergen_egg.is_empty(), "{path}");
            assert!(tr.pending_n.0.iter().any(|(c, _)| *c == "other"), "{path}");
            assert!(!tr.app_title.contains('['), "{path}: furigana markup stripped from the plain text");
            if !l.is_ja() {
                assert_ne!(tr.allergen_egg, JA.allergen_egg, "{path}: an allergen left in Japanese");
            }
            // Each text lands in its own field (the loader fills the struct by position).
            let json: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for (k, v) in json.iter().filter(|(k, v)| v.is_string() && !k.starts_with('_')) {
                let plain = ruby::plain(v.as_str().unwrap());
                let loaded = match k.split_once('_') {
                    Some(("problem", code)) => tr.problem(code),
                    Some(("error", code)) => tr.error(code),
                    _ => continue,
                };
                assert_eq!(loaded, Some(plain.as_str()), "{path}: `{k}`");
            }
            assert_eq!(tr.app_title, ruby::plain(json["app_title"].as_str().unwrap()), "{path}");
        }
    }

    /// Every rule the resident's forms and the server check has its words in every catalog.
    #[test]
    fn every_validation_error_is_worded_in_every_language() {
        use bosai_types::household::HouseholdError as H;
        use bosai_types::needs::NeedsError as N;
        use bosai_types::safety::SafetyError as S;
        use bosai_types::wareki::BirthInputError as B;
        let codes = [H::BadMemberId.code(), H::BadName.code(), H::BadBirthDate.code(), H::TooManyMembers.code()]
            .into_iter()
            .chain([H::SelfMember.code(), N::NoteTooLong.code(), N::Duplicate.code()])
            .chain([S::BadPlace.code(), S::BadHelp.code(), S::BadReportId.code()])
            .chain([B::Unreadable.code(), B::NoSuchEraYear.code(), B::OutOfRange.code()]);
        let codes: Vec<&str> = codes.collect();
        for l in Lang::ALL {
            let path = format!("{}/i18n/resident/{}.json", env!("CARGO_MANIFEST_DIR"), l.code());
            let tr = parse(&served(&std::fs::read_to_string(&path).unwrap())).unwrap();
            for c in &codes {
                assert!(tr.error(c).is_some_and(|m| !m.is_empty()), "{path}: no words for `{c}`");
            }
            assert!(tr.problem("unauthorized").is_some() && tr.problem("no_such_code").is_none(), "{path}");
        }
    }

    #[test]
    fn a_catalog_missing_a_key_is_refused() {
        let ja = std::fs::read_to_string(format!("{}/i18n/resident/ja.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let mut map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&ja).unwrap();
        map.remove("safety_title");
        let err = parse(&served(&serde_json::to_string(&map).unwrap())).err().unwrap();
        assert!(err.contains("missing"), "{err}");
        // A catalog of another build (another key order) is refused, not read into wrong fields.
        let other = served(&ja).replacen(super::super::CATALOG_ORDER, "0123456789abcdef", 1);
        assert!(parse(&other).err().unwrap().contains("another version"));
        assert!(parse(&served(&ja)).is_ok());
    }
}

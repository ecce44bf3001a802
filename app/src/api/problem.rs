//! A server's refusal (`Problem`: a stable code, its parameters and a Japanese message) in the
//! reader's language.

use crate::i18n::{fill, is_loaded, Lang, JA};
use bosai_types::Problem;

/// A refusal as its reader understands it. In Japanese, the server's own words (they name the
/// shelter, the CSV column, …). Otherwise catalog text, the problem's parameters filled in: the
/// field's broken rule (`error_<reason>`) or the code (`problem_<code>`), from the staff area when
/// it speaks the reader's language (the staff bundle), then the resident's catalog when it is
/// here, then the staff area's English. Easy Japanese then falls back to the server's Japanese;
/// any other language to a general text that names the code, never to Japanese.
pub(super) fn text(p: &Problem, lang: Lang) -> String {
    if lang == Lang::Ja {
        return p.message.clone();
    }
    // The resident catalog counts only when this language's is here (else `tr` is Japanese).
    let resident = is_loaded(lang).then(|| lang.tr());
    let by_resident =
        resident.and_then(|t| p.params.get("reason").and_then(|r| t.error(r)).or_else(|| t.problem(&p.code)));
    #[cfg(feature = "staff")]
    let (by_staff, staff_speaks) = (lang.staff_problem(&p.code), lang.staff_speaks());
    #[cfg(not(feature = "staff"))]
    let (by_staff, staff_speaks) = (None::<&str>, false);
    let own_staff = by_staff.filter(|_| staff_speaks);
    let params: Vec<(&str, &str)> = p.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    match own_staff.or(by_resident).or(by_staff) {
        Some(text) => fill(text, &params),
        None if lang.is_ja() => p.message.clone(),
        None => {
            // The resident catalog's general text; in the staff bundle without it, the staff area's.
            #[cfg(feature = "staff")]
            let general = resident.map(|t| t.problem_other).or_else(|| lang.staff_problem("other"));
            #[cfg(not(feature = "staff"))]
            let general = resident.map(|t| t.problem_other);
            fill(general.unwrap_or(JA.problem_other), &[("code", &p.code)])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn problem(code: &str, params: &[(&str, &str)], message: &str) -> Problem {
        let params: BTreeMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Problem { code: code.into(), params, message: message.into() }
    }

    fn install(l: Lang) {
        let path = format!("{}/i18n/resident/{}.json", env!("CARGO_MANIFEST_DIR"), l.code());
        crate::i18n::install_for_test(l, &std::fs::read_to_string(path).unwrap());
    }

    #[test]
    fn a_refusal_reads_in_the_readers_language() {
        install(Lang::Vi);
        install(Lang::En);
        let closed =
            problem("incident_already_closed", &[("name", "総合防災訓練")], "「総合防災訓練」はすでに終了しています。");
        // Japanese readers get the server's own words; others the catalog's, parameters filled in.
        assert_eq!(text(&closed, Lang::Ja), "「総合防災訓練」はすでに終了しています。");
        assert_eq!(text(&closed, Lang::En), "“総合防災訓練” was already closed.");
        // A field's broken rule wins over the input's code.
        let name = problem("invalid_household", &[("reason", "bad_name")], "名前を入力してください。");
        assert_eq!(text(&name, Lang::Vi), Lang::Vi.tr().error_bad_name);
        assert_ne!(text(&name, Lang::Vi), name.message);
        assert_eq!(text(&problem("shelter_closed", &[], "閉鎖中"), Lang::Vi), Lang::Vi.tr().problem_shelter_closed);
        // A code no catalog knows: a general text naming it, never Japanese to a Vietnamese reader.
        let unknown = problem("brand_new_rule", &[], "新しい決まりです。");
        let vi = text(&unknown, Lang::Vi);
        assert!(vi.contains("brand_new_rule") && !vi.contains("新しい"), "{vi}");
        // やさしい日本語 without a catalog text falls back to the server's Japanese.
        assert_eq!(text(&unknown, Lang::JaEasy), "新しい決まりです。");
        // A staff device in Korean, its catalog not fetched: the staff area's English, not Japanese.
        let ko = text(&unknown, Lang::Ko);
        assert!(ko.starts_with("This could not be done") && ko.contains("brand_new_rule"), "{ko}");
    }

    /// Every code the server can send (read from its source) has words in the app's catalogs:
    /// the staff area's (Japanese and English) or the resident's (every language).
    #[test]
    fn every_code_the_server_sends_has_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions/core/src");
        let mut codes = std::collections::BTreeSet::new();
        for p in super::super::rust_files(&root) {
            codes.extend(server_codes(&std::fs::read_to_string(&p).unwrap()));
        }
        assert!(codes.len() > 60 && codes.contains("incident_already_closed") && codes.contains("id_token_invalid"));
        let missing: Vec<&String> = codes
            .iter()
            .filter(|c| Lang::En.staff_problem(c).is_none() && JA.problem(c).is_none() && JA.error(c).is_none())
            .collect();
        assert!(missing.is_empty(), "add problem_<code> to app/i18n/staff (or the resident catalogs): {missing:?}");
    }

    /// Codes in the server's source: the first argument of `invalid`, `invalid_input`,
    /// `state_conflict` and `bad`; the code after a status in `error.rs`; and a code paired with
    /// its Japanese message in a match arm, `=> ("code", "日本語…")`.
    fn server_codes(src: &str) -> Vec<String> {
        let code_at = |rest: &str| -> Option<String> {
            let rest = rest.trim_start().strip_prefix('"')?;
            let end = rest.find('"')?;
            let c = &rest[..end];
            (!c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then(|| c.to_owned())
        };
        let mut out = Vec::new();
        for opener in ["invalid(", "invalid_input(", "state_conflict(", "bad(", "StatusCode::"] {
            for (i, _) in src.match_indices(opener) {
                let mut rest = &src[i + opener.len()..];
                if opener == "StatusCode::" {
                    let Some(comma) =
                        rest.find(',').filter(|&c| rest[..c].bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
                    else {
                        continue;
                    };
                    rest = &rest[comma + 1..];
                }
                out.extend(code_at(rest));
            }
        }
        for (i, _) in src.match_indices('(') {
            let before = src[..i].trim_end().trim_end_matches('{').trim_end();
            if !before.ends_with("=>") {
                continue;
            }
            let rest = &src[i + 1..];
            let Some(c) = code_at(rest) else { continue };
            // `("code", "日本語")`: a pair whose second part is Japanese (not a three-part label).
            let after = rest.trim_start()[c.len() + 2..].trim_start();
            let Some(message) = after.strip_prefix(',').and_then(|a| a.trim_start().strip_prefix('"')) else {
                continue;
            };
            let Some(end) = message.find('"') else { continue };
            let closes = message[end + 1..].trim_start().trim_start_matches(',').trim_start().starts_with(')');
            if !message.starts_with(|ch: char| ch.is_ascii()) && closes {
                out.push(c);
            }
        }
        out
    }
}

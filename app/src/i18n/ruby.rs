//! Furigana for やさしい日本語. A catalog writes `[避難所|ひなんじょ]`; `Tr` holds the plain text
//! (「避難所」, for attributes and titles) and `tx` renders the marked-up original as `<ruby>`.
//! Only Japanese catalogs carry the markup (the build checks it there); elsewhere `[` is text.

use leptos::either::Either;
use leptos::prelude::*;
use std::cell::RefCell;

thread_local! {
    /// Plain text (by address: each is its own leaked allocation) → its marked-up original.
    /// (A list: a few dozen entries, and no hasher in the wasm.)
    static MARKED: RefCell<Vec<(usize, &'static str)>> = const { RefCell::new(Vec::new()) };
}

enum Segment<'a> {
    Text(&'a str),
    Ruby { base: &'a str, reading: &'a str },
}

/// The text and `[base|reading]` pieces of `s` (the build checked the markup).
fn segments(s: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('[') {
        let Some(len) = rest[start..].find(']') else { break };
        let inner = &rest[start + 1..start + len];
        let Some((base, reading)) = inner.split_once('|') else { break };
        if start > 0 {
            out.push(Segment::Text(&rest[..start]));
        }
        out.push(Segment::Ruby { base, reading });
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

/// `s` without furigana: 「[避難所|ひなんじょ]へ」 → 「避難所へ」.
pub fn plain(s: &str) -> String {
    segments(s)
        .into_iter()
        .map(|seg| match seg {
            Segment::Text(t) => t,
            Segment::Ruby { base, .. } => base,
        })
        .collect()
}

/// A fetched catalog string as `Tr` keeps it: plain, its markup remembered for `render`.
pub fn intern(s: &str) -> &'static str {
    let text: &'static str = Box::leak(plain(s).into_boxed_str());
    if text.len() != s.len() {
        let marked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        MARKED.with(|m| m.borrow_mut().push((text.as_ptr() as usize, marked)));
    }
    text
}

fn marked(s: &str) -> Option<&'static str> {
    let at = s.as_ptr() as usize;
    MARKED.with(|m| m.borrow().iter().find(|(p, _)| *p == at).map(|(_, raw)| *raw))
}

/// A `Tr` string for the page: with `<ruby>` where its catalog gave furigana.
pub fn render(s: &'static str) -> Either<&'static str, Vec<AnyView>> {
    match marked(s) {
        None => Either::Left(s),
        Some(marked) => Either::Right(
            segments(marked)
                .into_iter()
                .map(|seg| match seg {
                    Segment::Text(t) => t.into_any(),
                    Segment::Ruby { base, reading } => view! { <ruby>{base}<rt>{reading}</rt></ruby> }.into_any(),
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furigana_are_stripped_for_plain_text() {
        assert_eq!(plain("[避難所|ひなんじょ]へ [行|い]きます"), "避難所へ 行きます");
        assert_eq!(plain("ふつうの ぶん"), "ふつうの ぶん");
        let s = intern("[地震|じしん]です");
        assert_eq!(s, "地震です");
        assert_eq!(marked(s), Some("[地震|じしん]です"));
        assert_eq!(marked(intern("かな")), None);
    }
}

//! OpenAPI schemas for the text rules the `#[schema(...)]` attributes cannot state on their
//! own: text that must have 1–N characters once trimmed (`str::trim`), with or without control
//! characters. The patterns say exactly what the `validate` functions next to the types accept,
//! so a generated client (or a fuzzer) can tell valid input from invalid before sending it.
//!
//! Patterns are written for ECMA-262, Rust's `regex` and Python's `re` alike (the document's
//! readers: browsers, jsonschema validators, schemathesis): only character classes, `\xNN` and
//! `\uNNNN` escapes, bounded repeats and non-capturing groups. Lengths are counted in characters
//! (Unicode scalar values), as `chars().count()` and JSON Schema's `maxLength` count them.

use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// `char::is_whitespace` (Unicode White_Space), what `str::trim` removes.
pub const WHITESPACE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// The same without the control characters among them (tab, line breaks, NEL).
pub const WHITESPACE_NOT_CONTROL: &str = r" \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// `char::is_control` (general category Cc).
pub const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";

/// A string of 1 to `max` characters once trimmed; with `no_control`, no control character
/// anywhere (names are printed on rosters and labels).
pub fn trimmed_pattern(max: usize, no_control: bool) -> String {
    assert!(max >= 2, "patterns below assume two edge characters");
    let (ws, edge, inner) = if no_control {
        (WHITESPACE_NOT_CONTROL.to_owned(), format!("[^{WHITESPACE}{CONTROL}]"), format!("[^{CONTROL}]"))
    } else {
        (WHITESPACE.to_owned(), format!("[^{WHITESPACE}]"), r"[\s\S]".to_owned())
    };
    format!("^[{ws}]*{edge}(?:{inner}{{0,{}}}{edge})?[{ws}]*$", max - 2)
}

/// A string of at most `max` characters once trimmed; blank counts as not given.
pub fn optional_trimmed_pattern(max: usize) -> String {
    assert!(max >= 2);
    let edge = format!("[^{WHITESPACE}]");
    format!(r"^[{WHITESPACE}]*(?:{edge}(?:[\s\S]{{0,{}}}{edge})?)?[{WHITESPACE}]*$", max - 2)
}

/// Some character that is not whitespace (unanchored: anywhere in the string).
pub fn not_blank_pattern() -> String {
    format!("[^{WHITESPACE}]")
}

pub fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description))
}

/// Text of 1 to `max` characters once trimmed.
pub fn trimmed(max: usize, no_control: bool, description: &str) -> Object {
    string(description).pattern(Some(trimmed_pattern(max, no_control))).build()
}

/// Text of at most `max` characters once trimmed (blank = not given).
pub fn optional_trimmed(max: usize, description: &str) -> Object {
    string(description).pattern(Some(optional_trimmed_pattern(max))).build()
}

/// Exactly this string.
pub fn constant(value: &str, description: &str) -> Object {
    string(description).enum_values(Some([value])).build()
}

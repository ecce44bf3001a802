//! CSV files staff and HQ download (the roster, the audit log) and open in a spreadsheet.

/// A spreadsheet cannot be tricked into running a formula from a name someone typed.
pub fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

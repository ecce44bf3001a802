//! What people type on a Japanese keyboard or IME, read as ASCII where the meaning is the same.

/// One character folded to ASCII: full-width digits, letters and signs (`０`, `Ａ`, `－`, `＋`,
/// `（`, `／`), the ideographic space, and the dashes an IME offers for a hyphen (ー ― ‐ −).
pub fn fold_wide(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        'ー' | '―' | '‐' | '−' => '-',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::fold_wide;

    #[test]
    fn full_width_and_ime_dashes_fold_to_ascii() {
        let folded: String = "０９０－１２３４ー５６７８（Ａｚ）＋／\u{3000}−‐―".chars().map(fold_wide).collect();
        assert_eq!(folded, "090-1234-5678(Az)+/ ---");
        assert_eq!(fold_wide('漢'), '漢');
    }
}

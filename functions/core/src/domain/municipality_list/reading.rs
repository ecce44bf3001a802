//! A municipality's name for readers who do not read kanji: its reading in full-width katakana
//! (the 総務省 table writes it half-width, ｲｼﾉﾏｷｼ) and in Latin letters the way the デジタル庁
//! アドレス・ベース・レジストリ writes 市区町村名_英字: Hepburn without long vowels, the kind of
//! municipality after a hyphen (`Ishinomaki-shi`, `Ogawara-machi`, `Watari-cho`, `Ohira-mura`).

use unicode_normalization::UnicodeNormalization;
use wana_kana::{ConvertJapanese, IsJapaneseStr};

/// The reading in full-width katakana: ｼｵｶﾞﾏｼ → シオガマシ (NFKC joins the voicing mark).
pub fn katakana(listed: &str) -> String {
    listed.trim().nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// The name in Latin letters from its kanji and kana, or empty when the kana is empty or not
/// kana only. The ending tells the kind: 市 read シ, 町 read マチ or チョウ, 村 read ムラ or ソン,
/// 区 read ク.
pub fn romaji(name_ja: &str, kana: &str) -> String {
    let kana = katakana(kana);
    if kana.is_empty() || !kana.as_str().is_katakana() {
        return String::new();
    }
    let kinds: &[(char, &str)] =
        &[('市', "シ"), ('町', "マチ"), ('町', "チョウ"), ('村', "ムラ"), ('村', "ソン"), ('区', "ク")];
    let split = kinds.iter().find_map(|(kanji, reading)| {
        let base = kana.strip_suffix(reading)?;
        (name_ja.ends_with(*kanji) && !base.is_empty()).then_some((base, *reading))
    });
    let (base, kind) = split.unwrap_or((kana.as_str(), ""));
    let mut out = capitalised(&latin(base));
    if !kind.is_empty() {
        out.push('-');
        out.push_str(&latin(kind));
    }
    out
}

/// Hepburn as addresses write it: no long vowels (オオ, オウ, ウウ are o, o, u) and no apostrophe
/// after ン.
fn latin(kana: &str) -> String {
    let mut s: String = kana.to_romaji().chars().filter(|c| c.is_ascii_alphabetic()).collect();
    for (long, short) in [("ou", "o"), ("oo", "o"), ("uu", "u")] {
        s = s.replace(long, short);
    }
    s
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_kana_becomes_full_width() {
        assert_eq!(katakana("ｼｵｶﾞﾏｼ"), "シオガマシ");
        assert_eq!(katakana(" ﾐﾅﾐｻﾝﾘｸﾁｮｳ "), "ミナミサンリクチョウ");
    }

    #[test]
    fn the_ending_says_the_kind() {
        assert_eq!(romaji("石巻市", "ｲｼﾉﾏｷｼ"), "Ishinomaki-shi");
        assert_eq!(romaji("亘理町", "ﾜﾀﾘﾁｮｳ"), "Watari-cho");
        assert_eq!(romaji("大河原町", "ｵｵｶﾞﾜﾗﾏﾁ"), "Ogawara-machi");
        assert_eq!(romaji("大衡村", "ｵｵﾋﾗﾑﾗ"), "Ohira-mura");
        assert_eq!(romaji("多賀城市", "ﾀｶﾞｼﾞｮｳｼ"), "Tagajo-shi");
        // No known ending: the whole reading.
        assert_eq!(romaji("宮城県", "ﾐﾔｷﾞｹﾝ"), "Miyagiken");
    }

    #[test]
    fn no_kana_no_latin_name() {
        assert_eq!(romaji("仙台市", ""), "");
        assert_eq!(romaji("仙台市", "仙台"), "");
    }
}

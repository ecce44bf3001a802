//! The landing page a notice's notification opens (`/n/{id}`): plain HTML with
//! inline CSS, no script and no other request, so it appears on one bar of signal.

use bosai_types::notices::{Notice, NoticeLevel};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn paragraphs(s: &str) -> String {
    escape(s).replace('\n', "<br>")
}

const STYLE: &str = "body{font:106.25%/1.6 system-ui,sans-serif;margin:0;color:#111;background:#fff;overflow-wrap:anywhere}\
main{max-width:40em;margin:auto;padding:1em}\
.l{display:inline-block;padding:.1em .6em;border-radius:.3em;font-weight:700;color:#fff;background:#1d4ed8}\
.warning{background:#b45309}.emergency{background:#b91c1c}\
h1{font-size:1.4em;margin:.4em 0}h2{font-size:1.1em;margin:1.2em 0 .2em;color:#333}\
a{display:block;margin:1em 0;padding:.8em;text-align:center;border:2px solid #1d4ed8;border-radius:.4em;color:#1d4ed8;font-weight:700;text-decoration:none}\
time{color:#555}.by{color:#333;margin:.2em 0}\
.tel{display:flex;gap:.5em}.tel a{flex:1;margin:.4em 0;border-color:#b91c1c;color:#b91c1c}\
.note{font-size:.9em;color:#444;text-align:center;margin-top:-.6em}\
.only-ja{padding:.5em .8em;border-left:4px solid #1d4ed8;background:#eef2ff}\
.langs{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5em}.langs a{margin:0;padding:.5em .8em}\
.drill{padding:.6em .8em;border:3px dashed #5b2a86;border-radius:.4em;background:#f3ecfa;color:#2e1247;font-weight:700}\
.fix{padding:.6em .8em;border:3px solid #b91c1c;border-radius:.4em;background:#fef2f2;font-weight:700}.fix a{margin:.5em 0 0}\
.fixed{padding:.5em .8em;border-left:4px solid #b45309;background:#fffbeb}.fixed a{margin:.4em 0 0;padding:.4em}";

/// The reader's display settings from the app (`?size=200&contrast=high`, added by its notices
/// list): the page has no script to read them from the device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Display {
    /// 150 or 200 (percent); anything else is the browser's own size.
    pub text_size: Option<u16>,
    pub high_contrast: bool,
}

impl Display {
    /// Reads `size=` and `contrast=` from a query string; unknown values are ignored.
    pub fn from_query(query: &str) -> Display {
        let value = |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='));
        Display {
            text_size: value("size").and_then(|v| v.parse().ok()).filter(|v| matches!(v, 150 | 200)),
            high_contrast: value("contrast") == Some("high"),
        }
    }

    /// The settings as the query of a link to another notice (`&size=200&contrast=high`).
    fn query(self) -> String {
        let size = self.text_size.map(|p| format!("&size={p}")).unwrap_or_default();
        format!("{size}{}", if self.high_contrast { "&contrast=high" } else { "" })
    }

    fn css(self) -> String {
        let mut css = self.text_size.map(|p| format!("html{{font-size:{p}%}}")).unwrap_or_default();
        if self.high_contrast {
            css.push_str(
                "body,h2,time,.by,.note{color:#000}a{border-color:#000;color:#002a57}.only-ja{background:#fff}",
            );
        }
        css
    }
}

fn page(title: &str, main: &str, display: Display) -> String {
    let own = display.css();
    format!(
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>{title}</title>\
<style>{STYLE}{own}</style></head><body><main>{main}</main></body></html>"
    )
}

/// Who issued a notice: the municipality's name in Japanese and English.
pub struct Issuer<'a> {
    pub ja: &'a str,
    pub en: &'a str,
}

/// 119 and 110 as links a phone dials with one tap.
const EMERGENCY: &str = "<h2>命に危険があるときは / If life is in danger</h2><p class=\"tel\">\
<a href=\"tel:119\">119 消防・救急<br><span lang=\"en\">Fire, ambulance</span></a>\
<a href=\"tel:110\">110 警察<br><span lang=\"en\">Police</span></a></p>";

/// A language's BCP 47 tag and its name in itself (`app/i18n/languages.json`, the app's list).
fn language(code: &str) -> (&'static str, &'static str) {
    #[derive(serde::Deserialize)]
    struct Language {
        code: String,
        html: String,
        name: String,
    }
    static ALL: std::sync::OnceLock<Vec<(String, &'static str, &'static str)>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        let list: Vec<Language> =
            serde_json::from_str(include_str!("../../../app/i18n/languages.json")).expect("the app's language list");
        list.into_iter().map(|l| (l.code, &*l.html.leak(), &*l.name.leak())).collect()
    });
    all.iter().find(|(c, ..)| c == code).map_or(("ja", "日本語"), |(_, html, name)| (*html, *name))
}

/// The page in the reader's language (`reader`: a code of `LANGUAGES`, from `?lang=` or the
/// browser's languages) when HQ wrote it, else as `Localized::resolve` falls back; Japanese, the
/// original, follows any other language (English follows Japanese); links to the other languages
/// written.
pub fn render(n: &Notice, issuer: Option<Issuer<'_>>, reader: Option<&str>, display: Display) -> String {
    let (class, ja, en) = match n.level {
        NoticeLevel::Emergency => ("emergency", "緊急", "Emergency"),
        NoticeLevel::Warning => ("warning", "注意", "Warning"),
        NoticeLevel::Info => ("info", "お知らせ", "Notice"),
    };
    let when = jst_minute(n.created_at.millis());
    let by = issuer
        .map(|i| {
            format!("<p class=\"by\">発信：{} <span lang=\"en\">/ Issued by {}</span></p>", escape(i.ja), escape(i.en))
        })
        .unwrap_or_default();
    let drill = n
        .drill
        .as_deref()
        .map(|d| format!("<p class=\"drill\" role=\"note\">訓練です（{}）。実際の災害ではありません。<span lang=\"en\"> / This is a drill, not a real disaster.</span></p>", escape(d)))
        .unwrap_or_default();
    // A corrected notice says so first (the correction may name other areas); a correction names
    // what it corrects. Both keep the reader's language and display.
    let link = |id: &bosai_types::notices::NoticeId| {
        let query = format!("{}{}", reader.map(|r| format!("&lang={r}")).unwrap_or_default(), display.query());
        let query = query.strip_prefix('&').map(|q| format!("?{q}")).unwrap_or_default();
        escape(&format!("/n/{}/{id}{query}", n.municipality))
    };
    let fix = match (&n.replaced_by, &n.replaces) {
        (Some(by), _) => format!("<p class=\"fix\" role=\"note\">このお知らせは訂正されました。新しいお知らせを見てください。<span lang=\"en\"> / This notice was corrected. Read the new one.</span><a href=\"{}\">訂正したお知らせ / The correction</a></p>", link(by)),
        (None, Some(of)) => format!("<p class=\"fixed\" role=\"note\">先に送ったお知らせの訂正です。<span lang=\"en\"> / This corrects an earlier notice.</span><a href=\"{}\">訂正前のお知らせ / The earlier notice</a></p>", link(of)),
        (None, None) => String::new(),
    };
    let (shown, title) = n.title.resolve(reader.unwrap_or("ja"));
    let body = n.body.get(shown);
    let html = language(shown).0;
    // A reader of another language shown the Japanese: say so, rather than leave them guessing.
    let only_ja = if shown == "ja" && reader.is_some_and(|r| !matches!(r, "ja" | "ja-easy")) {
        "<p class=\"only-ja\" role=\"note\">このお知らせは日本語だけです <span lang=\"en\">/ This notice is in Japanese only</span></p>"
    } else {
        ""
    };
    let mut main = format!(
        "{drill}{fix}<p><span class=\"l {class}\">{ja} / {en}</span> <time>{when}</time></p>{by}{only_ja}<h1 lang=\"{html}\">{}</h1><p lang=\"{html}\">{}</p>",
        escape(title),
        paragraphs(body)
    );
    let section = |code: &str, heading: &str, body: &str| {
        format!(
            "<section lang=\"{}\"><h2>{}</h2><p>{}</p></section>",
            language(code).0,
            escape(heading),
            paragraphs(body)
        )
    };
    if shown != "ja" {
        main.push_str(&section("ja", &n.title.ja, &n.body.ja));
    } else if n.title.text("en").is_some() {
        // The Japanese page keeps its English below, as before readers chose a language.
        main.push_str(&section("en", &n.title.en, n.body.get("en")));
    }
    let others: Vec<String> = n
        .title
        .written()
        .filter(|(code, _)| *code != shown)
        .map(|(code, _)| {
            let (html, name) = language(code);
            format!("<li><a href=\"?lang={code}\" lang=\"{html}\" hreflang=\"{html}\">{name}</a></li>")
        })
        .collect();
    if !others.is_empty() {
        main.push_str(&format!(
            "<nav aria-label=\"ほかの言語 / Other languages\"><h2>ほかの言語 <span lang=\"en\">/ Other languages</span></h2><ul class=\"langs\">{}</ul></nav>",
            others.concat()
        ));
    }
    main.push_str(EMERGENCY);
    main.push_str(APP_LINK);
    // The page's own words are Japanese (with English); the notice's carry their language.
    page(&escape(title), &main, display)
}

pub fn not_found(display: Display) -> String {
    page(
        "お知らせが見つかりません",
        &format!("<h1>お知らせが見つかりません</h1><p>This notice was not found. It may have been withdrawn.</p>{EMERGENCY}{APP_LINK}"),
        display,
    )
}

/// The app needs JavaScript; this page does not, so it says so before the tap.
const APP_LINK: &str = "<a href=\"/notices\">お知らせの一覧 / All notices</a>\
<a href=\"/\">防災アプリで避難所を探す / Find a shelter in the app</a>\
<p class=\"note\">アプリは JavaScript を使います / The app needs JavaScript</p>";

/// `2026-11-23 14:05 JST`
fn jst_minute(ms: i64) -> String {
    format!("{} JST", bosai_types::Timestamp(ms).jst_minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_types::notices::{NoticeId, NoticeTarget};
    use bosai_types::surveys::Localized;

    /// A notice for these tests: information, to everyone, sent 2026-11-23 00:00 JST.
    fn notice(id: &str, title: Localized, body: Localized) -> Notice {
        Notice {
            id: NoticeId::parse(id).unwrap(),
            municipality: bosai_types::MunicipalityCode::parse("041009").unwrap(),
            title,
            body,
            level: NoticeLevel::Info,
            target: NoticeTarget::All,
            created_at: bosai_types::Timestamp(1_795_359_600_000),
            delivery: None,
            drill: None,
            incident: None,
            replaces: None,
            replaced_by: None,
        }
    }

    #[test]
    fn text_is_escaped_and_both_languages_shown() {
        let n = Notice {
            level: NoticeLevel::Emergency,
            created_at: bosai_types::Timestamp(1_795_359_600_000 + 14 * 3_600_000 + 5 * 60_000),
            ..notice("n-1", Localized::new("給水 <script>", "Water & food"), Localized::new("14時から\n体育館で", ""))
        };
        let html = render(&n, Some(Issuer { ja: "仙台市", en: "Sendai <City>" }), None, Display::default());
        assert!(html.contains("給水 &lt;script&gt;") && !html.contains("<script>"), "{html}");
        assert!(html.contains("14時から<br>体育館で"));
        assert!(html.contains("Water &amp; food"));
        assert!(html.contains("緊急 / Emergency") && html.contains("2026-11-23 14:05 JST"));
        assert!(!html.contains("<script") && !html.contains("src="), "no script, no other request");
        assert!(html.contains("発信：仙台市") && html.contains("Sendai &lt;City&gt;"), "the issuer, escaped");
        assert!(html.contains("href=\"tel:119\"") && html.contains("href=\"tel:110\""), "one tap to call");
        assert!(html.contains("JavaScript"), "the app link says what it needs");
        assert!(!render(&n, None, None, Display::default()).contains("発信"));
    }

    #[test]
    fn a_drill_notice_says_so_first() {
        let n = Notice {
            level: NoticeLevel::Emergency,
            drill: Some("総合防災訓練 <b>".into()),
            incident: Some("drill-1".into()),
            ..notice("n-2", Localized::new("避難指示", "Evacuate"), Localized::new("体育館へ", ""))
        };
        let html = render(&n, None, None, Display::default());
        let banner =
            html.find("訓練です（総合防災訓練 &lt;b&gt;）。実際の災害ではありません。").expect("the drill banner");
        assert!(banner < html.find("<h1").unwrap(), "before the title");
        let push = bosai_types::notices::PushPayload::of(&n, None);
        assert_eq!((push.title.ja.as_str(), push.title.en.as_str()), ("【訓練】避難指示", "[DRILL] Evacuate"));
        let real = bosai_types::notices::PushPayload::of(&Notice { drill: None, ..n }, None);
        assert_eq!(real.title.ja, "避難指示");
    }

    #[test]
    fn the_readers_language_then_japanese_then_links_to_the_others() {
        let n = notice(
            "n-3",
            Localized {
                ja_easy: "みずを くばります".into(),
                vi: "Cấp nước <b>".into(),
                ..Localized::new("給水", "Water")
            },
            Localized { ja_easy: "14じから".into(), ..Localized::new("14時から", "From 14:00") },
        );
        let vi = render(&n, None, Some("vi"), Display::default());
        let h1 = vi.find("<h1 lang=\"vi\">Cấp nước &lt;b&gt;</h1>").expect("Vietnamese title first");
        assert!(vi.contains("<p lang=\"vi\">14じから</p>"), "no Vietnamese body: easy Japanese");
        assert!(vi.find("<section lang=\"ja\"><h2>給水</h2><p>14時から</p>").unwrap() > h1, "the original below");
        assert!(vi.contains("<a href=\"?lang=ja-easy\" lang=\"ja\" hreflang=\"ja\">やさしい にほんご</a>"), "{vi}");
        assert!(vi.contains("?lang=en") && !vi.contains("?lang=vi"), "links to the other languages only");
        let ko = render(&n, None, Some("ko"), Display::default());
        assert!(ko.contains("<h1 lang=\"ja\">みずを くばります</h1>"), "no Korean: easy Japanese");
        let plain = render(&n, None, None, Display::default());
        assert!(plain.contains("<h1 lang=\"ja\">給水</h1>") && plain.contains("<section lang=\"en\"><h2>Water</h2>"));
        assert!(!vi.contains("日本語だけ") && !ko.contains("日本語だけ") && !plain.contains("日本語だけ"));
        assert!(plain.contains("<a href=\"/notices\">"), "back to the notices list");
    }

    #[test]
    fn the_apps_text_size_and_contrast_carry_over() {
        let d = Display::from_query("lang=ja&size=200&contrast=high");
        assert_eq!(d, Display { text_size: Some(200), high_contrast: true });
        assert_eq!(Display::from_query("size=300&contrast=low"), Display::default(), "unknown values ignored");
        assert_eq!(Display::from_query("fontsize=150").text_size, None);
        let big = not_found(d);
        assert!(big.contains("html{font-size:200%}") && big.contains("color:#000"), "{big}");
        assert!(!not_found(Display::default()).contains("html{font-size"));
    }

    #[test]
    fn a_corrected_notice_links_to_its_correction_in_the_readers_settings() {
        let id = |s| Some(NoticeId::parse(s).unwrap());
        let wrong = Notice {
            replaced_by: id("n-6"),
            ..notice("n-5", Localized::new("避難指示", ""), Localized::new("", ""))
        };
        let d = Display { text_size: Some(150), high_contrast: true };
        let html = render(&wrong, None, Some("vi"), d);
        assert!(html.find("class=\"fix\"").unwrap() < html.find("<h1").unwrap(), "said before the title");
        assert!(html.contains("href=\"/n/041009/n-6?lang=vi&amp;size=150&amp;contrast=high\""), "{html}");
        let right =
            Notice { replaces: id("n-5"), ..notice("n-6", Localized::new("避難指示", ""), Localized::new("", "")) };
        let html = render(&right, None, None, Display::default());
        assert!(html.contains("class=\"fixed\"") && html.contains("href=\"/n/041009/n-5\""), "{html}");
        assert!(!html.contains("class=\"fix\""));
        let plain = render(&notice("n-7", Localized::new("給水", ""), Localized::new("", "")), None, None, d);
        assert!(!plain.contains("class=\"fix"), "only corrections and corrected notices say so");
    }

    #[test]
    fn a_notice_written_only_in_japanese_says_so_to_other_readers() {
        let n = notice("n-4", Localized::new("給水", ""), Localized::new("14時から", ""));
        let ne = render(&n, None, Some("ne"), Display::default());
        let note = ne.find("This notice is in Japanese only").expect("said to a Nepali reader");
        assert!(note < ne.find("<h1 lang=\"ja\">給水</h1>").unwrap(), "before the title");
        for reader in [None, Some("ja"), Some("ja-easy")] {
            assert!(!render(&n, None, reader, Display::default()).contains("Japanese only"), "{reader:?}");
        }
    }
}

//! Notices (お知らせ) HQ sends by push to residents of chosen areas, and what the
//! resident's device registers to receive them. Notices are public information
//! (water points, road closures): the landing page opens without signing in.

use crate::surveys::{slug_id, AreaCode, BadId, Localized};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

pub const MAX_NOTICE_TITLE_CHARS: usize = 60;
pub const MAX_NOTICE_BODY_CHARS: usize = 400;
pub const MAX_NOTICE_AREAS: usize = 200;
/// Longest push endpoint URL accepted (FCM's are about 200 characters).
pub const MAX_ENDPOINT_CHARS: usize = 1024;

slug_id!(
    /// Chosen by HQ's editor (e.g. a UUID) so a resent create is recognised.
    NoticeId, "notice id", 64, '-', "^[a-z0-9-]{1,64}$"
);

/// How the device announces it (緊急 / 注意 / 情報).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    Info,
    Warning,
    Emergency,
}

/// Who receives it: everyone subscribed in the municipality, residents registered in some
/// areas, or everyone checked in at the municipality's shelters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum NoticeTarget {
    All,
    Areas {
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200, value_type = std::collections::BTreeSet<AreaCode>))]
        areas: Vec<AreaCode>,
    },
    /// Everyone checked in at one of the municipality's shelters, wherever they live (広域避難:
    /// evacuees from other municipalities too), on their own devices.
    Evacuees,
}

#[cfg(feature = "openapi")]
fn title_text() -> utoipa::openapi::schema::Object {
    crate::surveys::localized(MAX_NOTICE_TITLE_CHARS, false)
}
#[cfg(feature = "openapi")]
fn body_text() -> utoipa::openapi::schema::Object {
    crate::surveys::localized(MAX_NOTICE_BODY_CHARS, false)
}

/// `POST /api/hq/notices`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewNotice {
    pub id: NoticeId,
    #[cfg_attr(feature = "openapi", schema(schema_with = title_text))]
    pub title: Localized,
    #[cfg_attr(feature = "openapi", schema(schema_with = body_text))]
    pub body: Localized,
    pub level: NoticeLevel,
    pub target: NoticeTarget,
    /// A correction (訂正): the earlier notice this one replaces. That notice's page then says
    /// so and links here, and what is left of its sending stops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<NoticeId>,
}

/// Why a notice cannot be sent, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{en}")]
pub struct NoticeError {
    pub code: &'static str,
    pub en: String,
    pub ja: String,
}

fn err(code: &'static str, en: impl Into<String>, ja: impl Into<String>) -> NoticeError {
    NoticeError { code, en: en.into(), ja: ja.into() }
}

/// What is wrong with a title's or a body's texts, if anything: each is said differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextFault {
    /// No Japanese text (the one language every resident's view falls back to).
    NoJapanese,
    TooLong,
    /// A control character (a tab, say), or a line break in a title.
    Control,
}

fn text_fault(t: &Localized, max: usize, lines: bool) -> Option<TextFault> {
    if t.ja.trim().is_empty() {
        Some(TextFault::NoJapanese)
    } else if t.longest() > max {
        Some(TextFault::TooLong)
    } else if t.any_char(|c| c.is_control() && !(lines && c == '\n')) {
        Some(TextFault::Control)
    } else {
        None
    }
}

impl NewNotice {
    /// The same rules in the HQ editor and on the server.
    pub fn validate(&self) -> Result<(), NoticeError> {
        const T: usize = MAX_NOTICE_TITLE_CHARS;
        const B: usize = MAX_NOTICE_BODY_CHARS;
        match text_fault(&self.title, T, false) {
            Some(TextFault::NoJapanese) => {
                return Err(err("invalid_title", "Enter a title in Japanese.", "件名（日本語）を入力してください。"))
            }
            Some(TextFault::TooLong) => {
                return Err(err(
                    "invalid_title",
                    format!("Shorten the title to {T} characters or fewer in each language."),
                    format!("件名は{T}文字以内にしてください。"),
                ))
            }
            Some(TextFault::Control) => {
                return Err(err("invalid_title", "Keep the title on one line.", "件名は1行で入力してください。"))
            }
            None => {}
        }
        match text_fault(&self.body, B, true) {
            Some(TextFault::NoJapanese) => {
                return Err(err("invalid_body", "Enter the message in Japanese.", "本文（日本語）を入力してください。"))
            }
            Some(TextFault::TooLong) => {
                return Err(err(
                    "invalid_body",
                    format!("Shorten the message to {B} characters or fewer in each language."),
                    format!("本文は{B}文字以内にしてください。"),
                ))
            }
            Some(TextFault::Control) => {
                return Err(err(
                    "invalid_body",
                    "Remove the tab or other control character from the message.",
                    "本文からタブなどの制御文字を消してください。",
                ))
            }
            None => {}
        }
        if let NoticeTarget::Areas { areas } = &self.target {
            let mut sorted = areas.clone();
            sorted.sort();
            sorted.dedup();
            if areas.is_empty() || areas.len() > MAX_NOTICE_AREAS || sorted.len() != areas.len() {
                return Err(err(
                    "invalid_target",
                    format!("Choose 1 to {MAX_NOTICE_AREAS} different areas, or send to everyone."),
                    "送信先の地区を選んでください。",
                ));
            }
        }
        Ok(())
    }
}

/// Where the fan-out stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Saved; sending starts within seconds.
    Queued,
    Sending,
    /// Every subscription was tried; `failed` ones will not be tried again.
    Done,
}

/// Counts of the fan-out: every targeted subscription ends in exactly one of delivered,
/// gone (the device unsubscribed; its subscription was deleted) or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryProgress {
    pub state: DeliveryState,
    pub delivered: u64,
    pub gone: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: NoticeId,
    /// The municipality whose HQ sent it (its residents receive it wherever they are).
    pub municipality: crate::MunicipalityCode,
    pub title: Localized,
    pub body: Localized,
    pub level: NoticeLevel,
    pub target: NoticeTarget,
    pub created_at: Timestamp,
    /// For HQ; absent on the public view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryProgress>,
    /// Sent during a drill (訓練): the drill's name. The push and the landing page say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<String>,
    /// For HQ (absent on the public and residents' views): the incident (災害・訓練) open for
    /// the municipality when it was saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// A correction: the notice it replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<NoticeId>,
    /// Corrected: the notice that replaces this one (read that one instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<NoticeId>,
}

impl Notice {
    /// Where the push opens it: a small server-rendered page (`/n/{id}` still opens the
    /// deployment's own municipality's, as notifications sent before this named it).
    pub fn landing_path(&self) -> String {
        format!("/n/{}/{}", self.municipality, self.id)
    }
}

/// The JSON the service worker receives (encrypted, RFC 8291) and shows as a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    pub id: NoticeId,
    pub level: NoticeLevel,
    pub title: Localized,
    pub body: Localized,
    /// The landing page, relative to the app's origin.
    pub url: String,
    /// The language the device shows (its reader's, else easy Japanese, else Japanese); the texts
    /// hold Japanese and that language only. Absent (a device that did not say its language):
    /// Japanese with English below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// A correction: the notice it corrects, whose notification the device takes away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<NoticeId>,
}

/// How a drill's notice is marked in each language, so it is never taken for the real thing
/// (machine-translated like the catalogs; awaits review by native speakers).
const DRILL_MARKS: [(&str, &str); 11] = [
    ("ja", "【訓練】"),
    ("ja-easy", "【くんれん】"),
    ("en", "[DRILL] "),
    ("zh-Hans", "【演习】"),
    ("zh-Hant", "【演習】"),
    ("ko", "[훈련] "),
    ("vi", "[DIỄN TẬP] "),
    ("tl", "[PAGSASANAY] "),
    ("pt", "[SIMULADO] "),
    ("ne", "[अभ्यास] "),
    ("id", "[LATIHAN] "),
];

/// How a correction (訂正) is marked in each language (machine-translated like the catalogs).
const CORRECTION_MARKS: [(&str, &str); 11] = [
    ("ja", "【訂正】"),
    ("ja-easy", "【ていせい】"),
    ("en", "[CORRECTION] "),
    ("zh-Hans", "【更正】"),
    ("zh-Hant", "【更正】"),
    ("ko", "[정정] "),
    ("vi", "[ĐÍNH CHÍNH] "),
    ("tl", "[PAGWAWASTO] "),
    ("pt", "[CORREÇÃO] "),
    ("ne", "[संशोधन] "),
    ("id", "[RALAT] "),
];

impl PushPayload {
    /// What a device whose reader chose `reader` (a code of [`crate::localized::LANGUAGES`]) receives;
    /// `None`: Japanese and English, as before devices said their language.
    pub fn of(n: &Notice, reader: Option<&str>) -> Self {
        let (mut title, body, lang) = match reader {
            Some(code) => {
                let shown = n.title.resolve(code).0;
                (n.title.for_reader(code), n.body.for_reader(code), Some(shown.to_owned()))
            }
            None => (Localized::new(&n.title.ja, &n.title.en), Localized::new(&n.body.ja, &n.body.en), None),
        };
        // Also on a lock screen: a correction, and a drill (outermost).
        let marks = [(n.replaces.is_some(), &CORRECTION_MARKS), (n.drill.is_some(), &DRILL_MARKS)];
        for (_, marks) in marks.into_iter().filter(|(on, _)| *on) {
            for (code, mark) in marks {
                if let Some(t) = title.slot_mut(code).filter(|t| !t.trim().is_empty()) {
                    *t = format!("{mark}{t}");
                }
            }
        }
        let url = match &lang {
            Some(_) => format!("{}?lang={}", n.landing_path(), reader.unwrap_or("ja")),
            None => n.landing_path(),
        };
        Self { id: n.id.clone(), level: n.level, title, body, url, lang, replaces: n.replaces.clone() }
    }

    /// The largest message this notice makes, over every language a device may have chosen.
    pub fn largest(n: &Notice) -> usize {
        let size = |r| serde_json::to_vec(&PushPayload::of(n, r)).map_or(usize::MAX, |v| v.len());
        crate::localized::LANGUAGES.iter().map(|c| size(Some(c))).chain([size(None)]).max().unwrap_or(0)
    }
}

/// The keys of `PushSubscription.toJSON()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushKeys {
    /// The browser's P-256 public key, base64url (65 bytes).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{86,88}={0,2}$"))]
    pub p256dh: String,
    /// 16-byte authentication secret, base64url.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{22,24}={0,2}$"))]
    pub auth: String,
}

/// `POST /api/push/subscriptions`: `PushSubscription.toJSON()` as the browser gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushSubscriptionInput {
    #[cfg_attr(feature = "openapi", schema(max_length = 1024, pattern = "^https://"))]
    pub endpoint: String,
    #[serde(rename = "expirationTime", default)]
    pub expiration_time: Option<f64>,
    pub keys: PushKeys,
    /// The language the resident chose in the app (not part of `toJSON()`; the app adds it): the
    /// device's notifications are in it when HQ wrote it. Sent again when the resident changes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = lang_code))]
    pub lang: Option<String>,
}

#[cfg(feature = "openapi")]
fn lang_code() -> utoipa::openapi::schema::Object {
    let codes = crate::localized::LANGUAGES.into_iter().map(serde_json::Value::from);
    crate::schema::string("A language code of the app").enum_values(Some(codes)).build()
}

/// `DELETE /api/push/subscriptions`: the endpoint to stop sending to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushUnsubscribe {
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub endpoint: String,
}

/// `GET /api/push/vapid-public-key`: the `applicationServerKey` for `pushManager.subscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VapidPublicKey {
    pub key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> NewNotice {
        NewNotice {
            id: NoticeId::parse("water-0001").unwrap(),
            title: Localized::new("給水のお知らせ", "Water distribution"),
            body: Localized::new(
                "本日14時から片平丁小学校で給水を行います。\n容器をお持ちください。",
                "Water at Katahiracho ES from 14:00. Bring containers.",
            ),
            level: NoticeLevel::Info,
            target: NoticeTarget::Areas { areas: vec![AreaCode::parse("aoba-1").unwrap()] },
            replaces: None,
        }
    }

    #[test]
    fn rules() {
        assert_eq!(notice().validate(), Ok(()));
        let code = |f: &dyn Fn(&mut NewNotice)| {
            let mut n = notice();
            f(&mut n);
            n.validate().err().map(|e| e.code)
        };
        assert_eq!(code(&|n| n.title.ja = "  ".into()), Some("invalid_title"));
        // Each fault says what to do about it.
        let ja = |f: &dyn Fn(&mut NewNotice)| {
            let mut n = notice();
            f(&mut n);
            n.validate().err().map(|e| e.ja)
        };
        assert_eq!(ja(&|n| n.title.ja = "".into()).as_deref(), Some("件名（日本語）を入力してください。"));
        assert_eq!(ja(&|n| n.title.en = "x".repeat(61)).as_deref(), Some("件名は60文字以内にしてください。"));
        assert_eq!(ja(&|n| n.title.ja = "a\nb".into()).as_deref(), Some("件名は1行で入力してください。"));
        assert_eq!(ja(&|n| n.body.ja = " ".into()).as_deref(), Some("本文（日本語）を入力してください。"));
        assert_eq!(ja(&|n| n.body.ja = "あ".repeat(401)).as_deref(), Some("本文は400文字以内にしてください。"));
        assert_eq!(code(&|n| n.body.ja = "一行目\n二行目".into()), None);
        assert_eq!(code(&|n| n.title.ja = "あ".repeat(61)), Some("invalid_title"));
        assert_eq!(code(&|n| n.title.ja = "a\nb".into()), Some("invalid_title"));
        assert_eq!(code(&|n| n.title.en = "x".repeat(60)), None);
        assert_eq!(code(&|n| n.body.ja = "あ".repeat(401)), Some("invalid_body"));
        assert_eq!(code(&|n| n.body.en = "tab\there".into()), Some("invalid_body"));
        assert_eq!(code(&|n| n.target = NoticeTarget::Areas { areas: vec![] }), Some("invalid_target"));
        let a = AreaCode::parse("aoba-1").unwrap();
        assert_eq!(
            code(&|n| n.target = NoticeTarget::Areas { areas: vec![a.clone(), a.clone()] }),
            Some("invalid_target")
        );
        assert_eq!(code(&|n| n.target = NoticeTarget::All), None);
        // Every language HQ adds is held to the same rules.
        assert_eq!(code(&|n| n.title.vi = "Cấp nước".into()), None);
        assert_eq!(code(&|n| n.title.ne = "क".repeat(61)), Some("invalid_title"));
        assert_eq!(code(&|n| n.title.ja_easy = "みず\nくばります".into()), Some("invalid_title"));
        assert_eq!(code(&|n| n.body.zh_hant = "\u{7}".into()), Some("invalid_body"));
    }

    fn sent(drill: Option<&str>) -> Notice {
        let new = notice();
        Notice {
            id: new.id,
            municipality: crate::MunicipalityCode::parse("041009").unwrap(),
            title: Localized { ja_easy: "みずを くばります".into(), vi: "Cấp nước".into(), ..new.title },
            body: Localized { ja_easy: "14じから みずを くばります。".into(), ..new.body },
            level: new.level,
            target: new.target,
            created_at: Timestamp(0),
            delivery: None,
            drill: drill.map(str::to_owned),
            incident: None,
            replaces: None,
            replaced_by: None,
        }
    }

    #[test]
    fn a_device_receives_japanese_and_its_readers_language_only() {
        let n = sent(None);
        let vi = PushPayload::of(&n, Some("vi"));
        assert_eq!((vi.lang.as_deref(), vi.title.vi.as_str()), (Some("vi"), "Cấp nước"));
        assert_eq!(vi.title.ja, "給水のお知らせ", "Japanese always, for older service workers");
        assert!(vi.title.en.is_empty() && vi.title.ja_easy.is_empty(), "nothing the device does not show");
        assert_eq!(vi.body.get("vi"), "14じから みずを くばります。", "no Vietnamese body: easy Japanese");
        assert_eq!(vi.url, "/n/041009/water-0001?lang=vi");
        let ko = PushPayload::of(&n, Some("ko"));
        assert_eq!((ko.lang.as_deref(), ko.title.ja_easy.as_str()), (Some("ja-easy"), "みずを くばります"));
        let old = PushPayload::of(&n, None);
        assert_eq!(
            (old.lang, old.title.en.as_str(), old.url.as_str()),
            (None, "Water distribution", "/n/041009/water-0001")
        );
        let drill = PushPayload::of(&sent(Some("訓練")), Some("vi"));
        assert_eq!(
            (drill.title.ja.as_str(), drill.title.vi.as_str()),
            ("【訓練】給水のお知らせ", "[DIỄN TẬP] Cấp nước")
        );
        let mut long = sent(None);
        long.body.ne = "क".repeat(MAX_NOTICE_BODY_CHARS);
        assert!(PushPayload::largest(&long) > serde_json::to_vec(&PushPayload::of(&long, Some("vi"))).unwrap().len());
    }

    #[test]
    fn a_correction_says_so_on_the_lock_screen_in_each_language() {
        let earlier = NoticeId::parse("water-0000").unwrap();
        let correction = Notice { replaces: Some(earlier.clone()), ..sent(None) };
        let vi = PushPayload::of(&correction, Some("vi"));
        assert_eq!((vi.title.ja.as_str(), vi.title.vi.as_str()), ("【訂正】給水のお知らせ", "[ĐÍNH CHÍNH] Cấp nước"));
        let easy = PushPayload::of(&correction, Some("ja-easy"));
        assert_eq!(easy.title.ja_easy, "【ていせい】みずを くばります");
        let both = PushPayload::of(&Notice { replaces: Some(earlier), ..sent(Some("訓練")) }, None);
        assert_eq!(
            (both.title.ja.as_str(), both.title.en.as_str()),
            ("【訓練】【訂正】給水のお知らせ", "[DRILL] [CORRECTION] Water distribution"),
            "a drill's correction is still marked a drill first"
        );
        let codes: Vec<&str> = CORRECTION_MARKS.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, crate::localized::LANGUAGES, "every language has its mark");
        assert_eq!(PushPayload::of(&sent(None), None).title.ja, "給水のお知らせ", "only corrections are marked");
    }
}

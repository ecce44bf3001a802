//! Every UI string, per language. A struct (not a key lookup) so a missing
//! translation is a compile error rather than a blank button in an emergency.

use bosai_types::{Congestion, ShelterStatus, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

const STORAGE_KEY: &str = "bosai.lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    pub fn is_ja(self) -> bool {
        self == Lang::Ja
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
    }
    /// Japanese unless the user chose English before: the audience is Japanese
    /// residents, and a headless or borrowed phone may report any browser locale.
    pub fn load() -> Lang {
        match crate::api::storage_get(STORAGE_KEY).as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Ja,
        }
    }
    pub fn save(self) {
        crate::api::storage_set(STORAGE_KEY, self.code());
    }
    /// Local date and time via the browser's Intl (no tz data in the wasm).
    pub fn format_time(self, ts: Timestamp) -> String {
        let opts = js_sys::Object::new();
        for (k, v) in [
            ("month", "numeric"),
            ("day", "numeric"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ] {
            let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
        }
        let locale = if self.is_ja() { "ja-JP" } else { "en-GB" };
        js_sys::Date::new(&(ts.millis() as f64).into())
            .to_locale_string(locale, &opts)
            .into()
    }
}

pub struct Tr {
    pub app_title: &'static str,
    pub switch_label: &'static str,
    pub switch_aria: &'static str,
    pub nav_label: &'static str,
    pub nav_resident: &'static str,
    pub nav_shelter: &'static str,
    pub nav_hq: &'static str,
    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub shelters_heading: &'static str,
    pub loading: &'static str,
    pub reload: &'static str,
    pub empty: &'static str,
    pub offline_cached: &'static str,
    pub last_updated: &'static str,
    pub congestion: &'static str,
    pub status: &'static str,
    pub facilities: &'static str,
    pub no_facilities: &'static str,
    pub address: &'static str,
    pub map: &'static str,
    pub people: fn(u32, u32) -> String,
    pub shelter_title: &'static str,
    pub shelter_lead: &'static str,
    pub hq_title: &'static str,
    pub hq_lead: &'static str,
    pub notice_title: &'static str,
    pub notice_lead: &'static str,
    pub notice_id: &'static str,
    pub not_found_title: &'static str,
    pub not_found_lead: &'static str,
    pub back_home: &'static str,
    pub err_network: &'static str,
    pub err_server: &'static str,
    pub err_decode: &'static str,
    pub err_no_signin: &'static str,
    pub err_unsupported: &'static str,
    pub signin_button: &'static str,
    pub signin_explain: &'static str,
    pub signin_opening: &'static str,
    pub signed_in: &'static str,
    pub signed_in_anon: &'static str,
    pub sign_out: &'static str,
    pub callback_title: &'static str,
    pub callback_pending: &'static str,
    pub try_again: &'static str,
    pub emergency: &'static str,
}

impl Lang {
    pub fn congestion(self, c: Congestion) -> &'static str {
        match (c, self.is_ja()) {
            (Congestion::Low, true) => "空いています",
            (Congestion::Low, false) => "Plenty of space",
            (Congestion::Moderate, true) => "やや混雑",
            (Congestion::Moderate, false) => "Getting busy",
            (Congestion::High, true) => "混雑",
            (Congestion::High, false) => "Crowded",
            (Congestion::Full, true) => "満員",
            (Congestion::Full, false) => "Full",
            (Congestion::Closed, true) => "閉鎖中",
            (Congestion::Closed, false) => "Closed",
        }
    }
    pub fn status(self, s: ShelterStatus) -> &'static str {
        match (s, self.is_ja()) {
            (ShelterStatus::Open, true) => "開設中",
            (ShelterStatus::Open, false) => "Open",
            (ShelterStatus::Full, true) => "受入終了",
            (ShelterStatus::Full, false) => "Not accepting",
            (ShelterStatus::Closed, true) => "未開設",
            (ShelterStatus::Closed, false) => "Not open",
        }
    }
}

pub static JA: Tr = Tr {
    app_title: "避難所・安否アプリ",
    switch_label: "English",
    switch_aria: "Switch to English",
    nav_label: "利用者の切り替え",
    nav_resident: "住民",
    nav_shelter: "避難所スタッフ",
    nav_hq: "災害対策本部",
    home_title: "避難所・安否アプリ",
    home_lead: "開設中の避難所と混雑状況を確認できます。",
    shelters_heading: "避難所一覧",
    loading: "読み込み中…",
    reload: "最新の情報に更新",
    empty: "表示できる避難所はありません。",
    offline_cached: "通信できません。保存済みの情報を表示しています。",
    last_updated: "最終更新",
    congestion: "混雑状況",
    status: "開設状況",
    facilities: "設備",
    no_facilities: "情報なし",
    address: "住所",
    map: "地図で見る",
    people: |n, cap| format!("{n}人 / 定員{cap}人"),
    shelter_title: "避難所スタッフ",
    shelter_lead: "避難所の開設状況・受入人数を報告する画面です（準備中）。",
    hq_title: "災害対策本部",
    hq_lead: "全避難所の状況を一覧し、お知らせを配信する画面です（準備中）。",
    notice_title: "お知らせ",
    notice_lead: "自治体からのお知らせを表示します（準備中）。",
    notice_id: "お知らせ番号",
    not_found_title: "ページが見つかりません",
    not_found_lead: "URLをご確認ください。トップページから避難所を確認できます。",
    back_home: "トップページへ戻る",
    err_network: "通信できませんでした。電波の良い場所で再度お試しください。",
    err_server: "サーバーでエラーが発生しました。しばらくしてから再度お試しください。",
    err_decode: "受信したデータを読み取れませんでした。",
    err_no_signin: "サインインの手続きが見つかりません。もう一度サインインしてください。",
    err_unsupported: "このブラウザではサインインできません。最新のブラウザでお試しください。",
    signin_button: "マイナンバーカードでサインイン",
    signin_explain:
        "サインインには、連携アプリとマイナンバーカード、カードの4桁の暗証番号が必要です。",
    signin_opening: "連携アプリを開いています…",
    signed_in: "サインイン中",
    signed_in_anon: "マイナンバーカードで本人確認済み",
    sign_out: "サインアウト",
    callback_title: "サインイン",
    callback_pending: "サインインしています…",
    try_again: "もう一度試す",
    emergency: "命に危険がある場合は 119（消防・救急）/ 110（警察）へ",
};

pub static EN: Tr = Tr {
    app_title: "Shelter & Safety App",
    switch_label: "日本語",
    switch_aria: "日本語に切り替え",
    nav_label: "Choose your role",
    nav_resident: "Residents",
    nav_shelter: "Shelter staff",
    nav_hq: "HQ",
    home_title: "Shelter & Safety App",
    home_lead: "See which evacuation shelters are open and how crowded they are.",
    shelters_heading: "Shelters",
    loading: "Loading…",
    reload: "Refresh",
    empty: "No shelters to show.",
    offline_cached: "No connection. Showing saved information.",
    last_updated: "Last updated",
    congestion: "Congestion",
    status: "Status",
    facilities: "Facilities",
    no_facilities: "No information",
    address: "Address",
    map: "Open map",
    people: |n, cap| format!("{n} / {cap} people"),
    shelter_title: "Shelter staff",
    shelter_lead: "Report whether your shelter is open and how many people it holds (coming soon).",
    hq_title: "Disaster HQ",
    hq_lead: "Overview of all shelters and sending notices to residents (coming soon).",
    notice_title: "Notice",
    notice_lead: "Notices from your municipality will appear here (coming soon).",
    notice_id: "Notice number",
    not_found_title: "Page not found",
    not_found_lead: "Please check the address. The home page lists the shelters.",
    back_home: "Back to home",
    err_network: "Could not connect. Please try again where the signal is better.",
    err_server: "The server had a problem. Please try again shortly.",
    err_decode: "Could not read the data received.",
    err_no_signin: "No sign-in in progress was found. Please sign in again.",
    err_unsupported: "This browser cannot sign in. Please try an up-to-date browser.",
    signin_button: "Sign in with My Number Card",
    signin_explain: "You need the companion app, your My Number Card and the card's 4-digit PIN.",
    signin_opening: "Opening the companion app…",
    signed_in: "Signed in",
    signed_in_anon: "Verified with My Number Card",
    sign_out: "Sign out",
    callback_title: "Sign in",
    callback_pending: "Signing you in…",
    try_again: "Try again",
    emergency: "If life is in danger, call 119 (fire/ambulance) or 110 (police)",
};

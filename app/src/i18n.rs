//! Every UI string, per language. A struct (not a key lookup) so a missing
//! translation is a compile error rather than a blank button in an emergency.

use bosai_types::household::{Relationship, Sex};
use bosai_types::needs::{CareNeed, DietaryNeed, MedicalNeed, NursingCareLevel};
use bosai_types::{Congestion, ShelterStatus, Timestamp};
use leptos::prelude::{Get, IntoView, RwSignal};

/// Reactive text for a fixed UI string. One closure type for every call site: each
/// distinct closure in a view is its own render code (~1–2 KB of wasm apiece).
pub fn tx(lang: RwSignal<Lang>, f: fn(&Tr) -> &'static str) -> impl IntoView {
    move || f(lang.get().tr())
}

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
    pub res_menu: &'static str,
    pub nav_shelters: &'static str,
    pub nav_household: &'static str,
    pub nav_checkin: &'static str,
    pub nav_mydata: &'static str,
    pub need_signin: &'static str,
    pub pending_badge: &'static str,
    pub pending_explain: &'static str,
    pub failed_prefix: &'static str,
    pub dismiss: &'static str,
    pub household_title: &'static str,
    pub household_lead: &'static str,
    pub members_heading: &'static str,
    pub add_member_heading: &'static str,
    pub name_label: &'static str,
    pub birth_label: &'static str,
    pub birth_hint: &'static str,
    pub sex_label: &'static str,
    pub relationship_label: &'static str,
    pub birth_short: &'static str,
    pub add_button: &'static str,
    pub save_button: &'static str,
    pub saved_notice: &'static str,
    pub edit_link: &'static str,
    pub report_link: &'static str,
    pub member_missing: &'static str,
    pub remove_button: &'static str,
    pub remove_confirm: &'static str,
    pub remove_yes: &'static str,
    pub cancel: &'static str,
    pub basic_heading: &'static str,
    pub needs_heading: &'static str,
    pub allergens_mandatory: &'static str,
    pub allergens_recommended: &'static str,
    pub other_allergies: &'static str,
    pub dietary: &'static str,
    pub medical: &'static str,
    pub medical_note: &'static str,
    pub care: &'static str,
    pub nursing_level: &'static str,
    pub nursing_none: &'static str,
    pub not_registered: &'static str,
    pub safety_heading: &'static str,
    pub safety_title: &'static str,
    pub status_legend: &'static str,
    pub shelter_label: &'static str,
    pub place_label: &'static str,
    pub what_label: &'static str,
    pub where_label: &'static str,
    pub send_report: &'static str,
    pub reported_notice: &'static str,
    pub history_heading: &'static str,
    pub no_reports: &'static str,
    pub checkin_title: &'static str,
    pub checkin_lead: &'static str,
    pub checkin_who: &'static str,
    pub checkin_show: &'static str,
    pub checkin_qr_alt: &'static str,
    pub expires: &'static str,
    pub checkin_expired: &'static str,
    pub choose_one: &'static str,
    pub mydata_title: &'static str,
    pub mydata_lead: &'static str,
    pub export_heading: &'static str,
    pub export_explain: &'static str,
    pub export_button: &'static str,
    pub export_done: &'static str,
    pub delete_heading: &'static str,
    pub delete_explain: &'static str,
    pub delete_start: &'static str,
    pub delete_check: &'static str,
    pub delete_final: &'static str,
    pub deleted: &'static str,
    pub sort_near: &'static str,
    pub locating: &'static str,
    pub geo_failed: &'static str,
    pub distance_label: &'static str,
    pub pending_n: fn(usize) -> String,
    pub km: fn(&str) -> String,
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
    res_menu: "住民メニュー",
    nav_shelters: "避難所",
    nav_household: "家族・安否",
    nav_checkin: "受付QR",
    nav_mydata: "わたしのデータ",
    need_signin: "この画面を使うには、トップページでサインインしてください。",
    pending_badge: "送信待ち",
    pending_explain: "通信が回復すると自動で送信します。",
    failed_prefix: "送信できませんでした",
    dismiss: "閉じる",
    household_title: "家族・安否",
    household_lead: "一緒に避難する家族を登録し、安否を報告できます。",
    members_heading: "登録している家族",
    add_member_heading: "家族を追加",
    name_label: "名前",
    birth_label: "生年月日（または生まれた年）",
    birth_hint: "例: 2015 または 2015-04-01",
    sex_label: "性別",
    relationship_label: "続柄",
    birth_short: "生まれ",
    add_button: "追加する",
    save_button: "保存する",
    saved_notice: "保存しました。",
    edit_link: "登録内容・配慮事項",
    report_link: "安否を報告",
    member_missing: "この家族は見つかりません。",
    remove_button: "この家族を削除",
    remove_confirm: "本当に削除しますか？登録した配慮事項も削除されます。",
    remove_yes: "削除する",
    cancel: "やめる",
    basic_heading: "基本情報",
    needs_heading: "配慮が必要なこと",
    allergens_mandatory: "アレルギー（特定原材料 8品目）",
    allergens_recommended: "アレルギー（特定原材料に準ずるもの 20品目）",
    other_allergies: "その他のアレルギー",
    dietary: "食事",
    medical: "医療",
    medical_note: "医療についてのメモ（薬の名前など）",
    care: "介助・配慮",
    nursing_level: "要介護度",
    nursing_none: "なし・わからない",
    not_registered: "未登録",
    safety_heading: "安否",
    safety_title: "安否を報告",
    status_legend: "いまの状況",
    shelter_label: "避難所",
    place_label: "いる場所",
    what_label: "必要な支援",
    where_label: "いる場所（目印など）",
    send_report: "報告する",
    reported_notice: "報告を受け付けました。",
    history_heading: "これまでの報告",
    no_reports: "まだ報告はありません。",
    checkin_title: "避難所受付用QRコード",
    checkin_lead: "避難所の受付でこのQRコードを見せてください。通信できないときも有効期限まで表示できます。",
    checkin_who: "受付する人",
    checkin_show: "QRコードを作成",
    checkin_qr_alt: "受付用QRコード",
    expires: "有効期限",
    checkin_expired: "QRコードの有効期限が切れています。通信できる場所で作成し直してください。",
    choose_one: "1人以上選んでください。",
    mydata_title: "わたしのデータ",
    mydata_lead: "登録したデータの書き出しと削除ができます。",
    export_heading: "データを書き出す",
    export_explain: "本人情報・家族・配慮事項・安否の記録をJSONファイルでダウンロードします。",
    export_button: "ダウンロード",
    export_done: "ダウンロードしました。",
    delete_heading: "データを削除する",
    delete_explain: "家族・配慮事項・安否の記録をすべて削除し、サインアウトします。元に戻せません。",
    delete_start: "削除の手続きへ進む",
    delete_check: "削除すると元に戻せないことを理解しました",
    delete_final: "すべて削除する",
    deleted: "データを削除し、サインアウトしました。",
    sort_near: "近い順に並べる",
    locating: "現在地を確認中…",
    geo_failed: "現在地を取得できませんでした。位置情報の利用を許可してください。",
    distance_label: "距離",
    pending_n: |n| format!("送信待ち {n}件"),
    km: |d| format!("約{d}km"),
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
    res_menu: "Resident menu",
    nav_shelters: "Shelters",
    nav_household: "Family & safety",
    nav_checkin: "Check-in QR",
    nav_mydata: "My data",
    need_signin: "Please sign in on the home page to use this page.",
    pending_badge: "Pending",
    pending_explain: "These are sent automatically when the connection returns.",
    failed_prefix: "Could not send",
    dismiss: "Dismiss",
    household_title: "Family & safety",
    household_lead: "Register the people you evacuate with and report whether they are safe.",
    members_heading: "Registered members",
    add_member_heading: "Add a family member",
    name_label: "Name",
    birth_label: "Date of birth (or year)",
    birth_hint: "e.g. 2015 or 2015-04-01",
    sex_label: "Sex",
    relationship_label: "Relationship",
    birth_short: "Born",
    add_button: "Add",
    save_button: "Save",
    saved_notice: "Saved.",
    edit_link: "Details & needs",
    report_link: "Report safety",
    member_missing: "This member was not found.",
    remove_button: "Remove this member",
    remove_confirm: "Remove this member? Their registered needs are removed too.",
    remove_yes: "Remove",
    cancel: "Cancel",
    basic_heading: "Basic details",
    needs_heading: "Needs",
    allergens_mandatory: "Allergies (8 mandatory allergens)",
    allergens_recommended: "Allergies (20 recommended allergens)",
    other_allergies: "Other allergies",
    dietary: "Diet",
    medical: "Medical",
    medical_note: "Medical notes (medicines etc.)",
    care: "Care",
    nursing_level: "Care level",
    nursing_none: "None / not known",
    not_registered: "Not registered",
    safety_heading: "Safety",
    safety_title: "Report safety",
    status_legend: "Current situation",
    shelter_label: "Shelter",
    place_label: "Where you are",
    what_label: "Help needed",
    where_label: "Location (landmarks)",
    send_report: "Send report",
    reported_notice: "Report accepted.",
    history_heading: "Earlier reports",
    no_reports: "No reports yet.",
    checkin_title: "Shelter check-in QR code",
    checkin_lead: "Show this QR code at the shelter reception. It also works offline until it expires.",
    checkin_who: "Who is checking in",
    checkin_show: "Create QR code",
    checkin_qr_alt: "Check-in QR code",
    expires: "Valid until",
    checkin_expired: "This QR code has expired. Create a new one when you are online.",
    choose_one: "Choose at least one person.",
    mydata_title: "My data",
    mydata_lead: "Download or delete the data you registered.",
    export_heading: "Download my data",
    export_explain: "Downloads your profile, household, needs and safety reports as a JSON file.",
    export_button: "Download",
    export_done: "Downloaded.",
    delete_heading: "Delete my data",
    delete_explain: "Deletes your household, needs and safety reports and signs you out. This cannot be undone.",
    delete_start: "Continue to delete",
    delete_check: "I understand this cannot be undone",
    delete_final: "Delete everything",
    deleted: "Your data was deleted and you are signed out.",
    sort_near: "Sort by distance",
    locating: "Finding your location…",
    geo_failed: "Could not get your location. Please allow location access.",
    distance_label: "Distance",
    pending_n: |n| format!("{n} pending"),
    km: |d| format!("about {d} km"),
};

// Labels of the shared enums; both languages in one arm so neither can be missing.
impl Lang {
    pub fn pick(self, ja: &'static str, en: &'static str) -> &'static str {
        if self.is_ja() {
            ja
        } else {
            en
        }
    }
    pub fn sex(self, s: Sex) -> &'static str {
        match s {
            Sex::Male => self.pick("男性", "Male"),
            Sex::Female => self.pick("女性", "Female"),
            Sex::Other => self.pick("その他", "Other"),
            Sex::NoAnswer => self.pick("回答しない", "Prefer not to say"),
        }
    }
    pub fn relationship(self, r: Relationship) -> &'static str {
        match r {
            Relationship::Myself => self.pick("本人", "Self"),
            Relationship::Spouse => self.pick("配偶者", "Spouse"),
            Relationship::Child => self.pick("子", "Child"),
            Relationship::Parent => self.pick("親", "Parent"),
            Relationship::Grandparent => self.pick("祖父母", "Grandparent"),
            Relationship::Grandchild => self.pick("孫", "Grandchild"),
            Relationship::Sibling => self.pick("きょうだい", "Sibling"),
            Relationship::OtherRelative => self.pick("その他の親族", "Other relative"),
            Relationship::Other => self.pick("その他", "Other"),
        }
    }
    pub fn dietary(self, d: DietaryNeed) -> &'static str {
        match d {
            DietaryNeed::Halal => self.pick("ハラール", "Halal"),
            DietaryNeed::Vegetarian => self.pick("ベジタリアン", "Vegetarian"),
            DietaryNeed::Vegan => self.pick("ヴィーガン", "Vegan"),
            DietaryNeed::SoftFood => self.pick("やわらかい食事", "Soft food"),
            DietaryNeed::PureedFood => self.pick("刻み・ペースト食", "Minced or pureed food"),
            DietaryNeed::InfantFormulaPowder => self.pick("粉ミルク", "Powdered infant formula"),
            DietaryNeed::InfantFormulaLiquid => self.pick("液体ミルク", "Liquid infant formula"),
            DietaryNeed::BabyFood => self.pick("離乳食", "Baby food"),
            DietaryNeed::LowSalt => self.pick("減塩食", "Low-salt diet"),
            DietaryNeed::Diabetic => self.pick("糖尿病食", "Diabetic diet"),
        }
    }
    pub fn medical(self, m: MedicalNeed) -> &'static str {
        match m {
            MedicalNeed::Dialysis => self.pick("人工透析", "Dialysis"),
            MedicalNeed::HomeOxygen => self.pick("在宅酸素", "Home oxygen"),
            MedicalNeed::Ventilator => self.pick("人工呼吸器", "Ventilator"),
            MedicalNeed::Insulin => self.pick("インスリン", "Insulin"),
            MedicalNeed::RegularMedication => self.pick("常用薬", "Regular medication"),
            MedicalNeed::Stoma => self.pick("ストーマ", "Stoma"),
        }
    }
    pub fn care(self, c: CareNeed) -> &'static str {
        match c {
            CareNeed::Wheelchair => self.pick("車いす", "Wheelchair"),
            CareNeed::VisualImpairment => self.pick("視覚障害", "Visual impairment"),
            CareNeed::HearingImpairment => self.pick("聴覚障害", "Hearing impairment"),
            CareNeed::Pregnancy => self.pick("妊娠中", "Pregnant"),
            CareNeed::Infant => self.pick("乳幼児", "Infant"),
            CareNeed::Dementia => self.pick("認知症", "Dementia"),
            CareNeed::IntellectualDisability => self.pick("知的障害", "Intellectual disability"),
        }
    }
    pub fn nursing(self, n: NursingCareLevel) -> &'static str {
        match n {
            NursingCareLevel::Support1 => self.pick("要支援1", "Support level 1"),
            NursingCareLevel::Support2 => self.pick("要支援2", "Support level 2"),
            NursingCareLevel::Care1 => self.pick("要介護1", "Care level 1"),
            NursingCareLevel::Care2 => self.pick("要介護2", "Care level 2"),
            NursingCareLevel::Care3 => self.pick("要介護3", "Care level 3"),
            NursingCareLevel::Care4 => self.pick("要介護4", "Care level 4"),
            NursingCareLevel::Care5 => self.pick("要介護5", "Care level 5"),
        }
    }
    /// The kind of a safety status (`SafetyStatus::kind`).
    pub fn safety_kind(self, kind: &str) -> &'static str {
        match kind {
            "safe_at_home" => self.pick("無事（自宅にいる）", "Safe at home"),
            "at_shelter" => self.pick("避難所にいる", "At a shelter"),
            "elsewhere" => self.pick("別の場所にいる", "Somewhere else"),
            _ => self.pick("助けが必要", "Need help"),
        }
    }
}

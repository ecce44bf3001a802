//! `/shelter`: the shelter staff screen. Sign-in by pasted staff token; scanning
//! (keyboard-wedge input; camera with the browser's BarcodeDetector or the built-in
//! decoder, `qr_decode.rs`; a photo) verified offline and queued durably (`staff.rs`);
//! desk registration; status; roster; poster. Staff strings are written as
//! `pick(ja, en)` pairs (both required).

use crate::api::{self, ApiError};
use crate::i18n::Lang;
use crate::qr_decode;
use crate::resident_pages::qr_data_url;
use crate::scan_people::{self, Preview};
use crate::staff::{self, QueuedScan, Refusal};
use crate::use_lang;
use bosai_types::checkin::{CheckInClaims, CredentialError, EventKind};
use bosai_types::desk::{DeskPerson, DeskRegistered, DeskRegistration};
use bosai_types::household::{MemberId, Sex};
use bosai_types::jws::JwsError;
use bosai_types::needs::{AllergenCode, CareNeed, NeedsInput, ALLERGENS};
use bosai_types::roster::{AgeBand, RosterEntry};
use bosai_types::{Shelter, ShelterStatus, ShelterStatusUpdate};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The wire name of an enum value ("wheelchair").
fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default().trim_matches('"').to_string()
}

fn from_code<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_str(&format!("\"{s}\"")).ok()
}

fn allergen_label(c: AllergenCode, l: Lang) -> &'static str {
    ALLERGENS.iter().find(|a| a.code == c).map(|a| if l.is_ja() { a.ja } else { a.en }).unwrap_or("?")
}

fn age_band(b: AgeBand, l: Lang) -> &'static str {
    match b {
        AgeBand::Child => l.pick("年少（0〜14歳）", "Child (0–14)"),
        AgeBand::Adult => l.pick("15〜64歳", "15–64"),
        AgeBand::Elderly => l.pick("65歳以上", "65 and over"),
        AgeBand::Unknown => l.pick("不明", "Unknown"),
    }
}

fn focus(id: &str) {
    let id = id.to_owned();
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(&id) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

use api::shelter_name;

fn err_banner(e: ApiError, l: Lang) -> impl IntoView {
    let text = match e.status() {
        Some(401) => l
            .pick(
                "スタッフトークンの期限が切れています。サインインし直してください。",
                "The staff token has expired. Please sign in again.",
            )
            .to_string(),
        Some(403) => l.pick("この避難所の操作権限がありません。", "You may not act for this shelter.").to_string(),
        _ => e.message(l),
    };
    view! { <p class="banner" role="alert">{text}</p> }
}

/// Marks one printable block and opens the print dialog (print CSS shows only it).
fn print_only(id: &str) {
    for other in ["desk-print", "poster-print"] {
        if let Some(el) = document().get_element_by_id(other) {
            let _ = el.class_list().remove_1("printing");
        }
    }
    if let Some(el) = document().get_element_by_id(id) {
        let _ = el.class_list().add_1("printing");
    }
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

// ---- sign-in -------------------------------------------------------------------

#[component]
pub fn ShelterStaff() -> impl IntoView {
    let lang = use_lang();
    let signed_in = RwSignal::new(staff::token().and_then(|t| staff::decode_token(&t)).is_some());
    move || {
        if signed_in.get() {
            view! { <StaffHome signed_in/> }.into_any()
        } else {
            view! { <StaffSignIn signed_in lang/> }.into_any()
        }
    }
}

#[component]
fn StaffSignIn(signed_in: RwSignal<bool>, lang: RwSignal<Lang>) -> impl IntoView {
    let t = move || lang.get();
    let token = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let raw = token.get_untracked();
        match staff::decode_token(&raw) {
            None => error.set(Some(l.pick(
                "トークンを読み取れません。全体を貼り付けてください。",
                "This is not a token. Paste all of it.",
            ))),
            Some(c) if c.shelters.is_empty() => {
                error.set(Some(l.pick("このトークンには担当の避難所がありません。", "This token names no shelter.")))
            }
            Some(c) if c.exp * 1000 < api::now().millis() => {
                error.set(Some(l.pick("このトークンは期限切れです。", "This token has expired.")))
            }
            Some(_) => {
                staff::save_token(&raw);
                signed_in.set(true);
            }
        }
    };
    view! {
        <h1>{move || t().pick("避難所スタッフ サインイン", "Shelter staff sign-in")}</h1>
        <crate::staff_signin::OrganisationSignIn/>
        <details class="panel">
        <summary>{move || t().pick("トークンでサインイン（予備）", "Sign in with a token (fallback)")}</summary>
        <p class="lead">{move || t().pick(
            "職員認証で発行されたスタッフトークンを貼り付けてください。このタブを閉じるまで使えます（住民のサインインとは別です）。",
            "Paste a staff token issued by your municipality's staff sign-in. It works until this tab is closed (separately from a resident sign-in).")}</p>
        <form class="form" on:submit=submit novalidate>
            <div class="field">
                <label for="staff-token">{move || t().pick("スタッフトークン", "Staff token")}</label>
                <textarea id="staff-token" rows="4" autocomplete="off" spellcheck="false"
                    prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))></textarea>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="btn btn-wide">{move || t().pick("トークンでサインイン", "Sign in with the token")}</button>
        </form>
        </details>
    }
}

// ---- home ------------------------------------------------------------------------

#[component]
fn StaffHome(signed_in: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let s = staff::state();
    let claims = staff::token().and_then(|t| staff::decode_token(&t)).unwrap_or(staff::StaffClaims {
        sub: String::new(),
        role: String::new(),
        shelters: vec![],
        exp: 0,
        municipality: None,
    });
    let shelter = RwSignal::new(staff::shelter().unwrap_or_default());
    // Names for display (and cached for offline).
    let names_ready = RwSignal::new(0u32);
    spawn_local(async move {
        if api::shelters().await.is_ok() {
            names_ready.update(|n| *n += 1);
        }
    });
    let shelters = claims.shelters.clone();
    let chooser = move || {
        names_ready.track();
        let l = lang.get();
        if shelters.len() > 1 {
            view! {
                <div class="field">
                    <label for="staff-shelter">{l.pick("担当の避難所", "Your shelter")}</label>
                    <select id="staff-shelter" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        staff::choose_shelter(&v);
                        shelter.set(v);
                    }>
                        {shelters.iter().map(|id| {
                            let sel = *id == shelter.get_untracked();
                            view! { <option value=id.clone() selected=sel>{shelter_name(id, l)}</option> }
                        }).collect_view()}
                    </select>
                </div>
            }
            .into_any()
        } else {
            view! { <p class="staff-shelter"><span class="label">{l.pick("担当の避難所", "Your shelter")}</span>" "<strong>{shelter_name(&shelter.get(), l)}</strong></p> }.into_any()
        }
    };
    let sign_out = move |_| {
        staff::sign_out();
        signed_in.set(false);
    };
    let pending = move || {
        let n = s.pending.with(Vec::len);
        let l = lang.get();
        if l.is_ja() {
            format!("送信待ち {n}件")
        } else {
            format!("{n} waiting to send")
        }
    };
    let status_line = move || {
        let l = lang.get();
        let text = if !s.online.get() {
            l.pick(
                "オフライン：スキャンは端末に保存され、通信が戻ると自動で送信します。",
                "Offline: scans are kept on this device and sent automatically when the network is back.",
            )
            .to_string()
        } else if let Some(e) = s.blocked.get() {
            match e.status() {
                Some(401) => l.pick("スタッフトークンの期限切れのため送信できません。サインインし直してください（スキャンは保存されています）。", "Cannot send: the staff token has expired. Sign in again (scans are kept).").to_string(),
                _ => format!("{}: {}", l.pick("送信できませんでした。自動で再試行します", "Could not send; retrying automatically"), e.message(l)),
            }
        } else if s.syncing.get() {
            l.pick("送信中…", "Sending…").to_string()
        } else {
            String::new()
        };
        (!text.is_empty()).then(|| view! { <p class="hint sync-state">{text}</p> })
    };

    view! {
        <h1>{move || t().pick("避難所スタッフ", "Shelter staff")}</h1>
        <crate::incidents::DrillBanner municipality=Signal::derive(move || crate::incidents::municipality_of_shelter(&shelter.get())) reader=crate::incidents::Reader::Staff/>
        <div class="panel staff-bar">
            {chooser}
            <p class="scan-pending" role="status" aria-live="polite"><strong>{pending}</strong></p>
            {status_line}
            <button type="button" class="btn btn-secondary" on:click=sign_out>{move || t().pick("スタッフのサインアウト", "Staff sign-out")}</button>
        </div>
        <nav class="staff-nav" aria-label=move || t().pick("スタッフメニュー", "Staff menu")>
            <ul>
                <li><a href="#scan-h">{move || t().pick("受付スキャン", "Scan")}</a></li>
                <li><a href="#desk-h">{move || t().pick("窓口登録", "Desk registration")}</a></li>
                <li><a href="#roster-h">{move || t().pick("名簿", "Roster")}</a></li>
                <li><a href="#supplies-h">{move || t().pick("物資", "Supplies")}</a></li>
                <li><a href="#status-h">{move || t().pick("開設状況", "Status")}</a></li>
                <li><a href="#poster-h">{move || t().pick("掲示用QR", "Poster")}</a></li>
            </ul>
        </nav>
        {move || { let id = shelter.get(); view! {
            <Scan shelter=id.clone()/>
            <Problems/>
            <QueueTools/>
            <Desk shelter=id.clone()/>
            <Roster shelter=id.clone()/>
            <crate::past_roster::PastRosters shelter=id.clone()/>
            <crate::supplies_pages::Supplies shelter=id.clone()/>
            <Status shelter=id.clone()/>
            <PosterQr shelter=id/>
        } }}
    }
}

// ---- scanning ----------------------------------------------------------------------

fn refusal_text(r: &Refusal, l: Lang) -> &'static str {
    match r {
        Refusal::NoKeys => l.pick("検証用の鍵がまだありません。一度オンラインでこの画面を開いてください。", "No verification keys yet. Open this screen once while online."),
        Refusal::Invalid(CredentialError::Time(_)) => l.pick("QRコードの有効期限が切れています（または端末の時計がずれています）。本人にQRコードを更新してもらってください。", "The QR code has expired (or this device's clock is wrong). Ask the person to refresh it."),
        Refusal::Invalid(CredentialError::OtherMunicipality) => l.pick("他の自治体のQRコードです。", "This QR code is from another municipality."),
        Refusal::Invalid(CredentialError::NoMembers) => l.pick("QRコードに対象者が入っていません。", "The QR code names nobody."),
        Refusal::Invalid(CredentialError::Signature(_)) => l.pick("正しい受付用QRコードではありません（署名を確認できません）。", "Not a valid check-in QR code (the signature does not verify)."),
    }
}

#[component]
fn Scan(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let s = staff::state();
    let mode = RwSignal::new(EventKind::CheckIn);
    let raw = RwSignal::new(String::new());
    let candidate = RwSignal::new(None::<(String, CheckInClaims)>);
    let preview = RwSignal::new(Preview::Offline);
    let chosen = RwSignal::new(Vec::<String>::new());
    // (ok?, message)
    let msg = RwSignal::new(None::<(bool, String)>);
    let shelter = StoredValue::new(shelter);

    let take = move |text: String| {
        let l = lang.get_untracked();
        let text = text.trim().to_owned();
        if text.is_empty() {
            return;
        }
        candidate.set(None);
        let kind = mode.get_untracked();
        if s.pending.with_untracked(|p| p.iter().any(|q| q.credential == text && q.kind == kind)) {
            msg.set(Some((
                false,
                l.pick(
                    "このQRコードは読み取り済みです（送信待ち）。",
                    "This QR code was already scanned (waiting to send).",
                )
                .into(),
            )));
            focus("scan-input");
            return;
        }
        spawn_local(async move {
            let mut r = staff::verify(&text);
            // A new signing key (rotation) we have not seen yet: fetch the keys once more.
            if matches!(r, Err(Refusal::NoKeys | Refusal::Invalid(CredentialError::Signature(JwsError::UnknownKey))))
                && staff::online()
                && staff::refresh_jwks().await.is_ok()
            {
                r = staff::verify(&text);
            }
            match r {
                Ok(mut c) => {
                    msg.set(None);
                    // The card holder first, as on the resident's screen.
                    c.m.sort_by_key(|m| m != MemberId::SELF);
                    chosen.set(c.m.clone());
                    preview.set(if staff::online() { Preview::Loading } else { Preview::Offline });
                    candidate.set(Some((text.clone(), c)));
                    focus("scan-confirm");
                    // Names and where each is checked in, when online; the count stands otherwise.
                    let found = scan_people::fetch(&shelter.get_value(), &text).await;
                    if candidate.with_untracked(|c| c.as_ref().is_some_and(|(t, _)| *t == text)) {
                        preview.set(found);
                    }
                }
                Err(e) => {
                    msg.set(Some((false, refusal_text(&e, l).into())));
                    focus("scan-input");
                }
            }
        });
    };
    let on_scan = move |ev: SubmitEvent| {
        ev.prevent_default();
        let v = raw.get_untracked();
        raw.set(String::new());
        take(v);
    };
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let Some((credential, c)) = candidate.get_untracked() else { return };
        let picked = chosen.get_untracked();
        if picked.is_empty() {
            msg.set(Some((false, l.pick("1人以上選んでください。", "Choose at least one person.").into())));
            return;
        }
        let members = (picked.len() != c.m.len())
            .then(|| picked.iter().filter_map(|m| MemberId::parse(m).ok()).collect::<Vec<_>>());
        let kind = mode.get_untracked();
        let q = QueuedScan {
            event_id: staff::new_event_id(),
            shelter: shelter.get_value(),
            kind,
            at: api::now(),
            credential,
            members,
            count: picked.len(),
        };
        let n = q.count;
        spawn_local(async move {
            match staff::enqueue(q).await {
                Ok(()) => {
                    candidate.set(None);
                    let text = match (kind, l.is_ja()) {
                        (EventKind::CheckIn, true) => format!("{n}人のチェックインを記録しました。"),
                        (EventKind::CheckIn, false) => format!("Checked in {n} people."),
                        (EventKind::CheckOut, true) => format!("{n}人のチェックアウトを記録しました。"),
                        (EventKind::CheckOut, false) => format!("Checked out {n} people."),
                    };
                    msg.set(Some((true, text)));
                }
                Err(()) => msg.set(Some((
                    false,
                    l.pick(
                        "この端末に保存できませんでした（ストレージ）。",
                        "Could not save on this device (storage).",
                    )
                    .into(),
                ))),
            }
            focus("scan-input");
        });
    };
    let cancel = move |_| {
        candidate.set(None);
        focus("scan-input");
    };

    let confirm_panel = move || {
        let l = lang.get();
        let (_, c) = candidate.get()?;
        let n = chosen.with(Vec::len);
        let p = preview.get();
        let here = shelter.get_value();
        let checking_in = mode.get() == EventKind::CheckIn;
        if let Preview::Refused(e) = &p {
            return Some(view! {
                <div class="panel scan-confirm">
                    <p class="field-error scan-refused" role="alert">{e.message(l)}</p>
                    <button type="button" class="btn btn-secondary" on:click=cancel>{l.pick("閉じる", "Close")}</button>
                </div>
            }.into_any());
        }
        let found = match &p {
            Preview::Found(f) => Some(f.clone()),
            _ => None,
        };
        let verb = match mode.get() {
            EventKind::CheckIn => l.pick("チェックインを確定", "Confirm check-in"),
            EventKind::CheckOut => l.pick("チェックアウトを確定", "Confirm check-out"),
        };
        Some(view! {
            <form class="panel scan-confirm" on:submit=confirm aria-labelledby="confirm-h">
                <h3 id="confirm-h" class="scan-count">{scan_people::heading(&c.m, &p, l)}</h3>
                {(n != c.m.len()).then(|| view! { <p class="hint">{if l.is_ja() { format!("選択中 {n}人") } else { format!("{n} selected") }}</p> })}
                {matches!(p, Preview::Loading).then(|| view! { <p class="muted" role="status">{l.pick("名前を確認しています…", "Looking up names…")}</p> })}
                {matches!(p, Preview::Offline).then(|| view! { <p class="hint">{l.pick("オフラインのため名前は表示できません。QRコードの署名は確認済みです。", "Offline: names cannot be shown. The QR code's signature is verified.")}</p> })}
                <fieldset>
                    <legend>{l.pick("対象者", "People")}</legend>
                    <ul class="scan-members checks">
                        {c.m.iter().enumerate().map(|(i, m)| {
                            let id = m.clone();
                            let id2 = m.clone();
                            let person = found.as_ref().and_then(|f| f.people.iter().find(|x| x.member_id.as_str() == m.as_str()).cloned());
                            let label = match person {
                                Some(pp) => scan_people::person_line(&pp, &here, checking_in, l).into_any(),
                                None => scan_people::offline_label(&c.m, i, l).into_any(),
                            };
                            view! {
                                <li><label class="check">
                                    <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                                        on:change=move |ev| { let on = event_target_checked(&ev); let id = id2.clone(); chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id); } }); }/>
                                    <span>{label}</span>
                                </label></li>
                            }
                        }).collect_view()}
                    </ul>
                </fieldset>
                <button id="scan-confirm" type="submit" class="btn btn-wide btn-big">{verb}</button>
                <button type="button" class="btn btn-secondary" on:click=cancel>{l.pick("取り消す", "Cancel")}</button>
            </form>
        }.into_any())
    };

    view! {
        <section class="panel" aria-labelledby="scan-h">
            <h2 id="scan-h">{move || t().pick("受付スキャン", "Scan at reception")}</h2>
            <fieldset class="checks radios">
                <legend>{move || t().pick("受付の種類", "Kind")}</legend>
                <label class="check"><input type="radio" name="scan-kind" prop:checked=move || mode.get() == EventKind::CheckIn on:change=move |_| mode.set(EventKind::CheckIn)/>
                    <span>{move || t().pick("チェックイン（他の避難所からの移動を含む）", "Check in (also a move from another shelter)")}</span></label>
                <label class="check"><input type="radio" name="scan-kind" prop:checked=move || mode.get() == EventKind::CheckOut on:change=move |_| mode.set(EventKind::CheckOut)/>
                    <span>{move || t().pick("チェックアウト（退所）", "Check out (leaving)")}</span></label>
            </fieldset>
            {move || (!s.keys.get()).then(|| view! { <p class="banner" role="alert">{refusal_text(&Refusal::NoKeys, lang.get())}</p> })}
            <form class="form" on:submit=on_scan>
                <div class="field">
                    <label for="scan-input">{move || t().pick("QRコード（スキャナーで読み取るか貼り付けて Enter）", "QR code (scan with the scanner, or paste and press Enter)")}</label>
                    <input id="scan-input" type="text" autocomplete="off" spellcheck="false" autofocus
                        prop:value=move || raw.get() on:input=move |ev| raw.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="btn">{move || t().pick("読み取る", "Read")}</button>
            </form>
            <div class="scan-alt">
                {has_camera().then(|| view! { <Camera on_code=Callback::new(move |c: String| take(c)) msg/> })}
                <Photo on_code=Callback::new(move |c: String| take(c)) msg/>
            </div>
            <div aria-live="polite">
                {move || msg.get().map(|(good, m)| view! { <p class=if good { "done scan-msg" } else { "field-error scan-msg" } role=if good { "status" } else { "alert" }>{m}</p> })}
            </div>
            {confirm_panel}
        </section>
    }
}

/// Camera scanning: the browser's BarcodeDetector where it has one (Chromium on
/// Android, ChromeOS, macOS), otherwise each frame goes through the decoder built into
/// the app (`qr_decode`). Stops at the first code, or when pressed again.
#[component]
fn Camera(on_code: Callback<String>, msg: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let running = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    let start = move |_| {
        if running.get_untracked() {
            running.set(false);
            return;
        }
        msg.set(None);
        running.set(true);
        spawn_local(async move {
            let r = camera_loop(video, running).await;
            // Gone (the page or the shelter changed): nobody to tell.
            if running.try_get_untracked().is_none() {
                return;
            }
            running.set(false);
            match r {
                Ok(Some(code)) => on_code.run(code),
                Ok(None) => {}
                Err(e) => {
                    msg.set(Some((false, camera_error_text(e, lang.get_untracked()).into())));
                    focus("scan-camera");
                }
            }
        });
    };
    view! {
        <button id="scan-camera" type="button" class="btn btn-secondary" on:click=start>
            {move || if running.get() { t().pick("カメラを止める", "Stop camera") } else { t().pick("カメラで読み取る", "Scan with camera") }}
        </button>
        <video node_ref=video class="camera" muted=true playsinline=true hidden=move || !running.get()
            aria-label=move || t().pick("カメラの映像（QRコードを枠内に写してください）", "Camera view (hold the QR code in the frame)")></video>
    }
}

/// The browser can ask for a camera (`navigator.mediaDevices.getUserMedia`: a secure context).
fn has_camera() -> bool {
    use js_sys::Reflect;
    web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"mediaDevices".into()).ok())
        .filter(|md| md.is_object())
        .is_some_and(|md| Reflect::get(&md, &"getUserMedia".into()).is_ok_and(|f| f.is_function()))
}

/// After the built-in decoder trapped too often (`qr_decode::worn_out`).
const RELOAD_TO_SCAN: (&str, &str) = (
    "読み取りを続けるには、ページを再読み込みしてください。送信待ちのスキャンは消えません。",
    "To keep scanning, reload the page. Scans waiting to be sent are kept.",
);

/// Why the camera could not start (or stopped).
#[derive(Clone, Copy, Debug)]
enum CameraError {
    Refused,
    NoCamera,
    Busy,
    Other,
    /// The built-in decoder trapped too often (`qr_decode::worn_out`).
    Reload,
}

fn camera_error(e: &wasm_bindgen::JsValue) -> CameraError {
    let name = js_sys::Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string());
    match name.as_deref() {
        Some("NotAllowedError" | "SecurityError" | "PermissionDeniedError") => CameraError::Refused,
        Some("NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError") => CameraError::NoCamera,
        Some("NotReadableError" | "AbortError" | "TrackStartError") => CameraError::Busy,
        _ => CameraError::Other,
    }
}

fn camera_error_text(e: CameraError, l: Lang) -> &'static str {
    match e {
        CameraError::Refused => l.pick(
            "カメラを使えません：カメラの使用が許可されていません。ブラウザの設定でこのサイトにカメラを許可するか、「写真から読み取る」かスキャナーを使ってください。",
            "Cannot use the camera: permission was refused. Allow the camera for this site in the browser settings, or use “Read from a photo” or the scanner."),
        CameraError::NoCamera => l.pick(
            "カメラを使えません：この端末にカメラが見つかりません。「写真から読み取る」かスキャナーを使ってください。",
            "Cannot use the camera: none was found on this device. Use “Read from a photo” or the scanner."),
        CameraError::Busy => l.pick(
            "カメラを使えません：他のアプリが使用中の可能性があります。そのアプリを閉じてもう一度試すか、「写真から読み取る」かスキャナーを使ってください。",
            "Cannot use the camera: another app may be using it. Close that app and try again, or use “Read from a photo” or the scanner."),
        CameraError::Reload => l.pick(RELOAD_TO_SCAN.0, RELOAD_TO_SCAN.1),
        CameraError::Other => l.pick(
            "カメラを使えません。「写真から読み取る」かスキャナーを使ってください。",
            "Cannot use the camera. Use “Read from a photo” or the scanner."),
    }
}

/// The browser's BarcodeDetector for QR codes and its `detect` method, if it has one.
fn barcode_detector() -> Option<(wasm_bindgen::JsValue, js_sys::Function)> {
    use js_sys::{Array, Function, Object, Reflect};
    let w = web_sys::window()?;
    let ctor: Function = Reflect::get(&w, &"BarcodeDetector".into()).ok()?.dyn_into().ok()?;
    let opts = Object::new();
    Reflect::set(&opts, &"formats".into(), &Array::of1(&"qr_code".into())).ok()?;
    // Throws when QR is not among the supported formats.
    let detector = Reflect::construct(&ctor, &Array::of1(&opts)).ok()?;
    let detect: Function = Reflect::get(&detector, &"detect".into()).ok()?.dyn_into().ok()?;
    Some((detector, detect))
}

async fn sleep(ms: i32) {
    let tick = js_sys::Promise::new(&mut |res, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&res, ms);
        }
    });
    let _ = JsFuture::from(tick).await;
}

async fn camera_loop(
    video: NodeRef<leptos::html::Video>,
    running: RwSignal<bool>,
) -> Result<Option<String>, CameraError> {
    use js_sys::{Array, Object, Promise, Reflect};
    use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};
    // False once stopped, and once the component is gone (its signal disposed).
    let alive = move || running.try_get_untracked().unwrap_or(false);
    let w = web_sys::window().ok_or(CameraError::Other)?;
    let md = w.navigator().media_devices().map_err(|e| camera_error(&e))?;
    let constraints = MediaStreamConstraints::new();
    let v = Object::new();
    let _ = Reflect::set(&v, &"facingMode".into(), &"environment".into());
    constraints.set_video(&v);
    let asked = md.get_user_media_with_constraints(&constraints).map_err(|e| camera_error(&e))?;
    let stream: MediaStream = JsFuture::from(asked).await.map_err(|e| camera_error(&e))?.unchecked_into();
    let stop = || {
        for track in stream.get_tracks().iter() {
            track.unchecked_into::<MediaStreamTrack>().stop();
        }
    };
    let Some(el) = video.get_untracked().filter(|_| alive()) else {
        stop();
        return Ok(None);
    };
    el.set_src_object(Some(&stream));
    if let Ok(p) = el.play() {
        let _ = JsFuture::from(p).await;
    }
    let mut detector = barcode_detector();
    let mut found = None;
    while alive() && found.is_none() {
        // HAVE_CURRENT_DATA: a frame to look at.
        if el.ready_state() >= 2 && el.video_width() > 0 {
            let mut detector_failed = false;
            if let Some((d, detect)) = &detector {
                match detect.call1(d, &el) {
                    Ok(p) => match JsFuture::from(p.unchecked_into::<Promise>()).await {
                        Ok(codes) => {
                            found = Array::from(&codes)
                                .iter()
                                .find_map(|c| Reflect::get(&c, &"rawValue".into()).ok()?.as_string());
                        }
                        Err(_) => detector_failed = true,
                    },
                    Err(_) => detector_failed = true,
                }
            } else {
                found = qr_decode::decode(&qr_decode::Picture::Video(&el), qr_decode::CAMERA_MAX_SIDE);
                if qr_decode::worn_out() {
                    stop();
                    el.set_src_object(None);
                    return Err(CameraError::Reload);
                }
            }
            // A detector that cannot read frames: the built-in decoder from now on.
            if detector_failed {
                detector = None;
            }
        }
        sleep(250).await;
    }
    // Stop the camera (the light goes off).
    stop();
    el.set_src_object(None);
    Ok(found.filter(|c| !c.trim().is_empty()))
}

/// "Read from a photo": a picture of the QR code (on phones the chooser offers the
/// camera app too), decoded by the built-in decoder.
#[component]
fn Photo(on_code: Callback<String>, msg: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let busy = RwSignal::new(false);
    let pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        msg.set(None);
        busy.set(true);
        spawn_local(async move {
            let r = qr_decode::decode_file(&file).await;
            if busy.try_get_untracked().is_none() {
                return;
            }
            busy.set(false);
            let l = lang.get_untracked();
            match r {
                Ok(code) => on_code.run(code),
                Err(e) => {
                    let text = match e {
                        qr_decode::PhotoError::NoCode => l.pick(
                            "写真からQRコードを読み取れませんでした。QRコード全体が大きく、はっきり写るように撮り直してください。",
                            "No QR code could be read from the photo. Take it again with the whole QR code large and sharp."),
                        qr_decode::PhotoError::Reload => l.pick(RELOAD_TO_SCAN.0, RELOAD_TO_SCAN.1),
                        qr_decode::PhotoError::NotAnImage => l.pick(
                            "画像を開けませんでした。写真（JPEG・PNGなど）を選んでください。",
                            "Could not open the image. Choose a photo (JPEG, PNG, …)."),
                    };
                    msg.set(Some((false, text.into())));
                }
            }
        });
    };
    view! {
        <label class="btn btn-secondary file-btn scan-photo">
            <span>{move || if busy.get() { t().pick("写真を読み取り中…", "Reading the photo…") } else { t().pick("写真から読み取る", "Read from a photo") }}</span>
            <input id="scan-photo" type="file" accept="image/*" class="sr-only" on:change=pick disabled=move || busy.get()/>
        </label>
    }
}

#[component]
fn Problems() -> impl IntoView {
    let lang = use_lang();
    let s = staff::state();
    move || {
        let l = lang.get();
        let r = s.rejected.get();
        (!r.is_empty()).then(|| view! {
            <section class="panel problems" aria-labelledby="problems-h">
                <h2 id="problems-h">{l.pick("問題のあったスキャン", "Scans with problems")}</h2>
                <p class="hint">{l.pick("サーバーが受け付けなかったスキャンです。本人に確認し、必要なら窓口登録してください。", "The server did not accept these scans. Check with the person; register them at the desk if needed.")}</p>
                <ul class="problem-list">
                    {r.iter().map(|x| {
                        let reason = match x.code.as_str() {
                            "credential_expired" => l.pick("QRコードの有効期限切れ", "QR code expired"),
                            "credential_revoked" => l.pick("QRコードは無効化されています", "QR code revoked"),
                            "credential_invalid" => l.pick("QRコードが正しくありません", "QR code not valid"),
                            "unknown_member" => l.pick("登録のない家族が含まれています", "Unknown household member"),
                            _ => l.pick("受け付けられませんでした", "Not accepted"),
                        };
                        view! {
                            <li data-code=x.code.clone()>
                                <strong>{reason}</strong>" "<code>{x.code.clone()}</code>
                                <span class="when">{l.format_time(x.at)}" · "{if l.is_ja() { format!("{}人", x.count) } else { format!("{} people", x.count) }}</span>
                                <span class="hint">{x.message.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button type="button" class="btn btn-secondary" on:click=move |_| staff::dismiss_rejected()>{l.pick("確認した（一覧を消す）", "Done (clear the list)")}</button>
            </section>
        })
    }
}

#[component]
fn QueueTools() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let note = RwSignal::new(None::<String>);
    let export = move |_| {
        spawn_local(async move {
            if staff::export_queue().await.is_err() {
                note.set(Some(lang.get_untracked().pick("書き出せませんでした。", "Could not export.").into()));
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            let l = lang.get_untracked();
            let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
            let parsed =
                serde_json::from_str::<staff::QueueFile>(&text).ok().filter(|f| f.format == staff::QUEUE_FORMAT);
            let msg = match parsed {
                None => l.pick("送信待ちファイルではありません。", "This is not a scan queue file.").to_string(),
                Some(f) => match staff::import(f).await {
                    Ok(n) if l.is_ja() => format!("{n}件を取り込みました（重複は除きました）。"),
                    Ok(n) => format!("Imported {n} records (duplicates skipped)."),
                    Err(()) => {
                        l.pick("取り込めませんでした（ストレージ）。", "Could not import (storage).").to_string()
                    }
                },
            };
            note.set(Some(msg));
        });
    };
    view! {
        <section class="panel" aria-labelledby="queue-h">
            <h2 id="queue-h">{move || t().pick("送信待ちの管理", "Waiting scans")}</h2>
            <p class="hint">{move || t().pick("通信が戻らない端末は、送信待ちをファイルに書き出し、別の端末で取り込んで送信できます。", "A device that never gets its network back can export its waiting scans to a file; import it on another device to send them.")}</p>
            <div class="actions">
                <button type="button" class="btn" on:click=move |_| staff::sync()>{move || t().pick("今すぐ送信", "Send now")}</button>
                <button type="button" class="btn btn-secondary" on:click=export>{move || t().pick("送信待ちを書き出す", "Export waiting scans")}</button>
                <label class="btn btn-secondary file-btn">
                    <span>{move || t().pick("ファイルから取り込む", "Import from a file")}</span>
                    <input id="queue-import" type="file" accept="application/json,.json" class="sr-only" on:change=import/>
                </label>
            </div>
            {move || note.get().map(|n| view! { <p class="done queue-note" role="status">{n}</p> })}
        </section>
    }
}

// ---- desk registration ---------------------------------------------------------------

#[derive(Clone, Copy)]
struct Row {
    key: u32,
    name: RwSignal<String>,
    birth: RwSignal<String>,
    sex: RwSignal<Sex>,
    allergens: RwSignal<Vec<AllergenCode>>,
}

impl Row {
    fn new(key: u32) -> Self {
        Row {
            key,
            name: RwSignal::new(String::new()),
            birth: RwSignal::new(String::new()),
            sex: RwSignal::new(Sex::NoAnswer),
            allergens: RwSignal::new(vec![]),
        }
    }
}

use crate::birth::this_year;

#[component]
fn Desk(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let s = staff::state();
    let next = StoredValue::new(1u32);
    let rows = RwSignal::new(vec![Row::new(0)]);
    // Kept across retries so a lost answer does not register twice.
    let reg_id = StoredValue::new(staff::new_registration_id());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<(DeskRegistered, Vec<String>)>);
    let shelter = StoredValue::new(shelter);

    let add = move |_| {
        let k = next.get_value();
        next.set_value(k + 1);
        rows.update(|r| r.push(Row::new(k)));
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let mut people = Vec::new();
        for r in rows.get_untracked() {
            let birth = r.birth.get_untracked();
            let birth_year = match crate::birth::read_year(&birth) {
                Ok(y) => y,
                Err(e) => {
                    error.set(Some(crate::birth::message(e, l)));
                    return;
                }
            };
            people.push(DeskPerson {
                name: r.name.get_untracked().trim().to_owned(),
                birth_year,
                sex: r.sex.get_untracked(),
                needs: NeedsInput { allergens: r.allergens.get_untracked(), ..Default::default() },
            });
        }
        let reg = DeskRegistration { registration_id: reg_id.get_value(), people, check_in: true };
        if let Err(e) = reg.validate(this_year()) {
            error.set(Some(if l.is_ja() { e.message_ja().to_string() } else { e.to_string() }));
            return;
        }
        let names: Vec<String> = reg.people.iter().map(|p| p.name.clone()).collect();
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let path = format!("/api/shelters/{}/desk-registrations", shelter.get_value());
            let r = match serde_json::to_string(&reg) {
                Ok(body) => {
                    staff::send("POST", &path, Some(body)).await.and_then(|t| api::decode::<DeskRegistered>(&t))
                }
                Err(_) => Err(ApiError::Decode),
            };
            match r {
                Ok(d) => {
                    done.set(Some((d, names)));
                    reg_id.set_value(staff::new_registration_id());
                    rows.set(vec![Row::new(next.get_value())]);
                    next.set_value(next.get_value() + 1);
                    focus("desk-qr-h");
                }
                Err(e) => error.set(Some(match e.status() {
                    Some(401) => l
                        .pick(
                            "スタッフトークンの期限が切れています。サインインし直してください。",
                            "The staff token has expired. Please sign in again.",
                        )
                        .to_string(),
                    _ => e.message(l),
                })),
            }
            busy.set(false);
        });
    };

    let row_view = move |r: Row| {
        let l = lang.get_untracked();
        let id = |f: &str| format!("desk-{}-{}", f, r.key);
        let removable = rows.with_untracked(|v| v.len() > 1);
        view! {
            <fieldset class="desk-person">
                <legend>{l.pick("避難者", "Person")}</legend>
                <div class="field">
                    <label for=id("name")>{l.pick("氏名", "Name")}</label>
                    <input id=id("name") type="text" autocomplete="off" prop:value=move || r.name.get() on:input=move |ev| r.name.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for=id("birth")>{l.pick("生まれた年か年齢（わかれば）", "Birth year or age (if known)")}</label>
                    <input id=id("birth") type="text" autocomplete="off" aria-describedby=id("birth-hint") prop:value=move || r.birth.get() on:input=move |ev| r.birth.set(event_target_value(&ev))/>
                    <span id=id("birth-hint") class="hint">{l.pick("例: 1940、昭和15年、S15、85歳", "e.g. 1940, Shōwa 15 (S15), 85 (age)")}</span>
                    <span class="hint birth-reading" aria-live="polite">{move || crate::birth::reading(&r.birth.get(), lang.get())}</span>
                </div>
                <div class="field">
                    <label for=id("sex")>{l.pick("性別", "Sex")}</label>
                    <select id=id("sex") on:change=move |ev| { if let Some(x) = from_code::<Sex>(&event_target_value(&ev)) { r.sex.set(x) } }>
                        {[Sex::NoAnswer, Sex::Female, Sex::Male, Sex::Other].into_iter().map(|x| view! { <option value=code(&x) selected=x == r.sex.get_untracked()>{l.sex(x)}</option> }).collect_view()}
                    </select>
                </div>
                <details>
                    <summary>{l.pick("食物アレルギー（28品目）", "Food allergies (28 items)")}</summary>
                    <div class="checks">
                        {ALLERGENS.iter().map(|a| {
                            let c = a.code;
                            view! { <label class="check"><input type="checkbox"
                                prop:checked=move || r.allergens.with(|v| v.contains(&c))
                                on:change=move |ev| { let on = event_target_checked(&ev); r.allergens.update(|v| { v.retain(|x| *x != c); if on { v.push(c) } }) }/>
                                <span>{if l.is_ja() { a.ja } else { a.en }}</span></label> }
                        }).collect_view()}
                    </div>
                </details>
                {removable.then(|| view! { <button type="button" class="btn btn-secondary" on:click=move |_| rows.update(|v| v.retain(|x| x.key != r.key))>{l.pick("この人を削除", "Remove this person")}</button> })}
            </fieldset>
        }
    };

    let result = move || {
        let l = lang.get();
        let (d, names) = done.get()?;
        let url = qr_data_url(&d.credential)?;
        Some(view! {
            <div id="desk-print" class="print-area">
                <figure class="qr">
                    <h3 id="desk-qr-h" tabindex="-1">{l.pick("受付用QRコード（窓口登録）", "Check-in QR code (desk registration)")}</h3>
                    <img class="qr-img desk-qr" src=url alt=l.pick("受付用QRコード", "Check-in QR code") data-credential=d.credential.clone()/>
                    <figcaption>
                        <ul class="qr-names">{names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                        <p class="qr-expiry">{l.pick("有効期限", "Valid until")}": "{l.format_time(d.expires_at)}</p>
                        <p class="hint">{l.pick("このQRコードを受付で見せてください。チェックイン済みです。", "Show this QR code at reception. You are checked in.")}</p>
                    </figcaption>
                </figure>
                <button type="button" class="btn no-print" on:click=move |_| print_only("desk-print")>{l.pick("印刷する", "Print")}</button>
            </div>
        })
    };

    view! {
        <section class="panel" aria-labelledby="desk-h">
            <h2 id="desk-h">{move || t().pick("窓口登録（カード・スマホのない方）", "Desk registration (no card or phone)")}</h2>
            {move || (!s.online.get()).then(|| view! { <p class="banner" role="alert">{t().pick("窓口登録には通信が必要です。通信が戻るまで紙の名簿に記入してください。", "Desk registration needs the network. Use the paper list until it is back.")}</p> })}
            <form class="form" on:submit=submit novalidate>
                <For each=move || rows.get() key=|r| r.key children=row_view/>
                <button type="button" class="btn btn-secondary" on:click=add>{move || t().pick("家族を追加", "Add a family member")}</button>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-wide" disabled=move || busy.get() || !s.online.get()>{move || t().pick("登録してチェックイン", "Register and check in")}</button>
            </form>
            {result}
        </section>
    }
}

// ---- roster ------------------------------------------------------------------------------

#[component]
fn Roster(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let allergen = RwSignal::new(String::new());
    let care = RwSignal::new(String::new());
    let band = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let rows = RwSignal::new(None::<Vec<RosterEntry>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let shelter = StoredValue::new(shelter);

    let query = move || {
        let mut parts = Vec::new();
        for (k, v) in [
            ("allergen", allergen.get_untracked()),
            ("care", care.get_untracked()),
            ("age_band", band.get_untracked()),
            ("q", q.get_untracked().trim().to_owned()),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", String::from(js_sys::encode_uri_component(&v))));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    };
    let load = move || {
        busy.set(true);
        spawn_local(async move {
            let path = format!("/api/shelters/{}/roster{}", shelter.get_value(), query());
            match staff::send("GET", &path, None).await.and_then(|t| api::decode::<Vec<RosterEntry>>(&t)) {
                Ok(v) => {
                    rows.set(Some(v));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        load();
    };
    // An action on one person of the roster, after a confirmation; then the roster is read
    // again. Offline it fails with the usual banner: nothing is assumed done.
    let act = move |ask: String, method: &'static str, path: String, body: Option<String>| {
        if !web_sys::window().and_then(|w| w.confirm_with_message(&ask).ok()).unwrap_or(false) {
            return;
        }
        spawn_local(async move {
            match staff::send(method, &path, body).await {
                Ok(_) => load(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Someone who left without scanning out (退所の手動記録), audited by the server.
    let check_out = move |entry: String, name: String| {
        let ask = if lang.get_untracked().is_ja() {
            format!("{name} さんを退所にしますか？")
        } else {
            format!("Check out {name}?")
        };
        let body = serde_json::json!({ "event_id": staff::new_event_id() }).to_string();
        act(ask, "POST", format!("/api/shelters/{}/roster/{entry}/check-out", shelter.get_value()), Some(body));
    };
    // A person registered at the desk asks for their record to be deleted (they have no phone to
    // do it themselves); audited by the server.
    let delete_desk = move |entry: String, name: String| {
        let ask = if lang.get_untracked().is_ja() {
            format!("{name} さんの窓口登録を削除しますか？名簿から外れ、元に戻せません。")
        } else {
            format!("Delete the desk record of {name}? They leave the roster; this cannot be undone.")
        };
        act(ask, "DELETE", format!("/api/shelters/{}/roster/{entry}", shelter.get_value()), None);
    };
    let csv = move |_| {
        spawn_local(async move {
            let id = shelter.get_value();
            let path = format!("/api/shelters/{id}/roster.csv{}", query());
            if let Err(e) = staff::download_authed(&path, &format!("roster-{id}.csv")).await {
                error.set(Some(e));
            }
        });
    };
    let select = move |id: &'static str,
                       label: fn(Lang) -> &'static str,
                       sig: RwSignal<String>,
                       options: Vec<(String, String)>| {
        view! {
            <div class="field">
                <label for=id>{move || label(lang.get())}</label>
                <select id=id on:change=move |ev| sig.set(event_target_value(&ev))>
                    <option value="">{move || lang.get().pick("すべて", "All")}</option>
                    {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    let table = move || {
        let l = lang.get();
        if let Some(e) = error.get() {
            return err_banner(e, l).into_any();
        }
        let Some(v) = rows.get() else { return ().into_any() };
        if v.is_empty() {
            return view! { <p class="muted">{l.pick("該当する避難者はいません。", "Nobody matches.")}</p> }.into_any();
        }
        view! {
            <p class="roster-count" role="status">{if l.is_ja() { format!("{}人", v.len()) } else { format!("{} people", v.len()) }}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=l.pick("避難者名簿", "Evacuee roster")>
            <table class="roster">
                <thead><tr>
                    <th scope="col">{l.pick("氏名", "Name")}</th>
                    <th scope="col">{l.pick("年齢", "Age")}</th>
                    <th scope="col">{l.pick("性別", "Sex")}</th>
                    <th scope="col">{l.pick("アレルギー", "Allergies")}</th>
                    <th scope="col">{l.pick("配慮・医療", "Care and medical")}</th>
                    <th scope="col">{l.pick("受付", "Checked in")}</th>
                    <th scope="col">{l.pick("確認", "Verified")}</th>
                </tr></thead>
                <tbody>
                    {v.into_iter().map(|e| {
                        let mut allergies: Vec<String> = e.allergens.iter().map(|a| allergen_label(*a, l).to_string()).collect();
                        if !e.other_allergies.is_empty() {
                            allergies.push(e.other_allergies.clone());
                        }
                        let mut needs: Vec<&str> = e.care.iter().map(|c| l.care(*c)).collect();
                        needs.extend(e.medical.iter().map(|m| l.medical(*m)));
                        needs.extend(e.dietary.iter().map(|d| l.dietary(*d)));
                        // 要介護度 and the resident's own medical note: entered for the staff who look after them.
                        if let Some(level) = e.nursing_care_level {
                            needs.push(l.nursing(level));
                        }
                        let note = (!e.medical_note.trim().is_empty()).then(|| e.medical_note.clone());
                        let age = e.birth_year.map(|y| this_year().saturating_sub(y));
                        let sex = from_code::<Sex>(&e.sex).map(|s| l.sex(s)).unwrap_or("");
                        let desk = e.source == "desk";
                        view! {
                            <tr class="roster-row" data-source=e.source.clone()>
                                <td class="r-name">{e.name.clone()}{e.name_unconfirmed.then(|| view! {
                                    <span class="flag name-unconfirmed">{l.pick("（外字あり・券面で確認）", " (special characters: check the card)")}</span>
                                })}</td>
                                <td class="r-age">{age.map(|a| if l.is_ja() { format!("{a}歳") } else { format!("{a}") })}" "<span class="muted">{age_band(e.age_band, l)}</span></td>
                                <td>{sex}</td>
                                <td class="r-allergy">{(!allergies.is_empty()).then(|| view! { <span class="flag">{allergies.join("・")}</span> })}</td>
                                <td class="r-care">{needs.join("・")}{note.map(|n| view! {
                                    <p class="r-note"><span class="r-note-label">{l.pick("医療メモ: ", "Medical note: ")}</span>{n}</p>
                                })}</td>
                                <td>{l.format_time(e.checked_in_at)}</td>
                                <td class="r-verified">{if desk { l.pick("窓口登録（未確認）", "Desk (unverified)") } else { l.pick("カード確認済み", "Card verified") }}{
                                    // Someone who left without scanning out: recorded here, after a confirmation.
                                    let (entry, name) = (e.entry_id.clone(), e.name.clone());
                                    let label = if l.is_ja() { format!("{name} さんを退所にする") } else { format!("Check out {name}") };
                                    let remove = desk.then(|| {
                                        let (entry, name) = (entry.clone(), name.clone());
                                        let label = if l.is_ja() { format!("{name} さんの窓口登録を削除する") } else { format!("Delete the desk record of {name}") };
                                        view! {
                                            <button type="button" class="btn btn-secondary btn-inline check-out delete-desk" aria-label=label
                                                on:click=move |_| delete_desk(entry.clone(), name.clone())>{l.pick("登録を削除", "Delete record")}</button>
                                        }
                                    });
                                    view! {
                                        <button type="button" class="btn btn-secondary btn-inline check-out" aria-label=label
                                            on:click=move |_| check_out(entry.clone(), name.clone())>{l.pick("退所にする", "Check out")}</button>
                                        {remove}
                                    }
                                }</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        }
        .into_any()
    };
    let l0 = lang.get_untracked();
    view! {
        <section class="panel" aria-labelledby="roster-h">
            <h2 id="roster-h">{move || t().pick("避難者名簿", "Evacuee roster")}</h2>
            <p class="hint">{move || t().pick("名簿の表示と書き出しは記録されます。", "Viewing and exporting the roster is logged.")}</p>
            <form class="form roster-filter" on:submit=submit>
                {select("f-allergen", |l| l.pick("アレルギー", "Allergy"), allergen, ALLERGENS.iter().map(|a| (code(&a.code), (if l0.is_ja() { a.ja } else { a.en }).to_string())).collect())}
                {select("f-care", |l| l.pick("配慮が必要なこと", "Care need"), care, CareNeed::ALL.iter().map(|c| (code(c), l0.care(*c).to_string())).collect())}
                {select("f-age", |l| l.pick("年齢区分", "Age band"), band, [AgeBand::Child, AgeBand::Adult, AgeBand::Elderly].iter().map(|b| (code(b), age_band(*b, l0).to_string())).collect())}
                <div class="field">
                    <label for="f-q">{move || t().pick("氏名で検索", "Search by name")}</label>
                    <input id="f-q" type="text" autocomplete="off" prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev))/>
                </div>
                <div class="actions">
                    <button type="submit" class="btn" disabled=move || busy.get()>{move || t().pick("名簿を表示", "Show roster")}</button>
                    <button type="button" class="btn btn-secondary" on:click=csv>{move || t().pick("CSVをダウンロード", "Download CSV")}</button>
                </div>
            </form>
            {table}
        </section>
    }
}

// ---- status -------------------------------------------------------------------------------

#[component]
fn Status(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let current = api::saved_shelters().and_then(|s| s.data.into_iter().find(|s| s.id.as_str() == shelter));
    let status = RwSignal::new(current.as_ref().map(|s| s.status).unwrap_or(ShelterStatus::Open));
    let capacity = RwSignal::new(current.as_ref().map(|s| s.capacity.to_string()).unwrap_or_default());
    let result = RwSignal::new(None::<Result<Shelter, ApiError>>);
    let busy = RwSignal::new(false);
    let shelter = StoredValue::new(shelter);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let cap = capacity.get_untracked();
        let upd = ShelterStatusUpdate { status: status.get_untracked(), capacity: cap.trim().parse().ok() };
        if !cap.trim().is_empty() && (upd.capacity.is_none() || upd.validate().is_err()) {
            result.set(Some(Err(ApiError::Problem {
                status: 400,
                problem: bosai_types::Problem {
                    code: "invalid_capacity".into(),
                    message: "Capacity must be a number from 1 to 100000.".into(),
                    message_ja: "定員は1〜100000の数字で入力してください。".into(),
                },
            })));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let path = format!("/api/shelters/{}/status", shelter.get_value());
            let r = match serde_json::to_string(&upd) {
                Ok(b) => staff::send("PUT", &path, Some(b)).await.and_then(|t| api::decode::<Shelter>(&t)),
                Err(_) => Err(ApiError::Decode),
            };
            result.set(Some(r));
            busy.set(false);
        });
    };
    view! {
        <section class="panel" aria-labelledby="status-h">
            <h2 id="status-h">{move || t().pick("開設状況・定員", "Status and capacity")}</h2>
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="st-status">{move || t().pick("状況", "Status")}</label>
                    <select id="st-status" on:change=move |ev| { if let Some(x) = from_code::<ShelterStatus>(&event_target_value(&ev)) { status.set(x) } }>
                        {[ShelterStatus::Open, ShelterStatus::Full, ShelterStatus::Closed].into_iter().map(|x| view! {
                            <option value=code(&x) selected=move || status.get() == x>{move || lang.get().status(x)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="st-capacity">{move || t().pick("定員（人）", "Capacity (people)")}</label>
                    <input id="st-capacity" type="text" inputmode="numeric" autocomplete="off" prop:value=move || capacity.get() on:input=move |ev| capacity.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="btn" disabled=move || busy.get()>{move || t().pick("更新する", "Update")}</button>
            </form>
            {move || {
                let l = lang.get();
                result.get().map(|r| match r {
                    Ok(s) => view! { <p class="done status-done" role="status">{l.pick("更新しました", "Updated")}": "{l.status(s.status)}" · "{if l.is_ja() { format!("{}/{}人", s.occupancy, s.capacity) } else { format!("{}/{} people", s.occupancy, s.capacity) }}</p> }.into_any(),
                    Err(e) => err_banner(e, l).into_any(),
                })
            }}
        </section>
    }
}

// ---- poster --------------------------------------------------------------------------------

#[derive(serde::Deserialize, Clone)]
struct Poster {
    path: String,
}

#[component]
fn PosterQr(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let poster = RwSignal::new(None::<Result<String, ApiError>>);
    let shelter = StoredValue::new(shelter);
    let load = move |_| {
        spawn_local(async move {
            let r = staff::send("GET", &format!("/api/shelters/{}/poster", shelter.get_value()), None)
                .await
                .and_then(|t| api::decode::<Poster>(&t))
                .map(|p| {
                    format!(
                        "{}{}",
                        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default(),
                        p.path
                    )
                });
            poster.set(Some(r));
        });
    };
    view! {
        <section class="panel" aria-labelledby="poster-h">
            <h2 id="poster-h">{move || t().pick("掲示用QRコード", "Poster QR code")}</h2>
            <p class="hint">{move || t().pick("入口に掲示すると、住民が自分のスマホで読み取ってチェックインできます。", "Put it up at the entrance: residents scan it with their phone to check in.")}</p>
            <button type="button" class="btn" on:click=load>{move || t().pick("掲示用QRコードを表示", "Show the poster QR code")}</button>
            {move || {
                let l = lang.get();
                poster.get().map(|r| match r {
                    Ok(url) => view! {
                        <div id="poster-print" class="print-area">
                            <figure class="qr">
                                <h3>{shelter_name(&shelter.get_value(), l)}</h3>
                                <img class="qr-img poster-qr" src=qr_data_url(&url).unwrap_or_default() alt=l.pick("避難所チェックイン用QRコード", "Shelter check-in QR code") data-url=url.clone()/>
                                <figcaption><p class="qr-expiry">{l.pick("スマホで読み取ってチェックイン", "Scan with your phone to check in")}</p></figcaption>
                            </figure>
                            <button type="button" class="btn no-print" on:click=move |_| print_only("poster-print")>{l.pick("印刷する", "Print")}</button>
                        </div>
                    }.into_any(),
                    Err(e) => err_banner(e, l).into_any(),
                })
            }}
        </section>
    }
}

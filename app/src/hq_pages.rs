//! `/hq`: the disaster HQ (災害対策本部) screen in the staff bundle. Sign-in by pasted HQ
//! token (as the shelter staff screen does); the municipality's summary (people in shelters
//! against capacity, who they are, allergies for food orders, care needs, safety by area,
//! supply requests against stock); sending notices (お知らせ) by push with a confirmation
//! step and their delivery progress; open requests for help. Staff/HQ strings are written as
//! `pick(ja, en)` pairs (both required), so they stay out of the residents' bundle.

use crate::api::{self, ApiError};
use crate::i18n::{tp, tx, Lang};
use crate::notice_pages::{area_name, level_class};
use crate::pages::congestion_class;
use crate::staff;
use crate::use_lang;
use bosai_types::household::{Area, HelpRequest};
use bosai_types::hq::{AgeBand, AreaSafety, Headcount, MunicipalityCount, ShelterSummary};
use bosai_types::needs::ALLERGENS;
use bosai_types::notices::{
    DeliveryState, NewNotice, Notice, NoticeError, NoticeId, NoticeLevel, NoticeTarget, MAX_NOTICE_BODY_CHARS,
    MAX_NOTICE_TITLE_CHARS,
};
use bosai_types::surveys::{AreaCode, Localized};
use bosai_types::{ShelterStatus, Timestamp};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::JsCast;

/// Separate from the shelter staff token: one device may hold both.
const TOKEN_KEY: &str = "bosai.hq.token";
/// How often the sent list is re-read while a notice is still being sent.
const POLL_MS: i32 = 3_000;

/// In this tab only, like the staff token (shared devices).
pub(crate) fn token() -> Option<String> {
    api::storage_remove(TOKEN_KEY); // from versions that kept it in localStorage
    api::tab_get(TOKEN_KEY)
}

pub fn save_token(token: &str) {
    api::tab_set(TOKEN_KEY, token.trim());
}

pub(crate) fn sign_out() {
    api::tab_remove(TOKEN_KEY);
}

/// A usable HQ token: readable, for HQ (or admin), not expired. The server checks it for real.
fn check_token(raw: &str, l: Lang) -> Result<(), &'static str> {
    match staff::decode_token(raw) {
        None => {
            Err(l.pick("トークンを読み取れません。全体を貼り付けてください。", "This is not a token. Paste all of it."))
        }
        Some(c) if !matches!(c.role.as_str(), "hq" | "admin" | "prefecture_hq") => Err(l.pick(
            "このトークンは本部用ではありません（避難所スタッフ用などです）。",
            "This is not an HQ token (it is for shelter staff, for example).",
        )),
        Some(c) if c.exp * 1000 < api::now().millis() => {
            Err(l.pick("このトークンは期限切れです。", "This token has expired."))
        }
        Some(_) => Ok(()),
    }
}

pub(crate) async fn hq_send(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
    let t = token().ok_or(ApiError::NoSignIn)?;
    api::send(method, path, body, Some(&t)).await
}

pub(crate) async fn hq_get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    api::decode(&hq_send("GET", path, None).await?)
}

fn error_text(e: &ApiError, l: Lang) -> String {
    match e.status() {
        Some(401) => l
            .pick(
                "本部トークンの期限が切れています。サインアウトして、新しいトークンでサインインしてください。",
                "The HQ token has expired. Sign out and sign in with a new token.",
            )
            .to_string(),
        Some(403) => l.pick("この操作の権限がありません。", "You may not do this.").to_string(),
        _ => e.message(l),
    }
}

pub(crate) fn banner(e: &ApiError, l: Lang) -> impl IntoView {
    view! { <p class="banner" role="alert">{error_text(e, l)}</p> }
}

fn focus(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(id) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

fn people(n: impl std::fmt::Display, l: Lang) -> String {
    if l.is_ja() {
        format!("{n}人")
    } else {
        format!("{n}")
    }
}

// ---- sign-in -------------------------------------------------------------------------

#[component]
pub fn Hq() -> impl IntoView {
    let lang = use_lang();
    let signed_in = RwSignal::new(token().is_some_and(|t| check_token(&t, lang.get_untracked()).is_ok()));
    move || {
        let prefecture = token().and_then(|t| staff::decode_token(&t)).is_some_and(|c| c.role == "prefecture_hq");
        if signed_in.get() && prefecture {
            view! { <crate::hq_prefecture::PrefectureHome signed_in/> }.into_any()
        } else if signed_in.get() {
            view! { <HqHome signed_in/> }.into_any()
        } else {
            view! { <HqSignIn signed_in/> }.into_any()
        }
    }
}

#[component]
fn HqSignIn(signed_in: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let raw = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = raw.get_untracked();
        match check_token(&value, lang.get_untracked()) {
            Err(e) => {
                error.set(Some(e));
                focus("hq-token");
            }
            Ok(()) => {
                save_token(&value);
                signed_in.set(true);
            }
        }
    };
    view! {
        <h1>{tp(lang, "災害対策本部 サインイン", "Disaster HQ sign-in")}</h1>
        <crate::staff_signin::OrganisationSignIn/>
        <details class="panel">
        <summary>{tp(lang, "トークンでサインイン（予備）", "Sign in with a token (fallback)")}</summary>
        <p class="lead">{tp(lang, "職員認証で発行された本部用トークンを貼り付けてください。このタブを閉じるまで使えます。", "Paste an HQ token issued by your municipality's staff sign-in. It works until this tab is closed.")}</p>
        <form class="form" on:submit=submit novalidate>
            <div class="field">
                <label for="hq-token">{tp(lang, "本部トークン", "HQ token")}</label>
                <textarea id="hq-token" rows="4" autocomplete="off" spellcheck="false"
                    aria-invalid=move || error.get().map(|_| "true")
                    prop:value=move || raw.get() on:input=move |ev| raw.set(event_target_value(&ev))></textarea>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="btn btn-wide">{tp(lang, "トークンでサインイン", "Sign in with the token")}</button>
        </form>
        </details>
    }
}

// ---- home ----------------------------------------------------------------------------

/// `GET /api/hq/summary` as this screen reads it: `bosai_types::hq::HqSummary` except the
/// supply lines, read by item code (deserialising the tagged `SupplyItem` enum costs ~24 KB
/// of wasm; the supplies panel does the same).
#[derive(Debug, Clone, Deserialize)]
struct Summary {
    generated_at: Timestamp,
    capacity: u64,
    occupancy: u64,
    totals: Headcount,
    shelters: Vec<ShelterSummary>,
    safety: Vec<AreaSafety>,
    supplies: Vec<SupplyRow>,
    #[serde(default)]
    hosted: Vec<MunicipalityCount>,
    #[serde(default)]
    away: Vec<MunicipalityCount>,
    /// The drill whose counts these are (訓練), if any.
    #[serde(default)]
    drill: Option<bosai_types::incident::Incident>,
}

/// Wide-area evacuation (広域避難): 「仙台市 2人、…」.
fn municipality_line(list: &[MunicipalityCount], l: Lang) -> String {
    list.iter().map(|c| format!("{} {}", c.name_ja, people(c.people, l))).collect::<Vec<_>>().join(l.pick("、", ", "))
}

#[derive(Debug, Clone, Deserialize)]
struct SupplyRow {
    code: String,
    requested: u32,
    on_hand: u32,
    shelters: u32,
}

#[component]
fn HqHome(signed_in: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let areas = RwSignal::new(Vec::<Area>::new());
    let summary = RwSignal::new(None::<Summary>);
    let help = RwSignal::new(None::<Vec<HelpRequest>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // Bumped after a notice is sent: the sent list reloads.
    let sent = RwSignal::new(0u32);
    // Whose counts the summary shows: the current incident's (None), the real ones ("real") or
    // a drill's (its id, also after it ended, for the review).
    let viewing = RwSignal::new(None::<String>);

    // The areas of the HQ's own municipality (the token says which; one deployment serves several).
    let own = token().and_then(|t| staff::decode_token(&t)).and_then(|c| c.municipality);
    spawn_local(async move {
        let path = own.map(|m| format!("/api/areas?municipality={m}")).unwrap_or_else(|| "/api/areas".into());
        if let Ok(a) = api::get::<Vec<Area>>(&path).await {
            areas.set(a);
        }
    });
    let refresh = move || {
        busy.set(true);
        spawn_local(async move {
            // The help list follows the summary: the same incident's.
            let query = match viewing.get_untracked() {
                Some(id) => format!("?incident={}", String::from(js_sys::encode_uri_component(&id))),
                None => String::new(),
            };
            let s = hq_get::<Summary>(&format!("/api/hq/summary{query}")).await;
            let h = hq_get::<Vec<HelpRequest>>(&format!("/api/hq/help-requests{query}")).await;
            let mut err = None;
            match s {
                Ok(s) => summary.set(Some(s)),
                Err(e) => err = Some(e),
            }
            match h {
                Ok(h) => help.set(Some(h)),
                Err(e) => err = err.or(Some(e)),
            }
            error.set(err);
            busy.set(false);
        });
    };
    refresh();
    let sign_out = move |_| {
        sign_out();
        signed_in.set(false);
    };
    // Municipality administrators also load their shelters here.
    let admin =
        token().and_then(|t| staff::decode_token(&t).filter(|c| c.role == "admin").map(|c| (t, c.municipality)));

    view! {
        <h1>{tp(lang, "災害対策本部", "Disaster HQ")}</h1>
        <div class="panel staff-bar">
            <p>{tp(lang, "全避難所の状況の確認と、住民へのお知らせの配信ができます。", "See every shelter at a glance and send notices to residents.")}</p>
            <button type="button" class="btn btn-secondary" on:click=sign_out>{tp(lang, "本部のサインアウト", "HQ sign-out")}</button>
        </div>
        <nav class="staff-nav" aria-label=tp(lang, "本部メニュー", "HQ menu")>
            <ul>
                <li><a href="#summary-h">{tp(lang, "避難状況", "Shelters")}</a></li>
                <li><a href="#incidents-h">{tp(lang, "災害と訓練", "Disasters and drills")}</a></li>
                <li><a href="#compose-h">{tp(lang, "お知らせを送る", "Send a notice")}</a></li>
                <li><a href="#sent-h">{tp(lang, "送信済み", "Sent notices")}</a></li>
                <li><a href="#help-h">{tp(lang, "救助要請", "Help requests")}</a></li>
                <li><a href="#audit-h">{tp(lang, "監査ログ", "Audit log")}</a></li>
                {admin.is_some().then(|| view! {
                    <li><a href="#import-h">{tp(lang, "避難所データの取り込み", "Import shelters")}</a></li>
                    <li><a href="#area-import-h">{tp(lang, "地区の取り込み", "Import areas")}</a></li>
                    <li><a href="#municipality-list-h">{tp(lang, "市区町村一覧の取り込み", "Import the municipality list")}</a></li>
                    <li><a href="#facilities-h">{tp(lang, "設備と定員", "Facilities and capacity")}</a></li>
                    <li><a href="#staff-h">{tp(lang, "職員アカウント", "Staff accounts")}</a></li>
                })}
            </ul>
        </nav>
        {move || error.get().map(|e| banner(&e, lang.get()))}
        {move || viewing.get().map(|_| view! {
            <p><button type="button" class="btn btn-secondary" on:click=move |_| { viewing.set(None); refresh(); }>
                {tp(lang, "現在の集計に戻る", "Back to the current summary")}
            </button></p>
        })}
        <SummaryView summary areas help busy refresh=Callback::new(move |()| refresh())/>
        <crate::incidents::IncidentsPanel on_change=Callback::new(move |()| refresh())
            on_view=Callback::new(move |id: Option<String>| {
                viewing.set(id);
                refresh();
                crate::incidents::scroll_to("summary-h");
            })/>
        <Composer areas sent/>
        <SentList areas sent viewing/>
        <HelpList help/>
        <crate::hq_audit::AuditLog/>
        {admin.map(|(token, municipality)| view! {
            <crate::admin_pages::ShelterImport token=token.clone() municipality=municipality.clone()/>
            <crate::admin_pages::AreaImport token=token.clone() municipality=municipality.clone()/>
            <crate::admin_pages::MunicipalityListImport token=token.clone() municipality=municipality.clone()/>
            <crate::admin_facilities::ShelterFacilities token=token.clone() municipality=municipality.clone()/>
            <crate::admin_staff::StaffRecords token municipality/>
        })}
    }
}

// ---- summary ---------------------------------------------------------------------------

fn age_label(b: AgeBand, l: Lang) -> &'static str {
    match b {
        AgeBand::Under6 => l.pick("0〜5歳", "0–5"),
        AgeBand::Child => l.pick("6〜12歳", "6–12"),
        AgeBand::Teen => l.pick("13〜17歳", "13–17"),
        AgeBand::Adult => l.pick("18〜64歳", "18–64"),
        AgeBand::Senior => l.pick("65〜74歳", "65–74"),
        AgeBand::Over75 => l.pick("75歳以上", "75 and over"),
        AgeBand::Unknown => l.pick("年齢不明", "Age unknown"),
    }
}

fn allergen_label(code: bosai_types::needs::AllergenCode, l: Lang) -> &'static str {
    let a = code.info();
    l.pick(a.ja, a.en)
}

fn shelter_name(s: &ShelterSummary, l: Lang) -> String {
    if l.is_ja() || s.name_en.is_empty() {
        s.name_ja.clone()
    } else {
        s.name_en.clone()
    }
}

fn age(h: &Headcount, b: AgeBand) -> u32 {
    h.by_age.get(&b).copied().unwrap_or(0)
}

/// "label n・label n" of the non-zero counts, or "なし".
fn counts_line(items: Vec<(&'static str, u32)>, l: Lang) -> String {
    let parts: Vec<String> = items.into_iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{k} {n}")).collect();
    if parts.is_empty() {
        l.pick("なし", "none").to_string()
    } else {
        parts.join(l.pick("・", ", "))
    }
}

fn sex_line(h: &Headcount, l: Lang) -> String {
    let s = &h.by_sex;
    if l.is_ja() {
        format!("女性 {}人・男性 {}人（その他 {}人・回答なし {}人）", s.female, s.male, s.other, s.no_answer)
    } else {
        format!("women {}, men {} (other {}, no answer {})", s.female, s.male, s.other, s.no_answer)
    }
}

/// Every need someone has: care, medical, diet (labels shared with the resident's form).
fn needs_rows(h: &Headcount, l: Lang) -> Vec<(&'static str, u32)> {
    let mut rows: Vec<(&'static str, u32)> = h.care.iter().map(|(k, n)| (l.care(*k), *n)).collect();
    rows.extend(h.medical.iter().map(|(k, n)| (l.medical(*k), *n)));
    rows.extend(h.dietary.iter().map(|(k, n)| (l.dietary(*k), *n)));
    rows
}

/// Allergens in the catalogue's order (the 8 mandatory first), only those someone has.
fn allergen_rows(h: &Headcount, l: Lang) -> Vec<(&'static str, u32)> {
    ALLERGENS
        .iter()
        .filter_map(|a| h.allergens.get(&a.code).filter(|n| **n > 0).map(|n| (allergen_label(a.code, l), *n)))
        .collect()
}

/// A captioned table; with no rows, the caption as a heading and a line saying so instead.
fn table_or_none(
    id: &'static str,
    caption: &'static str,
    none: &'static str,
    empty: bool,
    head: impl IntoView + 'static,
    rows: impl IntoView + 'static,
) -> AnyView {
    if empty {
        return view! {
            <h3 class="sub" id=id>{caption}</h3>
            <p class="muted">{none}</p>
        }
        .into_any();
    }
    // Scrolls sideways on a phone: reachable by keyboard, named for screen readers.
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=caption>
            <table class="hq-table" id=id>
                <caption>{caption}</caption>
                <thead>{head}</thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A two-column table: what, and how many people.
fn count_table(
    id: &'static str,
    caption: &'static str,
    what: &'static str,
    rows: Vec<(&'static str, u32)>,
    l: Lang,
) -> AnyView {
    let empty = rows.is_empty();
    let head =
        view! { <tr><th scope="col">{what}</th><th scope="col" class="num">{l.pick("人数", "People")}</th></tr> };
    let body = rows
        .into_iter()
        .map(|(k, n)| view! { <tr><th scope="row">{k}</th><td class="num">{n}</td></tr> })
        .collect_view();
    table_or_none(id, caption, l.pick("該当する人はいません。", "Nobody."), empty, head, body)
}

fn breakdown(s: &ShelterSummary, l: Lang) -> impl IntoView {
    let h = &s.headcount;
    let ages = AgeBand::ALL.iter().map(|b| (age_label(*b, l), age(h, *b))).collect();
    view! {
        <details class="hq-details">
            <summary>{l.pick("内訳を見る", "Details")}<span class="sr-only">": "{shelter_name(s, l)}</span></summary>
            <dl class="facts">
                <div><dt>{l.pick("開設状況", "Status")}</dt><dd>{l.status(s.status)}</dd></div>
                <div><dt>{l.pick("男女", "Sex")}</dt><dd>{sex_line(h, l)}</dd></div>
                <div><dt>{l.pick("年齢", "Age")}</dt><dd>{counts_line(ages, l)}</dd></div>
                <div><dt>{l.pick("アレルギー", "Allergies")}</dt><dd>{counts_line(allergen_rows(h, l), l)}</dd></div>
                <div><dt>{l.pick("配慮", "Needs")}</dt><dd>{counts_line(needs_rows(h, l), l)}</dd></div>
            </dl>
        </details>
    }
}

fn shelters_table(s: &Summary, l: Lang) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=l.pick("避難所ごとの状況", "Each shelter")>
            <table class="hq-table hq-shelters" id="hq-shelters">
                <caption>{l.pick("避難所ごとの状況", "Each shelter")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{l.pick("避難所", "Shelter")}</th>
                        <th scope="col" class="num">{l.pick("人数 / 定員", "People / capacity")}</th>
                        <th scope="col">{l.pick("混雑", "Congestion")}</th>
                    </tr>
                </thead>
                <tbody>
                    {s.shelters.iter().map(|sh| view! {
                        <tr data-shelter=sh.shelter_id.to_string()>
                            <th scope="row">{shelter_name(sh, l)}</th>
                            <td class="num occupancy">{format!("{} / {}", sh.occupancy, sh.capacity)}</td>
                            <td><span class=congestion_class(sh.congestion)>{l.congestion(sh.congestion)}</span></td>
                        </tr>
                        <tr class="hq-more" data-details=sh.shelter_id.to_string()>
                            <td colspan="3">{breakdown(sh, l)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn safety_table(s: &Summary, areas: &[Area], l: Lang) -> AnyView {
    let caption = l.pick("地区別の安否（各人の最新の報告）", "Safety by area (each person's latest report)");
    let head = view! {
        <tr>
            <th scope="col">{l.pick("地区", "Area")}</th>
            <th scope="col" class="num">{l.pick("自宅で無事", "Safe at home")}</th>
            <th scope="col" class="num">{l.pick("避難所", "At a shelter")}</th>
            <th scope="col" class="num">{l.pick("別の場所", "Elsewhere")}</th>
            <th scope="col" class="num">{l.pick("助けが必要", "Need help")}</th>
        </tr>
    };
    let rows = s
        .safety
        .iter()
        .map(|a| {
            let name = match &a.area {
                Some(code) => area_name(areas, code.as_str(), l),
                None => l.pick("地区の登録なし", "No area registered").to_string(),
            };
            let c = &a.counts;
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td class="num">{c.safe_at_home}</td>
                    <td class="num">{c.at_shelter}</td>
                    <td class="num">{c.elsewhere}</td>
                    <td class="num">{c.needs_help}</td>
                </tr>
            }
        })
        .collect_view();
    table_or_none(
        "hq-safety",
        caption,
        l.pick("まだ安否の報告はありません。", "No safety reports yet."),
        s.safety.is_empty(),
        head,
        rows,
    )
}

fn supplies_table(s: &Summary, l: Lang) -> AnyView {
    let caption = l.pick("物資の要請と在庫（全避難所）", "Supplies requested and in stock (all shelters)");
    let head = view! {
        <tr>
            <th scope="col">{l.pick("品目", "Item")}</th>
            <th scope="col" class="num">{l.pick("要請", "Requested")}</th>
            <th scope="col" class="num">{l.pick("在庫", "In stock")}</th>
            <th scope="col" class="num">{l.pick("要請した避難所", "Shelters asking")}</th>
        </tr>
    };
    let rows = s
        .supplies
        .iter()
        .map(|r| view! {
            <tr data-item=r.code.clone()>
                <th scope="row">{crate::supplies_pages::name_of_code(&r.code, l).unwrap_or_else(|| r.code.clone())}</th>
                <td class="num">{r.requested}</td>
                <td class="num">{r.on_hand}</td>
                <td class="num">{r.shelters}</td>
            </tr>
        })
        .collect_view();
    table_or_none(
        "hq-supplies",
        caption,
        l.pick("要請中の物資はありません。", "No open supply requests."),
        s.supplies.is_empty(),
        head,
        rows,
    )
}

fn totals(s: &Summary, help: Option<usize>, l: Lang) -> impl IntoView {
    let h = &s.totals;
    let pct = (s.occupancy * 100).checked_div(s.capacity).unwrap_or(0);
    let open = s.shelters.iter().filter(|x| x.status != ShelterStatus::Closed).count();
    let elderly = age(h, AgeBand::Senior) + age(h, AgeBand::Over75);
    view! {
        <dl class="facts hq-totals">
            <div>
                <dt>{l.pick("避難している人（全避難所）", "People in shelters (all)")}</dt>
                <dd id="hq-total-people">
                    <strong class="big">{people(s.occupancy, l)}</strong>
                    {if l.is_ja() { format!(" / 定員 {}人（{pct}%）", s.capacity) } else { format!(" of {} places ({pct}%)", s.capacity) }}
                </dd>
            </div>
            <div>
                <dt>{l.pick("開設中の避難所", "Shelters open")}</dt>
                <dd>{if l.is_ja() { format!("{open}か所 / {}か所", s.shelters.len()) } else { format!("{open} of {}", s.shelters.len()) }}</dd>
            </div>
            <div><dt>{l.pick("男女", "Sex")}</dt><dd>{sex_line(h, l)}</dd></div>
            <div><dt>{l.pick("乳幼児（0〜5歳）", "Young children (0–5)")}</dt><dd>{people(age(h, AgeBand::Under6), l)}</dd></div>
            <div><dt>{l.pick("高齢者（65歳以上）", "Older people (65+)")}</dt><dd>{people(elderly, l)}</dd></div>
            {(!s.hosted.is_empty()).then(|| view! {
                <div><dt>{l.pick("他の市町村から受け入れ", "Hosted from other municipalities")}</dt><dd id="hq-hosted">{municipality_line(&s.hosted, l)}</dd></div>
            })}
            {(!s.away.is_empty()).then(|| view! {
                <div><dt>{l.pick("この市町村の住民で他の市町村に避難", "Our residents sheltering elsewhere")}</dt><dd id="hq-away">
                    {municipality_line(&s.away, l)}
                    // Names only on request, and never a drill's (the list is of real stays).
                    {s.drill.is_none().then(|| view! { <crate::hq_away::AwayList/> })}
                </dd></div>
            })}
            {help.map(|n| view! {
                <div><dt>{l.pick("未対応の救助要請", "Open help requests")}</dt><dd><a href="#help-h">{if l.is_ja() { format!("{n}件") } else { n.to_string() }}</a></dd></div>
            })}
        </dl>
    }
}

#[component]
fn SummaryView(
    summary: RwSignal<Option<Summary>>,
    areas: RwSignal<Vec<Area>>,
    help: RwSignal<Option<Vec<HelpRequest>>>,
    busy: RwSignal<bool>,
    refresh: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let body = move || {
        let l = lang.get();
        summary.with(|s| match s {
            None => view! { <p class="muted">{if busy.get() { l.tr().loading } else { "" }}</p> }.into_any(),
            Some(s) => {
                let ages = AgeBand::ALL.iter().map(|b| (age_label(*b, l), age(&s.totals, *b))).collect();
                view! {
                    {s.drill.clone().map(|drill| view! { <crate::incidents::DrillNotice drill reader=crate::incidents::Reader::Staff/> })}
                    {totals(s, help.with(|h| h.as_ref().map(Vec::len)), l)}
                    {shelters_table(s, l)}
                    {count_table("hq-allergens", l.pick("アレルギーのある人（食事の手配用・全避難所）", "People with allergies (for food orders, all shelters)"),
                        l.pick("アレルギー品目", "Allergen"), allergen_rows(&s.totals, l), l)}
                    {count_table("hq-needs", l.pick("介助・医療・食事の配慮が必要な人（全避難所）", "People with care, medical or diet needs (all shelters)"),
                        l.pick("配慮", "Need"), needs_rows(&s.totals, l), l)}
                    {count_table("hq-ages", l.pick("年齢別の人数（全避難所）", "People by age (all shelters)"), l.pick("年齢", "Age"), ages, l)}
                    {areas.with(|a| safety_table(s, a, l))}
                    {supplies_table(s, l)}
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="panel hq-summary" aria-labelledby="summary-h">
            <div class="section-head">
                <h2 id="summary-h">{tp(lang, "避難状況の集計", "Shelter summary")}</h2>
                <button type="button" class="btn" id="hq-refresh" on:click=move |_| refresh.run(()) disabled=move || busy.get()>
                    {move || if busy.get() { lang.get().tr().loading } else { lang.get().tr().reload }}
                </button>
            </div>
            <p class="updated" id="hq-generated" aria-live="polite">
                {move || summary.with(|s| s.as_ref().map(|s| {
                    let l = lang.get();
                    format!("{}: {}", l.pick("集計時刻", "As of"), l.format_time(s.generated_at))
                }))}
            </p>
            {body}
        </section>
    }
}

// ---- composing a notice ------------------------------------------------------------------

/// A fresh UUID v4 for one draft: a resend of that draft is recognised by the server.
fn new_notice_id() -> NoticeId {
    let mut b = [0u8; 16];
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut b).is_ok());
    if !ok {
        b.iter_mut().for_each(|x| *x = (js_sys::Math::random() * 256.0) as u8);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    NoticeId::parse(&format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
        .expect("a UUID is a valid notice id")
}

fn level_label(v: NoticeLevel, l: Lang) -> &'static str {
    match v {
        NoticeLevel::Info => l.pick("お知らせ（情報）", "Information"),
        NoticeLevel::Warning => l.pick("注意", "Warning"),
        NoticeLevel::Emergency => {
            l.pick("緊急（通知が消えずに残ります）", "Emergency (the notification stays until dismissed)")
        }
    }
}

/// Whom the notice form sends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    All,
    Evacuees,
    Areas,
}

fn target_text(target: &NoticeTarget, areas: &[Area], l: Lang) -> String {
    match target {
        NoticeTarget::All => l.pick("全員（市内全域）", "Everyone (the whole city)").to_string(),
        NoticeTarget::Evacuees => l
            .pick("避難所にいる人全員（他の市町村の人も）", "Everyone in our shelters (also from other towns)")
            .to_string(),
        NoticeTarget::Areas { areas: codes } => {
            codes.iter().map(|c| area_name(areas, c.as_str(), l)).collect::<Vec<_>>().join(l.pick("、", ", "))
        }
    }
}

/// One text field with a live character count (characters, as the server counts them).
#[allow(clippy::too_many_arguments)]
fn text_field(
    lang: RwSignal<Lang>,
    id: &'static str,
    label: fn(Lang) -> &'static str,
    value: RwSignal<String>,
    max: usize,
    multiline: bool,
    error_here: Signal<bool>,
) -> impl IntoView {
    let count_id = format!("{id}-count");
    let described = {
        let c = count_id.clone();
        move || if error_here.get() { format!("{c} notice-error") } else { c.clone() }
    };
    let count = move || {
        let n = value.with(|v| v.chars().count());
        let l = lang.get();
        let over = n.saturating_sub(max);
        match (over, l.is_ja()) {
            (0, true) => format!("{n} / {max}文字"),
            (0, false) => format!("{n} / {max} characters"),
            (o, true) => format!("{n} / {max}文字（{o}文字多すぎます）"),
            (o, false) => format!("{n} / {max} characters ({o} too many)"),
        }
    };
    let over = move || value.with(|v| v.chars().count() > max);
    let input = if multiline {
        view! {
            <textarea id=id rows="5" aria-describedby=described.clone() aria-invalid=move || error_here.get().then_some("true")
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id type="text" autocomplete="off" aria-describedby=described.clone() aria-invalid=move || error_here.get().then_some("true")
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{move || label(lang.get())}</label>
            {input}
            <span id=count_id class="hint counter" class:over=over>{count}</span>
        </div>
    }
}

#[component]
fn Composer(areas: RwSignal<Vec<Area>>, sent: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    // One id per draft, kept through retries; a new one only after a send went through.
    let id = RwSignal::new(new_notice_id());
    let title_ja = RwSignal::new(String::new());
    let title_en = RwSignal::new(String::new());
    let body_ja = RwSignal::new(String::new());
    let body_en = RwSignal::new(String::new());
    let level = RwSignal::new(NoticeLevel::Info);
    let reach = RwSignal::new(Reach::All);
    let chosen = RwSignal::new(Vec::<AreaCode>::new());
    let invalid = RwSignal::new(None::<NoticeError>);
    // Shown for confirmation: exactly what will be sent.
    let confirming = RwSignal::new(None::<NewNotice>);
    let failed = RwSignal::new(None::<(ApiError, bool)>);
    let sending = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    let error_on =
        move |code: &'static str| Signal::derive(move || invalid.with(|e| e.as_ref().is_some_and(|e| e.code == code)));
    let build = move || -> Result<NewNotice, NoticeError> {
        let target = match reach.get_untracked() {
            Reach::All => NoticeTarget::All,
            Reach::Evacuees => NoticeTarget::Evacuees,
            Reach::Areas => {
                // In the order the areas are listed.
                let picked = chosen.get_untracked();
                let areas =
                    areas.with_untracked(|a| a.iter().map(|a| a.code.clone()).filter(|c| picked.contains(c)).collect());
                NoticeTarget::Areas { areas }
            }
        };
        let n = NewNotice {
            id: id.get_untracked(),
            title: Localized::new(title_ja.get_untracked().trim(), title_en.get_untracked().trim()),
            body: Localized::new(body_ja.get_untracked().trim(), body_en.get_untracked().trim()),
            level: level.get_untracked(),
            target,
        };
        n.validate()?;
        Ok(n)
    };
    let review = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        failed.set(None);
        match build() {
            Ok(n) => {
                invalid.set(None);
                confirming.set(Some(n));
                focus("notice-confirm-h");
            }
            Err(e) => {
                focus(match e.code {
                    "invalid_body" => "n-body-ja",
                    "invalid_target" => "n-target-areas",
                    _ => "n-title-ja",
                });
                invalid.set(Some(e));
            }
        }
    };
    let send = move |_| {
        let Some(n) = confirming.get_untracked() else { return };
        let Ok(body) = serde_json::to_string(&n) else { return };
        sending.set(true);
        failed.set(None);
        spawn_local(async move {
            match hq_send("POST", "/api/hq/notices", Some(body)).await {
                Ok(_) => {
                    done.set(Some(n.title.ja.clone()));
                    confirming.set(None);
                    for s in [title_ja, title_en, body_ja, body_en] {
                        s.set(String::new());
                    }
                    level.set(NoticeLevel::Info);
                    reach.set(Reach::All);
                    chosen.set(Vec::new());
                    id.set(new_notice_id());
                    sent.update(|n| *n += 1);
                    focus("notice-done");
                }
                // This draft's id went out earlier with other words (sent, then edited after
                // a lost answer): what is confirmed now goes out as a new notice.
                Err(e) if e.code() == Some("notice_id_taken") => {
                    let fresh = new_notice_id();
                    id.set(fresh.clone());
                    confirming.set(Some(NewNotice { id: fresh, ..n }));
                    failed.set(Some((e, true)));
                    sent.update(|n| *n += 1);
                }
                Err(e) => failed.set(Some((e, false))),
            }
            sending.set(false);
        });
    };
    let back = move |_| {
        confirming.set(None);
        failed.set(None);
        focus("n-title-ja");
    };

    let failure = move || {
        let l = lang.get();
        let (e, taken) = failed.get()?;
        let text = if taken {
            l.pick(
                "この下書きは、修正前の内容で既に送信されていました（送信済みの一覧をご確認ください）。この内容を別のお知らせとして送るには、もう一度「送信する」を押してください。",
                "This draft had already gone out with its earlier wording (see the sent notices). To send this wording as another notice, press Send again.",
            )
            .to_string()
        } else if e.is_offline() || matches!(e, ApiError::Network) {
            l.pick(
                "送信できたか確認できませんでした。通信を確認して、もう一度「送信する」を押してください（同じお知らせが二重に送られることはありません）。",
                "Could not confirm the notice was sent. Check the connection and press Send again (it will not be sent twice).",
            )
            .to_string()
        } else {
            error_text(&e, l)
        };
        Some(view! { <p class="banner" role="alert">{text}</p> })
    };

    let confirm_panel = move || {
        let l = lang.get();
        let n = confirming.get()?;
        let target = areas.with(|a| target_text(&n.target, a, l));
        let en = (!n.title.en.is_empty() || !n.body.en.is_empty()).then(|| {
            view! {
                <div><dt>{l.pick("件名（英語）", "Title (English)")}</dt><dd lang="en">{n.title.en.clone()}</dd></div>
                <div><dt>{l.pick("本文（英語）", "Message (English)")}</dt><dd lang="en" class="pre">{n.body.en.clone()}</dd></div>
            }
        });
        Some(view! {
            <div class="panel notice-confirm" role="group" aria-labelledby="notice-confirm-h">
                <h3 id="notice-confirm-h" tabindex="-1">{l.pick("この内容で送信しますか？", "Send this notice?")}</h3>
                <dl class="facts">
                    <div><dt>{l.pick("重要度", "Level")}</dt><dd><span class=level_class(n.level)>{l.notice_level(n.level)}</span></dd></div>
                    <div><dt>{l.pick("送信先", "To")}</dt><dd class="confirm-target">{target}</dd></div>
                    <div><dt>{l.pick("件名", "Title")}</dt><dd lang="ja" class="confirm-title">{n.title.ja.clone()}</dd></div>
                    <div><dt>{l.pick("本文", "Message")}</dt><dd lang="ja" class="pre">{n.body.ja.clone()}</dd></div>
                    {en}
                </dl>
                <p class="hint">{l.pick("送信すると取り消せません。対象の住民の端末に通知されます。", "Once sent it cannot be withdrawn. Residents' devices are notified.")}</p>
                {failure}
                <div class="actions">
                    <button type="button" id="notice-send" class="btn btn-wide" on:click=send disabled=move || sending.get()>
                        {move || if sending.get() { lang.get().pick("送信中…", "Sending…") } else { lang.get().pick("送信する", "Send") }}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=back disabled=move || sending.get()>
                        {l.pick("修正する", "Edit")}
                    </button>
                </div>
            </div>
        })
    };

    let area_boxes = move || {
        let l = lang.get();
        areas.with(|list| {
            list.iter()
                .map(|a| {
                    let code = a.code.clone();
                    let (c1, c2) = (code.clone(), code.clone());
                    let name = if l.is_ja() || a.name_en.is_empty() { a.name_ja.clone() } else { a.name_en.clone() };
                    view! {
                        <label class="check">
                            <input type="checkbox" name="n-area" value=code.to_string()
                                prop:checked=move || chosen.with(|c| c.contains(&c1))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let c = c2.clone();
                                    chosen.update(|v| { v.retain(|x| *x != c); if on { v.push(c); } });
                                }/>
                            <span>{name}</span>
                        </label>
                    }
                })
                .collect_view()
        })
    };
    let field_error = move |code: &'static str| {
        move || {
            invalid.with(|e| {
                e.as_ref().filter(|e| e.code == code).map(|e| {
                    let text = if lang.get().is_ja() { e.ja.clone() } else { e.en.clone() };
                    view! { <p class="field-error" id="notice-error" role="alert">{text}</p> }
                })
            })
        }
    };
    let level_radio = move |v: NoticeLevel| {
        view! {
            <label class="check">
                <input type="radio" name="n-level" prop:checked=move || level.get() == v on:change=move |_| level.set(v)/>
                <span>{move || level_label(v, lang.get())}</span>
            </label>
        }
    };

    view! {
        <section class="panel" aria-labelledby="compose-h">
            <h2 id="compose-h">{tp(lang, "お知らせを送る", "Send a notice")}</h2>
            <p class="hint">{tp(lang, "お知らせの通知をオンにした住民の端末に届きます。日本語は必須、英語は任意です（空欄なら日本語が表示されます）。", "Goes to residents who turned on notifications. Japanese is required, English optional (left empty, the Japanese is shown).")}</p>
            <p class="done" id="notice-done" tabindex="-1" role="status">
                {move || done.get().map(|title| {
                    let l = lang.get();
                    if l.is_ja() { format!("「{title}」を送信しました。配信の状況は「送信済みのお知らせ」で確認できます。") } else { format!("“{title}” was sent. See its delivery under Sent notices.") }
                })}
            </p>
            {confirm_panel}
            <form class="form notice-form" on:submit=review novalidate hidden=move || confirming.with(Option::is_some)>
                {text_field(lang, "n-title-ja", |l| l.pick("件名（日本語・必須）", "Title in Japanese (required)"), title_ja, MAX_NOTICE_TITLE_CHARS, false, error_on("invalid_title"))}
                {field_error("invalid_title")}
                {text_field(lang, "n-title-en", |l| l.pick("件名（英語）", "Title in English"), title_en, MAX_NOTICE_TITLE_CHARS, false, Signal::derive(|| false))}
                {text_field(lang, "n-body-ja", |l| l.pick("本文（日本語・必須）", "Message in Japanese (required)"), body_ja, MAX_NOTICE_BODY_CHARS, true, error_on("invalid_body"))}
                {field_error("invalid_body")}
                {text_field(lang, "n-body-en", |l| l.pick("本文（英語）", "Message in English"), body_en, MAX_NOTICE_BODY_CHARS, true, Signal::derive(|| false))}
                <fieldset class="checks radios">
                    <legend>{tp(lang, "重要度", "Level")}</legend>
                    {level_radio(NoticeLevel::Info)}
                    {level_radio(NoticeLevel::Warning)}
                    {level_radio(NoticeLevel::Emergency)}
                </fieldset>
                <fieldset>
                    <legend>{tp(lang, "送信先", "Send to")}</legend>
                    <div class="checks radios">
                        <label class="check">
                            <input type="radio" name="n-target" prop:checked=move || reach.get() == Reach::All on:change=move |_| reach.set(Reach::All)/>
                            <span>{tp(lang, "全員（市内全域）", "Everyone (the whole city)")}</span>
                        </label>
                        <label class="check">
                            <input type="radio" name="n-target" prop:checked=move || reach.get() == Reach::Evacuees on:change=move |_| reach.set(Reach::Evacuees)/>
                            <span>{tp(lang, "避難所にいる人全員（他の市町村の人も）", "Everyone in our shelters (also from other towns)")}</span>
                        </label>
                        <label class="check">
                            <input type="radio" name="n-target" id="n-target-areas" prop:checked=move || reach.get() == Reach::Areas on:change=move |_| reach.set(Reach::Areas)/>
                            <span>{tp(lang, "地区を選ぶ", "Choose areas")}</span>
                        </label>
                    </div>
                    <div class="checks" hidden=move || reach.get() != Reach::Areas role="group" aria-label=tp(lang, "送信する地区", "Areas to send to")>
                        {area_boxes}
                    </div>
                    {field_error("invalid_target")}
                </fieldset>
                <button type="submit" class="btn btn-wide">{tp(lang, "内容を確認する", "Review before sending")}</button>
            </form>
        </section>
    }
}

// ---- sent notices ------------------------------------------------------------------------

fn delivery_text(n: &Notice, l: Lang) -> (String, &'static str) {
    let Some(d) = &n.delivery else { return (String::new(), "") };
    let (state, key) = match d.state {
        DeliveryState::Queued => (l.pick("送信待ち", "Queued"), "queued"),
        DeliveryState::Sending => (l.pick("送信中", "Sending"), "sending"),
        DeliveryState::Done => (l.pick("完了", "Done"), "done"),
    };
    // Done with nobody to send to is not a delivery: say so instead of "0 delivered".
    let nobody = d.state == DeliveryState::Done && d.delivered + d.gone + d.failed == 0;
    let text = if nobody {
        l.pick(
            "配信対象の端末がありません（この対象で通知をオンにした端末はありません）",
            "No devices to send to (no device in this target has notifications on)",
        )
        .to_owned()
    } else if l.is_ja() {
        format!("配信: {state}（届いた端末 {}件・通知を解除 {}件・失敗 {}件）", d.delivered, d.gone, d.failed)
    } else {
        format!("Delivery: {state} ({} delivered, {} unsubscribed, {} failed)", d.delivered, d.gone, d.failed)
    };
    (text, key)
}

fn sent_item(n: &Notice, areas: &[Area], l: Lang) -> impl IntoView {
    let (delivery, state) = delivery_text(n, l);
    view! {
        <li class="card sent-notice" data-notice=n.id.to_string() data-state=state>
            <p class="meta">
                <span class=level_class(n.level)>{l.notice_level(n.level)}</span>" "
                <span class="when">{l.format_time(n.created_at)}</span>
                {n.drill.is_some().then(|| crate::incidents::drill_tag(l))}
            </p>
            <h3><a href=n.landing_path() rel="external">{n.title.get(l.is_ja()).to_string()}</a></h3>
            <p class="target">{l.pick("送信先: ", "To: ")}{target_text(&n.target, areas, l)}</p>
            <p class="delivery">{delivery}</p>
        </li>
    }
}

#[component]
/// `viewing`: the incident HQ looks at (the summary's); its notices only, all when None.
fn SentList(areas: RwSignal<Vec<Area>>, sent: RwSignal<u32>, viewing: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let list = RwSignal::new(None::<Vec<Notice>>);
    let error = RwSignal::new(None::<ApiError>);
    // One polling loop at a time; a request while it runs makes it read again at once.
    let running = StoredValue::new(false);
    let again = StoredValue::new(false);
    let load = move || {
        if running.get_value() {
            again.set_value(true);
            return;
        }
        running.set_value(true);
        spawn_local(async move {
            loop {
                again.set_value(false);
                let path = match viewing.try_get_untracked().flatten() {
                    Some(id) => format!("/api/hq/notices?incident={}", String::from(js_sys::encode_uri_component(&id))),
                    None => "/api/hq/notices".to_owned(),
                };
                let got = hq_get::<Vec<Notice>>(&path).await;
                let busy = match got {
                    Ok(v) => {
                        let busy =
                            v.iter().any(|n| n.delivery.as_ref().is_some_and(|d| d.state != DeliveryState::Done));
                        // The page is gone: stop.
                        if list.try_set(Some(v)).is_some() {
                            return;
                        }
                        error.set(None);
                        busy
                    }
                    Err(e) => {
                        let busy = list.try_with_untracked(|l| {
                            l.as_ref().is_some_and(|v| {
                                v.iter().any(|n| n.delivery.as_ref().is_some_and(|d| d.state != DeliveryState::Done))
                            })
                        });
                        let Some(busy) = busy else { return };
                        error.set(Some(e));
                        busy
                    }
                };
                if again.try_get_value() == Some(true) {
                    continue;
                }
                if !busy {
                    break;
                }
                api::sleep(POLL_MS).await;
            }
            let _ = running.try_set_value(false);
        });
    };
    Effect::new(move |_| {
        sent.track();
        viewing.track();
        load();
    });
    let body = move || {
        let l = lang.get();
        list.with(|v| match v {
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(v) if v.is_empty() && viewing.get_untracked().is_some() => {
                view! { <p class="muted">{l.pick("この災害・訓練の間に送ったお知らせはありません。", "No notices were sent during this one.")}</p> }.into_any()
            }
            Some(v) if v.is_empty() => view! { <p class="muted">{l.pick("送信済みのお知らせはありません。", "No notices sent yet.")}</p> }.into_any(),
            Some(v) => areas.with(|a| view! { <ul class="notices sent-list">{v.iter().map(|n| sent_item(n, a, l)).collect_view()}</ul> }).into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="sent-h">
            <div class="section-head">
                <h2 id="sent-h">{tp(lang, "送信済みのお知らせ", "Sent notices")}</h2>
                {move || viewing.get().is_some().then(|| view! { <p class="muted">{tp(lang, "集計で見ている災害・訓練の分だけ", "Only those of the incident the summary shows")}</p> })}
                <button type="button" class="btn btn-secondary btn-inline" on:click=move |_| load()>{tx(lang, |t| t.reload)}</button>
            </div>
            {move || error.get().map(|e| banner(&e, lang.get()))}
            {body}
        </section>
    }
}

// ---- help requests -------------------------------------------------------------------------

#[component]
fn HelpList(help: RwSignal<Option<Vec<HelpRequest>>>) -> impl IntoView {
    let lang = use_lang();
    let body = move || {
        let l = lang.get();
        help.with(|h| match h {
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(h) if h.is_empty() => view! { <p class="muted">{l.pick("未対応の救助要請はありません。", "No open requests for help.")}</p> }.into_any(),
            Some(h) => view! {
                <ul class="help-list">
                    {h.iter().map(|r| {
                        let born = r.birth_year.map(|y| if l.is_ja() { format!("（{y}年生まれ）") } else { format!(" (born {y})") });
                        view! {
                            <li class="card help-request" data-report=r.report_id.clone()>
                                <h3><span lang="ja">{r.member_name.clone()}</span>{born}</h3>
                                <dl class="facts">
                                    <div><dt>{l.pick("必要な支援", "Help needed")}</dt><dd lang="ja">{r.what.clone()}</dd></div>
                                    <div><dt>{l.pick("いる場所", "Where")}</dt><dd lang="ja">{r.location.clone()}</dd></div>
                                    <div><dt>{l.pick("報告時刻", "Reported")}</dt><dd>{l.format_time(r.reported_at)}</dd></div>
                                </dl>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="help-h">
            <h2 id="help-h">{tp(lang, "救助・支援の要請（未対応）", "Open requests for help")}</h2>
            <p class="hint">{tp(lang, "住民が「助けが必要」と報告した人です。次の報告があると一覧から外れます。", "People reported as needing help; they leave the list with their next report.")}</p>
            {body}
        </section>
    }
}

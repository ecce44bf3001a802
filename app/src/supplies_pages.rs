//! The supplies (物資) panel of the shelter staff view: the catalog grouped for
//! the eye (water and food, allergy-free meals per allergen, babies, care and
//! hygiene, toilets, other) with stock on hand, the quantity requested from HQ
//! and the request status; per item a stock-take / request form and a delivery
//! form.
//!
//! Writes need the network and are refused while offline (no queue): a counted
//! stock is a snapshot, and replaying it hours later could overwrite a newer
//! count made by another device; requests are only useful when HQ sees them.
//! The typed numbers stay in the form for when the network is back. A delivery
//! id is chosen once per delivery (kept across retries of the same item and
//! quantity, dropped after success), so a double tap or a resend after a lost
//! answer raises the stock once. The last list read is kept on the device and
//! shown, with its time, while offline.

use crate::api::{self, ApiError};
use crate::i18n::Lang;
use crate::staff;
use crate::use_lang;
use bosai_types::needs::ALLERGENS;
use bosai_types::supplies::{Delivery, DiaperSize, StockUpdate, SupplyItem, SupplyStatus, MAX_QUANTITY};
use bosai_types::Timestamp;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

// ---- catalog ---------------------------------------------------------------------

struct Group {
    id: &'static str,
    ja: &'static str,
    en: &'static str,
    items: Vec<SupplyItem>,
    /// Shown folded (the 20 recommended allergens).
    more: Vec<SupplyItem>,
}

fn groups() -> Vec<Group> {
    use SupplyItem::*;
    let meals = |mandatory: bool| {
        ALLERGENS.iter().filter(|a| a.mandatory == mandatory).map(|a| AllergyFreeMeal { free_of: a.code }).collect()
    };
    let g = |id, ja, en, items: Vec<SupplyItem>| Group { id, ja, en, items, more: vec![] };
    vec![
        g("water", "水・食料", "Water and food", vec![DrinkingWater, Food]),
        Group { more: meals(false), ..g("allergy", "アレルギー対応食", "Allergy-free meals", meals(true)) },
        g(
            "baby",
            "乳幼児用品",
            "For babies",
            [InfantFormula].into_iter().chain(DiaperSize::INFANT.map(|size| InfantDiaper { size })).collect(),
        ),
        g(
            "care",
            "介護・衛生用品",
            "Care and hygiene",
            DiaperSize::ADULT.map(|size| AdultDiaper { size }).into_iter().chain([SanitaryProducts]).collect(),
        ),
        g("toilet", "トイレ", "Toilets", vec![ToiletPaper, PortableToilet]),
        g("other", "毛布・医薬品・その他", "Blankets, medicine and other", vec![Blanket, Medicine, PhoneCharger]),
    ]
}

/// The name in its group's table.
fn short_name(item: SupplyItem, l: Lang) -> String {
    match item {
        SupplyItem::AllergyFreeMeal { free_of } => {
            let a = free_of.info();
            if l.is_ja() {
                format!("{}不使用", a.ja)
            } else {
                format!("{}-free", a.en)
            }
        }
        _ => name(item, l),
    }
}

/// The full name (editor heading, messages).
fn name(item: SupplyItem, l: Lang) -> String {
    use SupplyItem::*;
    match item {
        AllergyFreeMeal { free_of } => {
            let a = free_of.info();
            if l.is_ja() {
                format!("アレルギー対応食（{}不使用）", a.ja)
            } else {
                format!("Allergy-free meals ({}-free)", a.en)
            }
        }
        InfantDiaper { size: s } => {
            format!("{} {}", l.pick("乳児用おむつ", "Baby diapers,"), s.label(false, l.is_ja()))
        }
        AdultDiaper { size: s } => format!("{} {}", l.pick("大人用おむつ", "Adult diapers,"), s.label(true, l.is_ja())),
        DrinkingWater => l.pick("飲料水", "Drinking water").into(),
        Food => l.pick("食料", "Food").into(),
        Blanket => l.pick("毛布", "Blankets").into(),
        InfantFormula => l.pick("乳児用ミルク（粉・液体）", "Infant formula (powder or liquid)").into(),
        Medicine => l.pick("医薬品・救急用品", "Medicine and first aid").into(),
        ToiletPaper => l.pick("トイレットペーパー", "Toilet paper").into(),
        PortableToilet => l.pick("携帯・簡易トイレ", "Portable toilets").into(),
        SanitaryProducts => l.pick("生理用品", "Sanitary products").into(),
        PhoneCharger => l.pick("携帯電話の充電器", "Phone chargers").into(),
    }
}

/// The full name of the catalog item with this code (HQ's totals name items by code).
pub(crate) fn name_of_code(code_: &str, l: Lang) -> Option<String> {
    groups().into_iter().flat_map(|g| g.items.into_iter().chain(g.more)).find(|i| code(*i) == code_).map(|i| name(i, l))
}

/// The counting unit the form asks for (the API counts, it has no units).
fn unit(item: SupplyItem, l: Lang) -> &'static str {
    use SupplyItem::*;
    match item {
        DrinkingWater => l.pick("本", "bottles"),
        Food | AllergyFreeMeal { .. } => l.pick("食", "meals"),
        Blanket => l.pick("枚", "blankets"),
        InfantDiaper { .. } | AdultDiaper { .. } => l.pick("枚", "diapers"),
        ToiletPaper => l.pick("ロール", "rolls"),
        PortableToilet => l.pick("回分", "uses"),
        InfantFormula | SanitaryProducts => l.pick("パック", "packs"),
        Medicine | PhoneCharger => l.pick("個", "pieces"),
    }
}

/// The item's catalog code, `SupplyItem::code()` spelt out here: that one goes through
/// `serde_json::Value`, which the panel does not otherwise need in the wasm (the unit test
/// below keeps the two equal).
fn code(item: SupplyItem) -> String {
    use SupplyItem::*;
    let size = DiaperSize::code;
    let fixed = match item {
        AllergyFreeMeal { free_of } => {
            return format!(
                "allergy_free_meal-{}",
                serde_json::to_string(&free_of).unwrap_or_default().trim_matches('"')
            )
        }
        InfantDiaper { size: s } => return format!("infant_diaper-{}", size(s)),
        AdultDiaper { size: s } => return format!("adult_diaper-{}", size(s)),
        DrinkingWater => "drinking_water",
        Food => "food",
        Blanket => "blanket",
        InfantFormula => "infant_formula",
        Medicine => "medicine",
        ToiletPaper => "toilet_paper",
        PortableToilet => "portable_toilet",
        SanitaryProducts => "sanitary_products",
        PhoneCharger => "phone_charger",
    };
    fixed.to_owned()
}

/// The part of a `SupplyLine` the panel shows, keyed by item code. Reading `SupplyLine`
/// itself would deserialise the tagged `item` enum through serde's buffering code,
/// ~30 KB of wasm for a field the code already names.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Line {
    code: String,
    on_hand: u32,
    requested: u32,
    status: SupplyStatus,
    updated_at: Timestamp,
}

// ---- input -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum QtyError {
    Empty,
    Negative,
    NotNumber,
    TooLarge,
    Zero,
}

/// A count typed by hand: ASCII or full-width digits, thousands separators allowed.
fn parse_qty(raw: &str) -> Result<u32, QtyError> {
    let s: String = raw
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '－' | '−' | 'ー' => Some('-'),
            ',' | '，' | ' ' | '　' => None,
            c => Some(c),
        })
        .collect();
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if s.is_empty() {
        return Err(QtyError::Empty);
    }
    if let Some(rest) = s.strip_prefix('-') {
        return Err(if digits(rest) { QtyError::Negative } else { QtyError::NotNumber });
    }
    if !digits(&s) {
        return Err(QtyError::NotNumber);
    }
    match s.parse::<u64>() {
        Ok(n) if n <= u64::from(MAX_QUANTITY) => Ok(n as u32),
        _ => Err(QtyError::TooLarge),
    }
}

fn qty_message(e: QtyError, l: Lang) -> &'static str {
    match e {
        QtyError::Empty => l.pick("数を入力してください（ない場合は 0）。", "Enter a number (0 if there is none)."),
        QtyError::Negative => l.pick(
            "マイナスの数は入力できません。0以上の数を入力してください。",
            "Negative numbers are not allowed. Enter 0 or more.",
        ),
        QtyError::NotNumber => {
            l.pick("数字だけで入力してください（例：120）。", "Enter digits only (for example 120).")
        }
        QtyError::TooLarge => {
            l.pick("数が大きすぎます。1,000,000以下で入力してください。", "That is too many. Enter at most 1,000,000.")
        }
        QtyError::Zero => l.pick("届いた数量は1以上で入力してください。", "Enter the quantity received (1 or more)."),
    }
}

fn error_text(e: &ApiError, l: Lang) -> String {
    match e.status() {
        Some(401) => l
            .pick(
                "スタッフトークンの期限が切れています。サインインし直してください。",
                "The staff token has expired. Please sign in again.",
            )
            .into(),
        Some(403) => l.pick("この避難所の操作権限がありません。", "You may not act for this shelter.").into(),
        _ if e.is_offline() => l
            .pick(
                "送信できませんでした（通信エラー）。通信が戻ってから、もう一度保存してください。",
                "Could not send (network error). Save again when the network is back.",
            )
            .into(),
        _ => e.message(l),
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

// ---- state ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Ctx {
    shelter: StoredValue<String>,
    lines: RwSignal<Vec<Line>>,
    /// When the list was read, and whether that was just now (false: the copy kept on the device).
    loaded: RwSignal<Option<(Timestamp, bool)>>,
    load_error: RwSignal<Option<ApiError>>,
    open: RwSignal<Option<SupplyItem>>,
    online: RwSignal<bool>,
    /// The delivery being sent: item, quantity and its id, kept until the server has it.
    delivery: StoredValue<Option<(SupplyItem, u32, String)>>,
}

impl Ctx {
    fn key(shelter: &str) -> String {
        format!("bosai.staff.supplies.v1.{shelter}")
    }

    fn line(&self, code: &str) -> Option<Line> {
        self.lines.with(|v| v.iter().find(|x| x.code == code).cloned())
    }

    // The `try_` reads below run after an await: by then the panel may be gone
    // (another shelter chosen, signed out), and then there is nothing to keep.
    fn keep_copy(&self, at: Timestamp) {
        let (Some(id), Some(Ok(text))) =
            (self.shelter.try_get_value(), self.lines.try_with_untracked(serde_json::to_string))
        else {
            return;
        };
        let key = Self::key(&id);
        api::storage_set(&key, &text);
        api::storage_set(&format!("{key}.at"), &at.millis().to_string());
    }

    fn upsert(&self, line: Line) {
        self.lines.update(|v| match v.iter_mut().find(|x| x.code == line.code) {
            Some(x) => *x = line,
            None => v.push(line),
        });
        self.keep_copy(api::now());
    }

    /// Reads the list. A network failure while the device says it is online (a flaky
    /// line, or the moment the network returns) is retried a few times, 2, 4, … s apart.
    fn load(self, attempt: u32) {
        let Some(id) = self.shelter.try_get_value() else { return };
        spawn_local(async move {
            let path = format!("/api/shelters/{id}/supplies");
            match staff::send("GET", &path, None).await.and_then(|t| api::decode::<Vec<Line>>(&t)) {
                Ok(v) => {
                    let now = api::now();
                    self.lines.set(v);
                    self.keep_copy(now);
                    self.loaded.set(Some((now, true)));
                    self.load_error.set(None);
                }
                Err(e) => {
                    if e.is_offline() && attempt < 5 {
                        set_timeout(
                            move || {
                                if self.online.try_get_untracked() == Some(true) {
                                    self.load(attempt + 1);
                                }
                            },
                            std::time::Duration::from_secs(2 << attempt),
                        );
                    }
                    self.load_error.set(Some(e));
                }
            }
        });
    }
}

async fn write<B: serde::Serialize>(method: &str, path: &str, body: &B) -> Result<Line, ApiError> {
    let b = serde_json::to_string(body).map_err(|_| ApiError::Decode)?;
    staff::send(method, path, Some(b)).await.and_then(|t| api::decode::<Line>(&t))
}

// ---- panel ---------------------------------------------------------------------------

/// The delivery being sent, kept on the device until the server has it: a resend after a
/// reload (the answer was lost, then the tab closed) keeps its id and is counted once.
const PENDING_DELIVERY_KEY: &str = "bosai.supplies.pending_delivery";

fn load_pending_delivery(shelter: &str) -> Option<(SupplyItem, u32, String)> {
    let saved = api::storage_get(PENDING_DELIVERY_KEY)?;
    let mut p = saved.splitn(4, '\n');
    let (sh, item, q, id) = (p.next()?, p.next()?, p.next()?, p.next()?);
    if sh != shelter {
        return None;
    }
    Some((SupplyItem::parse_code(item)?, q.parse().ok()?, id.to_owned()))
}

fn save_pending_delivery(shelter: &str, d: Option<&(SupplyItem, u32, String)>) {
    match d {
        Some((item, q, id)) => {
            api::storage_set(PENDING_DELIVERY_KEY, &format!("{shelter}\n{}\n{q}\n{id}", item.code()))
        }
        None => api::storage_remove(PENDING_DELIVERY_KEY),
    }
}

#[component]
pub fn Supplies(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let s = staff::state();
    let ctx = Ctx {
        lines: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(None),
        load_error: RwSignal::new(None),
        open: RwSignal::new(None),
        online: s.online,
        delivery: StoredValue::new(load_pending_delivery(&shelter)),
        shelter: StoredValue::new(shelter),
    };
    if let Some(saved) = api::load_saved::<Vec<Line>>(&Ctx::key(&ctx.shelter.get_value())) {
        ctx.lines.set(saved.data);
        ctx.loaded.set(Some((saved.saved_at, false)));
    }
    // Read now, and again whenever the network comes back.
    Effect::new(move |_| {
        if ctx.online.get() {
            ctx.load(0);
        }
    });

    // Rebuilt when the language changes (the open form starts again from the saved numbers).
    move || {
        let l = lang.get();
        let state = move || {
            let l = lang.get();
            let n = ctx.lines.with(|v| v.iter().filter(|x| x.status == SupplyStatus::Requested).count());
            let when = ctx.loaded.get();
            let err = ctx.load_error.get();
            let mut text = match (l.is_ja(), n) {
                (true, _) => format!("本部に要請中：{n}品目"),
                (false, 1) => "Requested from HQ: 1 item".to_string(),
                (false, _) => format!("Requested from HQ: {n} items"),
            };
            match when {
                Some((at, true)) if err.is_none() => {
                    text += &if l.is_ja() {
                        format!("（{} 現在）", l.format_time(at))
                    } else {
                        format!(" (as of {})", l.format_time(at))
                    }
                }
                // Not read just now: the copy kept on this device.
                Some((at, _)) => {
                    text += &if l.is_ja() {
                        format!("（この端末に保存した {} 時点の記録）", l.format_time(at))
                    } else {
                        format!(" (the copy kept on this device, {})", l.format_time(at))
                    }
                }
                None if err.is_none() => text = l.pick("読み込み中…", "Loading…").into(),
                None => {
                    text = l.pick("物資の記録を読み込めませんでした。", "Could not load the supply records.").into()
                }
            }
            view! {
                <p class="supply-summary">{text}</p>
                {err.filter(|e| !e.is_offline()).map(|e| view! { <p class="banner" role="alert">{error_text(&e, l)}</p> })}
            }
        };
        view! {
            <section class="panel supplies" aria-labelledby="supplies-h">
                <h2 id="supplies-h">{l.pick("物資（在庫・要請）", "Supplies (stock and requests)")}</h2>
                <p class="hint">{l.pick(
                    "品目ごとに、数えた在庫数と本部へ要請する数を記録します。品目名を押すと入力欄が開きます。",
                    "For each item, record the stock you counted and what you request from HQ. Tap an item's name to open its form.")}</p>
                {move || (!ctx.online.get()).then(|| view! {
                    <p class="banner supply-offline" role="alert">{l.pick(
                        "オフラインです。物資の記録はこの端末に保存できません。通信が戻ってから保存してください。",
                        "Offline: supply records are not kept on this device. Save them when the network is back.")}</p>
                })}
                {state}
                <button type="button" class="btn btn-secondary supply-reload" on:click=move |_| ctx.load(0)>{l.pick("最新の状態を読み込む", "Load the latest")}</button>
                {groups().into_iter().map(|g| group_view(ctx, g, l)).collect_view()}
            </section>
        }
    }
}

fn group_view(ctx: Ctx, g: Group, l: Lang) -> impl IntoView {
    let h = format!("sg-{}", g.id);
    let more = (!g.more.is_empty()).then(|| {
        // Open when any of them has been recorded.
        let codes: Vec<String> = g.more.iter().map(|i| code(*i)).collect();
        let recorded = ctx.lines.with_untracked(|v| v.iter().any(|x| codes.contains(&x.code)));
        let label = format!("{}-more", h);
        view! {
            <details class="supply-more" open=recorded>
                <summary>{l.pick("そのほかの20品目（アーモンド、ごま、大豆など）", "The other 20 allergens (almond, sesame, soybean, …)")}</summary>
                {table(ctx, &label, l.pick("アレルギー対応食（そのほかの20品目）", "Allergy-free meals (the other 20 allergens)"), g.more, l)}
            </details>
        }
    });
    view! {
        <section class="supply-group" aria-labelledby=h.clone()>
            <h3 id=h.clone()>{l.pick(g.ja, g.en)}</h3>
            {(g.id == "allergy").then(|| view! { <p class="hint">{l.pick(
                "アレルギーの原因となる原材料を使っていない食事を、除いている原材料ごとに数えます。",
                "Meals made without an allergen, counted per allergen left out.")}</p> })}
            {table(ctx, &h, "", g.items, l)}
            {more}
        </section>
    }
}

/// One table per group: item (a button that opens its form), on hand, requested, status.
fn table(ctx: Ctx, labelled_by: &str, caption: &'static str, items: Vec<SupplyItem>, l: Lang) -> impl IntoView {
    view! {
        <table class="supply-table" aria-labelledby=(caption.is_empty()).then(|| labelled_by.to_owned())>
            {(!caption.is_empty()).then(|| view! { <caption class="sr-only">{caption}</caption> })}
            <thead><tr>
                <th scope="col">{l.pick("品目", "Item")}</th>
                <th scope="col" class="num">{l.pick("在庫", "On hand")}</th>
                <th scope="col" class="num">{l.pick("要請数", "Requested")}</th>
                <th scope="col">{l.pick("状況", "Status")}</th>
            </tr></thead>
            <tbody>{items.into_iter().map(|item| view! { <Row ctx item l/> }).collect_view()}</tbody>
        </table>
    }
}

/// A count, or a dash that a screen reader hears as words.
fn number(v: Option<u32>, l: Lang) -> impl IntoView {
    let spoken = v.is_none().then(|| l.pick("未記録", "not counted"));
    let shown = v.map_or_else(|| "—".to_owned(), |n| n.to_string());
    view! { <span aria-hidden=spoken.map(|_| "true")>{shown}</span>{spoken.map(|t| view! { <span class="sr-only">{t}</span> })} }
}

#[component]
fn Row(ctx: Ctx, item: SupplyItem, l: Lang) -> impl IntoView {
    let code = code(item);
    let btn = format!("sup-btn-{code}");
    let is_open = Memo::new(move |_| ctx.open.get() == Some(item));
    let toggle = move |_| {
        let opening = ctx.open.get_untracked() != Some(item);
        ctx.open.set(opening.then_some(item));
        if opening {
            focus("supply-editor-h");
        }
    };
    let key = code.clone();
    // One closure for the three cells (each closure in a view is its own code in the wasm).
    let cells = move || {
        let line = ctx.line(&key);
        let (class, status) = match line.as_ref().map(|x| x.status) {
            Some(SupplyStatus::Requested) => ("st st-req", l.pick("要請中", "Open request")),
            Some(SupplyStatus::Ok) => ("st st-ok", l.pick("要請なし", "No request")),
            None => ("st st-none", l.pick("未記録", "Not counted")),
        };
        view! {
            <td class="num s-on-hand">{number(line.as_ref().map(|x| x.on_hand), l)}</td>
            <td class="num s-requested">{number(line.as_ref().map(|x| x.requested), l)}</td>
            <td class="s-status"><span class=class>{status}</span></td>
        }
    };
    view! {
        <tr class="supply-row" data-item=code>
            <th scope="row">
                <button type="button" id=btn class="supply-item" aria-expanded=move || if is_open.get() { "true" } else { "false" } on:click=toggle>
                    {short_name(item, l)}
                </button>
            </th>
            {cells}
        </tr>
        {move || is_open.get().then(|| view! {
            <tr class="supply-edit"><td colspan="4"><Editor ctx item l/></td></tr>
        })}
    }
}

/// Which form a message belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Stock,
    Delivery,
}

#[component]
fn Editor(ctx: Ctx, item: SupplyItem, l: Lang) -> impl IntoView {
    let code = code(item);
    let current = ctx.lines.with_untracked(|v| v.iter().find(|x| x.code == code).cloned());
    let on_hand = RwSignal::new(current.as_ref().map(|c| c.on_hand.to_string()).unwrap_or_default());
    let requested = RwSignal::new(current.as_ref().map(|c| c.requested.to_string()).unwrap_or_default());
    let received = RwSignal::new(String::new());
    // (form, ok?, text, the field at fault)
    let msg = RwSignal::new(None::<(Form, bool, String, Option<&'static str>)>);
    let busy = RwSignal::new(false);
    let disabled = move || busy.get();
    let unit = unit(item, l);
    let title = name(item, l);
    let path = format!("/api/shelters/{}/supplies/{code}", ctx.shelter.get_value());
    // Closing returns focus to the item's button.
    let back = format!("sup-btn-{code}");
    let path = StoredValue::new(path);

    let bad = move |form: Form, field: &'static str, label: &str, e: QtyError| {
        msg.set(Some((form, false, format!("{label}{}{}", l.pick("：", ": "), qty_message(e, l)), Some(field))));
        focus(field);
    };
    let offline = move |form: Form| {
        let off = !ctx.online.get_untracked() || !staff::online();
        if off {
            msg.set(Some((form, false, l.pick(
                "オフラインのため保存できません。通信が戻ってから保存してください（入力した数はこのまま残ります）。",
                "Offline: not saved. Save again when the network is back (what you typed stays here).").into(), None)));
        }
        off
    };
    // Replaces the last message in place (messages sit below the buttons: nothing moves under a finger).
    let sending = move |form: Form| msg.set(Some((form, true, l.pick("送信中…", "Sending…").into(), None)));
    let label_on_hand = l.pick("在庫数（いまある数）", "On hand (counted now)");
    let label_requested = l.pick("本部への要請数", "Requested from HQ");
    let label_received = l.pick("届いた数量", "Quantity received");

    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let oh = match parse_qty(&on_hand.get_untracked()) {
            Ok(n) => n,
            Err(e) => return bad(Form::Stock, "sup-on-hand", label_on_hand, e),
        };
        let rq_raw = requested.get_untracked();
        let rq = if rq_raw.trim().is_empty() { Ok(0) } else { parse_qty(&rq_raw) };
        let rq = match rq {
            Ok(n) => n,
            Err(e) => return bad(Form::Stock, "sup-requested", label_requested, e),
        };
        if offline(Form::Stock) {
            return;
        }
        sending(Form::Stock);
        busy.set(true);
        let path = path.get_value();
        spawn_local(async move {
            match write("PUT", &path, &StockUpdate { on_hand: oh, requested: rq }).await {
                Ok(line) => {
                    let text = if l.is_ja() {
                        format!("保存しました：在庫 {}・要請 {}", line.on_hand, line.requested)
                    } else {
                        format!("Saved: {} on hand, {} requested", line.on_hand, line.requested)
                    };
                    on_hand.set(line.on_hand.to_string());
                    requested.set(line.requested.to_string());
                    ctx.upsert(line);
                    msg.set(Some((Form::Stock, true, text, None)));
                }
                Err(e) => msg.set(Some((Form::Stock, false, error_text(&e, l), None))),
            }
            busy.set(false);
        });
    };

    let deliver = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        // The second tap of a double tap that came after the answer (the field was
        // emptied on success): keep the confirmation on screen, send nothing.
        if received.with_untracked(|r| r.trim().is_empty())
            && msg.with_untracked(|m| matches!(m, Some((Form::Delivery, true, ..))))
        {
            return;
        }
        let q = match parse_qty(&received.get_untracked()) {
            Ok(0) => return bad(Form::Delivery, "sup-received", label_received, QtyError::Zero),
            Ok(n) => n,
            Err(e) => return bad(Form::Delivery, "sup-received", label_received, e),
        };
        if offline(Form::Delivery) {
            return;
        }
        // The same delivery (item and quantity) sent again keeps its id: the server counts it once.
        let id = match ctx.delivery.get_value() {
            Some((i, n, id)) if i == item && n == q => id,
            _ => {
                let id = staff::new_event_id().replacen("ev-", "dlv-", 1);
                let pending = (item, q, id.clone());
                save_pending_delivery(&ctx.shelter.get_value(), Some(&pending));
                ctx.delivery.set_value(Some(pending));
                id
            }
        };
        sending(Form::Delivery);
        busy.set(true);
        let path = format!("{}/deliveries", path.get_value());
        spawn_local(async move {
            match write("POST", &path, &Delivery { delivery_id: id, quantity: q }).await {
                Ok(line) => {
                    ctx.delivery.set_value(None);
                    save_pending_delivery(&ctx.shelter.get_value(), None);
                    let text = if l.is_ja() {
                        format!("納品 {q}{unit} を記録しました：在庫 {}・要請 {}", line.on_hand, line.requested)
                    } else {
                        format!(
                            "Delivery of {q} {unit} recorded: {} on hand, {} requested",
                            line.on_hand, line.requested
                        )
                    };
                    received.set(String::new());
                    on_hand.set(line.on_hand.to_string());
                    requested.set(line.requested.to_string());
                    ctx.upsert(line);
                    msg.set(Some((Form::Delivery, true, text, None)));
                }
                Err(e) => {
                    let mut text = error_text(&e, l);
                    if e.is_offline() {
                        text += l.pick(
                            "同じ納品として送り直すので、二重には数えません。",
                            " It is resent as the same delivery, so it is not counted twice.",
                        );
                    }
                    msg.set(Some((Form::Delivery, false, text, None)));
                }
            }
            busy.set(false);
        });
    };

    let message = move |form: Form| {
        move || {
            msg.get().filter(|m| m.0 == form).map(|(_, ok, text, _)| {
                let id = if form == Form::Stock { "sup-stock-msg" } else { "sup-delivery-msg" };
                view! { <p id=id class=if ok { "done supply-msg" } else { "field-error supply-msg" } role=if ok { "status" } else { "alert" }>{text}</p> }
            })
        }
    };
    let field =
        move |id: &'static str, label: String, value: RwSignal<String>, form: Form, hint: Option<&'static str>| {
            let hint_id = format!("{id}-hint");
            let msg_id = if form == Form::Stock { "sup-stock-msg" } else { "sup-delivery-msg" };
            let invalid = move || msg.with(|m| m.as_ref().is_some_and(|m| m.3 == Some(id)));
            let described = move || {
                let mut ids = Vec::new();
                if hint.is_some() {
                    ids.push(hint_id.clone());
                }
                if invalid() {
                    ids.push(msg_id.to_owned());
                }
                (!ids.is_empty()).then(|| ids.join(" "))
            };
            view! {
                <div class="field">
                    <label for=id>{label}</label>
                    <input id=id type="text" inputmode="numeric" autocomplete="off" enterkeyhint="done"
                        aria-invalid=move || invalid().then_some("true") aria-describedby=described
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                    {hint.map(|h| view! { <p id=format!("{id}-hint") class="hint">{h}</p> })}
                </div>
            }
        };
    let with_unit = |label: &str| format!("{label}{}{unit}{}", l.pick("（", " ("), l.pick("）", ")"));

    view! {
        <div class="supply-editor" role="group" aria-labelledby="supply-editor-h">
            <h4 id="supply-editor-h" tabindex="-1">{title}</h4>
            {current.map(|c| view! { <p class="hint">{l.pick("最終更新", "Last updated")}" "{l.format_time(c.updated_at)}</p> })}
            <form class="form supply-stock" on:submit=save novalidate>
                {field("sup-on-hand", with_unit(label_on_hand), on_hand, Form::Stock, None)}
                {field("sup-requested", with_unit(label_requested), requested, Form::Stock, Some(l.pick(
                    "まだ届いていない、本部にお願いする数。0にすると要請を取り下げます。納品を記録すると届いた分だけ減ります。",
                    "What you still need from HQ. 0 withdraws the request; recording a delivery lowers it by the quantity received.")))}
                <button type="submit" class="btn btn-wide" disabled=disabled>{l.pick("在庫数・要請数を保存", "Save stock and request")}</button>
                <div aria-live="polite">{message(Form::Stock)}</div>
            </form>
            <form class="form supply-delivery" on:submit=deliver novalidate>
                {field("sup-received", with_unit(label_received), received, Form::Delivery, Some(l.pick(
                    "届いた数を在庫に加え、要請数から差し引きます。2回押しても二重には数えません。",
                    "Adds the quantity to the stock and subtracts it from the request. Pressing twice does not count it twice.")))}
                <button type="submit" class="btn btn-wide" disabled=disabled>{l.pick("納品を記録", "Record delivery")}</button>
                <div aria-live="polite">{message(Form::Delivery)}</div>
            </form>
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                ctx.open.set(None);
                focus(&back);
            }>{l.pick("閉じる", "Close")}</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_qty("120"), Ok(120));
        assert_eq!(parse_qty(" １，２００ "), Ok(1200));
        assert_eq!(parse_qty("1,000,000"), Ok(1_000_000));
        assert_eq!(parse_qty("0"), Ok(0));
        assert_eq!(parse_qty(""), Err(QtyError::Empty));
        assert_eq!(parse_qty("-5"), Err(QtyError::Negative));
        assert_eq!(parse_qty("－５"), Err(QtyError::Negative));
        assert_eq!(parse_qty("1000001"), Err(QtyError::TooLarge));
        assert_eq!(parse_qty("99999999999999999999999"), Err(QtyError::TooLarge));
        assert_eq!(parse_qty("1.5"), Err(QtyError::NotNumber));
        assert_eq!(parse_qty("abc"), Err(QtyError::NotNumber));
        assert_eq!(parse_qty("-"), Err(QtyError::NotNumber));
    }

    #[test]
    fn catalog_covers_every_item_once() {
        let all: Vec<SupplyItem> = groups().into_iter().flat_map(|g| g.items.into_iter().chain(g.more)).collect();
        // 2 + 28 + (formula + 5 baby sizes) + (4 adult sizes + sanitary) + 2 + 3
        assert_eq!(all.len(), 46);
        assert_eq!(all.len(), SupplyItem::all().len(), "the panel lists the whole catalog");
        let mut codes: Vec<String> = all.iter().map(|i| code(*i)).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 46);
        for i in all {
            assert_eq!(code(i), i.code(), "the app's codes are the API's");
        }
    }

    #[test]
    fn hq_names_items_by_code() {
        assert_eq!(name_of_code("infant_diaper-m", Lang::Ja).as_deref(), Some("乳児用おむつ M"));
        assert_eq!(name_of_code("allergy_free_meal-egg", Lang::En).as_deref(), Some("Allergy-free meals (Egg-free)"));
        assert_eq!(name_of_code("no-such-item", Lang::Ja), None);
    }
}

//! The panel: the list read from the server (kept for offline), its groups and tables, and the writes.

use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::{fill, Lang};
use crate::staff;
use crate::use_lang;
use bosai_types::supplies::{SupplyItem, SupplyStatus};
use bosai_types::Timestamp;
use leptos::prelude::*;
use leptos::task::spawn_local;

// ---- catalog ---------------------------------------------------------------------
use super::*;

/// The part of a `SupplyLine` the panel shows, keyed by item code. Reading `SupplyLine`
/// itself would deserialise the tagged `item` enum through serde's buffering code,
/// ~30 KB of wasm for a field the code already names.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Line {
    pub(crate) code: String,
    pub(crate) on_hand: u32,
    pub(crate) requested: u32,
    pub(crate) status: SupplyStatus,
    pub(crate) updated_at: Timestamp,
}

// ---- input -------------------------------------------------------------------------

pub(crate) fn error_text(e: &ApiError, l: Lang) -> String {
    match e.status() {
        Some(401) => l.staff().common_staff_token_has_expired.into(),
        Some(403) => l.staff().common_you_may_not_act.into(),
        _ if e.is_offline() => l.staff().supplies_panel_could_not_send_network.into(),
        _ => e.message(l),
    }
}

pub(crate) use crate::dom::focus;

// ---- state ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub(crate) shelter: StoredValue<String>,
    pub(crate) lines: RwSignal<Vec<Line>>,
    /// When the list was read, and whether that was just now (false: the copy kept on the device).
    pub(crate) loaded: RwSignal<Option<(Timestamp, bool)>>,
    pub(crate) load_error: RwSignal<Option<ApiError>>,
    pub(crate) open: RwSignal<Option<SupplyItem>>,
    pub(crate) online: RwSignal<bool>,
    /// The delivery being sent: item, quantity and its id, kept until the server has it.
    pub(crate) delivery: StoredValue<Option<(SupplyItem, u32, String)>>,
}

impl Ctx {
    pub(crate) fn key(shelter: &str) -> String {
        format!("bosai.staff.supplies.v1.{shelter}")
    }

    pub(crate) fn line(&self, code: &str) -> Option<Line> {
        self.lines.with(|v| v.iter().find(|x| x.code == code).cloned())
    }

    // The `try_` reads below run after an await: by then the panel may be gone
    // (another shelter chosen, signed out), and then there is nothing to keep.
    pub(crate) fn keep_copy(&self, at: Timestamp) {
        let (Some(id), Some(Ok(text))) =
            (self.shelter.try_get_value(), self.lines.try_with_untracked(serde_json::to_string))
        else {
            return;
        };
        let key = Self::key(&id);
        dom::storage_set(&key, &text);
        dom::storage_set(&format!("{key}.at"), &at.millis().to_string());
    }

    pub(crate) fn upsert(&self, line: Line) {
        self.lines.update(|v| match v.iter_mut().find(|x| x.code == line.code) {
            Some(x) => *x = line,
            None => v.push(line),
        });
        self.keep_copy(dom::now());
    }

    /// Reads the list. A network failure while the device says it is online (a flaky
    /// line, or the moment the network returns) is retried a few times, 2, 4, … s apart.
    pub(crate) fn load(self, attempt: u32) {
        let Some(id) = self.shelter.try_get_value() else { return };
        spawn_local(async move {
            match api::shelter::supplies::<Line>(&id).send().await {
                Ok(v) => {
                    let now = dom::now();
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

// ---- panel ---------------------------------------------------------------------------

/// The delivery being sent, kept on the device until the server has it: a resend after a
/// reload (the answer was lost, then the tab closed) keeps its id and is counted once.
pub(crate) const PENDING_DELIVERY_KEY: &str = "bosai.supplies.pending_delivery";

pub(crate) fn load_pending_delivery(shelter: &str) -> Option<(SupplyItem, u32, String)> {
    let saved = dom::storage_get(PENDING_DELIVERY_KEY)?;
    let mut p = saved.splitn(4, '\n');
    let (sh, item, q, id) = (p.next()?, p.next()?, p.next()?, p.next()?);
    if sh != shelter {
        return None;
    }
    Some((SupplyItem::parse_code(item)?, q.parse().ok()?, id.to_owned()))
}

pub(crate) fn save_pending_delivery(shelter: &str, d: Option<&(SupplyItem, u32, String)>) {
    match d {
        Some((item, q, id)) => {
            dom::storage_set(PENDING_DELIVERY_KEY, &format!("{shelter}\n{}\n{q}\n{id}", item.code()))
        }
        None => dom::storage_remove(PENDING_DELIVERY_KEY),
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
            let mut text = l.plural(l.staff().supplies_panel_requested_n, n as f64);
            match when {
                Some((at, true)) if err.is_none() => {
                    text += &fill(l.staff().supplies_panel_as_of, &[("time", &l.format_time(at))])
                }
                // Not read just now: the copy kept on this device.
                Some((at, _)) => text += &fill(l.staff().supplies_panel_saved_copy_at, &[("time", &l.format_time(at))]),
                None if err.is_none() => text = l.staff().common_loading.into(),
                None => text = l.staff().supplies_panel_could_not_load_supply.into(),
            }
            view! {
                <p class="supply-summary">{text}</p>
                {err.filter(|e| !e.is_offline()).map(|e| view! { <p class="banner" role="alert">{error_text(&e, l)}</p> })}
            }
        };
        view! {
            <section class="panel supplies" aria-labelledby="supplies-h">
                <h2 id="supplies-h">{l.staff().supplies_panel_supplies_stock_requests}</h2>
                <p class="hint">{l.staff().supplies_panel_each_item_record_stock}</p>
                {move || (!ctx.online.get()).then(|| view! {
                    <p class="banner supply-offline" role="alert">{l.staff().supplies_panel_offline_supply_records_are}</p>
                })}
                {state}
                <button type="button" class="btn btn-secondary supply-reload" on:click=move |_| ctx.load(0)>{l.staff().supplies_panel_load_latest}</button>
                {groups().into_iter().map(|g| group_view(ctx, g, l)).collect_view()}
            </section>
        }
    }
}

pub(crate) fn group_view(ctx: Ctx, g: Group, l: Lang) -> impl IntoView {
    let h = format!("sg-{}", g.id);
    let more = (!g.more.is_empty()).then(|| {
        // Open when any of them has been recorded.
        let codes: Vec<String> = g.more.iter().map(|i| code(*i)).collect();
        let recorded = ctx.lines.with_untracked(|v| v.iter().any(|x| codes.contains(&x.code)));
        let label = format!("{}-more", h);
        view! {
            <details class="supply-more" open=recorded>
                <summary>{l.staff().supplies_panel_other_20_allergens_almond}</summary>
                {table(ctx, &label, l.staff().supplies_panel_allergy_free_meals_other, g.more, l)}
            </details>
        }
    });
    view! {
        <section class="supply-group" aria-labelledby=h.clone()>
            <h3 id=h.clone()>{(g.name)(l.staff())}</h3>
            {(g.id == "allergy").then(|| view! { <p class="hint">{l.staff().supplies_panel_meals_made_without_allergen}</p> })}
            {table(ctx, &h, "", g.items, l)}
            {more}
        </section>
    }
}

/// One table per group: item (a button that opens its form), on hand, requested, status.
pub(crate) fn table(
    ctx: Ctx,
    labelled_by: &str,
    caption: &'static str,
    items: Vec<SupplyItem>,
    l: Lang,
) -> impl IntoView {
    view! {
        <table class="supply-table" aria-labelledby=(caption.is_empty()).then(|| labelled_by.to_owned())>
            {(!caption.is_empty()).then(|| view! { <caption class="sr-only">{caption}</caption> })}
            <thead><tr>
                <th scope="col">{l.staff().supplies_panel_item}</th>
                <th scope="col" class="num">{l.staff().supplies_panel_on_hand}</th>
                <th scope="col" class="num">{l.staff().supplies_panel_requested}</th>
                <th scope="col">{l.staff().common_status}</th>
            </tr></thead>
            <tbody>{items.into_iter().map(|item| view! { <Row ctx item l/> }).collect_view()}</tbody>
        </table>
    }
}

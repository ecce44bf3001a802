//! One item's row and its forms: a stock-take or request, and a delivery (quantities checked before sending).

use crate::api;
use crate::i18n::{fill, Lang};
use crate::staff;
use bosai_types::supplies::{Delivery, StockUpdate, SupplyItem, SupplyStatus, MAX_QUANTITY};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

// ---- catalog ---------------------------------------------------------------------
use super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum QtyError {
    Empty,
    Negative,
    NotNumber,
    TooLarge,
    Zero,
}

/// A count typed by hand: ASCII or full-width digits, thousands separators allowed.
pub(crate) fn parse_qty(raw: &str) -> Result<u32, QtyError> {
    let s: String = raw.chars().map(bosai_types::typed::fold_wide).filter(|c| !matches!(c, ',' | ' ')).collect();
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

pub(crate) fn qty_message(e: QtyError, l: Lang) -> &'static str {
    match e {
        QtyError::Empty => l.staff().supplies_editor_enter_number_0_if,
        QtyError::Negative => l.staff().supplies_editor_negative_numbers_are_not,
        QtyError::NotNumber => l.staff().supplies_editor_enter_digits_only_example,
        QtyError::TooLarge => l.staff().supplies_editor_that_too_many_enter,
        QtyError::Zero => l.staff().supplies_editor_enter_quantity_received_1,
    }
}

/// A count, or a dash that a screen reader hears as words.
pub(crate) fn number(v: Option<u32>, l: Lang) -> impl IntoView {
    let spoken = v.is_none().then(|| l.staff().supplies_editor_not_counted);
    let shown = v.map_or_else(|| "—".to_owned(), |n| n.to_string());
    view! { <span aria-hidden=spoken.map(|_| "true")>{shown}</span>{spoken.map(|t| view! { <span class="sr-only">{t}</span> })} }
}

#[component]
pub(crate) fn Row(ctx: Ctx, item: SupplyItem, l: Lang) -> impl IntoView {
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
            Some(SupplyStatus::Requested) => ("st st-req", l.staff().supplies_editor_open_request),
            Some(SupplyStatus::Ok) => ("st st-ok", l.staff().supplies_editor_no_request),
            None => ("st st-none", l.staff().supplies_editor_not_counted_2),
        };
        view! {
            // The label shows only where a row is a card (very large text on a phone).
            <td class="num s-on-hand" data-label=l.staff().supplies_panel_on_hand>{number(line.as_ref().map(|x| x.on_hand), l)}</td>
            <td class="num s-requested" data-label=l.staff().supplies_panel_requested>{number(line.as_ref().map(|x| x.requested), l)}</td>
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
pub(crate) enum Form {
    Stock,
    Delivery,
}

#[component]
pub(crate) fn Editor(ctx: Ctx, item: SupplyItem, l: Lang) -> impl IntoView {
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
    // Closing returns focus to the item's button.
    let back = format!("sup-btn-{code}");
    let item_code = StoredValue::new(code.clone());

    let bad = move |form: Form, field: &'static str, label: &str, e: QtyError| {
        msg.set(Some((
            form,
            false,
            format!("{label}{}{}", l.staff().supplies_editor_text, qty_message(e, l)),
            Some(field),
        )));
        focus(field);
    };
    let offline = move |form: Form| {
        let off = !ctx.online.get_untracked() || !staff::online();
        if off {
            msg.set(Some((form, false, l.staff().supplies_editor_offline_not_saved_save.into(), None)));
        }
        off
    };
    // "Offline, not saved" holds only while offline: once the connection is back, it goes.
    let offline_text = l.staff().supplies_editor_offline_not_saved_save;
    Effect::new(move |_| {
        if ctx.online.get() && msg.with_untracked(|m| matches!(m, Some((_, false, t, None)) if t == offline_text)) {
            msg.set(None);
        }
    });
    // Replaces the last message in place (messages sit below the buttons: nothing moves under a finger).
    let sending = move |form: Form| msg.set(Some((form, true, l.staff().common_sending.into(), None)));
    let label_on_hand = l.staff().supplies_editor_on_hand_counted_now;
    let label_requested = l.staff().supplies_editor_requested_from_hq;
    let label_received = l.staff().supplies_editor_quantity_received;

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
        let (shelter, item) = (ctx.shelter.get_value(), item_code.get_value());
        spawn_local(async move {
            let update = StockUpdate { on_hand: oh, requested: rq };
            match api::shelter::set_stock::<Line>(&shelter, &item, &update).send().await {
                Ok(line) => {
                    let text = fill(
                        l.staff().supplies_saved_stock,
                        &[("on_hand", &line.on_hand.to_string()), ("requested", &line.requested.to_string())],
                    );
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
        let (shelter, item) = (ctx.shelter.get_value(), item_code.get_value());
        spawn_local(async move {
            let delivery = Delivery { delivery_id: id, quantity: q };
            match api::shelter::record_delivery::<Line>(&shelter, &item, &delivery).send().await {
                Ok(line) => {
                    ctx.delivery.set_value(None);
                    save_pending_delivery(&ctx.shelter.get_value(), None);
                    let text = fill(
                        l.staff().supplies_delivery_recorded,
                        &[
                            ("quantity", &q.to_string()),
                            ("unit", unit),
                            ("on_hand", &line.on_hand.to_string()),
                            ("requested", &line.requested.to_string()),
                        ],
                    );
                    received.set(String::new());
                    on_hand.set(line.on_hand.to_string());
                    requested.set(line.requested.to_string());
                    ctx.upsert(line);
                    msg.set(Some((Form::Delivery, true, text, None)));
                }
                Err(e) => {
                    let mut text = error_text(&e, l);
                    if e.is_offline() {
                        text += l.staff().supplies_editor_it_resent_as_same;
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
    let with_unit =
        |label: &str| format!("{label}{}{unit}{}", l.staff().supplies_editor_text_2, l.staff().supplies_editor_text_3);

    view! {
        <div class="supply-editor" role="group" aria-labelledby="supply-editor-h">
            <h4 id="supply-editor-h" tabindex="-1">{title}</h4>
            {current.map(|c| view! { <p class="hint">{l.staff().supplies_editor_last_updated}" "{l.format_time(c.updated_at)}</p> })}
            <form class="form supply-stock" on:submit=save novalidate>
                {field("sup-on-hand", with_unit(label_on_hand), on_hand, Form::Stock, None)}
                {field("sup-requested", with_unit(label_requested), requested, Form::Stock, Some(l.staff().supplies_editor_what_you_still_need))}
                <button type="submit" class="btn btn-wide" disabled=disabled>{l.staff().supplies_editor_save_stock_request}</button>
                <div aria-live="polite">{message(Form::Stock)}</div>
            </form>
            <form class="form supply-delivery" on:submit=deliver novalidate>
                {field("sup-received", with_unit(label_received), received, Form::Delivery, Some(l.staff().supplies_editor_adds_quantity_stock_subtracts))}
                <button type="submit" class="btn btn-wide" disabled=disabled>{l.staff().supplies_editor_record_delivery}</button>
                <div aria-live="polite">{message(Form::Delivery)}</div>
            </form>
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                ctx.open.set(None);
                focus(&back);
            }>{l.staff().common_close}</button>
        </div>
    }
}

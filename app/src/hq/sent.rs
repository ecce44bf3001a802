//! Sent notices and their delivery progress (one polling loop at a time).

use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::{th, tx, Lang};
use crate::resident::level_class;
use crate::use_lang;
use bosai_types::household::Area;
use bosai_types::notices::{DeliveryState, Notice};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Separate from the shelter staff token: one device may hold both.
use super::*;

pub(crate) fn delivery_text(n: &Notice, l: Lang) -> (String, &'static str) {
    let Some(d) = &n.delivery else { return (String::new(), "") };
    // Corrected while sending: the fan-out stopped (what was left gets the correction).
    let stopped = n.replaced_by.is_some() && d.state == DeliveryState::Done;
    if stopped && d.delivered + d.gone + d.failed == 0 {
        return (crate::i18n::fill(l.hq().sent_stopped, &[("delivered", "0")]), "done");
    }
    let (state, key) = match d.state {
        DeliveryState::Queued => (l.hq().sent_queued, "queued"),
        DeliveryState::Sending => (l.hq().sent_sending, "sending"),
        DeliveryState::Done => (l.hq().sent_done, "done"),
    };
    // Done with nobody to send to is not a delivery: say so instead of "0 delivered".
    let nobody = d.state == DeliveryState::Done && d.delivered + d.gone + d.failed == 0;
    let text = if nobody {
        l.hq().sent_no_devices_send_no.to_owned()
    } else {
        crate::i18n::fill(
            l.hq().sent_delivery_counts,
            &[
                ("state", state),
                ("delivered", &d.delivered.to_string()),
                ("gone", &d.gone.to_string()),
                ("failed", &d.failed.to_string()),
            ],
        )
    };
    (text, key)
}

/// `all`: the list it is in, where a correction and what it corrects find each other's title.
pub(crate) fn sent_item(
    n: &Notice,
    all: &[Notice],
    areas: &[Area],
    l: Lang,
    correcting: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let (delivery, state) = delivery_text(n, l);
    let title_of = |id: &bosai_types::notices::NoticeId| {
        all.iter().find(|o| &o.id == id).map_or_else(|| id.to_string(), |o| o.title.get(l.code()).to_owned())
    };
    let by = n.replaced_by.as_ref().map(|id| {
        view! { <p class="corrected">{crate::i18n::fill(l.hq().sent_corrected_by, &[("title", &title_of(id))])}</p> }
    });
    let of = n.replaces.as_ref().map(|id| {
        view! { <p class="corrects">{crate::i18n::fill(l.hq().sent_corrects, &[("title", &title_of(id))])}</p> }
    });
    let correct = n.replaced_by.is_none().then(|| {
        let n = n.clone();
        view! {
            <button type="button" class="btn btn-secondary btn-inline notice-correct" on:click=move |_| correcting.set(Some(n.clone()))>
                {l.hq().sent_correct}
            </button>
        }
    });
    // Which readers get it in their own language (the others: easy Japanese, else Japanese).
    let languages = n
        .title
        .written()
        .map(|(code, _)| Lang::from_code(code).map_or(code, Lang::name))
        .collect::<Vec<_>>()
        .join(l.hq().common_text_2);
    view! {
        <li class="card sent-notice" class:replaced=n.replaced_by.is_some() data-notice=n.id.to_string() data-state=state>
            <p class="meta">
                <span class=level_class(n.level)>{l.notice_level(n.level)}</span>" "
                <span class="when">{l.format_time(n.created_at)}</span>
                {n.drill.is_some().then(|| crate::incidents::drill_tag(l))}
            </p>
            <h3><a href=n.landing_path() rel="external">{n.title.get(l.code()).to_string()}</a></h3>
            <p class="target">{l.hq().sent_text}{target_text(&n.target, areas, l)}</p>
            <p class="languages">{l.hq().sent_languages}{languages}</p>
            <p class="delivery">{delivery}</p>
            {of}
            {by}
            {correct}
        </li>
    }
}

#[component]
/// `viewing`: the incident HQ looks at (the summary's); its notices only, all when None.
pub(crate) fn SentList(
    areas: RwSignal<Vec<Area>>,
    sent: RwSignal<u32>,
    viewing: RwSignal<Option<String>>,
    correcting: RwSignal<Option<Notice>>,
) -> impl IntoView {
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
                let incident = viewing.try_get_untracked().flatten();
                let got = api::hq::notices(incident.as_deref()).send().await;
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
                dom::sleep(POLL_MS).await;
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
                view! { <p class="muted">{l.hq().sent_no_notices_were_sent}</p> }.into_any()
            }
            Some(v) if v.is_empty() => view! { <p class="muted">{l.hq().sent_no_notices_sent_yet}</p> }.into_any(),
            Some(v) => areas.with(|a| view! { <ul class="notices sent-list">{v.iter().map(|n| sent_item(n, v, a, l, correcting)).collect_view()}</ul> }).into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="sent-h">
            <div class="section-head">
                <h2 id="sent-h">{th(lang, |h| h.sent_sent_notices)}</h2>
                {move || viewing.get().is_some().then(|| view! { <p class="muted">{th(lang, |h| h.sent_only_those_incident_summary)}</p> })}
                <button type="button" class="btn btn-secondary btn-inline" on:click=move |_| load()>{tx(lang, |t| t.reload)}</button>
            </div>
            {move || error.get().map(|e| banner(&e, lang.get()))}
            {body}
        </section>
    }
}

// ---- help requests -------------------------------------------------------------------------

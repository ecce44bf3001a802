//! 監査ログ on the HQ page: who read or changed personal data, when — one day at a time, narrowed
//! by what, who and which shelter, and downloadable as CSV. Reading and downloading it are
//! themselves in the log (the server records them).

use crate::api::{self, ApiError};
use crate::dom;
use crate::hq::{banner, token};
use crate::i18n::{th, HqTr, Lang};
use crate::use_lang;
use bosai_types::audit::AuditEntry;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A text of the HQ catalog.
type Text = fn(&HqTr) -> &'static str;

/// The actions the log holds, as staff would name them.
const ACTIONS: &[(&str, Text)] = &[
    ("roster_view", |h| h.audit_action_roster_view),
    ("roster_export", |h| h.audit_action_roster_export),
    ("scan_preview", |h| h.audit_action_scan_preview),
    ("manual_check_out", |h| h.audit_action_manual_check_out),
    ("desk_registered", |h| h.audit_action_desk_registered),
    ("desk_record_deleted", |h| h.audit_action_desk_record_deleted),
    ("card_renewal", |h| h.audit_action_card_renewal),
    ("incident_opened", |h| h.audit_action_incident_opened),
    ("incident_closed", |h| h.audit_action_incident_closed),
    ("help_requests_view", |h| h.audit_action_help_requests_view),
    ("past_roster_view", |h| h.audit_action_past_roster_view),
    ("away_view", |h| h.audit_action_away_view),
    ("resident_data_deleted", |h| h.audit_action_resident_data_deleted),
    ("staff_signed_in", |h| h.audit_action_staff_signed_in),
    ("staff_account_saved", |h| h.audit_action_staff_account_saved),
    ("staff_account_removed", |h| h.audit_action_staff_account_removed),
    ("audit_view", |h| h.audit_action_audit_view),
    ("audit_export", |h| h.audit_action_audit_export),
];

fn action_label(code: &str, l: Lang) -> String {
    ACTIONS
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, text)| text(l.hq()).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// What an entry's details are, as staff would name them (the keys the server writes).
const DETAILS: &[(&str, Text)] = &[
    ("rows", |h| h.audit_detail_rows),
    ("filter", |h| h.audit_detail_filter),
    ("entry", |h| h.audit_detail_entry),
    ("event_id", |h| h.audit_detail_event_id),
    ("items_removed", |h| h.audit_detail_items_removed),
    ("incident", |h| h.audit_detail_incident),
    ("kind", |h| h.audit_detail_kind),
    ("registration", |h| h.audit_detail_registration),
    ("people", |h| h.audit_detail_people),
    ("staff_account", |h| h.audit_detail_staff_account),
    // The audit log's own filter, inside a `filter` detail.
    ("date", |h| h.audit_date),
    ("action", |h| h.audit_what),
    ("actor", |h| h.audit_who),
    ("shelter", |h| h.common_shelter),
];

fn detail_label(key: &str, l: Lang) -> String {
    DETAILS.iter().find(|(k, _)| *k == key).map(|(_, text)| text(l.hq()).to_owned()).unwrap_or_else(|| key.to_owned())
}

/// One detail as a line of text. A recorded filter (JSON) is shown as the conditions that were
/// set, not as JSON: `絞り込み（操作: 名簿の表示、避難所: …）`.
fn detail_text(key: &str, value: &str, l: Lang) -> String {
    let conditions = (key == "filter")
        .then(|| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(value).ok())
        .flatten()
        .map(|m| {
            let set = m.iter().filter_map(|(k, v)| {
                let v = match v {
                    serde_json::Value::Null => return None,
                    serde_json::Value::String(s) if s.is_empty() => return None,
                    serde_json::Value::String(s) if k == "action" => action_label(s, l),
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some(format!("{}: {v}", detail_label(k, l)))
            });
            let set: Vec<String> = set.collect();
            if set.is_empty() {
                l.hq().audit_all.to_owned()
            } else {
                set.join(", ")
            }
        });
    let label = detail_label(key, l);
    match conditions {
        // 「絞り込み（操作: 手動の退所、日付: …）」: not a second "key: value" inside the first.
        Some(c) if l.is_ja() => format!("{label}（{}）", c.replace(", ", "、")),
        Some(c) => format!("{label} ({c})"),
        None => format!("{label}: {value}"),
    }
}

fn query(date: &str, action: &str, actor: &str, shelter: &str) -> String {
    api::query(&[("date", date), ("action", action), ("actor", actor.trim()), ("shelter", shelter.trim())])
}

#[component]
pub fn AuditLog() -> impl IntoView {
    let lang = use_lang();
    let date = RwSignal::new(dom::now().jst_date());
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let shelter = RwSignal::new(String::new());
    let rows = RwSignal::new(None::<Vec<AuditEntry>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let q =
        move || query(&date.get_untracked(), &action.get_untracked(), &actor.get_untracked(), &shelter.get_untracked());

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match api::hq::audit(&q()).send().await {
                Ok(v) => {
                    rows.set(Some(v));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let csv = move |_| {
        spawn_local(async move {
            let Some(t) = token() else { return };
            let name = format!("audit-{}.csv", date.get_untracked());
            if let Err(e) = crate::staff::download_with(&t, &api::hq::audit_csv(&q()).path, &name).await {
                error.set(Some(e));
            }
        });
    };
    let table = move || {
        let l = lang.get();
        let v = rows.get()?;
        if v.is_empty() {
            return Some(view! { <p class="muted" role="status">{l.hq().audit_no_entries_match}</p> }.into_any());
        }
        Some(
            view! {
                <p class="roster-count" role="status">{l.plural(l.hq().audit_entries_n, v.len() as f64)}</p>
                <div class="table-wrap" tabindex="0" role="region" aria-label=l.hq().audit_table_region>
                    <table class="roster audit-log">
                        <thead><tr>
                            <th scope="col">{l.hq().audit_when}</th>
                            <th scope="col">{l.hq().audit_what}</th>
                            <th scope="col">{l.hq().audit_who}</th>
                            <th scope="col">{l.hq().common_shelter}</th>
                            <th scope="col">{l.hq().audit_details}</th>
                        </tr></thead>
                        <tbody>
                            {v.into_iter().map(|e| {
                                let details: Vec<String> = e.details.iter().map(|(k, v)| detail_text(k, v, l)).collect();
                                let shelter = e.shelter.as_deref().map(|s| api::shelter_name(s, l)).unwrap_or_default();
                                view! {
                                    <tr class="audit-row" data-action=e.action.clone()>
                                        <td>{l.format_time(e.at)}</td>
                                        <td>{action_label(&e.action, l)}</td>
                                        <td class="audit-actor">{e.actor.clone()}</td>
                                        <td>{shelter}</td>
                                        <td class="audit-details">{details.join(" / ")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any(),
        )
    };
    view! {
        <section class="panel" aria-labelledby="audit-h">
            <h2 id="audit-h">{th(lang, |h| h.common_audit_log)}</h2>
            <p class="hint">{th(lang, |h| h.audit_who_read_changed_personal)}</p>
            <form class="form roster-filter" on:submit=submit>
                <div class="field">
                    <label for="a-date">{th(lang, |h| h.audit_date)}</label>
                    <input id="a-date" type="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="a-action">{th(lang, |h| h.audit_what)}</label>
                    <select id="a-action" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">{th(lang, |h| h.audit_all)}</option>
                        // In the page's language (rebuilt when it changes, the choice kept).
                        {move || {
                            let l = lang.get();
                            ACTIONS.iter().map(|(c, ..)| view! {
                                <option value=*c prop:selected=move || action.with(|a| a == c)>{action_label(c, l)}</option>
                            }).collect_view()
                        }}
                    </select>
                </div>
                <div class="field">
                    <label for="a-actor">{th(lang, |h| h.audit_who_id)}</label>
                    <input id="a-actor" type="text" autocomplete="off" prop:value=move || actor.get() on:input=move |ev| actor.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="a-shelter">{th(lang, |h| h.audit_shelter_id)}</label>
                    <input id="a-shelter" type="text" autocomplete="off" prop:value=move || shelter.get() on:input=move |ev| shelter.set(event_target_value(&ev))/>
                </div>
                <div class="actions">
                    <button type="submit" class="btn" disabled=move || busy.get()>{th(lang, |h| h.audit_show_entries)}</button>
                    <button type="button" class="btn btn-secondary" on:click=csv>{th(lang, |h| h.audit_download_csv)}</button>
                </div>
            </form>
            {move || error.get().map(|e| banner(&e, lang.get()))}
            {table}
        </section>
    }
}

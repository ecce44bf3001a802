//! 監査ログ on the HQ page: who read or changed personal data, when — one day at a time, narrowed
//! by what, who and which shelter, and downloadable as CSV. Reading and downloading it are
//! themselves in the log (the server records them).

use crate::api::{self, ApiError};
use crate::dom;
use crate::hq::{banner, token};
use crate::i18n::{tp, Lang};
use crate::use_lang;
use bosai_types::audit::AuditEntry;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The actions the log holds, as staff would name them.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("roster_view", "名簿の表示", "Roster viewed"),
    ("roster_export", "名簿の書き出し（CSV）", "Roster exported (CSV)"),
    ("scan_preview", "QRコードの確認（受付）", "QR code checked at reception"),
    ("manual_check_out", "手動の退所", "Checked out by hand"),
    ("desk_registered", "窓口での登録", "Registered at the desk"),
    ("desk_record_deleted", "窓口登録の削除", "Desk record deleted"),
    ("card_renewal", "カード更新の紐付け", "Renewed card linked"),
    ("incident_opened", "災害・訓練の開始", "Incident or drill started"),
    ("incident_closed", "災害・訓練の終了", "Incident or drill closed"),
    ("help_requests_view", "救助要請の表示", "Help requests viewed"),
    ("past_roster_view", "過去の災害の名簿の表示", "Past incident roster viewed"),
    ("away_view", "他の市町村に避難中の住民の一覧", "Residents sheltering elsewhere listed"),
    ("resident_data_deleted", "住民によるデータ削除", "Resident deleted their data"),
    ("staff_signed_in", "職員のサインイン", "Staff signed in"),
    ("staff_account_saved", "職員アカウントの保存", "Staff account saved"),
    ("staff_account_removed", "職員アカウントの削除", "Staff account removed"),
    ("audit_view", "監査ログの表示", "Audit log viewed"),
    ("audit_export", "監査ログの書き出し", "Audit log exported"),
];

fn action_label(code: &str, l: Lang) -> String {
    ACTIONS
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, ja, en)| l.pick(ja, en).to_owned())
        .unwrap_or_else(|| code.to_owned())
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
            return Some(view! { <p class="muted" role="status">{l.pick("この条件の記録はありません。", "No entries match.")}</p> }.into_any());
        }
        Some(
            view! {
                <p class="roster-count" role="status">{if l.is_ja() { format!("{}件", v.len()) } else { format!("{} entries", v.len()) }}</p>
                <div class="table-wrap" tabindex="0" role="region" aria-label=l.pick("監査ログ", "Audit log")>
                    <table class="roster audit-log">
                        <thead><tr>
                            <th scope="col">{l.pick("日時", "When")}</th>
                            <th scope="col">{l.pick("操作", "What")}</th>
                            <th scope="col">{l.pick("実施者", "Who")}</th>
                            <th scope="col">{l.pick("避難所", "Shelter")}</th>
                            <th scope="col">{l.pick("詳細", "Details")}</th>
                        </tr></thead>
                        <tbody>
                            {v.into_iter().map(|e| {
                                let details: Vec<String> = e.details.iter().map(|(k, v)| format!("{k}: {v}")).collect();
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
    let l0 = lang.get_untracked();
    view! {
        <section class="panel" aria-labelledby="audit-h">
            <h2 id="audit-h">{tp(lang, "監査ログ", "Audit log")}</h2>
            <p class="hint">{tp(lang, "個人情報を見たり変えたりした記録です。この画面の表示と書き出しも記録されます。", "Who read or changed personal data. Viewing and downloading this log is logged too.")}</p>
            <form class="form roster-filter" on:submit=submit>
                <div class="field">
                    <label for="a-date">{tp(lang, "日付", "Date")}</label>
                    <input id="a-date" type="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="a-action">{tp(lang, "操作", "What")}</label>
                    <select id="a-action" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">{tp(lang, "すべて", "All")}</option>
                        {ACTIONS.iter().map(|(c, ..)| view! { <option value=*c>{action_label(c, l0)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="a-actor">{tp(lang, "実施者（ID）", "Who (id)")}</label>
                    <input id="a-actor" type="text" autocomplete="off" prop:value=move || actor.get() on:input=move |ev| actor.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="a-shelter">{tp(lang, "避難所（ID）", "Shelter (id)")}</label>
                    <input id="a-shelter" type="text" autocomplete="off" prop:value=move || shelter.get() on:input=move |ev| shelter.set(event_target_value(&ev))/>
                </div>
                <div class="actions">
                    <button type="submit" class="btn" disabled=move || busy.get()>{tp(lang, "記録を表示", "Show entries")}</button>
                    <button type="button" class="btn btn-secondary" on:click=csv>{tp(lang, "CSVをダウンロード", "Download CSV")}</button>
                </div>
            </form>
            {move || error.get().map(|e| banner(&e, lang.get()))}
            {table}
        </section>
    }
}

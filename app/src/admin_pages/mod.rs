//! The municipality administrator's part of `/hq` (自治体管理者): loading the municipality's
//! shelters from the CSV it already publishes. Choose the file, see what it would change and
//! every problem with its line and column, then apply. Nothing is written before "取り込む",
//! and nothing at all while any row is wrong (the server checks again).

use crate::api::{self, ApiError};
use crate::i18n::{th, Lang};
use crate::use_lang;
use bosai_types::shelter_import::{ChangeKind, RowProblem, ShelterChange, ShelterImportReport, TextEncoding};
use bosai_types::Problem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Posts the file as it is (the server reads UTF-8 and Shift_JIS) to `…/{code}/{what}`. 200 and
/// 422 both carry a report.
async fn upload<T: serde::de::DeserializeOwned>(
    what: &str,
    code: &str,
    file: &web_sys::File,
    apply: bool,
    token: &str,
) -> Result<T, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Content-Type", "text/csv");
    let _ = headers.set("Authorization", &format!("Bearer {token}"));
    init.set_headers(&headers);
    init.set_body(&JsValue::from(file.clone()));
    let path = api::hq::import_path(code, what, apply);
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&path, &init))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    let text = JsFuture::from(resp.text().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default();
    match resp.status() {
        200 | 422 => api::decode(&text),
        status => Err(serde_json::from_str::<Problem>(&text)
            .map(|problem| ApiError::Problem { status, problem })
            .unwrap_or(ApiError::Http(status))),
    }
}

/// One import section's state: the chosen file, the last report, an error, busy. Shared by
/// the shelter and area imports (choose, preview, apply).
struct CsvUpload<T: Send + Sync + 'static> {
    file: RwSignal<Option<web_sys::File>, LocalStorage>,
    report: RwSignal<Option<T>>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for CsvUpload<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for CsvUpload<T> {}

impl<T: serde::de::DeserializeOwned + Send + Sync + 'static> CsvUpload<T> {
    fn new() -> Self {
        Self {
            file: RwSignal::new_local(None),
            report: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// A new file forgets the last report.
    fn choose(self, ev: &leptos::ev::Event) {
        let input: web_sys::HtmlInputElement = event_target(ev);
        self.file.set(input.files().and_then(|fs| fs.get(0)));
        self.report.set(None);
        self.error.set(None);
    }

    /// Previews (or applies) the chosen file at `…/{code}/{what}`.
    fn send(self, what: &'static str, code: String, token: String, apply: bool, lang: RwSignal<Lang>) {
        let Some(f) = self.file.get_untracked() else {
            self.error.set(Some(lang.get_untracked().hq().admin_pages_choose_csv_file.to_owned()));
            return;
        };
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            match upload(what, code.trim(), &f, apply, &token).await {
                Ok(r) => self.report.set(Some(r)),
                Err(e) => {
                    self.report.set(None);
                    self.error.set(Some(e.message(lang.get_untracked())));
                }
            }
            self.busy.set(false);
        });
    }
}

fn change_label(c: ChangeKind, l: Lang) -> &'static str {
    match c {
        ChangeKind::New => l.hq().admin_pages_new,
        ChangeKind::Updated => l.hq().admin_pages_updated,
        ChangeKind::Unchanged => l.hq().admin_pages_unchanged,
        ChangeKind::Retired => l.hq().admin_pages_retired,
        ChangeKind::Restored => l.hq().admin_pages_restored,
    }
}

fn encoding_label(e: TextEncoding) -> &'static str {
    match e {
        TextEncoding::Utf8 => "UTF-8",
        TextEncoding::Utf8Bom => "UTF-8 (BOM)",
        TextEncoding::ShiftJis => "Shift_JIS",
    }
}

fn problems_table(id: String, caption: &'static str, rows: Vec<RowProblem>, l: Lang) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|p| {
            let line = if p.line == 0 { "—".to_owned() } else { p.line.to_string() };
            let reason = if l.is_ja() { p.reason_ja } else { p.reason };
            view! { <tr><td>{line}</td><td>{p.column.unwrap_or_default()}</td><td>{reason}</td></tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=caption>
            <table class="hq-table" id=id>
                <caption>{caption}</caption>
                <thead><tr><th scope="col">{l.hq().admin_pages_line}</th><th scope="col">{l.hq().admin_pages_column}</th><th scope="col">{l.hq().admin_pages_problem}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn changes_list(changes: &[ShelterChange], l: Lang) -> impl IntoView {
    let items = changes
        .iter()
        .filter(|c| c.change != ChangeKind::Unchanged)
        .map(|c| {
            let people = (c.occupancy > 0).then(|| format!(" ・{}{}", c.occupancy, l.hq().admin_pages_people_checked_in));
            view! { <li><strong>{change_label(c.change, l)}</strong>" " {c.name_ja.clone()} <span class="muted">{format!(" ({})", c.id)}</span>{people}</li> }
        })
        .collect_view();
    view! { <ul class="import-changes">{items}</ul> }
}

fn report_view(r: ShelterImportReport, l: Lang) -> impl IntoView {
    let counts =
        [ChangeKind::New, ChangeKind::Updated, ChangeKind::Unchanged, ChangeKind::Retired, ChangeKind::Restored]
            .into_iter()
            .map(|k| format!("{} {}", change_label(k, l), r.count(k)))
            .collect::<Vec<_>>()
            .join(" / ");
    let head =
        format!("{} ・ {} ・ {}{}", r.format.label_ja(), encoding_label(r.encoding), r.rows, l.hq().admin_pages_rows);
    let ok = r.errors.is_empty();
    let outcome = match (r.applied, ok) {
        (true, _) => l.hq().admin_pages_imported,
        (false, true) => l.hq().admin_pages_no_problems_check_changes,
        (false, false) => l.hq().admin_pages_some_rows_must_be,
    };
    view! {
        <div class="panel" id="import-report">
            <p role="status" class=if ok { "ok" } else { "banner" }>{outcome}</p>
            <p class="muted">{head}</p>
            <p>{counts}</p>
            {(!r.errors.is_empty()).then(|| problems_table("import-errors".into(), l.hq().common_rows_fix, r.errors.clone(), l))}
            {(!r.warnings.is_empty()).then(|| problems_table("import-warnings".into(), l.hq().admin_pages_worth_look, r.warnings.clone(), l))}
            {changes_list(&r.changes, l)}
        </div>
    }
}

#[component]
pub fn ShelterImport(token: String, municipality: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let code = RwSignal::new(municipality.clone().unwrap_or_else(|| crate::staff::MUNICIPALITY.to_owned()));
    let up = CsvUpload::<ShelterImportReport>::new();
    let (report, error, busy) = (up.report, up.error, up.busy);
    let token = StoredValue::new(token);
    let run = move |apply: bool| up.send("shelter-import", code.get_untracked(), token.get_value(), apply, lang);
    let on_file = move |ev: leptos::ev::Event| up.choose(&ev);
    let can_apply =
        move || report.with(|r| r.as_ref().is_some_and(|r| !r.applied && r.errors.is_empty())) && !busy.get();

    view! {
        <section class="panel" aria-labelledby="import-h">
            <h2 id="import-h">{th(lang, |h| h.common_import_shelters)}</h2>
            <p>{th(lang, |h| h.admin_pages_choose_csv_your_municipality)}</p>
            <p class="muted">{th(lang, |h| h.admin_pages_shelters_with_same_id)}</p>
            <div class="form">
                <div class="field">
                    <label for="import-code">{th(lang, |h| h.admin_pages_local_government_code_6)}</label>
                    <input id="import-code" type="text" inputmode="numeric" autocomplete="off" maxlength="6" prop:value=move || code.get()
                        readonly=municipality.is_some() on:input=move |ev| code.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="import-file">{th(lang, |h| h.admin_pages_csv_file)}</label>
                    <input id="import-file" type="file" accept=".csv,text/csv" on:change=on_file/>
                </div>
            </div>
            <div class="actions">
                <button type="button" class="btn btn-secondary" id="import-preview" disabled=move || busy.get() on:click=move |_| run(false)>
                    {th(lang, |h| h.common_check_nothing_imported_yet)}
                </button>
                <button type="button" class="btn" id="import-apply" disabled=move || !can_apply() on:click=move |_| run(true)>
                    {th(lang, |h| h.admin_pages_import)}
                </button>
            </div>
            {move || busy.get().then(|| view! { <p role="status">{th(lang, |h| h.admin_pages_checking)}</p> })}
            {move || error.get().map(|e| view! { <p class="banner" role="alert">{e}</p> })}
            {move || report.get().map(|r| report_view(r, lang.get()))}
        </section>
    }
}

mod lists;
pub use lists::*;

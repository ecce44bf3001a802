//! Importing the lists an administrator keeps current: the municipality's areas (town list) and the prefecture's municipalities.

use super::*;
use crate::i18n::{fill, th, HqTr, Lang};
use crate::use_lang;
use bosai_types::shelter_import::{AreaImportReport, MunicipalityListReport, RowProblem};

/// How a list import's report reads: the sentence for its outcome and its counts.
pub(crate) fn list_report_view(
    id: &'static str,
    outcome: &'static str,
    counts: String,
    errors: Vec<RowProblem>,
    l: Lang,
) -> AnyView {
    let ok = errors.is_empty();
    view! {
        <div class="panel" id=format!("{id}-report")>
            <p role="status" class=if ok { "ok" } else { "banner" }>{outcome}</p>
            <p>{counts}</p>
            {(!ok).then(|| problems_table(format!("{id}-errors"), l.hq().common_rows_fix, errors, l))}
        </div>
    }
    .into_any()
}

pub(crate) fn outcome(applied: bool, ok: bool, done: &'static str, ready: &'static str, l: Lang) -> &'static str {
    match (applied, ok) {
        (true, _) => done,
        (false, true) => ready,
        (false, false) => l.hq().admin_pages_lists_some_rows_must_be,
    }
}

pub(crate) fn area_report_view(r: AreaImportReport, l: Lang) -> AnyView {
    let done = l.hq().admin_pages_lists_imported_residents_now_choose;
    let ready = l.hq().admin_pages_lists_areas_ready;
    let counts = fill(
        l.hq().admin_pages_lists_area_counts,
        &[
            ("encoding", encoding_label(r.encoding)),
            ("rows", &r.rows.to_string()),
            ("areas", &r.areas.to_string()),
            ("added", &r.added.len().to_string()),
            ("renamed", &r.renamed.len().to_string()),
            ("removed", &r.removed.len().to_string()),
            ("other", &r.skipped_other_municipality.to_string()),
            ("abolished", &r.skipped_abolished.to_string()),
        ],
    );
    list_report_view("area-import", outcome(r.applied, r.errors.is_empty(), done, ready, l), counts, r.errors, l)
}

pub(crate) fn municipality_list_report_view(r: MunicipalityListReport, l: Lang) -> AnyView {
    let done = l.hq().admin_pages_lists_imported_used_municipality_names;
    let ready = l.hq().admin_pages_lists_municipalities_ready;
    let counts = fill(
        l.hq().admin_pages_lists_municipality_counts,
        &[
            ("encoding", encoding_label(r.encoding)),
            ("rows", &r.rows.to_string()),
            ("municipalities", &r.municipalities.to_string()),
            ("added", &r.added.len().to_string()),
            ("renamed", &r.renamed.len().to_string()),
            ("other", &r.skipped_other.to_string()),
        ],
    );
    list_report_view("municipality-list", outcome(r.applied, r.errors.is_empty(), done, ready, l), counts, r.errors, l)
}

/// What one list import section says and where it posts.
struct ListImport<T> {
    /// Element id prefix and route: `…/{code}/{id}`.
    id: &'static str,
    heading: fn(&HqTr) -> &'static str,
    intro: fn(&HqTr) -> &'static str,
    file_label: fn(&HqTr) -> &'static str,
    apply_label: fn(&HqTr) -> &'static str,
    report: fn(T, Lang) -> AnyView,
}

/// Choose a file, preview, apply: a list whose rows replace (areas) or update (municipalities)
/// what is stored.
fn list_import<T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static>(
    spec: ListImport<T>,
    token: String,
    municipality: Option<String>,
    applied: fn(&T) -> bool,
    ok: fn(&T) -> bool,
) -> impl IntoView {
    let lang = use_lang();
    let code = StoredValue::new(municipality.unwrap_or_else(|| crate::staff::MUNICIPALITY.to_owned()));
    let up = CsvUpload::<T>::new();
    let (report, error, busy) = (up.report, up.error, up.busy);
    let token = StoredValue::new(token);
    let id = spec.id;
    let run = move |apply: bool| up.send(id, code.get_value(), token.get_value(), apply, lang);
    let on_file = move |ev: leptos::ev::Event| up.choose(&ev);
    let can_apply = move || report.with(|r| r.as_ref().is_some_and(|r| !applied(r) && ok(r))) && !busy.get();
    let render = spec.report;
    let (h, intro, file, apply) = (spec.heading, spec.intro, spec.file_label, spec.apply_label);
    view! {
        <section class="panel" aria-labelledby=format!("{id}-h")>
            <h2 id=format!("{id}-h")>{th(lang, h)}</h2>
            <p>{th(lang, intro)}</p>
            <div class="form">
                <div class="field">
                    <label for=format!("{id}-file")>{th(lang, file)}</label>
                    <input id=format!("{id}-file") type="file" accept=".csv,text/csv" on:change=on_file/>
                </div>
            </div>
            <div class="actions">
                <button type="button" class="btn btn-secondary" id=format!("{id}-preview") disabled=move || busy.get() on:click=move |_| run(false)>
                    {th(lang, |h| h.common_check_nothing_imported_yet)}
                </button>
                <button type="button" class="btn" id=format!("{id}-apply") disabled=move || !can_apply() on:click=move |_| run(true)>
                    {th(lang, apply)}
                </button>
            </div>
            {move || error.get().map(|e| view! { <p class="banner" role="alert">{e}</p> })}
            {move || report.get().map(|r| render(r, lang.get()))}
        </section>
    }
}

/// The areas (地区・町丁目) residents register in: the アドレス・ベース・レジストリ 町字マスター or a
/// code-and-name list, previewed, then applied.
#[component]
pub fn AreaImport(token: String, municipality: Option<String>) -> impl IntoView {
    let spec = ListImport {
        id: "area-import",
        heading: |h| h.areas_heading,
        intro: |h| h.areas_intro,
        file_label: |h| h.areas_file_label,
        apply_label: |h| h.areas_apply_label,
        report: area_report_view,
    };
    list_import(spec, token, municipality, |r: &AreaImportReport| r.applied, |r| r.errors.is_empty())
}

/// The prefecture's municipality list (全国地方公共団体コード): names for codes, and what a card's
/// address is read against.
#[component]
pub fn MunicipalityListImport(token: String, municipality: Option<String>) -> impl IntoView {
    let spec = ListImport {
        id: "municipality-list",
        heading: |h| h.municipality_list_heading,
        intro: |h| h.municipality_list_intro,
        file_label: |h| h.municipality_list_file_label,
        apply_label: |h| h.municipality_list_apply_label,
        report: municipality_list_report_view,
    };
    list_import(spec, token, municipality, |r: &MunicipalityListReport| r.applied, |r| r.errors.is_empty())
}

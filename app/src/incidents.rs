//! Incidents (災害) and drills (訓練) in the apps: the 訓練 banner residents, staff and HQ see
//! while a drill is their municipality's current incident (HQ's panel to open and close them is
//! `hq/incidents.rs`). A drill's check-ins, rosters and counts are its own on the server; the banner says so.

use crate::api::{self};
use crate::dom;
use crate::i18n::Lang;
use crate::use_lang;
use bosai_types::incident::{current, Incident, IncidentKind};
use bosai_types::MunicipalityCode;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The drill that is municipality `m`'s current incident now, if one is (a real incident open
/// there takes precedence, as on the server).
pub fn drill_of(open: &[Incident], m: &str) -> Option<Incident> {
    let m = MunicipalityCode::parse(m).ok()?;
    current(open, &m, dom::now()).filter(|i| i.kind == IncidentKind::Drill).cloned()
}

/// The 「訓練」 tag beside something made in a drill (a notice, a safety report).
pub fn drill_tag(l: Lang) -> impl IntoView {
    view! { " "<span class="drill-tag">{l.tr().drill_tag}</span> }
}

/// The municipality of shelter `id`, from the cached shelter list (its id starts with the
/// code otherwise).
pub fn municipality_of_shelter(id: &str) -> String {
    let listed = api::saved_shelters()
        .and_then(|s| s.data.into_iter().find(|sh| sh.id.as_str() == id))
        .map(|sh| sh.municipality.to_string());
    listed.unwrap_or_else(|| id.chars().take(6).collect())
}

/// Who reads the banner: residents are told it is not a real disaster; staff and HQ that the
/// people and counts on the screen are the drill's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Resident,
    #[cfg(feature = "staff")]
    Staff,
}

fn banner_text(d: &Incident, reader: Reader, l: Lang) -> String {
    let template = match reader {
        Reader::Resident => l.tr().drill_banner,
        #[cfg(feature = "staff")]
        Reader::Staff => l.staff().common_drill_banner,
    };
    crate::i18n::fill(template, &[("name", &d.name)])
}

/// The 訓練 banner for a known drill (HQ's summary says which one it shows).
#[component]
pub fn DrillNotice(drill: Incident, reader: Reader) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p class="drill-banner" role="status">
            <span class="drill-tag" aria-hidden="true">{move || lang.get().tr().drill_tag}</span>
            {move || banner_text(&drill, reader, lang.get())}
        </p>
    }
}

/// The 訓練 banner for municipality `municipality` (its code), from the public list of open
/// incidents; nothing when none is a drill or the list cannot be read (offline).
#[component]
pub fn DrillBanner(#[prop(into)] municipality: Signal<String>, reader: Reader) -> impl IntoView {
    let open = RwSignal::new(Vec::<Incident>::new());
    spawn_local(async move {
        if let Ok(v) = api::public::incidents().send().await {
            open.set(v);
        }
    });
    move || open.with(|o| drill_of(o, &municipality.get())).map(|drill| view! { <DrillNotice drill reader/> })
}

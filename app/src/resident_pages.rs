//! The signed-in resident's screens: household, member details and needs,
//! safety reports, the check-in QR, and "my data" (export, delete).
//! Every write goes through the outbox, so the screens behave the same offline.

use crate::api::{self, ApiError};
use crate::consent::{NeedsConsent, WithdrawConsent};
use crate::i18n::{fill, tx, Lang};
use crate::outbox::Op;
use crate::resident::{self, Invalid};
use crate::session;
use crate::use_lang;
use bosai_types::checkin::{CheckInCredential, CredentialRequest};
use bosai_types::household::{BirthDate, Member, MemberId, MemberInput, MemberView, Relationship, Sex};
use bosai_types::needs::{CareNeed, DietaryNeed, MedicalNeed, NeedsInput, NursingCareLevel, ALLERGENS};
use bosai_types::safety::{SafetyReport, SafetyReportInput, SafetyStatus};
use bosai_types::{ShelterId, Timestamp};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

const SEXES: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Other, Sex::NoAnswer];
const RELATIONSHIPS: [Relationship; 8] = [
    Relationship::Spouse,
    Relationship::Child,
    Relationship::Parent,
    Relationship::Grandparent,
    Relationship::Grandchild,
    Relationship::Sibling,
    Relationship::OtherRelative,
    Relationship::Other,
];
const DIETARY: [DietaryNeed; 10] = [
    DietaryNeed::SoftFood,
    DietaryNeed::PureedFood,
    DietaryNeed::InfantFormulaPowder,
    DietaryNeed::InfantFormulaLiquid,
    DietaryNeed::BabyFood,
    DietaryNeed::LowSalt,
    DietaryNeed::Diabetic,
    DietaryNeed::Halal,
    DietaryNeed::Vegetarian,
    DietaryNeed::Vegan,
];
const MEDICAL: [MedicalNeed; 6] = [
    MedicalNeed::Dialysis,
    MedicalNeed::HomeOxygen,
    MedicalNeed::Ventilator,
    MedicalNeed::Insulin,
    MedicalNeed::RegularMedication,
    MedicalNeed::Stoma,
];
const NURSING: [NursingCareLevel; 7] = [
    NursingCareLevel::Support1,
    NursingCareLevel::Support2,
    NursingCareLevel::Care1,
    NursingCareLevel::Care2,
    NursingCareLevel::Care3,
    NursingCareLevel::Care4,
    NursingCareLevel::Care5,
];
const KINDS: [&str; 4] = ["safe_at_home", "at_shelter", "elsewhere", "needs_help"];

/// The wire name of an enum value ("child", "care3").
fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default().trim_matches('"').to_string()
}

fn from_code<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_str(&format!("\"{s}\"")).ok()
}

fn toggle<T: PartialEq + Copy>(v: &mut Vec<T>, x: T, on: bool) {
    v.retain(|y| *y != x);
    if on {
        v.push(x);
    }
}

fn find(id: &str) -> Option<MemberView> {
    resident::state().shown.with_untracked(|v| v.as_ref()?.members.iter().find(|m| m.member.id.as_str() == id).cloned())
}

// ---- shared pieces --------------------------------------------------------

#[component]
pub fn ResidentNav() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    view! {
        <nav class="res-nav" aria-label=move || t().res_menu>
            <ul>
                <li><A href="/household">{tx(lang, |t| t.nav_household)}</A></li>
                <li><A href="/checkin">{tx(lang, |t| t.nav_checkin)}</A></li>
                <li><A href="/surveys">{tx(lang, |t| t.nav_surveys)}</A></li>
                <li><A href="/notices">{tx(lang, |t| t.nav_notices)}</A></li>
                <li><A href="/mydata">{tx(lang, |t| t.nav_mydata)}</A></li>
            </ul>
        </nav>
    }
}

/// Pending writes and rejected ones, on every page.
#[component]
pub fn OutboxStatus() -> impl IntoView {
    let lang = use_lang();
    let s = resident::state();
    let pending = move || {
        let n = s.pending.with(Vec::len);
        let t = lang.get().tr();
        (n > 0).then(|| {
            view! {
                <p class="pending-bar">
                    <strong class="pending-count">{lang.get().plural(t.pending_n, n as f64)}</strong>" "{t.pending_explain}
                </p>
            }
        })
    };
    let rejected = move || {
        let l = lang.get();
        let r = s.rejected.get();
        (!r.is_empty()).then(|| {
            view! {
                <div class="banner rejected" role="alert">
                    <ul>
                        {r.iter().map(|(_, e)| view! { <li>{l.tr().failed_prefix}": "{e.message(l)}</li> }).collect_view()}
                    </ul>
                    <button type="button" class="btn btn-secondary" on:click=move |_| s.rejected.set(Vec::new())>
                        {l.tr().dismiss}
                    </button>
                </div>
            }
        })
    };
    view! {
        <div class="outbox" role="status">{pending}</div>
        {rejected}
    }
}

pub(crate) fn signed_out(lang: RwSignal<Lang>, title: fn(&crate::i18n::Tr) -> &'static str) -> AnyView {
    view! {
        <h1>{move || title(lang.get().tr())}</h1>
        <p class="banner" role="alert">{move || lang.get().tr().need_signin}</p>
        <p><A href="/" attr:class="btn">{move || lang.get().tr().back_home}</A></p>
    }
    .into_any()
}

/// Offline / error banner and the time of the saved copy (of the household, or of the surveys).
#[component]
pub(crate) fn FetchState(#[prop(optional)] surveys: bool) -> impl IntoView {
    let lang = use_lang();
    let s = resident::state();
    view! {
        {move || {
            let cached = if surveys { s.surveys.with(Option::is_some) } else { s.saved.with(Option::is_some) };
            Some(crate::pages::error_banner(lang.get(), &s.error.get()?, cached))
        }}
        <p class="updated">
            {move || {
                let at = if surveys { s.surveys.with(|v| v.as_ref().map(|v| v.saved_at)) } else { s.saved.with(|v| v.as_ref().map(|v| v.saved_at)) };
                let l = lang.get();
                at.map(|at| format!("{}: {}", l.tr().last_updated, l.format_time(at)))
            }}
        </p>
    }
}

fn pending_badge(lang: Lang, n: usize) -> Option<impl IntoView> {
    (n > 0).then(|| view! { <p class="pending">{lang.tr().pending_badge}</p> })
}

/// The status line after a submit: while the write waits on this phone it says so, and only
/// once the server has it the real confirmation (offline is not "received"). The outbox sends
/// oldest first, so while anything is queued the write just made is too.
fn submitted_status(
    lang: RwSignal<Lang>,
    done: RwSignal<bool>,
    sent: fn(&crate::i18n::Tr) -> &'static str,
) -> impl IntoView {
    move || {
        done.get().then(|| {
            let l = lang.get();
            if resident::state().pending.with(|p| !p.is_empty()) {
                l.tr().outbox_saved_here
            } else {
                sent(l.tr())
            }
        })
    }
}

fn needs_summary(m: &MemberView, l: Lang) -> String {
    let Some(n) = m.needs.as_ref().filter(|n| !n.needs.is_empty()) else {
        return l.tr().not_registered.into();
    };
    let n = &n.needs;
    let sep = l.tr().list_sep;
    let mut parts: Vec<String> = n.allergens.iter().map(|a| l.allergen(*a).to_string()).collect();
    if !n.other_allergies.trim().is_empty() {
        parts.push(n.other_allergies.trim().to_string());
    }
    parts.extend(n.dietary.iter().map(|d| l.dietary(*d).to_string()));
    parts.extend(n.medical.iter().map(|d| l.medical(*d).to_string()));
    parts.extend(n.care.iter().map(|d| l.care(*d).to_string()));
    if let Some(c) = n.nursing_care_level {
        parts.push(l.nursing(c).into());
    }
    parts.join(sep)
}

fn shelter_name(id: &ShelterId, l: Lang) -> String {
    api::shelter_name(id.as_str(), l)
}

fn status_text(st: &SafetyStatus, l: Lang) -> String {
    let kind = l.safety_kind(st.kind());
    match st {
        SafetyStatus::SafeAtHome => kind.into(),
        SafetyStatus::AtShelter { shelter_id } => format!("{kind}: {}", shelter_name(shelter_id, l)),
        SafetyStatus::Elsewhere { place } => format!("{kind}: {place}"),
        SafetyStatus::NeedsHelp { what, location } => format!("{kind}: {what} / {location}"),
    }
}

fn member_card(m: &MemberView, l: Lang) -> impl IntoView {
    let t = l.tr();
    let id = m.member.id.to_string();
    let name = m.member.display_name.clone();
    let (n1, n2) = (name.clone(), name.clone());
    let safety = match &m.safety {
        Some(r) => format!("{}（{}）", status_text(&r.status, l), l.format_time(r.reported_at)),
        None => t.not_registered.into(),
    };
    // Reported during a drill: shown, marked, until the drill ends (then it is deleted).
    let drill = m.safety.as_ref().is_some_and(|r| r.drill.is_some());
    view! {
        <li class="card member" data-member=id.clone()>
            <h3>{name}</h3>
            <p class="meta">
                {l.relationship(m.member.relationship)}" · "{t.birth_short}" "{m.member.birth.map(|b| b.to_string()).unwrap_or_default()}
            </p>
            {pending_badge(l, resident::pending_for(&m.member.id))}
            <dl class="facts">
                <div><dt>{t.safety_heading}</dt><dd class="safety">{safety}{drill.then(|| crate::incidents::drill_tag(l))}</dd></div>
                <div><dt>{t.needs_heading}</dt><dd class="needs">{needs_summary(m, l)}</dd></div>
                {m.checked_in.as_ref().and_then(|c| Some((c.shelter_id.clone()?, c.since, c.drill))).map(|(sid, since, drill)| view! {
                    <div><dt>{l.tr().checked_in_label}</dt><dd class="checked-in">
                        {fill(l.tr().checked_in_at, &[("shelter", &shelter_name(&sid, l)), ("time", &l.format_time(since))])}
                        {drill.then(|| crate::incidents::drill_tag(l))}
                    </dd></div>
                })}
            </dl>
            <div class="actions">
                <A href=format!("/members/{id}") attr:class="btn btn-secondary">
                    {t.edit_link}<span class="sr-only">" "{n1.clone()}</span>
                </A>
                <A href=format!("/safety/{id}") attr:class="btn btn-secondary">
                    {t.report_link}<span class="sr-only">" "{n2.clone()}</span>
                </A>
            </div>
        </li>
    }
}

// ---- household ------------------------------------------------------------

#[component]
pub fn Household() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, |t| t.household_title);
    }
    let s = resident::state();
    resident::sync();
    let list = move || {
        let l = lang.get();
        s.shown.with(|v| match v {
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(v) => view! {
                <ul class="members">{v.members.iter().map(|m| member_card(m, l)).collect_view()}</ul>
            }
            .into_any(),
        })
    };
    view! {
        <h1>{tx(lang, |t| t.household_title)}</h1>
        <ResidentNav/>
        <p class="lead">{tx(lang, |t| t.household_lead)}</p>
        <FetchState/>
        <p><A href="/safety" attr:class="btn btn-wide" attr:id="family-safety">
            {tx(lang, |t| t.report_whole_family)}
        </A></p>
        <section aria-labelledby="members-h">
            <h2 id="members-h">{tx(lang, |t| t.members_heading)}</h2>
            {list}
        </section>
        <section aria-labelledby="add-h" class="panel">
            <h2 id="add-h">{tx(lang, |t| t.add_member_heading)}</h2>
            <MemberForm initial=None/>
        </section>
        <section aria-labelledby="home-h" class="panel">
            <h2 id="home-h">{tx(lang, |t| t.home_heading)}</h2>
            <crate::home_picker::HomePicker/>
        </section>
        <section aria-labelledby="area-h" class="panel">
            <h2 id="area-h">{tx(lang, |t| t.area_label)}</h2>
            <crate::notice_pages::AreaPicker/>
        </section>
    }
    .into_any()
}

/// Add (initial None: a fresh app-chosen id per member) or edit one member.
#[component]
fn MemberForm(initial: Option<Member>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let is_new = initial.is_none();
    let p = if is_new { "new" } else { "edit" };
    let id = RwSignal::new(
        initial
            .as_ref()
            .map(|m| m.id.clone())
            .unwrap_or_else(|| MemberId::parse(&resident::random_id("m-", 12)).expect("valid id")),
    );
    let is_self = id.get_untracked().is_self();
    let name = RwSignal::new(initial.as_ref().map(|m| m.display_name.clone()).unwrap_or_default());
    let birth = RwSignal::new(initial.as_ref().and_then(|m| m.birth).map(|b| b.to_string()).unwrap_or_default());
    let sex = RwSignal::new(initial.as_ref().map_or(Sex::NoAnswer, |m| m.sex));
    let rel = RwSignal::new(initial.as_ref().map_or(Relationship::Child, |m| m.relationship));
    let invalid = RwSignal::new(None::<Invalid>);
    let failed = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);

    let build = move || -> Result<MemberInput, Invalid> {
        // 昭和15年, S15 and 85歳 as well as 1940 or 1940-04-01.
        let parsed = crate::birth::read(&birth.get_untracked())
            .map_err(Invalid::Birth)
            .and_then(|s| BirthDate::parse(&s).map_err(Invalid::Household));
        // Name first (top of the form), with a stand-in birth year while checking it.
        let input = MemberInput {
            display_name: name.get_untracked().trim().to_string(),
            birth: parsed.clone().unwrap_or_else(|_| BirthDate::parse("1900").expect("valid")),
            sex: sex.get_untracked(),
            relationship: rel.get_untracked(),
        };
        let today = api::now().jst_date();
        input.validate(&id.get_untracked(), &today).map_err(Invalid::Household)?;
        let input = MemberInput { birth: parsed?, ..input };
        input.validate(&id.get_untracked(), &today).map_err(Invalid::Household)?;
        Ok(input)
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        failed.set(None);
        let input = match build() {
            Ok(i) => i,
            Err(e) => {
                invalid.set(Some(e));
                return;
            }
        };
        invalid.set(None);
        let member = id.get_untracked();
        spawn_local(async move {
            match resident::submit(Op::PutMember { id: member, input }).await {
                Ok(()) => {
                    done.set(true);
                    if is_new {
                        name.set(String::new());
                        birth.set(String::new());
                        id.set(MemberId::parse(&resident::random_id("m-", 12)).expect("valid id"));
                    }
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };

    let rel_field = if is_self {
        view! {
            <p class="field">
                <span class="label">{tx(lang, |t| t.relationship_label)}</span>
                <span>{move || lang.get().relationship(Relationship::Myself)}</span>
            </p>
        }
        .into_any()
    } else {
        view! {
            <p class="field">
                <label for=format!("{p}-rel")>{tx(lang, |t| t.relationship_label)}</label>
                <select id=format!("{p}-rel") on:change=move |ev| {
                    if let Some(v) = from_code(&event_target_value(&ev)) { rel.set(v) }
                }>
                    {RELATIONSHIPS.iter().map(|r| {
                        let r = *r;
                        view! { <option value=code(&r) selected=move || rel.get() == r>{move || lang.get().relationship(r)}</option> }
                    }).collect_view()}
                </select>
            </p>
        }
        .into_any()
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <p class="field">
                <label for=format!("{p}-name")>{tx(lang, |t| t.name_label)}</label>
                <input id=format!("{p}-name") type="text" autocomplete="off"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </p>
            <p class="field">
                <label for=format!("{p}-birth")>{tx(lang, |t| t.birth_label)}</label>
                <input id=format!("{p}-birth") type="text" autocomplete="off" aria-describedby=format!("{p}-birth-hint")
                    prop:value=move || birth.get() on:input=move |ev| birth.set(event_target_value(&ev))/>
                <span id=format!("{p}-birth-hint") class="hint">{tx(lang, |t| t.birth_hint)}</span>
                <span class="hint birth-reading" aria-live="polite">{move || crate::birth::reading(&birth.get(), lang.get())}</span>
            </p>
            <p class="field">
                <label for=format!("{p}-sex")>{tx(lang, |t| t.sex_label)}</label>
                <select id=format!("{p}-sex") on:change=move |ev| {
                    if let Some(v) = from_code(&event_target_value(&ev)) { sex.set(v) }
                }>
                    {SEXES.iter().map(|x| {
                        let x = *x;
                        view! { <option value=code(&x) selected=move || sex.get() == x>{move || lang.get().sex(x)}</option> }
                    }).collect_view()}
                </select>
            </p>
            {rel_field}
            {move || invalid.get().map(|e| view! { <p class="field-error" role="alert">{e.message(lang.get())}</p> })}
            {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
            <p class="done" role="status">{submitted_status(lang, done, |t| t.saved_notice)}</p>
            <button type="submit" class="btn btn-wide">
                {move || if is_new { t().add_button } else { t().save_button }}
            </button>
        </form>
    }
}

// ---- one member: details, needs, removal ----------------------------------

/// The frame of pages about one member (`/members/:id`, `/safety/:id`): signed-out,
/// loading and unknown-member states; `body` renders the member once it is known.
fn member_frame(
    title: fn(&crate::i18n::Tr) -> &'static str,
    body: impl Fn(RwSignal<Lang>, String, MemberView) -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, title);
    }
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let s = resident::state();
    resident::sync();
    let loaded = Memo::new(move |_| s.shown.with(Option::is_some));
    let exists = Memo::new(move |_| {
        let id = id.get();
        s.shown.with(|v| v.as_ref().is_some_and(|v| v.members.iter().any(|m| m.member.id.as_str() == id)))
    });
    (move || {
        let id = id.get();
        if !loaded.get() {
            return view! { <p class="muted">{tx(lang, |t| t.loading)}</p> }.into_any();
        }
        match exists.get().then(|| untrack(|| find(&id))).flatten() {
            Some(mv) => body(lang, id, mv),
            None => view! {
                <h1>{tx(lang, |t| t.member_missing)}</h1>
                <p><A href="/household" attr:class="btn">{tx(lang, |t| t.nav_household)}</A></p>
            }
            .into_any(),
        }
    })
    .into_any()
}

#[component]
pub fn MemberPage() -> impl IntoView {
    member_frame(
        |t| t.household_title,
        |lang, id, mv| {
            let mid = mv.member.id.clone();
            let mid2 = mid.clone();
            let is_self = mid.is_self();
            let current = move || find_tracked(&id);
            let current2 = current.clone();
            view! {
                <h1>{move || current().map(|m| m.member.display_name)}</h1>
                <ResidentNav/>
                <FetchState/>
                {move || pending_badge(lang.get(), resident::pending_for(&mid2))}
                <section aria-labelledby="basic-h" class="panel">
                    <h2 id="basic-h">{tx(lang, |t| t.basic_heading)}</h2>
                    <MemberForm initial=Some(mv.member.clone())/>
                </section>
                <section aria-labelledby="needs-h" class="panel">
                    <h2 id="needs-h">{tx(lang, |t| t.needs_heading)}</h2>
                    <p class="updated needs-updated">
                        {move || {
                            let l = lang.get();
                            match current2().and_then(|m| m.needs) {
                                Some(n) => format!("{}: {}", l.tr().last_updated, l.format_time(n.updated_at)),
                                None => l.tr().not_registered.to_string(),
                            }
                        }}
                    </p>
                    {
                        let (mid, initial) = (mid.clone(), mv.needs.map(|n| n.needs).unwrap_or_default());
                        view! { <NeedsConsent><NeedsForm id=mid.clone() initial=initial.clone()/></NeedsConsent> }
                    }
                </section>
                {(!is_self).then(|| view! { <RemoveMember id=mid/> })}
            }
            .into_any()
        },
    )
}

fn find_tracked(id: &str) -> Option<MemberView> {
    resident::state().shown.with(|v| v.as_ref()?.members.iter().find(|m| m.member.id.as_str() == id).cloned())
}

fn check_box(
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    set: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=checked on:change=move |ev| set(event_target_checked(&ev))/>
            <span>{label}</span>
        </label>
    }
}

#[component]
fn NeedsForm(id: MemberId, initial: NeedsInput) -> impl IntoView {
    let lang = use_lang();
    let n = RwSignal::new(initial);
    let invalid = RwSignal::new(None::<Invalid>);
    let failed = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let id = StoredValue::new(id);

    let allergen = move |mandatory: bool| {
        ALLERGENS
            .iter()
            .filter(move |a| a.mandatory == mandatory)
            .map(|a| {
                let c = a.code;
                check_box(
                    move || lang.get().allergen(c),
                    move || n.with(|n| n.allergens.contains(&c)),
                    move |on| n.update(|n| toggle(&mut n.allergens, c, on)),
                )
            })
            .collect_view()
    };
    let dietary = DIETARY
        .iter()
        .map(|x| {
            let x = *x;
            check_box(
                move || lang.get().dietary(x),
                move || n.with(|n| n.dietary.contains(&x)),
                move |on| n.update(|n| toggle(&mut n.dietary, x, on)),
            )
        })
        .collect_view();
    let medical = MEDICAL
        .iter()
        .map(|x| {
            let x = *x;
            check_box(
                move || lang.get().medical(x),
                move || n.with(|n| n.medical.contains(&x)),
                move |on| n.update(|n| toggle(&mut n.medical, x, on)),
            )
        })
        .collect_view();
    let care = CareNeed::ALL
        .iter()
        .map(|x| {
            let x = *x;
            check_box(
                move || lang.get().care(x),
                move || n.with(|n| n.care.contains(&x)),
                move |on| n.update(|n| toggle(&mut n.care, x, on)),
            )
        })
        .collect_view();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        failed.set(None);
        let input = n.get_untracked();
        if let Err(e) = input.validate() {
            invalid.set(Some(Invalid::Needs(e)));
            return;
        }
        invalid.set(None);
        let id = id.get_value();
        spawn_local(async move {
            match resident::submit(Op::PutNeeds { id, input }).await {
                Ok(()) => done.set(true),
                Err(e) => failed.set(Some(e)),
            }
        });
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <fieldset>
                <legend>{tx(lang, |t| t.allergens_mandatory)}</legend>
                <div class="checks">{allergen(true)}</div>
            </fieldset>
            <fieldset>
                <legend>{tx(lang, |t| t.allergens_recommended)}</legend>
                <div class="checks">{allergen(false)}</div>
            </fieldset>
            <p class="field">
                <label for="other-allergies">{tx(lang, |t| t.other_allergies)}</label>
                <input id="other-allergies" type="text" prop:value=move || n.with(|n| n.other_allergies.clone())
                    on:input=move |ev| n.update(|n| n.other_allergies = event_target_value(&ev))/>
            </p>
            <fieldset>
                <legend>{tx(lang, |t| t.dietary)}</legend>
                <div class="checks">{dietary}</div>
            </fieldset>
            <fieldset>
                <legend>{tx(lang, |t| t.medical)}</legend>
                <div class="checks">{medical}</div>
            </fieldset>
            <p class="field">
                <label for="medical-note">{tx(lang, |t| t.medical_note)}</label>
                <textarea id="medical-note" rows="3" prop:value=move || n.with(|n| n.medical_note.clone())
                    on:input=move |ev| n.update(|n| n.medical_note = event_target_value(&ev))></textarea>
            </p>
            <fieldset>
                <legend>{tx(lang, |t| t.care)}</legend>
                <div class="checks">{care}</div>
            </fieldset>
            <p class="field">
                <label for="nursing">{tx(lang, |t| t.nursing_level)}</label>
                <select id="nursing" on:change=move |ev| {
                    let v = from_code(&event_target_value(&ev));
                    n.update(|n| n.nursing_care_level = v);
                }>
                    <option value="" selected=move || n.with(|n| n.nursing_care_level.is_none())>{tx(lang, |t| t.nursing_none)}</option>
                    {NURSING.iter().map(|x| {
                        let x = *x;
                        view! { <option value=code(&x) selected=move || n.with(|n| n.nursing_care_level == Some(x))>{move || lang.get().nursing(x)}</option> }
                    }).collect_view()}
                </select>
            </p>
            {move || invalid.get().map(|e| view! { <p class="field-error" role="alert">{e.message(lang.get())}</p> })}
            {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
            <p class="done" role="status">{submitted_status(lang, done, |t| t.saved_notice)}</p>
            <button type="submit" class="btn btn-wide">{tx(lang, |t| t.save_button)}</button>
        </form>
    }
}

#[component]
fn RemoveMember(id: MemberId) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let asking = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(id);
    let navigate = use_navigate();
    let remove = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match resident::submit(Op::DeleteMember { id: id.get_value() }).await {
                Ok(()) => navigate("/household", Default::default()),
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    view! {
        <section class="panel danger-zone" aria-labelledby="remove-h">
            <h2 id="remove-h">{tx(lang, |t| t.remove_button)}</h2>
            {move || if asking.get() {
                let remove = remove.clone();
                view! {
                    <p class="warn" role="alert">{t().remove_confirm}</p>
                    <div class="actions">
                        <button type="button" class="btn btn-danger" on:click=remove>{t().remove_yes}</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| asking.set(false)>{t().cancel}</button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" class="btn btn-secondary" on:click=move |_| asking.set(true)>{t().remove_button}</button>
                }
                .into_any()
            }}
            {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
        </section>
    }
}

// ---- safety ---------------------------------------------------------------

#[component]
pub fn SafetyPage() -> impl IntoView {
    member_frame(
        |t| t.safety_title,
        |lang, _id, mv| {
            let name = mv.member.display_name.clone();
            let mid = mv.member.id.clone();
            view! {
                <h1>{tx(lang, |t| t.safety_title)}": "{name.clone()}</h1>
                <ResidentNav/>
                <FetchState/>
                <SafetyForm only=Some(mid.clone())/>
                <History id=mid/>
            }
            .into_any()
        },
    )
}

/// `/safety`: one report for the whole household (or the members chosen), stored per person.
#[component]
pub fn HouseholdSafety() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, |t| t.safety_title);
    }
    let s = resident::state();
    resident::sync();
    // Memoised: every refresh of the household must not rebuild the form (and lose its state).
    let loaded = Memo::new(move |_| s.shown.with(Option::is_some));
    view! {
        <h1>{tx(lang, |t| t.family_safety_title)}</h1>
        <ResidentNav/>
        <FetchState/>
        {move || match loaded.get() {
            true => view! { <SafetyForm only=None/> }.into_any(),
            false => view! { <p class="muted">{tx(lang, |t| t.loading)}</p> }.into_any(),
        }}
    }
    .into_any()
}

/// The members a report is for: everyone by default (`only` None), or one member.
#[component]
fn SafetyForm(only: Option<MemberId>) -> impl IntoView {
    let lang = use_lang();
    let members: Vec<(MemberId, String)> = resident::state().shown.with_untracked(|v| {
        v.iter().flat_map(|v| &v.members).map(|m| (m.member.id.clone(), m.member.display_name.clone())).collect()
    });
    let chosen = RwSignal::new(match &only {
        Some(id) => vec![id.clone()],
        None => members.iter().map(|(id, _)| id.clone()).collect(),
    });
    let kind = RwSignal::new("safe_at_home");
    let shelters = RwSignal::new(api::saved_shelters().map(|s| s.data).unwrap_or_default());
    if shelters.with_untracked(Vec::is_empty) {
        spawn_local(async move {
            if let Ok(s) = api::shelters().await {
                shelters.set(s.data);
            }
        });
    }
    let shelter = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let what = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<Invalid>);
    let failed = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);

    let build = move || -> Result<Vec<SafetyReportInput>, Invalid> {
        let status = match kind.get_untracked() {
            "at_shelter" => {
                let chosen = shelter.get_untracked();
                let first = shelters.with_untracked(|s| s.first().map(|s| s.id.as_str().to_string()));
                let sid = if chosen.is_empty() { first.unwrap_or_default() } else { chosen };
                SafetyStatus::AtShelter { shelter_id: ShelterId::parse(&sid).map_err(|_| Invalid::NoShelter)? }
            }
            "elsewhere" => SafetyStatus::Elsewhere { place: place.get_untracked().trim().into() },
            "needs_help" => SafetyStatus::NeedsHelp {
                what: what.get_untracked().trim().into(),
                location: location.get_untracked().trim().into(),
            },
            _ => SafetyStatus::SafeAtHome,
        };
        let who = chosen.get_untracked();
        if who.is_empty() {
            return Err(Invalid::NoMemberChosen);
        }
        who.into_iter()
            .map(|member_id| {
                let input =
                    SafetyReportInput { report_id: resident::random_id("r-", 20), member_id, status: status.clone() };
                input.validate().map_err(Invalid::Safety)?;
                Ok(input)
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        failed.set(None);
        let inputs = match build() {
            Ok(i) => i,
            Err(e) => {
                invalid.set(Some(e));
                return;
            }
        };
        invalid.set(None);
        spawn_local(async move {
            // One report per person, all made now; the outbox keeps them until each is sent.
            match resident::submit_all(inputs.into_iter().map(|input| Op::Safety { input }).collect()).await {
                Ok(()) => {
                    done.set(true);
                    for s in [place, what, location] {
                        s.set(String::new());
                    }
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };

    let text_field = move |fid: &'static str, label: fn(&crate::i18n::Tr) -> &'static str, sig: RwSignal<String>| {
        view! {
            <p class="field">
                <label for=fid>{move || label(lang.get().tr())}</label>
                <input id=fid type="text" prop:value=move || sig.get() on:input=move |ev| { sig.set(event_target_value(&ev)); done.set(false) }/>
            </p>
        }
    };
    let details = move || {
        match kind.get() {
        "at_shelter" => view! {
            <p class="field">
                <label for="shelter">{tx(lang, |t| t.shelter_label)}</label>
                <select id="shelter" on:change=move |ev| shelter.set(event_target_value(&ev))>
                    {move || shelters.with(|list| list.iter().map(|x| {
                        let l = lang.get();
                        let label = if l.is_ja() || x.name_en.is_empty() { x.name_ja.clone() } else { x.name_en.clone() };
                        let v = x.id.as_str().to_string();
                        let v2 = v.clone();
                        view! { <option value=v selected=move || shelter.get() == v2>{label}</option> }
                    }).collect_view())}
                </select>
            </p>
        }
        .into_any(),
        "elsewhere" => text_field("place", |t| t.place_label, place).into_any(),
        "needs_help" => view! {
            {text_field("help-what", |t| t.what_label, what)}
            {text_field("help-where", |t| t.where_label, location)}
            // What happens next, before the tap: who sees it, what may follow, how to take it back.
            <div class="help-next" id="help-next">
                <h3 class="sub">{tx(lang, |t| t.help_next_heading)}</h3>
                <ul>
                    <li>{tx(lang, |t| t.help_next_hq)}</li>
                    <li>{tx(lang, |t| t.help_next_contact)}</li>
                    <li>{tx(lang, |t| t.help_next_withdraw)}</li>
                    <li>{tx(lang, |t| t.help_next_emergency)}</li>
                </ul>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    }
    };

    // Whom the report is for; shown when there is more than one person to choose.
    let who = (members.len() > 1).then(|| view! {
        <fieldset class="who">
            <legend>{tx(lang, |t| t.report_for_legend)}</legend>
            <div class="checks">
                {members.into_iter().map(|(id, name)| {
                    let (a, b) = (id.clone(), id.clone());
                    view! {
                        <label class="check">
                            <input type="checkbox" name="who" value=id.to_string() prop:checked=move || chosen.with(|c| c.contains(&a))
                                on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { c.retain(|x| x != &b); if on { c.push(b.clone()) } }); done.set(false) }/>
                            <span>{name}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    });
    view! {
        <form class="form panel" on:submit=submit novalidate>
            {who}
            <fieldset>
                <legend>{tx(lang, |t| t.status_legend)}</legend>
                <div class="checks radios">
                    {KINDS.iter().map(|k| {
                        let k = *k;
                        view! {
                            <label class="check">
                                <input type="radio" name="status" value=k prop:checked=move || kind.get() == k
                                    on:change=move |_| { kind.set(k); done.set(false) }/>
                                <span>{move || lang.get().safety_kind(k)}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            {details}
            {move || invalid.get().map(|e| view! { <p class="field-error" role="alert">{e.message(lang.get())}</p> })}
            {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
            <p class="done" role="status">{submitted_status(lang, done, |t| t.reported_notice)}</p>
            <button type="submit" class="btn btn-wide">{tx(lang, |t| t.send_report)}</button>
        </form>
    }
}

#[component]
fn History(id: MemberId) -> impl IntoView {
    let lang = use_lang();
    let s = resident::state();
    let key = format!("{}history.v1.{id}", resident::PREFIX);
    let items = RwSignal::new(api::load_saved::<Vec<SafetyReport>>(&key).map(|s| s.data).unwrap_or_default());
    let path = format!("/api/safety/history?member_id={id}");
    Effect::new(move |_| {
        s.synced.track();
        let (key, path) = (key.clone(), path.clone());
        spawn_local(async move {
            if let Ok(text) = session::authed_send("GET", &path, None).await {
                if let Ok(list) = api::decode::<Vec<SafetyReport>>(&text) {
                    api::storage_set(&key, &text);
                    api::storage_set(&format!("{key}.at"), &api::now().millis().to_string());
                    items.set(list);
                }
            }
        });
    });
    let id = StoredValue::new(id);
    let rows = move || {
        let l = lang.get();
        let sent = items.get();
        let mut pending: Vec<(SafetyReport, bool)> = s.pending.with(|p| {
            p.iter()
                .filter_map(|q| match &q.op {
                    Op::Safety { input }
                        if input.member_id == id.get_value()
                            && !sent.iter().any(|r| r.report_id == input.report_id) =>
                    {
                        Some((
                            SafetyReport {
                                report_id: input.report_id.clone(),
                                member_id: input.member_id.clone(),
                                status: input.status.clone(),
                                reported_at: q.at,
                                received_at: None,
                                clock_skew_ms: None,
                                drill: None,
                            },
                            true,
                        ))
                    }
                    _ => None,
                })
                .collect()
        });
        pending.reverse();
        pending.extend(sent.into_iter().map(|r| (r, false)));
        if pending.is_empty() {
            return view! { <p class="muted">{l.tr().no_reports}</p> }.into_any();
        }
        view! {
            <ol class="history">
                {pending.into_iter().map(|(r, is_pending)| view! {
                    <li data-report=r.report_id.clone()>
                        <span class="when">{l.format_time(r.reported_at)}</span>
                        <span class="what">{status_text(&r.status, l)}{r.drill.is_some().then(|| crate::incidents::drill_tag(l))}</span>
                        // Sent later than made (it waited offline): say when it reached the city.
                        {r.received_at.filter(|got| got.millis() - r.reported_at.millis() > bosai_types::made::SKEW_NOTED_MS).map(|got| view! {
                            <span class="received">{fill(l.tr().sent_at, &[("time", &l.format_time(got))])}</span>
                        })}
                        {is_pending.then(|| view! { <span class="pending">{l.tr().pending_badge}</span> })}
                    </li>
                }).collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="history-h">
            <h2 id="history-h">{tx(lang, |t| t.history_heading)}</h2>
            {rows}
        </section>
    }
}

// ---- check-in QR ----------------------------------------------------------

const CHECKIN_KEY: &str = "bosai.res.checkin.v1";

/// The last credential and who it names, so the QR shows offline until it expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CachedCredential {
    credential: String,
    expires_at: Timestamp,
    members: Vec<MemberId>,
    names: Vec<String>,
}

pub fn qr_data_url(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build();
    Some(format!("data:image/svg+xml,{}", js_sys::encode_uri_component(&svg)))
}

async fn issue(members: Vec<MemberId>) -> Result<CachedCredential, ApiError> {
    let body = serde_json::to_string(&CredentialRequest { members: members.clone() }).map_err(|_| ApiError::Decode)?;
    let text = session::authed_send("POST", "/api/me/checkin-credential", Some(body)).await?;
    let c: CheckInCredential = api::decode(&text)?;
    let names = members.iter().filter_map(|m| find(m.as_str()).map(|v| v.member.display_name)).collect();
    let cached = CachedCredential { credential: c.credential, expires_at: c.expires_at, members, names };
    if let Ok(json) = serde_json::to_string(&cached) {
        api::storage_set(CHECKIN_KEY, &json);
    }
    Ok(cached)
}

fn online() -> bool {
    web_sys::window().is_some_and(|w| w.navigator().on_line())
}

#[component]
pub fn CheckIn() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return signed_out(lang, |t| t.checkin_title);
    }
    let t = move || lang.get().tr();
    let s = resident::state();
    resident::sync();
    let cached =
        RwSignal::new(api::storage_get(CHECKIN_KEY).and_then(|j| serde_json::from_str::<CachedCredential>(&j).ok()));
    let chosen = RwSignal::new(cached.with_untracked(|c| c.as_ref().map(|c| c.members.clone())));
    let failed = RwSignal::new(None::<ApiError>);
    let none_chosen = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let create = move |members: Vec<MemberId>, quiet: bool| {
        busy.set(true);
        spawn_local(async move {
            match issue(members).await {
                Ok(c) => {
                    cached.set(Some(c));
                    failed.set(None);
                }
                Err(e) if quiet && e.is_offline() => {}
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    // Online: renew the saved one (same people) so it never runs out while the phone has signal.
    if let Some(members) = chosen.get_untracked() {
        if online() {
            create(members, true);
        }
    }
    let members = move || s.shown.with(|v| v.as_ref().map(|v| v.members.clone()).unwrap_or_default());
    let is_chosen = move |id: &MemberId| {
        chosen.with(|c| match c {
            Some(c) => c.contains(id),
            None => true, // everyone until the resident chooses
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let list: Vec<MemberId> = members().into_iter().map(|m| m.member.id).filter(|id| is_chosen(id)).collect();
        none_chosen.set(list.is_empty());
        if !list.is_empty() {
            chosen.set(Some(list.clone()));
            create(list, false);
        }
    };

    let qr = move || {
        let l = lang.get();
        let c = cached.get()?;
        if c.expires_at <= api::now() {
            return Some(view! { <p class="banner" role="alert">{l.tr().checkin_expired}</p> }.into_any());
        }
        let url = qr_data_url(&c.credential)?;
        let ids = c.members.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",");
        Some(
            view! {
                <figure class="qr">
                    <img class="qr-img" src=url alt=l.tr().checkin_qr_alt data-credential=c.credential.clone()
                        data-members=ids/>
                    <figcaption>
                        <ul class="qr-names">{c.names.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
                        <p class="qr-expiry">{l.tr().expires}": "{l.format_time(c.expires_at)}</p>
                    </figcaption>
                </figure>
            }
            .into_any(),
        )
    };

    view! {
        <h1>{tx(lang, |t| t.checkin_title)}</h1>
        <ResidentNav/>
        <p class="lead">{tx(lang, |t| t.checkin_lead)}</p>
        {qr}
        <form class="form panel" on:submit=on_submit novalidate>
            <fieldset>
                <legend>{tx(lang, |t| t.checkin_who)}</legend>
                <div class="checks">
                    {move || members().into_iter().map(|m| {
                        let id = StoredValue::new(m.member.id.clone());
                        let name = m.member.display_name.clone();
                        check_box_owned(name, move || is_chosen(&id.get_value()), move |on| {
                            let all: Vec<MemberId> = members().into_iter().map(|m| m.member.id).collect();
                            chosen.update(|c| {
                                let mut list = c.take().unwrap_or_else(|| all.clone());
                                let me = id.get_value();
                                list.retain(|x| *x != me);
                                if on {
                                    list.push(me);
                                }
                                // Keep the household's order.
                                *c = Some(all.into_iter().filter(|x| list.contains(x)).collect());
                            });
                        })
                    }).collect_view()}
                </div>
            </fieldset>
            {move || none_chosen.get().then(|| view! { <p class="field-error" role="alert">{t().choose_one}</p> })}
            {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
            <button type="submit" class="btn btn-wide" disabled=move || busy.get()>{tx(lang, |t| t.checkin_show)}</button>
        </form>
    }
    .into_any()
}

fn check_box_owned(
    label: String,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    set: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=checked on:change=move |ev| set(event_target_checked(&ev))/>
            <span>{label}</span>
        </label>
    }
}

// ---- my data --------------------------------------------------------------

fn download(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let a: web_sys::HtmlAnchorElement = document().create_element("a").ok()?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Some(())
}

#[component]
pub fn MyData() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    let deleted = RwSignal::new(false);
    if session::load().is_none() {
        return signed_out(lang, |t| t.mydata_title);
    }
    let exported = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    let asking = RwSignal::new(false);
    let understood = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let export = move |_| {
        exported.set(false);
        failed.set(None);
        spawn_local(async move {
            match session::authed_send("GET", "/api/me/export", None).await {
                Ok(text) => exported.set(download("bosai-my-data.json", &text).is_some()),
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    let delete = move |_| {
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            match session::authed_send("DELETE", "/api/me", Some(r#"{"confirm":"delete"}"#.into())).await {
                Ok(_) => {
                    resident::forget_local().await;
                    session::sign_out().await;
                    deleted.set(true);
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };

    view! {
        <h1>{tx(lang, |t| t.mydata_title)}</h1>
        {move || (!deleted.get()).then(|| view! { <ResidentNav/> })}
        <p class="lead">{tx(lang, |t| t.mydata_lead)}</p>
        {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
        {move || if deleted.get() {
            view! {
                <p class="done-big" role="status">{t().deleted}</p>
                <p><A href="/" attr:class="btn">{t().back_home}</A></p>
            }
            .into_any()
        } else {
            view! {
                <section class="panel" aria-labelledby="export-h">
                    <h2 id="export-h">{tx(lang, |t| t.export_heading)}</h2>
                    <p>{tx(lang, |t| t.export_explain)}</p>
                    <button type="button" class="btn btn-wide" on:click=export>{tx(lang, |t| t.export_button)}</button>
                    <p class="done" role="status">{move || exported.get().then(|| t().export_done)}</p>
                </section>
                <WithdrawConsent/>
                <section class="panel danger-zone" aria-labelledby="delete-h">
                    <h2 id="delete-h">{tx(lang, |t| t.delete_heading)}</h2>
                    <p>{tx(lang, |t| t.delete_explain)}</p>
                    {move || if asking.get() {
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || understood.get()
                                    on:change=move |ev| understood.set(event_target_checked(&ev))/>
                                <span>{tx(lang, |t| t.delete_check)}</span>
                            </label>
                            <div class="actions">
                                <button type="button" class="btn btn-danger" on:click=delete
                                    disabled=move || !understood.get() || busy.get()>{tx(lang, |t| t.delete_final)}</button>
                                <button type="button" class="btn btn-secondary" on:click=move |_| {
                                    asking.set(false);
                                    understood.set(false);
                                }>{tx(lang, |t| t.cancel)}</button>
                            </div>
                        }
                        .into_any()
                    } else {
                        view! {
                            <button type="button" class="btn btn-secondary" on:click=move |_| asking.set(true)>
                                {tx(lang, |t| t.delete_start)}
                            </button>
                        }
                        .into_any()
                    }}
                </section>
            }
            .into_any()
        }}
    }
    .into_any()
}

// ---- poster check-in (/c/:code) ----------------------------------------------

/// The resident scanned a shelter's poster: choose who is here, check them in.
#[component]
pub fn PosterCheckIn() -> impl IntoView {
    let lang = use_lang();
    if session::load().is_none() {
        return view! {
            <h1>{tx(lang, |t| t.poster_title)}</h1>
            <p class="banner" role="alert">{move || lang.get().tr().need_signin}</p>
            <p><A href="/" attr:class="btn">{move || lang.get().tr().back_home}</A></p>
        }
        .into_any();
    }
    let code = use_params_map().read_untracked().get("code").unwrap_or_default();
    let s = resident::state();
    resident::sync();
    let chosen = RwSignal::new(None::<Vec<MemberId>>);
    let failed = RwSignal::new(None::<ApiError>);
    let none_chosen = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<usize>);
    // One event id per visit: a retry after a lost answer checks in once.
    let event_id = StoredValue::new({
        let mut b = [0u8; 12];
        if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = c.get_random_values_with_u8_array(&mut b);
        }
        format!("pc-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
    });
    let members = move || s.shown.with(|v| v.as_ref().map(|v| v.members.clone()).unwrap_or_default());
    let is_chosen = move |id: &MemberId| chosen.with(|c| c.as_ref().is_none_or(|c| c.contains(id)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let list: Vec<MemberId> = members().into_iter().map(|m| m.member.id).filter(|id| is_chosen(id)).collect();
        none_chosen.set(list.is_empty());
        if list.is_empty() {
            return;
        }
        let n = list.len();
        let body = serde_json::to_string(&bosai_types::checkin::PosterCheckIn {
            poster: code.clone(),
            event_id: event_id.get_value(),
            members: list,
        });
        busy.set(true);
        spawn_local(async move {
            match session::authed_send("POST", "/api/me/checkins", body.ok()).await {
                Ok(_) => {
                    failed.set(None);
                    done.set(Some(n));
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let t = move || lang.get().tr();
    view! {
        <h1>{tx(lang, |t| t.poster_title)}</h1>
        <ResidentNav/>
        {move || match done.get() {
            Some(n) => {
                let l = lang.get();
                view! { <p class="done-big poster-done" role="status">{l.plural(l.tr().poster_done, n as f64)}</p> }.into_any()
            }
            None => view! {
                <form class="form panel" on:submit=on_submit.clone() novalidate>
                    <fieldset>
                        <legend>{move || t().checkin_who}</legend>
                        <div class="checks">
                            {move || members().into_iter().map(|m| {
                                let id = StoredValue::new(m.member.id.clone());
                                check_box_owned(m.member.display_name.clone(), move || is_chosen(&id.get_value()), move |on| {
                                    let all: Vec<MemberId> = members().into_iter().map(|m| m.member.id).collect();
                                    chosen.update(|c| {
                                        let mut list = c.take().unwrap_or_else(|| all.clone());
                                        let me = id.get_value();
                                        list.retain(|x| *x != me);
                                        if on {
                                            list.push(me);
                                        }
                                        *c = Some(all.into_iter().filter(|x| list.contains(x)).collect());
                                    });
                                })
                            }).collect_view()}
                        </div>
                    </fieldset>
                    {move || none_chosen.get().then(|| view! { <p class="field-error" role="alert">{t().choose_one}</p> })}
                    {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
                    <button type="submit" class="btn btn-wide" disabled=move || busy.get()>{tx(lang, |t| t.poster_submit)}</button>
                </form>
            }.into_any(),
        }}
    }
    .into_any()
}

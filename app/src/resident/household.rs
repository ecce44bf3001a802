//! The household screen (家族・安否): members, what each needs, adding a member.

use super::*;
use crate::api::ApiError;
use crate::dom;
use crate::i18n::{fill, furigana, tx, Lang};
use crate::outbox::Op;
use crate::resident::{self, Invalid};
use crate::session;
use crate::use_lang;
use bosai_types::household::{BirthDate, HelpState, Member, MemberId, MemberInput, MemberView, Relationship, Sex};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

pub(crate) fn needs_summary(m: &MemberView, l: Lang) -> String {
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

pub(crate) fn member_card(m: &MemberView, l: Lang) -> impl IntoView {
    let t = l.tr();
    let id = m.member.id.to_string();
    let name = m.member.display_name.clone();
    let (n1, n2) = (name.clone(), name.clone());
    let safety = match &m.safety {
        Some(r) => {
            let (status, at) = (status_text(&r.status, l), l.format_time(r.reported_at));
            if l.is_ja() {
                format!("{status}（{at}）")
            } else {
                format!("{status} ({at})")
            }
        }
        None => t.not_registered.into(),
    };
    // Reported during a drill: shown, marked, until the drill ends (then it is deleted).
    let drill = m.safety.as_ref().is_some_and(|r| r.drill.is_some());
    // A request for help HQ has taken up or dealt with: said under it.
    let help = m.help.map(|p| {
        let text = if p.state == HelpState::Resolved { t.help_dealt_with } else { t.help_taken_up };
        view! { <span class="help-progress">{fill(text, &[("time", &l.format_time(p.at))])}</span> }
    });
    view! {
        <li class="card member" data-member=id.clone()>
            <h3>{name}</h3>
            <p class="meta">
                {l.relationship(m.member.relationship)}" · "{t.birth_short}" "{m.member.birth.map(|b| b.to_string()).unwrap_or_default()}
            </p>
            {pending_badge(l, resident::pending_for(&m.member.id))}
            <dl class="facts">
                <div><dt>{t.safety_heading}</dt><dd class="safety">{safety}{drill.then(|| crate::incidents::drill_tag(l))}{help}</dd></div>
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
                    {furigana(t.edit_link)}<span class="sr-only">" "{n1.clone()}</span>
                </A>
                <A href=format!("/safety/{id}") attr:class="btn btn-secondary">
                    {furigana(t.report_link)}<span class="sr-only">" "{n2.clone()}</span>
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
    resident::refresh();
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
        {forms(lang)}
    }
    .into_any()
}

/// The forms below the members: a chunk of their own (with the member page's and the notices
/// page's code), fetched once the members show, so opening the page waits for the list only.
#[cfg(feature = "resident")]
fn forms(lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <Suspense fallback=move || view! { <p class="muted">{tx(lang, |t| t.loading)}</p> }>
            {Suspend::new(crate::later::household_forms())}
        </Suspense>
    }
}

/// (The staff bundle has no resident pages: no chunk.)
#[cfg(not(feature = "resident"))]
fn forms(_: RwSignal<Lang>) -> impl IntoView {
    household_forms()
}

/// Adding a member, the home and the area (`later::household_forms` names it).
pub(crate) fn household_forms() -> AnyView {
    let lang = use_lang();
    view! {
        <section aria-labelledby="add-h" class="panel">
            <h2 id="add-h">{tx(lang, |t| t.add_member_heading)}</h2>
            <MemberForm initial=None/>
        </section>
        <section aria-labelledby="home-h" class="panel">
            <h2 id="home-h">{tx(lang, |t| t.home_heading)}</h2>
            <crate::resident::HomePicker/>
        </section>
        <section aria-labelledby="area-h" class="panel">
            <h2 id="area-h">{tx(lang, |t| t.area_label)}</h2>
            <crate::resident::AreaPicker/>
        </section>
    }
    .into_any()
}

/// Add (initial None: a fresh app-chosen id per member) or edit one member.
#[component]
pub(crate) fn MemberForm(initial: Option<Member>) -> impl IntoView {
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
    // A new member's relationship is chosen, never assumed.
    let rel = RwSignal::new(initial.as_ref().map(|m| m.relationship));
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
            relationship: rel.get_untracked().unwrap_or(Relationship::Other),
        };
        let today = dom::now().jst_date();
        input.validate(&id.get_untracked(), &today).map_err(Invalid::Household)?;
        let birth = parsed?;
        let relationship = rel.get_untracked().ok_or(Invalid::NoRelationship)?;
        let input = MemberInput { birth, relationship, ..input };
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
                // Take the resident to the field concerned (the message stays by the button).
                if let Some(f) = e.field() {
                    dom::focus(&format!("{p}-{f}"));
                }
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
                        // The next person starts from a blank form, not this one's answers.
                        name.set(String::new());
                        birth.set(String::new());
                        sex.set(Sex::NoAnswer);
                        rel.set(None);
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
                    if let Some(v) = from_code(&event_target_value(&ev)) { rel.set(Some(v)) }
                }>
                    <option value="" disabled prop:selected=move || rel.get().is_none()>{tx(lang, |t| t.choose_placeholder)}</option>
                    {RELATIONSHIPS.iter().map(|r| {
                        let r = *r;
                        view! { <option value=code(&r) prop:selected=move || rel.get() == Some(r)>{move || lang.get().relationship(r)}</option> }
                    }).collect_view()}
                </select>
            </p>
        }
        .into_any()
    };

    view! {
        // A refusal goes once the resident changes anything: it must not contradict the birth
        // date's reading next to it while they retype.
        <form class="form" on:submit=submit on:input=move |_| invalid.set(None) novalidate>
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
                        view! { <option value=code(&x) prop:selected=move || sex.get() == x>{move || lang.get().sex(x)}</option> }
                    }).collect_view()}
                </select>
            </p>
            {rel_field}
            {refusal(lang, invalid)}
            {failure(lang, failed)}
            <p class="done" role="status">{submitted_status(lang, done, |t| t.saved_notice)}</p>
            <button type="submit" class="btn btn-wide">
                {move || furigana(if is_new { t().add_button } else { t().save_button })}
            </button>
        </form>
    }
}

// ---- one member: details, needs, removal ----------------------------------

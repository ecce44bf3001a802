//! Safety reports (安否): for the whole family or one member, and each member's history.

use super::*;
use crate::api::{self, ApiError};
use crate::i18n::{fill, furigana, tx};
use crate::outbox::Op;
use crate::resident::{self, Invalid};
use crate::session;
use crate::use_lang;
use bosai_types::household::MemberId;
use bosai_types::safety::{phone_number, SafetyReport, SafetyReportInput, SafetyStatus};
use bosai_types::shelter::{Shelter, ShelterStatus};
use bosai_types::ShelterId;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn SafetyPage() -> impl IntoView {
    member_frame(
        |t| t.safety_title,
        |lang, _id, mv| {
            let name = mv.member.display_name.clone();
            let mid = mv.member.id.clone();
            view! {
                <h1>{tx(lang, |t| t.safety_title)}": "<span lang=crate::i18n::name_lang(&name)>{name.clone()}</span></h1>
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
    resident::refresh();
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
pub(crate) fn SafetyForm(only: Option<MemberId>) -> impl IntoView {
    let lang = use_lang();
    // Each member, and whether their last report asks for help.
    let members: Vec<(MemberId, String, bool)> = resident::state().shown.with_untracked(|v| {
        v.iter()
            .flat_map(|v| &v.members)
            .map(|m| {
                let help = m.safety.as_ref().is_some_and(|r| matches!(r.status, SafetyStatus::NeedsHelp { .. }));
                (m.member.id.clone(), m.member.display_name.clone(), help)
            })
            .collect()
    });
    let first_member = members.first().map(|m| m.0.clone());
    // The household's form as the resident left it before the app arrived, if they did.
    let mut handed = only.is_none().then(super::handover::take).flatten();
    // Everyone by default, except who asked for help (one tap must not report them safe) when
    // there is a choice to make: alone, the resident is who the report is for.
    let chosen = RwSignal::new(match (&only, &handed) {
        (Some(id), _) => vec![id.clone()],
        (None, Some(super::handover::Handover { who: Some(who), .. })) => {
            members.iter().filter(|m| who.iter().any(|w| w == m.0.as_str())).map(|m| m.0.clone()).collect()
        }
        (None, _) if members.len() > 1 => members.iter().filter(|m| !m.2).map(|m| m.0.clone()).collect(),
        (None, _) => members.iter().map(|m| m.0.clone()).collect(),
    });
    // No situation chosen until the resident picks one.
    let kind = RwSignal::new(handed.as_ref().map_or("", |h| h.kind));
    let shelters = RwSignal::new(api::saved_shelters().map(|s| s.data).unwrap_or_default());
    if shelters.with_untracked(Vec::is_empty) {
        spawn_local(async move {
            if let Ok(s) = api::shelters().await {
                shelters.set(s.data);
            }
        });
    }
    let mut typed = |f: fn(&mut super::handover::Handover) -> &mut String| {
        RwSignal::new(handed.as_mut().map(|h| std::mem::take(f(h))).unwrap_or_default())
    };
    let shelter = typed(|h| &mut h.shelter);
    let place = typed(|h| &mut h.place);
    let what = typed(|h| &mut h.what);
    let location = typed(|h| &mut h.location);
    let phone = typed(|h| &mut h.phone);
    let invalid = RwSignal::new(None::<Invalid>);
    let failed = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    if let Some(h) = handed {
        if let Some(id) = h.focus {
            crate::dom::focus(&id);
        }
        // A report the loading page was saving: shown as waiting here once the outbox has it
        // (only then; offline is not "received"), and sent like any other.
        if let Some((saving, shown)) = h.saving {
            spawn_local(async move {
                let saved = wasm_bindgen_futures::JsFuture::from(saving).await.is_ok();
                resident::adopt_queued().await;
                match (saved, shown) {
                    (true, true) => done.set(true),
                    (false, true) => failed.set(Some(ApiError::Unsupported)),
                    _ => {}
                }
            });
        }
    }

    let build = move || -> Result<Vec<SafetyReportInput>, Invalid> {
        if chosen.with_untracked(Vec::is_empty) {
            return Err(Invalid::NoMemberChosen);
        }
        let status = match kind.get_untracked() {
            // Chosen by the resident: HQ counts them there (none is assumed).
            "at_shelter" => SafetyStatus::AtShelter {
                shelter_id: ShelterId::parse(&shelter.get_untracked()).map_err(|_| Invalid::NoShelter)?,
            },
            "elsewhere" => SafetyStatus::Elsewhere { place: place.get_untracked().trim().into() },
            "needs_help" => SafetyStatus::NeedsHelp {
                what: what.get_untracked().trim().into(),
                location: location.get_untracked().trim().into(),
                phone: phone_number(&phone.get_untracked()).map_err(Invalid::Safety)?,
            },
            "safe_at_home" => SafetyStatus::SafeAtHome,
            _ => return Err(Invalid::NoStatusChosen),
        };
        chosen
            .get_untracked()
            .into_iter()
            .map(|member_id| {
                let input =
                    SafetyReportInput { report_id: resident::random_id("r-", 20), member_id, status: status.clone() };
                input.validate().map_err(Invalid::Safety)?;
                Ok(input)
            })
            .collect::<Result<Vec<_>, _>>()
    };
    // A second tap while the first is being saved, or on the report just made (every change
    // to the form clears `done`), is the same report: not filed twice.
    let saving = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() || done.get_untracked() {
            return;
        }
        failed.set(None);
        let inputs = match build() {
            Ok(i) => i,
            Err(e) => {
                // Take the resident to what needs changing.
                let to = match &e {
                    Invalid::NoMemberChosen => first_member.clone().map(|m| format!("who-{m}")),
                    e => e.field().map(str::to_string),
                };
                if let Some(id) = to {
                    crate::dom::focus(&id);
                }
                invalid.set(Some(e));
                return;
            }
        };
        invalid.set(None);
        saving.set(true);
        spawn_local(async move {
            // One report per person, all made now; the outbox keeps them until each is sent.
            let saved = resident::submit_all(inputs.into_iter().map(|input| Op::Safety { input }).collect()).await;
            saving.set(false);
            match saved {
                Ok(()) => {
                    done.set(true);
                    for s in [place, what, location, phone] {
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
                // Each of these must be filled (the phone, below, is the optional one).
                <input id=fid type="text" aria-required="true" prop:value=move || sig.get() on:input=move |ev| { sig.set(event_target_value(&ev)); done.set(false) }/>
            </p>
        }
    };
    let details = move || {
        match kind.get() {
        "at_shelter" => view! {
            <p class="field">
                <label for="shelter">{tx(lang, |t| t.shelter_label)}</label>
                <select id="shelter" on:change=move |ev| { shelter.set(event_target_value(&ev)); invalid.set(None); done.set(false) }>
                    <option value="" disabled prop:selected=move || shelter.with(String::is_empty)>{tx(lang, |t| t.choose_placeholder)}</option>
                    // Open shelters first; one not open (as last known) says so.
                    {move || shelters.with(|list| open_first(list).map(|x| {
                        let l = lang.get();
                        let name = if l.is_ja() || x.name_en.is_empty() { &x.name_ja } else { &x.name_en };
                        let label = match x.status {
                            ShelterStatus::Closed => format!("{name} ({})", l.status(x.status)),
                            _ => name.clone(),
                        };
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
            // Optional, and said what for: HQ can only call back on a number it is given.
            <p class="field">
                <label for="help-phone">{tx(lang, |t| t.phone_label)}</label>
                <input id="help-phone" type="tel" inputmode="tel" autocomplete="tel" aria-describedby="help-phone-hint"
                    prop:value=move || phone.get() on:input=move |ev| { phone.set(event_target_value(&ev)); done.set(false) }/>
                <span class="hint" id="help-phone-hint">{tx(lang, |t| t.phone_hint)}</span>
            </p>
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
                {members.into_iter().map(|(id, name, help)| {
                    let (a, b) = (id.clone(), id.clone());
                    let help = help.then(|| view! { " ("{move || lang.get().safety_kind("needs_help")}")" });
                    view! {
                        <label class="check">
                            <input type="checkbox" name="who" id=format!("who-{id}") value=id.to_string() prop:checked=move || chosen.with(|c| c.contains(&a))
                                on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { c.retain(|x| x != &b); if on { c.push(b.clone()) } }); done.set(false) }/>
                            <span>{name}{help}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    });
    view! {
        // A refusal goes once the resident changes anything (as the choice of situation does).
        <form class="form panel" on:submit=submit on:input=move |_| invalid.set(None) novalidate>
            {who}
            <fieldset>
                <legend>{tx(lang, |t| t.status_legend)}</legend>
                <div class="checks radios">
                    {KINDS.iter().map(|k| {
                        let k = *k;
                        view! {
                            <label class="check">
                                <input type="radio" name="status" id=format!("status-{k}") value=k prop:checked=move || kind.get() == k
                                    on:change=move |_| { kind.set(k); invalid.set(None); done.set(false) }/>
                                <span>{move || furigana(lang.get().safety_kind(k))}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            {details}
            {refusal(lang, invalid)}
            {failure(lang, failed)}
            <p class="done" role="status">{submitted_status(lang, done, |t| t.reported_notice)}</p>
            <button type="submit" class="btn btn-wide">{tx(lang, |t| t.send_report)}</button>
        </form>
    }
}

/// The shelters a resident may say they are at: open (or full) ones first, in the list's order.
fn open_first(list: &[Shelter]) -> impl Iterator<Item = &Shelter> {
    let open = |x: &&Shelter| x.status != ShelterStatus::Closed;
    list.iter().filter(open).chain(list.iter().filter(move |x| !open(x)))
}

#[component]
pub(crate) fn History(id: MemberId) -> impl IntoView {
    let lang = use_lang();
    let s = resident::state();
    let key = format!("{}history.v1.{id}", resident::PREFIX);
    let items = RwSignal::new(api::load_saved::<Vec<SafetyReport>>(&key).map(|s| s.data).unwrap_or_default());
    let member = id.clone();
    Effect::new(move |_| {
        s.synced.track();
        let (key, member) = (key.clone(), member.clone());
        spawn_local(async move {
            if let Ok(kept) = api::resident::safety_history(&member).saved(&key).await {
                items.set(kept.data);
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

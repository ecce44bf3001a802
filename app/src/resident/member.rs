//! One member's page: details, needs (要配慮個人情報, after consent) and removal.

use super::*;
use crate::api::ApiError;
use crate::i18n::{tx, Lang};
use crate::outbox::Op;
use crate::resident::NeedsConsent;
use crate::resident::{self, Invalid};
use crate::session;
use crate::use_lang;
use bosai_types::household::{MemberId, MemberView};
use bosai_types::needs::{AllergenCode, CareNeed, DietaryNeed, MedicalNeed, NeedsInput, ALLERGENS};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The frame of pages about one member (`/members/:id`, `/safety/:id`): signed-out,
/// loading and unknown-member states; `body` renders the member once it is known.
pub(crate) fn member_frame(
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
    resident::refresh();
    let loaded = Memo::new(move |_| s.shown.with(Option::is_some));
    let exists = Memo::new(move |_| {
        let id = id.get();
        s.shown.with(|v| v.as_ref().is_some_and(|v| v.members.iter().any(|m| m.member.id.as_str() == id)))
    });
    (move || {
        let id = id.get();
        if !loaded.get() {
            // The page's heading, and why nothing comes when nothing can (offline, never synced).
            return view! {
                <h1>{tx(lang, title)}</h1>
                <FetchState/>
                <p class="muted">{tx(lang, |t| t.loading)}</p>
            }
            .into_any();
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
                <h1 lang=crate::i18n::name_lang(&mv.member.display_name)>{move || current().map(|m| m.member.display_name)}</h1>
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

/// One box of the needs form, and the list of `NeedsInput` it is in.
#[derive(Clone, Copy)]
enum NeedBox {
    Allergen(AllergenCode),
    Dietary(DietaryNeed),
    Medical(MedicalNeed),
    Care(CareNeed),
}

impl NeedBox {
    fn label(self, l: Lang) -> &'static str {
        match self {
            NeedBox::Allergen(x) => l.allergen(x),
            NeedBox::Dietary(x) => l.dietary(x),
            NeedBox::Medical(x) => l.medical(x),
            NeedBox::Care(x) => l.care(x),
        }
    }

    fn is_in(self, n: &NeedsInput) -> bool {
        match self {
            NeedBox::Allergen(x) => n.allergens.contains(&x),
            NeedBox::Dietary(x) => n.dietary.contains(&x),
            NeedBox::Medical(x) => n.medical.contains(&x),
            NeedBox::Care(x) => n.care.contains(&x),
        }
    }

    fn set(self, n: &mut NeedsInput, on: bool) {
        match self {
            NeedBox::Allergen(x) => toggle(&mut n.allergens, x, on),
            NeedBox::Dietary(x) => toggle(&mut n.dietary, x, on),
            NeedBox::Medical(x) => toggle(&mut n.medical, x, on),
            NeedBox::Care(x) => toggle(&mut n.care, x, on),
        }
    }
}

#[component]
pub(crate) fn NeedsForm(id: MemberId, initial: NeedsInput) -> impl IntoView {
    let lang = use_lang();
    let n = RwSignal::new(initial);
    let invalid = RwSignal::new(None::<Invalid>);
    let failed = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let id = StoredValue::new(id);

    // One closure type for every box: each distinct one would be its own render code.
    let boxes = move |items: Vec<NeedBox>| {
        items
            .into_iter()
            .map(|b| {
                check_box(
                    move || b.label(lang.get()),
                    move || n.with(|n| b.is_in(n)),
                    move |on| n.update(|n| b.set(n, on)),
                )
            })
            .collect_view()
    };
    let allergen = move |mandatory: bool| {
        boxes(ALLERGENS.iter().filter(|a| a.mandatory == mandatory).map(|a| NeedBox::Allergen(a.code)).collect())
    };
    let dietary = boxes(DIETARY.iter().map(|x| NeedBox::Dietary(*x)).collect());
    let medical = boxes(MEDICAL.iter().map(|x| NeedBox::Medical(*x)).collect());
    let care = boxes(CareNeed::ALL.iter().map(|x| NeedBox::Care(*x)).collect());

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
        <form id="needs-form" class="form" tabindex="-1" aria-labelledby="needs-h" on:submit=submit novalidate>
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
            {refusal(lang, invalid)}
            {failure(lang, failed)}
            <p class="done" role="status">{submitted_status(lang, done, |t| t.saved_notice)}</p>
            <button type="submit" class="btn btn-wide">{tx(lang, |t| t.save_button)}</button>
        </form>
    }
}

#[component]
pub(crate) fn RemoveMember(id: MemberId) -> impl IntoView {
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
            {failure(lang, failed)}
        </section>
    }
}

// ---- safety ---------------------------------------------------------------

//! Desk registration (受付): people without a phone or card, each row one person.

use super::*;
use crate::api;
use crate::birth::this_year;
use crate::i18n::fill;
use crate::resident::qr_data_url;
use crate::staff::{self};
use crate::use_lang;
use bosai_types::desk::{DeskError, DeskPerson, DeskRegistered, DeskRegistration};
use bosai_types::household::{HouseholdError, Sex};
use bosai_types::needs::{AllergenCode, CareNeed, NeedsInput, ALLERGENS};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Clone, Copy)]
pub(crate) struct Row {
    pub(crate) key: u32,
    pub(crate) name: RwSignal<String>,
    pub(crate) birth: RwSignal<String>,
    pub(crate) sex: RwSignal<Sex>,
    pub(crate) allergens: RwSignal<Vec<AllergenCode>>,
    /// 車いす and the like: on the roster and in HQ's counts (without the name).
    pub(crate) care: RwSignal<Vec<CareNeed>>,
}

impl Row {
    fn new(key: u32) -> Self {
        Row {
            key,
            name: RwSignal::new(String::new()),
            birth: RwSignal::new(String::new()),
            sex: RwSignal::new(Sex::NoAnswer),
            allergens: RwSignal::new(vec![]),
            care: RwSignal::new(vec![]),
        }
    }
}

#[component]
pub(crate) fn Desk(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let s = staff::state();
    let next = StoredValue::new(1u32);
    let rows = RwSignal::new(vec![Row::new(0)]);
    // Kept across retries so a lost answer does not register twice.
    let reg_id = StoredValue::new(staff::new_registration_id());
    let error = RwSignal::new(None::<String>);
    // The field at fault (its id), marked `aria-invalid`.
    let invalid = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<(DeskRegistered, Vec<String>)>);
    let shelter = StoredValue::new(shelter);

    let add = move |_| {
        let k = next.get_value();
        next.set_value(k + 1);
        rows.update(|r| r.push(Row::new(k)));
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let all = rows.get_untracked();
        // A person's fault is said with which person it is, marked on the field, and focused.
        let refuse = |at: usize, key: u32, field: &str, message: String| {
            let who = fill(l.staff().desk_person_n, &[("n", &(at + 1).to_string())]);
            error.set(Some(format!("{who}: {message}")));
            let id = format!("desk-{field}-{key}");
            invalid.set(Some(id.clone()));
            focus(&id);
        };
        let mut people = Vec::new();
        for (at, r) in all.iter().enumerate() {
            let birth = r.birth.get_untracked();
            // A row added and left empty is not a person (it used to block the registration).
            let empty = r.name.with_untracked(|n| n.trim().is_empty())
                && birth.trim().is_empty()
                && r.allergens.with_untracked(Vec::is_empty)
                && r.care.with_untracked(Vec::is_empty);
            if empty && all.len() > 1 {
                continue;
            }
            let birth_year = match crate::birth::read_year(&birth) {
                Ok(y) => y,
                Err(e) => return refuse(at, r.key, "birth", crate::birth::message(e, l)),
            };
            let name = r.name.get_untracked().trim().to_owned();
            let one = DeskRegistration {
                registration_id: reg_id.get_value(),
                people: vec![DeskPerson {
                    name: name.clone(),
                    birth_year,
                    sex: Sex::NoAnswer,
                    needs: NeedsInput::default(),
                }],
                check_in: true,
            };
            if let Err(e) = one.validate(this_year()) {
                let field = if matches!(e, DeskError::Person(HouseholdError::BadBirthDate)) { "birth" } else { "name" };
                return refuse(at, r.key, field, if l.is_ja() { e.message_ja().to_string() } else { e.to_string() });
            }
            people.push(DeskPerson {
                name: r.name.get_untracked().trim().to_owned(),
                birth_year,
                sex: r.sex.get_untracked(),
                needs: NeedsInput {
                    allergens: r.allergens.get_untracked(),
                    care: r.care.get_untracked(),
                    ..Default::default()
                },
            });
        }
        let reg = DeskRegistration { registration_id: reg_id.get_value(), people, check_in: true };
        if let Err(e) = reg.validate(this_year()) {
            error.set(Some(if l.is_ja() { e.message_ja().to_string() } else { e.to_string() }));
            return;
        }
        let names: Vec<String> = reg.people.iter().map(|p| p.name.clone()).collect();
        error.set(None);
        invalid.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::shelter::register_at_desk(&shelter.get_value(), &reg).send().await {
                Ok(d) => {
                    done.set(Some((d, names)));
                    reg_id.set_value(staff::new_registration_id());
                    rows.set(vec![Row::new(next.get_value())]);
                    next.set_value(next.get_value() + 1);
                    focus("desk-qr-h");
                }
                Err(e) => error.set(Some(match e.status() {
                    Some(401) => l.staff().common_staff_token_has_expired.to_string(),
                    _ => e.message(l),
                })),
            }
            busy.set(false);
        });
    };

    let row_view = move |r: Row| {
        let l = lang.get_untracked();
        let id = |f: &str| format!("desk-{}-{}", f, r.key);
        let marked = move |id: String| move || invalid.with(|i| i.as_deref() == Some(id.as_str())).then_some("true");
        let removable = rows.with_untracked(|v| v.len() > 1);
        view! {
            <fieldset class="desk-person">
                <legend>{l.staff().desk_person}</legend>
                <div class="field">
                    <label for=id("name")>{l.staff().common_name}</label>
                    <input id=id("name") type="text" autocomplete="off" aria-invalid=marked(id("name")) prop:value=move || r.name.get() on:input=move |ev| { invalid.set(None); r.name.set(event_target_value(&ev)) }/>
                </div>
                <div class="field">
                    <label for=id("birth")>{l.staff().desk_birth_year_age_if}</label>
                    <input id=id("birth") type="text" autocomplete="off" aria-invalid=marked(id("birth")) aria-describedby=id("birth-hint") prop:value=move || r.birth.get() on:input=move |ev| { invalid.set(None); r.birth.set(event_target_value(&ev)) }/>
                    <span id=id("birth-hint") class="hint">{l.staff().desk_e_g_1940_sh}</span>
                    <span class="hint birth-reading" aria-live="polite">{move || crate::birth::reading(&r.birth.get(), lang.get())}</span>
                </div>
                <div class="field">
                    <label for=id("sex")>{l.staff().common_sex}</label>
                    <select id=id("sex") on:change=move |ev| { if let Some(x) = from_code::<Sex>(&event_target_value(&ev)) { r.sex.set(x) } }>
                        {[Sex::NoAnswer, Sex::Female, Sex::Male, Sex::Other].into_iter().map(|x| view! { <option value=code(&x) selected=x == r.sex.get_untracked()>{l.sex(x)}</option> }).collect_view()}
                    </select>
                </div>
                <details>
                    <summary>{l.staff().desk_food_allergies_28_items}</summary>
                    <div class="checks">
                        {ALLERGENS.iter().map(|a| {
                            let c = a.code;
                            view! { <label class="check"><input type="checkbox"
                                prop:checked=move || r.allergens.with(|v| v.contains(&c))
                                on:change=move |ev| { let on = event_target_checked(&ev); r.allergens.update(|v| { v.retain(|x| *x != c); if on { v.push(c) } }) }/>
                                <span>{if l.is_ja() { a.ja } else { a.en }}</span></label> }
                        }).collect_view()}
                    </div>
                </details>
                <details>
                    <summary>{l.staff().desk_care_needs}</summary>
                    <p class="hint">{l.staff().desk_care_needs_hint}</p>
                    <div class="checks">
                        {CareNeed::ALL.into_iter().map(|c| {
                            view! { <label class="check"><input type="checkbox"
                                prop:checked=move || r.care.with(|v| v.contains(&c))
                                on:change=move |ev| { let on = event_target_checked(&ev); r.care.update(|v| { v.retain(|x| *x != c); if on { v.push(c) } }) }/>
                                <span>{l.care(c)}</span></label> }
                        }).collect_view()}
                    </div>
                </details>
                {removable.then(|| view! { <button type="button" class="btn btn-secondary" on:click=move |_| rows.update(|v| v.retain(|x| x.key != r.key))>{l.staff().desk_remove_person}</button> })}
            </fieldset>
        }
    };

    let result = move || {
        let l = lang.get();
        let (d, names) = done.get()?;
        let url = qr_data_url(&d.credential)?;
        Some(view! {
            <div id="desk-print" class="print-area">
                <figure class="qr">
                    <h3 id="desk-qr-h" tabindex="-1">{l.staff().desk_check_in_qr_code}</h3>
                    <img class="qr-img desk-qr" src=url alt=l.staff().desk_check_qr_code data-credential=d.credential.clone()/>
                    <figcaption>
                        <ul class="qr-names">{names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                        <p class="qr-expiry">{l.staff().desk_valid_until}": "{l.format_time(d.expires_at)}</p>
                        <p class="hint">{l.staff().desk_show_qr_code_reception}</p>
                    </figcaption>
                </figure>
                <button type="button" class="btn no-print" on:click=move |_| print_only("desk-print")>{l.staff().common_print}</button>
            </div>
        })
    };

    view! {
        <section class="panel" aria-labelledby="desk-h">
            <h2 id="desk-h">{move || t().staff().desk_desk_registration_no_card}</h2>
            {move || (!s.online.get()).then(|| view! { <p class="banner" role="alert">{t().staff().desk_desk_registration_needs_network}</p> })}
            <form class="form" on:submit=submit novalidate>
                <For each=move || rows.get() key=|r| r.key children=row_view/>
                <button type="button" class="btn btn-secondary" on:click=add>{move || t().staff().desk_add_family_member}</button>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-wide" disabled=move || busy.get() || !s.online.get()>{move || t().staff().desk_register_check_in}</button>
            </form>
            {result}
        </section>
    }
}

// ---- roster ------------------------------------------------------------------------------

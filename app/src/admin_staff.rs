//! The administrator's staff records on `/hq` (職員アカウント): who may sign in here with their
//! organisation account, as what, for which shelters. The account id is the identity
//! provider's `sub` (a person who signs in before they have a record is shown theirs).

use crate::api::{self, ApiError};
use crate::i18n::{th, Lang};
use crate::use_lang;
use bosai_types::staff::{StaffAccount, StaffAccountInput, StaffRole};
use bosai_types::Shelter;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn role_label(r: StaffRole, l: Lang) -> &'static str {
    match r {
        StaffRole::ShelterStaff => l.hq().admin_staff_shelter_staff,
        StaffRole::Hq => l.hq().common_disaster_hq,
        StaffRole::Admin => l.hq().admin_staff_administrator,
        StaffRole::PrefectureHq => l.hq().common_prefecture_hq,
    }
}

#[component]
pub fn StaffRecords(token: String, municipality: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let code = StoredValue::new(municipality.unwrap_or_else(|| crate::staff::MUNICIPALITY.to_owned()));
    let token = StoredValue::new(token);
    let records = RwSignal::new(Vec::<StaffAccount>::new());
    let shelters = RwSignal::new(Vec::<Shelter>::new());
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (subject, name, role) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(StaffRole::ShelterStaff));
    let assigned = RwSignal::new(Vec::<String>::new());
    let removing = RwSignal::new(None::<String>);

    let load = move || {
        spawn_local(async move {
            match api::hq::staff_accounts(&code.get_value()).send_with_token(&token.get_value()).await {
                Ok(list) => records.set(list),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    // The administered municipality's shelters (one deployment serves several).
    spawn_local(async move {
        if let Ok(list) = api::public::shelters(Some(&code.get_value())).send().await {
            shelters.set(list);
        }
    });
    let shelter_name = move |id: &str| {
        shelters
            .with(|s| s.iter().find(|x| x.id.as_str() == id).map(|x| x.name_ja.clone()))
            .unwrap_or_else(|| id.to_owned())
    };

    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = StaffAccountInput {
            name: name.get_untracked(),
            role: role.get_untracked(),
            shelters: if role.get_untracked() == StaffRole::ShelterStaff { assigned.get_untracked() } else { vec![] },
        };
        let sub = subject.get_untracked().trim().to_owned();
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let call = api::hq::put_staff_account(&code.get_value(), &sub, &input);
            match call.done_with_token(&token.get_value()).await {
                Ok(_) => {
                    done.set(Some(input.name));
                    subject.set(String::new());
                    name.set(String::new());
                    assigned.set(vec![]);
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let remove = move |sub: String| {
        spawn_local(async move {
            match api::hq::delete_staff_account(&code.get_value(), &sub).done_with_token(&token.get_value()).await {
                Ok(_) => {
                    removing.set(None);
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let rows = move || {
        let l = lang.get();
        records
            .get()
            .into_iter()
            .map(|a| {
                let names = a.shelters.iter().map(|s| shelter_name(s)).collect::<Vec<_>>().join("、");
                let (s1, s2, s3) = (a.subject.clone(), a.subject.clone(), a.subject.clone());
                view! {
                    <tr>
                        <th scope="row">{a.name.clone()}</th>
                        <td class="staff-subject">{a.subject.clone()}</td>
                        <td>{role_label(a.role, l)}</td>
                        <td>{names}</td>
                        <td>
                            {move || if removing.get().as_deref() == Some(s1.as_str()) {
                                let s = s2.clone();
                                view! {
                                    <button type="button" class="btn btn-danger" on:click=move |_| remove(s.clone())>{th(lang, |h| h.admin_staff_yes_remove)}</button>
                                    <button type="button" class="btn btn-secondary" on:click=move |_| removing.set(None)>{th(lang, |h| h.admin_staff_cancel)}</button>
                                }.into_any()
                            } else {
                                let s = s3.clone();
                                view! { <button type="button" class="btn btn-secondary" on:click=move |_| removing.set(Some(s.clone()))>{th(lang, |h| h.admin_staff_remove)}</button> }.into_any()
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let role_radio = move |r: StaffRole| {
        view! {
            <label class="check">
                <input type="radio" name="staff-role" prop:checked=move || role.get() == r on:change=move |_| role.set(r)/>
                <span>{move || role_label(r, lang.get())}</span>
            </label>
        }
    };
    let shelter_boxes = move || {
        shelters
            .get()
            .into_iter()
            .map(|s| {
                let id = s.id.to_string();
                let (i1, i2) = (id.clone(), id.clone());
                view! {
                    <label class="check">
                        <input type="checkbox" name="staff-shelter" value=id
                            prop:checked=move || assigned.with(|v| v.contains(&i1))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let i = i2.clone();
                                assigned.update(|v| { v.retain(|x| *x != i); if on { v.push(i); } });
                            }/>
                        <span>{s.name_ja.clone()}</span>
                    </label>
                }
            })
            .collect_view()
    };

    view! {
        <section class="panel" aria-labelledby="staff-h">
            <h2 id="staff-h">{th(lang, |h| h.common_staff_accounts)}</h2>
            <p>{th(lang, |h| h.admin_staff_who_may_sign_in)}</p>
            {move || error.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
            <div class="table-wrap" tabindex="0" role="region" aria-label=th(lang, |h| h.admin_staff_registered_staff)>
                <table class="hq-table" id="staff-records">
                    <caption>{th(lang, |h| h.admin_staff_registered_staff)}</caption>
                    <thead><tr>
                        <th scope="col">{th(lang, |h| h.common_name)}</th>
                        <th scope="col">{th(lang, |h| h.admin_staff_account_id)}</th>
                        <th scope="col">{th(lang, |h| h.admin_staff_role)}</th>
                        <th scope="col">{th(lang, |h| h.admin_staff_shelters)}</th>
                        <th scope="col">{th(lang, |h| h.admin_staff_actions)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h3 class="sub">{th(lang, |h| h.admin_staff_add_change_staff_member)}</h3>
            <p class="done" role="status">{move || done.get().map(|n| crate::i18n::fill(lang.get().hq().admin_staff_saved_named, &[("name", &n)]))}</p>
            <form class="form" on:submit=save novalidate>
                <div class="field">
                    <label for="staff-subject">{th(lang, |h| h.admin_staff_account_id_identity_provider)}</label>
                    <input id="staff-subject" type="text" autocomplete="off" spellcheck="false" maxlength="255" required
                        prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="staff-name">{th(lang, |h| h.common_name)}</label>
                    <input id="staff-name" type="text" autocomplete="off" maxlength="100" required
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <fieldset class="checks radios">
                    <legend>{th(lang, |h| h.admin_staff_role)}</legend>
                    {role_radio(StaffRole::ShelterStaff)}
                    {role_radio(StaffRole::Hq)}
                    {role_radio(StaffRole::Admin)}
                </fieldset>
                <fieldset class="checks" hidden=move || role.get() != StaffRole::ShelterStaff>
                    <legend>{th(lang, |h| h.admin_staff_assigned_shelters)}</legend>
                    {shelter_boxes}
                </fieldset>
                <button type="submit" class="btn btn-wide" disabled=move || busy.get()>{th(lang, |h| h.admin_staff_save)}</button>
            </form>
        </section>
    }
}

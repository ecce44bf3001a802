//! Scanning at reception: the scan form, the queue of scans waiting to be sent, and the tools for a stuck queue.

use super::*;
use crate::dom;
use crate::i18n::{fill, Lang};
use crate::shelter::{self, Preview};
use crate::staff::{self, QueuedScan, Refusal};
use crate::use_lang;
use bosai_types::checkin::{CheckInClaims, CredentialError, EventKind};
use bosai_types::household::MemberId;
use bosai_types::jws::JwsError;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

pub(crate) fn refusal_text(r: &Refusal, l: Lang) -> &'static str {
    match r {
        Refusal::NoKeys => l.staff().scan_no_verification_keys_yet,
        Refusal::Invalid(CredentialError::Time(_)) => l.staff().scan_qr_code_has_expired,
        Refusal::Invalid(CredentialError::OtherMunicipality) => l.staff().scan_qr_code_from_another,
        Refusal::Invalid(CredentialError::NoMembers) => l.staff().scan_qr_code_names_nobody,
        Refusal::Invalid(CredentialError::Signature(_)) => l.staff().scan_not_valid_check_in,
    }
}

/// What became of a confirmed scan, as it is now: sent (the server has it), refused (why), or
/// waiting in this device's queue (sending, offline, or stopped by an error and retried).
fn delivery(event_id: &str, done: &str, l: Lang) -> (&'static str, String) {
    let s = staff::state();
    let t = l.staff();
    if let Some(why) = s.rejected.with(|r| r.iter().find(|r| r.event_id == event_id).map(|r| r.message.clone())) {
        return (REFUSED, format!("{done} {} {why}", t.scan_not_accepted));
    }
    if !s.pending.with(|p| p.iter().any(|q| q.event_id == event_id)) {
        return (DONE, format!("{done} {}", t.scan_sent));
    }
    let waiting = if !s.online.get() {
        t.scan_saved_here
    } else if s.blocked.with(Option::is_some) {
        t.scan_not_sent_yet
    } else {
        t.scan_sending
    };
    (WAITING, format!("{done} {waiting}"))
}

/// The scan message's looks: done (green), waiting in the queue (amber), refused (red, an alert).
const DONE: &str = "done scan-msg";
const WAITING: &str = "waiting scan-msg";
const REFUSED: &str = "field-error scan-msg";

#[component]
pub(crate) fn Scan(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let s = staff::state();
    let mode = RwSignal::new(EventKind::CheckIn);
    let raw = RwSignal::new(String::new());
    let candidate = RwSignal::new(None::<(String, CheckInClaims)>);
    let preview = RwSignal::new(Preview::Offline);
    let chosen = RwSignal::new(Vec::<String>::new());
    // (ok?, message)
    let msg = RwSignal::new(None::<(bool, String)>);
    // The last confirmed scan (its event id, "checked in n people"): said to be sent only once
    // the server has it.
    let last = RwSignal::new(None::<(String, String)>);
    let shelter = StoredValue::new(shelter);

    // Once the names are known, only who the scan would move is ticked: checking in someone
    // already here, or out someone who is not, would be "recorded" and change nothing.
    let preselect = move || {
        let (kind, here) = (mode.get_untracked(), shelter.get_value());
        let Some((_, c)) = candidate.get_untracked() else { return };
        let Preview::Found(f) = preview.get_untracked() else { return };
        let moved = |m: &String| {
            f.people.iter().find(|p| p.member_id.as_str() == m.as_str()).is_none_or(|p| p.changed_by(&here, kind))
        };
        let picked: Vec<String> = c.m.iter().filter(|m| moved(m)).cloned().collect();
        // Nothing to record: Enter closes the panel, ready for the next in the queue.
        if picked.is_empty() {
            focus("scan-cancel");
        }
        chosen.set(picked);
    };
    let take = move |text: String| {
        let l = lang.get_untracked();
        let text = text.trim().to_owned();
        if text.is_empty() {
            return;
        }
        candidate.set(None);
        last.set(None);
        let kind = mode.get_untracked();
        if s.pending.with_untracked(|p| p.iter().any(|q| q.credential == text && q.kind == kind)) {
            msg.set(Some((false, l.staff().scan_qr_code_was_already.into())));
            focus("scan-input");
            return;
        }
        spawn_local(async move {
            let mut r = staff::verify(&text);
            // A new signing key (rotation) we have not seen yet: fetch the keys once more.
            if matches!(r, Err(Refusal::NoKeys | Refusal::Invalid(CredentialError::Signature(JwsError::UnknownKey))))
                && staff::online()
                && staff::refresh_jwks().await.is_ok()
            {
                r = staff::verify(&text);
            }
            match r {
                Ok(mut c) => {
                    msg.set(None);
                    // The card holder first, as on the resident's screen.
                    c.m.sort_by_key(|m| m != MemberId::SELF);
                    chosen.set(c.m.clone());
                    preview.set(if staff::online() { Preview::Loading } else { Preview::Offline });
                    candidate.set(Some((text.clone(), c)));
                    focus("scan-confirm");
                    // Names and where each is checked in, when online; the count stands otherwise.
                    let found = shelter::fetch(&shelter.get_value(), &text).await;
                    if candidate.with_untracked(|c| c.as_ref().is_some_and(|(t, _)| *t == text)) {
                        preview.set(found);
                        preselect();
                    }
                }
                Err(e) => {
                    msg.set(Some((false, refusal_text(&e, l).into())));
                    focus("scan-input");
                }
            }
        });
    };
    let on_scan = move |ev: SubmitEvent| {
        ev.prevent_default();
        let v = raw.get_untracked();
        if v.trim().is_empty() {
            // Pressed with the field empty: say what to do, not nothing.
            msg.set(Some((false, lang.get_untracked().staff().scan_nothing_to_read.into())));
            focus("scan-input");
            return;
        }
        raw.set(String::new());
        take(v);
    };
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let Some((credential, c)) = candidate.get_untracked() else { return };
        let picked = chosen.get_untracked();
        if picked.is_empty() {
            msg.set(Some((false, l.staff().scan_choose_least_one_person.into())));
            return;
        }
        let members = (picked.len() != c.m.len())
            .then(|| picked.iter().filter_map(|m| MemberId::parse(m).ok()).collect::<Vec<_>>());
        let kind = mode.get_untracked();
        let q = QueuedScan {
            event_id: staff::new_event_id(),
            shelter: shelter.get_value(),
            kind,
            at: dom::now(),
            credential,
            members,
            count: picked.len(),
        };
        let (n, id) = (q.count, q.event_id.clone());
        spawn_local(async move {
            match staff::enqueue(q).await {
                Ok(()) => {
                    candidate.set(None);
                    let done = match kind {
                        EventKind::CheckIn => l.staff().scan_checked_in_n,
                        EventKind::CheckOut => l.staff().scan_checked_out_n,
                    };
                    msg.set(None);
                    last.set(Some((id, l.plural(done, n as f64))));
                }
                Err(()) => msg.set(Some((false, l.staff().scan_could_not_save_device.into()))),
            }
            focus("scan-input");
        });
    };
    let cancel = move |_| {
        candidate.set(None);
        focus("scan-input");
    };

    let confirm_panel = move || {
        let l = lang.get();
        let (_, c) = candidate.get()?;
        let n = chosen.with(Vec::len);
        let p = preview.get();
        let here = shelter.get_value();
        let checking_in = mode.get() == EventKind::CheckIn;
        if let Preview::Refused(e) = &p {
            return Some(view! {
                <div class="panel scan-confirm">
                    <p class="field-error scan-refused" role="alert">{e.message(l)}</p>
                    <button type="button" class="btn btn-secondary" on:click=cancel>{l.staff().common_close}</button>
                </div>
            }.into_any());
        }
        let found = match &p {
            Preview::Found(f) => Some(f.clone()),
            _ => None,
        };
        let verb = match mode.get() {
            EventKind::CheckIn => l.staff().scan_confirm_check_in,
            EventKind::CheckOut => l.staff().scan_confirm_check_out,
        };
        Some(view! {
            <form class="panel scan-confirm" on:submit=confirm aria-labelledby="confirm-h">
                <h3 id="confirm-h" class="scan-count">{shelter::heading(&c.m, &p, l)}</h3>
                {(n != c.m.len()).then(|| view! { <p class="hint">{fill(l.staff().scan_selected_n, &[("n", &n.to_string())])}</p> })}
                {matches!(p, Preview::Loading).then(|| view! { <p class="muted" role="status">{l.staff().scan_looking_up_names}</p> })}
                {matches!(p, Preview::Offline).then(|| view! { <p class="hint">{l.staff().scan_offline_names_cannot_be}</p> })}
                {found.as_ref().is_some_and(|f| !f.people.iter().any(|x| x.changed_by(&here, mode.get()))).then(|| {
                    let t = if checking_in { l.staff().scan_nobody_to_check_in } else { l.staff().scan_nobody_to_check_out };
                    view! { <p class="banner scan-nothing" role="status">{t}</p> }
                })}
                <fieldset>
                    <legend>{l.staff().scan_people}</legend>
                    <ul class="scan-members checks">
                        {c.m.iter().enumerate().map(|(i, m)| {
                            let id = m.clone();
                            let id2 = m.clone();
                            let person = found.as_ref().and_then(|f| f.people.iter().find(|x| x.member_id.as_str() == m.as_str()).cloned());
                            let label = match person {
                                Some(pp) => shelter::person_line(&pp, &here, checking_in, l).into_any(),
                                None => shelter::offline_label(&c.m, i, l).into_any(),
                            };
                            view! {
                                <li><label class="check">
                                    <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                                        on:change=move |ev| { let on = event_target_checked(&ev); let id = id2.clone(); chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id); } }); }/>
                                    <span>{label}</span>
                                </label></li>
                            }
                        }).collect_view()}
                    </ul>
                </fieldset>
                <button id="scan-confirm" type="submit" class="btn btn-wide btn-big">{verb}</button>
                <button id="scan-cancel" type="button" class="btn btn-secondary" on:click=cancel>{l.staff().scan_cancel}</button>
            </form>
        }.into_any())
    };

    view! {
        <section class="panel" aria-labelledby="scan-h">
            <h2 id="scan-h">{move || t().staff().scan_scan_reception}</h2>
            <fieldset class="checks radios">
                <legend>{move || t().staff().scan_kind}</legend>
                <label class="check"><input type="radio" name="scan-kind" prop:checked=move || mode.get() == EventKind::CheckIn on:change=move |_| { mode.set(EventKind::CheckIn); preselect(); }/>
                    <span>{move || t().staff().scan_check_in_also_move}</span></label>
                <label class="check"><input type="radio" name="scan-kind" prop:checked=move || mode.get() == EventKind::CheckOut on:change=move |_| { mode.set(EventKind::CheckOut); preselect(); }/>
                    <span>{move || t().staff().scan_check_out_leaving}</span></label>
            </fieldset>
            {move || (!s.keys.get()).then(|| view! { <p class="banner" role="alert">{refusal_text(&Refusal::NoKeys, lang.get())}</p> })}
            <form class="form" on:submit=on_scan>
                <div class="field">
                    <label for="scan-input">{move || t().staff().scan_qr_code_scan_with}</label>
                    <input id="scan-input" type="text" autocomplete="off" spellcheck="false" autofocus
                        prop:value=move || raw.get() on:input=move |ev| raw.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="btn">{move || t().staff().scan_read}</button>
            </form>
            // The camera and photo buttons: a chunk (with the decoder's), there a moment after the input.
            <div class="scan-alt">{Suspend::new(crate::later::scan_by_picture(Callback::new(move |c: String| take(c)), msg))}</div>
            <div aria-live="polite">
                {move || {
                    let (class, m) = match msg.get() {
                        Some((true, m)) => (DONE, m),
                        Some((false, m)) => (REFUSED, m),
                        None => last.with(|l| l.as_ref().map(|(id, done)| delivery(id, done, lang.get())))?,
                    };
                    Some(view! { <p class=class role=if class == REFUSED { "alert" } else { "status" }>{m}</p> })
                }}
            </div>
            {confirm_panel}
        </section>
    }
}

#[component]
pub(crate) fn Problems() -> impl IntoView {
    let lang = use_lang();
    let s = staff::state();
    move || {
        let l = lang.get();
        let r = s.rejected.get();
        (!r.is_empty()).then(|| view! {
            <section class="panel problems" aria-labelledby="problems-h">
                <h2 id="problems-h">{l.staff().scan_scans_with_problems}</h2>
                <p class="hint">{l.staff().scan_server_did_not_accept}</p>
                <ul class="problem-list">
                    {r.iter().map(|x| {
                        let reason = match x.code.as_str() {
                            "credential_expired" => l.staff().scan_qr_code_expired,
                            "credential_revoked" => l.staff().scan_qr_code_revoked,
                            "credential_invalid" => l.staff().scan_qr_code_not_valid,
                            "unknown_member" => l.staff().scan_unknown_household_member,
                            _ => l.staff().scan_not_accepted,
                        };
                        view! {
                            <li data-code=x.code.clone()>
                                <strong>{reason}</strong>" "<code>{x.code.clone()}</code>
                                <span class="when">{l.format_time(x.at)}" · "{l.plural(l.staff().common_people_n, x.count as f64)}</span>
                                <span class="hint">{x.message.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button type="button" class="btn btn-secondary" on:click=move |_| staff::dismiss_rejected()>{l.staff().scan_done_clear_list}</button>
            </section>
        })
    }
}

#[component]
pub(crate) fn QueueTools() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let note = RwSignal::new(None::<String>);
    let export = move |_| {
        spawn_local(async move {
            if staff::export_queue().await.is_err() {
                note.set(Some(lang.get_untracked().staff().scan_could_not_export.into()));
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            let l = lang.get_untracked();
            let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
            let parsed =
                serde_json::from_str::<staff::QueueFile>(&text).ok().filter(|f| f.format == staff::QUEUE_FORMAT);
            let msg = match parsed {
                None => l.staff().scan_not_scan_queue_file.to_string(),
                Some(f) => match staff::import(f).await {
                    Ok(n) => l.plural(l.staff().scan_imported_n, n as f64),
                    Err(()) => l.staff().scan_could_not_import_storage.to_string(),
                },
            };
            note.set(Some(msg));
        });
    };
    view! {
        <section class="panel" aria-labelledby="queue-h">
            <h2 id="queue-h">{move || t().staff().scan_waiting_scans}</h2>
            <p class="hint">{move || t().staff().scan_device_that_never_gets}</p>
            <div class="actions">
                <button type="button" class="btn" on:click=move |_| staff::sync()>{move || t().staff().scan_send_now}</button>
                <button type="button" class="btn btn-secondary" on:click=export>{move || t().staff().scan_export_waiting_scans}</button>
                <label class="btn btn-secondary file-btn">
                    <span>{move || t().staff().scan_import_from_file}</span>
                    <input id="queue-import" type="file" accept="application/json,.json" class="sr-only" on:change=import/>
                </label>
            </div>
            {move || note.get().map(|n| view! { <p class="done queue-note" role="status">{n}</p> })}
        </section>
    }
}

// ---- desk registration ---------------------------------------------------------------

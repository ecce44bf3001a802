//! Consent to collecting allergies, medical and care needs (要配慮個人情報の取得への同意). Asked
//! once, before the first needs are entered, with what they are used for; the server refuses
//! needs without it. Remembered on this device (under the resident's prefix, so signing out or
//! deleting forgets it) so needs can still be edited offline once it was given.

use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::tx;
use crate::resident::failure;
use crate::{resident, session, use_lang};
use bosai_types::consent::{ConsentInput, SENSITIVE_DATA_CONSENT_VERSION};
use leptos::prelude::*;
use leptos::task::spawn_local;

const KEY: &str = "bosai.res.consent.v1";

fn given_here() -> bool {
    dom::storage_get(KEY).as_deref() == Some(SENSITIVE_DATA_CONSENT_VERSION)
}

fn remember(given: bool) {
    if given {
        dom::storage_set(KEY, SENSITIVE_DATA_CONSENT_VERSION);
    } else {
        dom::storage_remove(KEY);
    }
}

/// Whether the current consent is given: this device's memory now, the server's answer once it
/// comes (another device may have given or withdrawn it).
fn consent_given() -> RwSignal<bool> {
    let given = RwSignal::new(given_here());
    spawn_local(async move {
        if let Ok(me) = session::me().await {
            let current = me.consent.as_ref().is_some_and(|c| c.is_current());
            remember(current);
            given.set(current);
        }
    });
    given
}

/// Shows `children` (the needs form) once the resident agreed to the current text; until then,
/// the text and one button to agree.
#[component]
pub fn NeedsConsent(children: ChildrenFn) -> impl IntoView {
    let lang = use_lang();
    let agreed = consent_given();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    let agree = move |_| {
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            let body = ConsentInput { version: SENSITIVE_DATA_CONSENT_VERSION.into() };
            match api::resident::consent(&body).done().await {
                Ok(_) => {
                    remember(true);
                    agreed.set(true);
                    // The button is gone with the text: the focus goes to the form it opened.
                    crate::dom::focus("needs-form");
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    move || {
        if agreed.get() {
            return children().into_any();
        }
        view! {
            <div class="consent" role="group" aria-labelledby="consent-h">
                <h3 id="consent-h">{tx(lang, |t| t.consent_heading)}</h3>
                <p>{tx(lang, |t| t.consent_lead)}</p>
                <ul>
                    <li>{tx(lang, |t| t.consent_use_shelter)}</li>
                    <li>{tx(lang, |t| t.consent_use_hq)}</li>
                    <li>{tx(lang, |t| t.consent_withdraw_any_time)}</li>
                </ul>
                {failure(lang, failed)}
                <button type="button" class="btn btn-wide" on:click=agree disabled=move || busy.get()>
                    {tx(lang, |t| t.consent_agree)}
                </button>
            </div>
        }
        .into_any()
    }
}

/// On "My data": withdraw the consent; every member's needs are deleted on the server (also from
/// shelter rosters), then the household is read again. Asked once more first: it cannot be undone.
/// Offered only while consent is given (and kept on screen to say it was withdrawn).
#[component]
pub fn WithdrawConsent() -> impl IntoView {
    let lang = use_lang();
    let given = consent_given();
    let asking = RwSignal::new(false);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    let ask = move |on: bool| {
        asking.set(on);
        // The focus where the next step is, not lost with the button that was replaced.
        crate::dom::focus(if on { "withdraw-final" } else { "withdraw-start" });
    };
    let withdraw = move |_| {
        busy.set(true);
        failed.set(None);
        done.set(false);
        spawn_local(async move {
            match api::resident::withdraw_consent().done().await {
                Ok(_) => {
                    remember(false);
                    resident::sync();
                    done.set(true);
                    ask(false);
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    move || {
        (given.get() || done.get()).then(|| view! {
        <section class="panel" aria-labelledby="withdraw-h">
            <h2 id="withdraw-h">{tx(lang, |t| t.consent_withdraw_heading)}</h2>
            <p>{tx(lang, |t| t.consent_withdraw_explain)}</p>
            {failure(lang, failed)}
            {move || if asking.get() {
                view! {
                    <p id="withdraw-q">{tx(lang, |t| t.consent_withdraw_confirm)}</p>
                    <div class="actions">
                        <button type="button" id="withdraw-final" class="btn btn-danger" aria-describedby="withdraw-q"
                            on:click=withdraw disabled=move || busy.get()>{tx(lang, |t| t.consent_withdraw_final)}</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| ask(false)>{tx(lang, |t| t.cancel)}</button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" id="withdraw-start" class="btn btn-secondary" on:click=move |_| { done.set(false); ask(true) }>
                        {tx(lang, |t| t.consent_withdraw_button)}
                    </button>
                }
                .into_any()
            }}
            <p class="done" role="status">{move || done.get().then(|| lang.get().tr().consent_withdrawn)}</p>
        </section>
    })
    }
}

//! Consent to collecting allergies, medical and care needs (要配慮個人情報の取得への同意). Asked
//! once, before the first needs are entered, with what they are used for; the server refuses
//! needs without it. Remembered on this device (under the resident's prefix, so signing out or
//! deleting forgets it) so needs can still be edited offline once it was given.

use crate::api::{self, ApiError};
use crate::{resident, session, use_lang};
use bosai_types::consent::{ConsentInput, SENSITIVE_DATA_CONSENT_VERSION};
use leptos::prelude::*;
use leptos::task::spawn_local;

const KEY: &str = "bosai.res.consent.v1";

fn given_here() -> bool {
    api::storage_get(KEY).as_deref() == Some(SENSITIVE_DATA_CONSENT_VERSION)
}

fn remember(given: bool) {
    if given {
        api::storage_set(KEY, SENSITIVE_DATA_CONSENT_VERSION);
    } else {
        api::storage_remove(KEY);
    }
}

/// Shows `children` (the needs form) once the resident agreed to the current text; until then,
/// the text and one button to agree.
#[component]
pub fn NeedsConsent(children: ChildrenFn) -> impl IntoView {
    let lang = use_lang();
    let agreed = RwSignal::new(given_here());
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    // Another device may have given or withdrawn it: the server decides when it can be asked.
    spawn_local(async move {
        if let Ok(me) = session::me().await {
            let current = me.consent.as_ref().is_some_and(|c| c.is_current());
            remember(current);
            agreed.set(current);
        }
    });
    let agree = move |_| {
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            let body = serde_json::to_string(&ConsentInput {
                version: SENSITIVE_DATA_CONSENT_VERSION.into(),
            })
            .ok();
            match session::authed_send("PUT", "/api/me/consent", body).await {
                Ok(_) => {
                    remember(true);
                    agreed.set(true);
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
        let l = lang.get();
        view! {
            <div class="consent" role="group" aria-labelledby="consent-h">
                <h3 id="consent-h">{l.pick("アレルギー・医療・介護の情報について", "About allergies, medical and care needs")}</h3>
                <p>{l.pick(
                    "これらは、特に大切に扱う個人情報（要配慮個人情報）です。入力すると、次のように使います。",
                    "These are sensitive personal data. If you enter them, they are used like this:",
                )}</p>
                <ul>
                    <li>{l.pick("受付をした避難所のスタッフが、食事や介助の準備に使います。", "The staff of the shelter you check in to use them to prepare food and care.")}</li>
                    <li>{l.pick("災害対策本部が見るのは、名前のない人数だけです（例：卵アレルギー 3人）。", "Disaster HQ sees only counts without names (e.g. egg allergy: 3 people).")}</li>
                    <li>{l.pick("同意はいつでも「わたしのデータ」で取り消せます。取り消すと、入力した情報は削除されます。", "You can withdraw this any time under \u{201c}My data\u{201d}; what you entered is then deleted.")}</li>
                </ul>
                {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
                <button type="button" class="btn btn-wide" on:click=agree disabled=move || busy.get()>
                    {l.pick("同意して入力する", "Agree and enter")}
                </button>
            </div>
        }
        .into_any()
    }
}

/// On "My data": withdraw the consent; every member's needs are deleted on the server (also from
/// shelter rosters), then the household is read again.
#[component]
pub fn WithdrawConsent() -> impl IntoView {
    let lang = use_lang();
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    let withdraw = move |_| {
        busy.set(true);
        failed.set(None);
        done.set(false);
        spawn_local(async move {
            match session::authed_send("DELETE", "/api/me/consent", None).await {
                Ok(_) => {
                    remember(false);
                    resident::sync();
                    done.set(true);
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="panel" aria-labelledby="withdraw-h">
            <h2 id="withdraw-h">{move || lang.get().pick("配慮事項の同意", "Consent for needs")}</h2>
            <p>{move || lang.get().pick(
                "同意を取り消すと、家族全員のアレルギー・医療・介護の情報を削除します。避難所の名簿からも消えます。",
                "Withdrawing deletes the allergies, medical and care needs of your whole household, also from shelter rosters.",
            )}</p>
            {move || failed.get().map(|e| view! { <p class="banner" role="alert">{e.message(lang.get())}</p> })}
            <button type="button" class="btn btn-secondary" on:click=withdraw disabled=move || busy.get()>
                {move || lang.get().pick("同意を取り消して削除する", "Withdraw and delete")}
            </button>
            <p class="done" role="status">{move || done.get().then(|| lang.get().pick("同意を取り消し、配慮事項を削除しました。", "Withdrawn; the needs were deleted."))}</p>
        </section>
    }
}

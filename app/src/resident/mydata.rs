//! My data: export everything and delete it all.

use super::*;
use crate::api;
use crate::api::ApiError;
use crate::dom;
use crate::i18n::tx;
use crate::resident::WithdrawConsent;
use crate::resident::{self};
use crate::session;
use crate::use_lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

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
            match api::resident::export().text().await {
                Ok(text) => {
                    exported.set(crate::dom::save_text(&text, "bosai-my-data.json", "application/json").is_some())
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    let delete = move |_| {
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            match api::resident::delete_everything().done().await {
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
        {failure(lang, failed)}
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
                                <input type="checkbox" id="delete-check" prop:checked=move || understood.get()
                                    on:change=move |ev| understood.set(event_target_checked(&ev))/>
                                <span>{tx(lang, |t| t.delete_check)}</span>
                            </label>
                            <div class="actions">
                                <button type="button" class="btn btn-danger" on:click=delete
                                    disabled=move || !understood.get() || busy.get()>{tx(lang, |t| t.delete_final)}</button>
                                <button type="button" class="btn btn-secondary" on:click=move |_| {
                                    asking.set(false);
                                    understood.set(false);
                                    dom::focus("delete-start");
                                }>{tx(lang, |t| t.cancel)}</button>
                            </div>
                        }
                        .into_any()
                    } else {
                        view! {
                            <button type="button" id="delete-start" class="btn btn-secondary" on:click=move |_| {
                                asking.set(true);
                                dom::focus("delete-check");
                            }>
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

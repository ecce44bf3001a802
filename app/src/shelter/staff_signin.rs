//! Staff and HQ sign-in with the organisation's account (OpenID Connect, authorization code +
//! PKCE). The browser goes to the organisation's identity provider and comes back to
//! `/shelter/callback` with a code; the server trades it for our own short-lived token with
//! the role the staff record grants. `state`, `nonce` and the PKCE verifier wait in this tab's
//! sessionStorage; the state is checked here, the nonce and verifier by the server.

use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::{ts, Lang};
use crate::session::{base64url, crypto, s256};
use crate::use_lang;
use bosai_types::auth::Role;
use bosai_types::staff::{StaffSession, StaffTokenRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use serde::{Deserialize, Serialize};

pub const CALLBACK_PATH: &str = "/shelter/callback";
const PENDING_KEY: &str = "bosai.staff.oidc.pending";

/// One sign-in in flight.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
}

fn random(n: usize) -> Result<String, ApiError> {
    let mut bytes = vec![0u8; n];
    crypto()?.get_random_values_with_u8_array(&mut bytes).map_err(|_| ApiError::Unsupported)?;
    Ok(base64url(&bytes))
}

fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

fn origin() -> Result<String, ApiError> {
    web_sys::window().ok_or(ApiError::Unsupported)?.location().origin().map_err(|_| ApiError::Unsupported)
}

/// Off to the identity provider.
pub async fn begin() -> Result<(), ApiError> {
    let start = api::public::staff_sign_in_start().send().await?;
    let pending = Pending { state: random(16)?, nonce: random(24)?, verifier: random(32)? };
    let challenge = s256(&pending.verifier).await?;
    let url = format!(
        // prompt=login: a shared tablet never signs the next person in on the last one's
        // session at the provider.
        "{}?response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&nonce={}&code_challenge={}&code_challenge_method=S256&prompt=login",
        start.authorization_endpoint,
        enc(&start.client_id),
        enc(&format!("{}{CALLBACK_PATH}", origin()?)),
        enc(&start.scope),
        pending.state,
        pending.nonce,
        challenge
    );
    dom::tab_set(PENDING_KEY, &serde_json::to_string(&pending).map_err(|_| ApiError::Decode)?);
    web_sys::window().ok_or(ApiError::Unsupported)?.location().assign(&url).map_err(|_| ApiError::Unsupported)
}

/// Why a callback did not sign anyone in.
#[derive(Clone)]
enum Failure {
    /// No sign-in was started in this tab, or the answer is for another one.
    StateMismatch,
    /// The provider said no (`?error=access_denied`…).
    Provider(String),
    Api(ApiError),
}

async fn finish(code: Option<String>, state: Option<String>, error: Option<String>) -> Result<StaffSession, Failure> {
    let pending: Option<Pending> = dom::tab_get(PENDING_KEY).and_then(|p| serde_json::from_str(&p).ok());
    // Single use, whatever happens next.
    dom::tab_remove(PENDING_KEY);
    let pending = pending.filter(|p| state.as_deref() == Some(p.state.as_str())).ok_or(Failure::StateMismatch)?;
    if let Some(e) = error {
        return Err(Failure::Provider(e));
    }
    let req = StaffTokenRequest {
        code: code.ok_or(Failure::StateMismatch)?,
        code_verifier: pending.verifier,
        redirect_uri: format!("{}{CALLBACK_PATH}", origin().map_err(Failure::Api)?),
        nonce: pending.nonce,
    };
    api::public::staff_token(&req).send().await.map_err(Failure::Api)
}

fn failure_text(f: &Failure, l: Lang) -> String {
    match f {
        Failure::StateMismatch => l.staff().staff_signin_sign_in_was_not.into(),
        Failure::Provider(e) => format!("{} ({e})", l.staff().staff_signin_sign_in_was_cancelled),
        Failure::Api(e) => e.message(l),
    }
}

/// `/shelter/callback`: back from the identity provider.
#[component]
pub fn StaffCallback() -> impl IntoView {
    let lang = use_lang();
    let q = use_query_map().read_untracked().clone();
    let failure = RwSignal::new(None::<Failure>);
    let navigate = use_navigate();
    spawn_local(async move {
        match finish(q.get("code"), q.get("state"), q.get("error")).await {
            Ok(s) => {
                let to = if s.role == Role::ShelterStaff {
                    crate::staff::save_token(&s.access_token);
                    "/shelter"
                } else {
                    crate::hq::save_token(&s.access_token);
                    "/hq"
                };
                // replace: Back must not return to a spent code.
                navigate(to, NavigateOptions { replace: true, ..Default::default() });
            }
            Err(f) => failure.set(Some(f)),
        }
    });
    view! {
        <h1>{ts(lang, |s| s.staff_signin_staff_sign_in)}</h1>
        {move || match failure.get() {
            None => view! { <p class="lead" role="status">{ts(lang, |s| s.staff_signin_signing)}</p> }.into_any(),
            Some(f) => view! {
                <p class="banner" role="alert">{failure_text(&f, lang.get())}</p>
                <OrganisationSignIn/>
            }.into_any(),
        }}
    }
}

/// The button that starts it, with its own error line.
#[component]
pub fn OrganisationSignIn() -> impl IntoView {
    let lang = use_lang();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let go = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if let Err(e) = begin().await {
                error.set(Some(e));
                busy.set(false);
            }
        });
    };
    view! {
        <div class="panel">
            <button type="button" class="btn btn-wide" on:click=go disabled=move || busy.get()>
                {ts(lang, |s| s.staff_signin_sign_in_with_your)}
            </button>
            <p class="hint">{ts(lang, |s| s.staff_signin_uses_your_municipality_staff)}</p>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{
                if e.status() == Some(404) {
                    lang.get().staff().staff_signin_staff_account_sign_in.to_string()
                } else {
                    e.message(lang.get())
                }
            }</p> })}
        </div>
    }
}

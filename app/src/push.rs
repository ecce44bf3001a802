//! Notifications of notices (お知らせの通知) on a resident's device: the browser's Web Push
//! subscription through the service worker, registered with the API so that HQ's notices
//! for the resident's area reach this device (`public/sw.js` shows them).

use crate::api::{self, ApiError};
use crate::dom;
use crate::i18n::Lang;
use bosai_types::notices::{PushSubscriptionInput, PushUnsubscribe};
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{NotificationPermission, PushManager, PushSubscription, PushSubscriptionOptionsInit};

/// The endpoint registered with the server (`bosai.res.` : forgotten at sign-out).
const ENDPOINT_KEY: &str = "bosai.res.push.endpoint";
/// The language the server was last told this device's reader has (`bosai.res.`: forgotten too).
const LANG_KEY: &str = "bosai.res.push.lang";
/// `navigator.serviceWorker.ready` never settles without a service worker.
const READY_TIMEOUT_MS: i32 = 10_000;

/// Why notifications could not be turned on.
#[derive(Debug, Clone, PartialEq)]
pub enum PushError {
    /// No service worker, Push API or Notification API (e.g. Safari outside a Home Screen app).
    Unsupported,
    /// The resident (or the browser's settings) refused notifications.
    Denied,
    /// The browser's push service refused or could not be reached.
    Failed,
    /// The API refused or could not be reached.
    Api(ApiError),
}

fn has(o: &JsValue, k: &str) -> bool {
    Reflect::has(o, &k.into()).unwrap_or(false)
}

pub fn supported() -> bool {
    let Some(w) = web_sys::window() else { return false };
    has(&w.navigator(), "serviceWorker") && has(&w, "PushManager") && has(&w, "Notification")
}

/// Only call when `supported()`.
pub fn denied() -> bool {
    web_sys::Notification::permission() == NotificationPermission::Denied
}

async fn settle(p: Result<Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(p?).await
}

/// The service worker's push manager: `ready` (waits for activation) or the current registration.
async fn push_manager(wait_ready: bool) -> Option<PushManager> {
    let sw = web_sys::window()?.navigator().service_worker();
    let reg = if wait_ready {
        let timeout = Promise::new(&mut |done, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, READY_TIMEOUT_MS);
            }
        });
        let ready = sw.ready().ok()?;
        JsFuture::from(Promise::race(&js_sys::Array::of2(&ready, &timeout))).await.ok()?
    } else {
        settle(Ok(sw.get_registration())).await.ok()?
    };
    if reg.is_undefined() || reg.is_null() {
        return None;
    }
    reg.unchecked_into::<web_sys::ServiceWorkerRegistration>().push_manager().ok()
}

async fn current(pm: &PushManager) -> Option<PushSubscription> {
    let s = settle(pm.get_subscription()).await.ok()?;
    (!s.is_null() && !s.is_undefined()).then(|| s.unchecked_into())
}

/// Whether this device gets notifications now: permission granted, a subscription, registered here.
pub async fn is_on() -> bool {
    if !supported() || web_sys::Notification::permission() != NotificationPermission::Granted {
        return false;
    }
    let Some(pm) = push_manager(false).await else { return false };
    current(&pm).await.is_some() && dom::storage_get(ENDPOINT_KEY).is_some()
}

/// What the API takes: `toJSON()` ({endpoint, expirationTime, keys: {p256dh, auth}}) and the
/// reader's language, in which the server then sends.
fn registration(sub: &PushSubscription, lang: Lang) -> Option<PushSubscriptionInput> {
    let json = js_sys::JSON::stringify(sub).ok()?.as_string()?;
    let mut input: PushSubscriptionInput = serde_json::from_str(&json).ok()?;
    input.lang = Some(lang.code().to_owned());
    Some(input)
}

/// This device gets notifications in another language than `lang` (cheap: storage only, so the
/// first download can ask without linking the re-registration).
pub fn language_outdated(lang: Lang) -> bool {
    dom::storage_get(ENDPOINT_KEY).is_some() && dom::storage_get(LANG_KEY).as_deref() != Some(lang.code())
}

/// The resident chose another language: this device's notifications follow, when they are on.
/// Offline, it is tried again on the next start (the stored language still differs).
pub async fn follow_language(lang: Lang) {
    if !language_outdated(lang) {
        return;
    }
    let Some(pm) = push_manager(false).await else { return };
    let Some(sub) = current(&pm).await else { return };
    let Some(input) = registration(&sub, lang) else { return };
    if api::resident::subscribe(&input).done().await.is_ok() {
        dom::storage_set(LANG_KEY, lang.code());
    }
}

/// Asks for permission, subscribes with the server's VAPID key and registers the subscription.
pub async fn turn_on(lang: Lang) -> Result<(), PushError> {
    if !supported() {
        return Err(PushError::Unsupported);
    }
    let answer = settle(web_sys::Notification::request_permission()).await.map_err(|_| PushError::Denied)?;
    if answer.as_string().as_deref() != Some("granted") {
        return Err(PushError::Denied);
    }
    let key = api::public::vapid_public_key().send().await.map_err(PushError::Api)?;
    let key = dom::b64url_decode(&key.key).ok_or(PushError::Api(ApiError::Decode))?;
    let pm = push_manager(true).await.ok_or(PushError::Unsupported)?;
    let opts = PushSubscriptionOptionsInit::new();
    opts.set_user_visible_only(true);
    opts.set_application_server_key(&js_sys::Uint8Array::from(key.as_slice()));
    let sub = match settle(pm.subscribe_with_options(&opts)).await {
        Ok(s) => s,
        // Subscribed before with another server key (a key rotation): start over once.
        Err(_) => {
            if let Some(old) = current(&pm).await {
                let _ = settle(old.unsubscribe()).await;
            }
            settle(pm.subscribe_with_options(&opts)).await.map_err(|_| PushError::Failed)?
        }
    };
    let sub: PushSubscription = sub.unchecked_into();
    let input = registration(&sub, lang).ok_or(PushError::Failed)?;
    if let Err(e) = api::resident::subscribe(&input).done().await {
        let _ = settle(sub.unsubscribe()).await;
        return Err(PushError::Api(e));
    }
    dom::storage_set(ENDPOINT_KEY, &sub.endpoint());
    dom::storage_set(LANG_KEY, lang.code());
    Ok(())
}

/// Unsubscribes in the browser and tells the server. The browser side is what counts: were
/// the server not told (offline), the push service answers 410 and the server forgets it.
pub async fn turn_off() {
    let mut endpoint = dom::storage_get(ENDPOINT_KEY);
    if let Some(pm) = push_manager(false).await {
        if let Some(sub) = current(&pm).await {
            endpoint = Some(sub.endpoint());
            let _ = settle(sub.unsubscribe()).await;
        }
    }
    if let Some(endpoint) = endpoint {
        let _ = api::resident::unsubscribe(&PushUnsubscribe { endpoint }).done().await;
    }
    dom::storage_remove(ENDPOINT_KEY);
    dom::storage_remove(LANG_KEY);
}

/// Sign-out or deleted data: stop notifications on this device (no server call: the session
/// is gone; the push service's 410 makes the server drop the subscription).
pub async fn forget() {
    if !supported() {
        return;
    }
    if let Some(pm) = push_manager(false).await {
        if let Some(sub) = current(&pm).await {
            let _ = settle(sub.unsubscribe()).await;
        }
    }
}

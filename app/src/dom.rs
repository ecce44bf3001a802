//! Small browser helpers the pages share: storage (device and tab), the clock, a timer,
//! base64url, the service worker and file downloads.

use bosai_types::Timestamp;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// base64url (or standard base64), padded or not: token payloads, VAPID keys.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        } as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Resolves after `ms` milliseconds (a JS timer).
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |done, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, ms);
        }
    });
    let _ = JsFuture::from(p).await;
}

fn storage() -> Option<web_sys::Storage> {
    // Private browsing or a full disk: the app still works, it just forgets.
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn storage_set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn storage_remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// sessionStorage: this tab only, gone when it closes. Staff tokens live here, so the next
/// person at a shared tablet finds nothing.
fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn tab_get(key: &str) -> Option<String> {
    tab_storage()?.get_item(key).ok().flatten()
}

pub fn tab_set(key: &str, value: &str) {
    if let Some(s) = tab_storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn tab_remove(key: &str) {
    if let Some(s) = tab_storage() {
        let _ = s.remove_item(key);
    }
}

pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

pub fn register_service_worker() {
    if let Some(w) = web_sys::window() {
        let nav = w.navigator();
        // Absent on plain-http origins other than localhost; the app works without it.
        if js_sys::Reflect::has(&nav, &"serviceWorker".into()).unwrap_or(false) {
            let _ = nav.service_worker().register("/sw.js");
        }
    }
}

/// Saves `blob` as a file named `name` (a download; the object URL is let go after 30 s).
pub fn save_blob(blob: &web_sys::Blob, name: &str) -> Option<()> {
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let a: web_sys::HtmlAnchorElement = leptos::prelude::document().create_element("a").ok()?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Some(())
}

/// Saves `text` as a file of type `mime`.
pub fn save_text(text: &str, name: &str, mime: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
    save_blob(&blob, name)
}

/// Asks `question` with OK/Cancel (the browser's own dialog: modal, read by screen readers);
/// `false` when it cannot be shown.
pub fn confirm(question: &str) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false)
}

/// Moves the focus to element `id` once the view has rendered (after a step of a form, say).
pub fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    let id = id.to_owned();
    leptos::prelude::request_animation_frame(move || {
        if let Some(el) = leptos::prelude::document().get_element_by_id(&id) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::b64url_decode;

    #[test]
    fn base64url_both_alphabets_padded_or_not() {
        assert_eq!(b64url_decode("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(b64url_decode("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(b64url_decode("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(b64url_decode("+/8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(b64url_decode("a b"), None);
        // A VAPID public key (applicationServerKey): an uncompressed P-256 point.
        let key =
            b64url_decode("BH7IX3yLv2jj5vR5f85I3dL7O6k8LrmAU0Ik-IdO89R9hRlIYKkmQrMuY--lgIB_ROy8wiSqEvrKIyJug4OeWwc")
                .unwrap();
        assert_eq!((key.len(), key[0]), (65, 4));
    }
}

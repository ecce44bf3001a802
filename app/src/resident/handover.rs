//! The safety form a resident filled in before the app arrived (public/boot-lang.js, on a slow
//! network): what they chose and typed, where the focus was, and the report being saved. The
//! app's form (safety.rs) takes it over once, when it first shows, so nothing is lost or sent twice.

use super::KINDS;
use wasm_bindgen::{JsCast, JsValue};

pub(crate) struct Handover {
    /// The members ticked (ids as the form had them), if the resident changed them.
    pub who: Option<Vec<String>>,
    pub kind: &'static str,
    pub shelter: String,
    pub place: String,
    pub what: String,
    pub location: String,
    pub phone: String,
    /// The id of the field that had the focus (the app's form uses the same ids).
    pub focus: Option<String>,
    /// The last report's save into the outbox (resolves once committed), and whether its line
    /// was still shown (nothing changed since).
    pub saving: Option<(js_sys::Promise, bool)>,
}

/// `window.bosaiBootSafety`, removed as it is read: a later visit starts afresh.
pub(crate) fn take() -> Option<Handover> {
    let w: js_sys::Object = web_sys::window()?.unchecked_into();
    let name = JsValue::from_str("bosaiBootSafety");
    let o = js_sys::Reflect::get(&w, &name).ok().filter(JsValue::is_object)?;
    let _ = js_sys::Reflect::delete_property(&w, &name);
    let get = |k: &str| js_sys::Reflect::get(&o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let text = |k: &str| get(k).as_string().unwrap_or_default();
    let kind = text("kind");
    let who = get("who");
    Some(Handover {
        who: (get("whoChanged").as_bool() == Some(true))
            .then(|| who.dyn_ref::<js_sys::Array>().map(|a| a.iter().filter_map(|v| v.as_string()).collect()))
            .flatten(),
        kind: KINDS.iter().copied().find(|k| *k == kind).unwrap_or(""),
        shelter: text("shelter"),
        place: text("place"),
        what: text("what"),
        location: text("location"),
        phone: text("phone"),
        focus: get("focus").as_string(),
        saving: get("saving").dyn_into::<js_sys::Promise>().ok().map(|p| (p, get("done").as_bool() == Some(true))),
    })
}

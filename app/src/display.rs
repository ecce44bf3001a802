//! Text size (up to 200%) and high contrast, remembered on this device. Set on `<html>` as
//! `data-text-size` / `data-contrast` (app.css scales everything in rem from there).

use crate::dom::{storage_get, storage_set};
use crate::i18n::furigana;
use crate::use_lang;
use leptos::prelude::*;

const SIZE_KEY: &str = "bosai.text-size";
const CONTRAST_KEY: &str = "bosai.contrast";
/// The sizes offered (the menu's options), in percent of the browser's own text size.
const SIZES: [u16; 3] = [100, 150, 200];

fn set_on_html(name: &str, value: Option<&str>) {
    if let Some(html) = document().document_element() {
        let _ = match value {
            Some(v) => html.set_attribute(name, v),
            None => html.remove_attribute(name),
        };
    }
}

fn apply(size: u16, high_contrast: bool) {
    set_on_html("data-text-size", (size != 100).then(|| size.to_string()).as_deref());
    set_on_html("data-contrast", high_contrast.then_some("high"));
}

fn saved() -> (u16, bool) {
    let size = storage_get(SIZE_KEY).and_then(|s| s.parse().ok()).filter(|s| SIZES.contains(s)).unwrap_or(100);
    (size, storage_get(CONTRAST_KEY).as_deref() == Some("high"))
}

/// The settings for a page the server renders (a notice's landing page has no script to read
/// them): `&size=200&contrast=high`, empty at the defaults.
pub fn as_query() -> String {
    let (size, high) = saved();
    let mut q = if size != 100 { format!("&size={size}") } else { String::new() };
    if high {
        q.push_str("&contrast=high");
    }
    q
}

/// Before the first paint: the page opens as it was left.
pub fn apply_saved() {
    let (size, high) = saved();
    apply(size, high);
}

/// The header's 「あA」 menu: text size and contrast.
#[component]
pub fn DisplayPrefs() -> impl IntoView {
    let lang = use_lang();
    let (size0, high0) = saved();
    let size = RwSignal::new(size0);
    let high = RwSignal::new(high0);
    Effect::new(move || {
        apply(size.get(), high.get());
        storage_set(SIZE_KEY, &size.get().to_string());
        storage_set(CONTRAST_KEY, if high.get() { "high" } else { "normal" });
    });
    let tr = move || lang.get().tr();
    view! {
        <details class="display-prefs">
            <summary><span aria-hidden="true">"あA"</span><span class="sr-only">{move || furigana(tr().text_size_label)}</span></summary>
            <div class="display-panel">
                <label for="text-size">{move || furigana(tr().text_size_label)}</label>
                <select id="text-size" prop:value=move || size.get().to_string()
                    on:change=move |ev| size.set(event_target_value(&ev).parse().unwrap_or(100))>
                    <option value="100">"100%"</option>
                    <option value="150">"150%"</option>
                    <option value="200">"200%"</option>
                </select>
                <label class="check">
                    <input type="checkbox" prop:checked=move || high.get() on:change=move |ev| high.set(event_target_checked(&ev))/>
                    " "{move || tr().contrast_label}
                </label>
            </div>
        </details>
    }
}

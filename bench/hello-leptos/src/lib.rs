//! One reactive paragraph: what any Leptos CSR app costs before it does anything.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
pub fn start() {
    let count = RwSignal::new(0);
    leptos::mount::mount_to_body(move || {
        view! { <button on:click=move |_| count.update(|c| *c += 1)>"Hello " {count}</button> }
    });
}

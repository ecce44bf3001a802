//! The shelter's check-in poster (a signed QR that residents scan with their phone).

use super::*;
use crate::api::shelter_name;
use crate::api::{self, ApiError};
use crate::resident::qr_data_url;
use crate::use_lang;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(serde::Deserialize, Clone)]
pub(crate) struct Poster {
    pub(crate) path: String,
}

#[component]
pub(crate) fn PosterQr(shelter: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let poster = RwSignal::new(None::<Result<String, ApiError>>);
    let shelter = StoredValue::new(shelter);
    let load = move |_| {
        spawn_local(async move {
            let r = api::shelter::poster::<Poster>(&shelter.get_value()).send().await.map(|p| {
                format!("{}{}", web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default(), p.path)
            });
            poster.set(Some(r));
        });
    };
    view! {
        <section class="panel" aria-labelledby="poster-h">
            <h2 id="poster-h">{move || t().staff().poster_poster_qr_code}</h2>
            <p class="hint">{move || t().staff().poster_put_it_up_entrance}</p>
            <button type="button" class="btn" on:click=load>{move || t().staff().poster_show_poster_qr_code}</button>
            {move || {
                let l = lang.get();
                poster.get().map(|r| match r {
                    Ok(url) => view! {
                        <div id="poster-print" class="print-area">
                            <figure class="qr">
                                <h3>{shelter_name(&shelter.get_value(), l)}</h3>
                                <img class="qr-img poster-qr" src=qr_data_url(&url).unwrap_or_default() alt=l.staff().poster_shelter_check_in_qr data-url=url.clone()/>
                                <figcaption><p class="qr-expiry">{l.staff().poster_scan_with_your_phone}</p></figcaption>
                            </figure>
                            <button type="button" class="btn no-print" on:click=move |_| print_only("poster-print")>{l.staff().common_print}</button>
                        </div>
                    }.into_any(),
                    Err(e) => err_banner(e, l).into_any(),
                })
            }}
        </section>
    }
}

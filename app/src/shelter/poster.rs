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
            <h2 id="poster-h">{move || t().pick("掲示用QRコード", "Poster QR code")}</h2>
            <p class="hint">{move || t().pick("入口に掲示すると、住民が自分のスマホで読み取ってチェックインできます。", "Put it up at the entrance: residents scan it with their phone to check in.")}</p>
            <button type="button" class="btn" on:click=load>{move || t().pick("掲示用QRコードを表示", "Show the poster QR code")}</button>
            {move || {
                let l = lang.get();
                poster.get().map(|r| match r {
                    Ok(url) => view! {
                        <div id="poster-print" class="print-area">
                            <figure class="qr">
                                <h3>{shelter_name(&shelter.get_value(), l)}</h3>
                                <img class="qr-img poster-qr" src=qr_data_url(&url).unwrap_or_default() alt=l.pick("避難所チェックイン用QRコード", "Shelter check-in QR code") data-url=url.clone()/>
                                <figcaption><p class="qr-expiry">{l.pick("スマホで読み取ってチェックイン", "Scan with your phone to check in")}</p></figcaption>
                            </figure>
                            <button type="button" class="btn no-print" on:click=move |_| print_only("poster-print")>{l.pick("印刷する", "Print")}</button>
                        </div>
                    }.into_any(),
                    Err(e) => err_banner(e, l).into_any(),
                })
            }}
        </section>
    }
}

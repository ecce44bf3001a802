//! A shelter as residents see it in the list: name, address, congestion in words and colour,
//! people against capacity (「少数」 for a count withheld), facilities, distance and a map link.

use crate::i18n::{fill, furigana, Lang};
use bosai_types::{Congestion, Shelter};
use leptos::prelude::*;

pub(crate) fn congestion_class(c: Congestion) -> &'static str {
    match c {
        Congestion::Low => "badge c-low",
        Congestion::Moderate => "badge c-moderate",
        Congestion::High => "badge c-high",
        Congestion::Full => "badge c-full",
        Congestion::Closed => "badge c-closed",
    }
}

pub(crate) fn shelter_card(s: &Shelter, distance_m: Option<f64>, lang: Lang) -> impl IntoView {
    let (t, ja) = (lang.tr(), lang.is_ja());
    let name = if ja || s.name_en.is_empty() { s.name_ja.clone() } else { s.name_en.clone() };
    // JS formats the floats: Rust's f64 Display would add ~15 KB to the wasm.
    let num = |x: f64| String::from(js_sys::Number::from(x).to_string_with_radix(10).unwrap_or_default());
    let map =
        format!("https://www.google.com/maps/search/?api=1&query={},{}", num(s.location.lat()), num(s.location.lon()));
    let distance = distance_m.map(|d| {
        let km = js_sys::Number::from(d / 1000.0).to_fixed(1).map(String::from).unwrap_or_default();
        view! {
            <div>
                <dt>{t.distance_label}</dt>
                <dd class="distance">{fill(t.km, &[("km", &km)])}</dd>
            </div>
        }
    });
    let facilities = if s.facilities.is_empty() {
        view! { <p class="muted">{t.no_facilities}</p> }.into_any()
    } else {
        view! {
            <ul class="chips">
                {s.facilities.iter().map(|f| view! { <li>{lang.facility(*f)}</li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <li class="card">
            <h3>{name}</h3>
            // The address exists only in Japanese; mark it so screen readers read it right.
            <p class="addr" lang="ja"><span class="sr-only">{t.address}": "</span>{s.address_ja.clone()}</p>
            <dl class="facts">
                // A shelter that has not opened says 「未開設」 once (status), not also 「閉鎖中」.
                {(s.congestion != Congestion::Closed).then(|| view! {
                    <div>
                        <dt>{furigana(t.congestion)}</dt>
                        <dd>
                            <span class=congestion_class(s.congestion)>{lang.congestion(s.congestion)}</span>
                            <span class="count">{lang.people((!s.few).then_some(s.occupancy), s.capacity)}</span>
                        </dd>
                    </div>
                })}
                <div>
                    <dt>{furigana(t.status)}</dt>
                    <dd>{lang.status(s.status)}</dd>
                </div>
                {distance}
            </dl>
            <h4 class="sub">{furigana(t.facilities)}</h4>
            {facilities}
            <a class="btn btn-secondary" href=map target="_blank" rel="noopener">{furigana(t.map)}</a>
        </li>
    }
}

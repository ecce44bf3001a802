//! 避難所・安否アプリ: the client-side-rendered PWA for residents, shelter staff and HQ.

// A bundle's build (one feature) leaves the other bundle's pages unused.
#![cfg_attr(not(all(feature = "resident", feature = "staff")), allow(dead_code, unused_imports))]

#[cfg(feature = "staff")]
mod admin_facilities;
#[cfg(feature = "staff")]
mod admin_pages;
#[cfg(feature = "staff")]
mod admin_staff;
mod api;
mod birth;
mod display;
mod dom;
#[cfg(feature = "staff")]
mod hq;
mod i18n;
mod incidents;
mod later;
mod outbox;
mod pages;
mod push;
#[cfg(feature = "staff")]
mod qr_decode;
mod resident;
mod retry;
mod session;
#[cfg(feature = "staff")]
mod shelter;
mod shelter_card;
#[cfg(feature = "staff")]
mod staff;

use i18n::{tx, Lang};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{path, Lazy};
use resident::OutboxStatus;
use wasm_bindgen::JsCast;

/// The two bundles, each with its own entry crate (app/resident, app/staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// index.html: every page but the staff and HQ views.
    Resident,
    /// staff.html: `/shelter` and `/hq`.
    Staff,
}

/// The residents' bundle (index.html). Two entry functions, not one taking a `Bundle`:
/// each links in only the routes it mounts.
#[cfg(feature = "resident")]
pub fn start_resident() {
    boot(Bundle::Resident, || {
        leptos::mount::mount_to_body(|| {
            resident::init();
            view! { <Shell bundle=Bundle::Resident><OutboxStatus/><ResidentRoutes/></Shell> }
        })
    });
}

/// The staff and HQ bundle (staff.html).
#[cfg(feature = "staff")]
pub fn start_staff() {
    boot(Bundle::Staff, || {
        leptos::mount::mount_to_body(|| view! { <Shell bundle=Bundle::Staff><StaffRoutes/></Shell> })
    });
}

/// Mounts once the chosen language's catalog is here (Japanese at once; another from the
/// service worker's cache or the network), so the first paint is in the reader's language.
fn boot(bundle: Bundle, mount: fn()) {
    console_error_panic_hook::set_once();
    display::apply_saved();
    let start = move || {
        // The page shows a loading line until the wasm runs; drop it now.
        if let Some(el) = document().get_element_by_id("boot") {
            el.remove();
        }
        mount();
        dom::register_service_worker();
    };
    match Some(i18n::start_language(bundle, Lang::stored())).filter(|l| *l != Lang::Ja) {
        None => start(),
        // Unreachable (offline before it was ever cached): Japanese, the choice kept for later.
        // (wasm-bindgen's spawner: Leptos' executor starts only with the mount.)
        Some(l) => wasm_bindgen_futures::spawn_local(async move {
            let _ = i18n::ensure(l).await;
            start();
        }),
    }
}

/// The chosen language, shared by every component through context.
pub fn use_lang() -> RwSignal<Lang> {
    expect_context()
}

/// Header, main and footer around a bundle's routes.
#[component]
fn Shell(bundle: Bundle, children: Children) -> impl IntoView {
    // The stored choice if its catalog came (see `boot`), else Japanese.
    let lang = RwSignal::new(
        Some(i18n::start_language(bundle, Lang::stored())).filter(|l| i18n::is_loaded(*l)).unwrap_or(Lang::Ja),
    );
    provide_context(lang);
    Effect::new(move || {
        let l = lang.get();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", l.html_lang());
        }
        document().set_title(l.tr().app_title);
    });

    // True while the router loads a page (a lazily loaded page's chunk, say).
    let (routing, set_routing) = signal(false);
    view! {
        <Router set_is_routing=set_routing>
            <FocusOnNavigate routing/>
            <Header bundle/>
            // Busy while a page's chunk is on its way (public/app.css shows a bar after a moment).
            <main id="main" aria-busy=move || routing.get().then_some("true")>{children()}</main>
            <footer class="site-footer">
                // One tap dials: tel: links, each with what it is for.
                <p>
                    {tx(lang, |t| t.emergency)}" "
                    <a class="tel" href="tel:119">"119"</a>{tx(lang, |t| t.tel_119_what)}
                    {tx(lang, |t| t.tel_or)}
                    <a class="tel" href="tel:110">"110"</a>{tx(lang, |t| t.tel_110_what)}
                </p>
            </footer>
        </Router>
    }
}

#[cfg(feature = "resident")]
#[component]
fn ResidentRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <pages::NotFound/> }>
            <Route path=path!("/") view=pages::Home/>
            <Route path=path!("/auth/callback") view=pages::AuthCallback/>
            <Route path=path!("/household") view={Lazy::<later::HouseholdRoute>::new()}/>
            <Route path=path!("/members/:id") view={Lazy::<later::MemberRoute>::new()}/>
            <Route path=path!("/safety") view={Lazy::<later::HouseholdSafetyRoute>::new()}/>
            <Route path=path!("/safety/:id") view={Lazy::<later::SafetyRoute>::new()}/>
            <Route path=path!("/checkin") view={Lazy::<later::CheckInRoute>::new()}/>
            <Route path=path!("/c/:code") view={Lazy::<later::PosterCheckInRoute>::new()}/>
            <Route path=path!("/mydata") view={Lazy::<later::MyDataRoute>::new()}/>
            <Route path=path!("/surveys") view={Lazy::<later::SurveysRoute>::new()}/>
            <Route path=path!("/surveys/:id") view={Lazy::<later::SurveyRoute>::new()}/>
            <Route path=path!("/notices") view={Lazy::<later::NoticesRoute>::new()}/>
        </Routes>
    }
}

#[cfg(feature = "staff")]
#[component]
fn StaffRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <pages::NotFound/> }>
            <Route path=path!("/shelter") view=shelter::ShelterStaff/>
            <Route path=path!("/shelter/callback") view={Lazy::<later::StaffCallbackRoute>::new()}/>
            <Route path=path!("/hq") view={Lazy::<later::HqRoute>::new()}/>
        </Routes>
    }
}

/// After an in-app navigation, focus the new page's heading so screen readers
/// start there (not on the first load: the reader is at the top already). Waits while the
/// router is still loading the page (a lazily loaded page's chunk), or the old heading would
/// get the focus.
#[component]
fn FocusOnNavigate(routing: ReadSignal<bool>) -> impl IntoView {
    let path = use_location().pathname;
    // The page whose heading was last shown (first load) or focused.
    let shown = StoredValue::new(None::<String>);
    Effect::new(move || {
        if routing.get() {
            return;
        }
        let now = path.get();
        if shown.get_value().is_some_and(|p| p != now) {
            // After the new route has rendered.
            request_animation_frame(|| {
                if let Some(h1) = document().query_selector("main h1").ok().flatten() {
                    let _ = h1.set_attribute("tabindex", "-1");
                    let _ = h1.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            });
        }
        shown.set_value(Some(now));
    });
}

#[component]
fn Header(bundle: Bundle) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().tr();
    #[cfg(feature = "resident")]
    if bundle == Bundle::Resident {
        // Notifications come in the language chosen here (also one chosen while offline).
        Effect::new(move || {
            let l = lang.get();
            if push::language_outdated(l) {
                leptos::task::spawn_local(async move { later::follow_language(l).await.await });
            }
        });
    }
    view! {
        <header class="site-header">
            <div class="bar">
                <NavLink bundle target=Bundle::Resident href="/" label=tx(lang, |t| t.app_title) class="brand"/>
                <div class="prefs"><display::DisplayPrefs/><i18n::LanguageChooser bundle/></div>
            </div>
            {(bundle == Bundle::Resident).then(|| view! { <i18n::LanguageOffer/> })}
            <nav aria-label=move || t().nav_label>
                <ul>
                    <li><NavLink bundle target=Bundle::Resident href="/" label=tx(lang, |t| t.nav_resident) section=true/></li>
                    <li><NavLink bundle target=Bundle::Staff href="/shelter" label=tx(lang, |t| t.nav_shelter) section=true/></li>
                    <li><NavLink bundle target=Bundle::Staff href="/hq" label=tx(lang, |t| t.nav_hq) section=true/></li>
                </ul>
            </nav>
        </header>
    }
}

/// A link in the header: routed inside this bundle, a full page load into the other one
/// (`rel="external"` tells the router to let the browser navigate). A `section` tab stays marked
/// current on the pages below it (住民 on `/household` too).
#[component]
fn NavLink<L: IntoView + 'static>(
    bundle: Bundle,
    target: Bundle,
    href: &'static str,
    label: L,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] section: bool,
) -> impl IntoView {
    if bundle == target && section && href == "/" {
        // The router's `<A>` never counts "/" as above "/household", and every page of the
        // residents' bundle is under 住民. (The router still routes the click.)
        view! { <a href=href class=class aria-current="page">{label}</a> }.into_any()
    } else if bundle == target {
        view! { <A href=href exact=!section attr:class=class>{label}</A> }.into_any()
    } else {
        view! { <a href=href rel="external" class=class>{label}</a> }.into_any()
    }
}

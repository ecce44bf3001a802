//! Pages opened later, each a wasm chunk of its own (`#[lazy_route]`, cut out by
//! `wasm-split-cli` in scripts/build-app.sh) fetched on first use. A resident's first download
//! holds only the home page, the sign-in callback, safety reports and the check-in QR; a shelter
//! device's holds the scan screen (the rest of the shelter screen follows at once), and HQ's
//! screens come when `/hq` is opened. The service
//! worker precaches every chunk after the first visit, so these pages still open offline.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// Each page as a lazily loaded route. Only the route may name the page's component: a call
/// from the first download's code would pull it (and its views) back into the main module.
macro_rules! later {
    ($($(#[$doc:meta])* $route:ident => $($page:ident)::+;)*) => {$(
        $(#[$doc])*
        pub(crate) struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$($page)::+/> }.into_any()
            }
        }
    )*};
}

#[cfg(feature = "resident")]
later! {
    /// `/household`: members and who is at home.
    HouseholdRoute => crate::resident::Household;
    /// `/members/:id`: one member's details and needs.
    MemberRoute => crate::resident::MemberPage;
    /// `/mydata`: export and deletion.
    MyDataRoute => crate::resident::MyData;
    /// `/surveys`.
    SurveysRoute => crate::resident::Surveys;
    /// `/surveys/:id`.
    SurveyRoute => crate::resident::SurveyPage;
    /// `/notices`.
    NoticesRoute => crate::resident::Notices;
}

#[cfg(feature = "staff")]
later! {
    /// `/hq`: the prefecture's and municipalities' headquarters.
    HqRoute => crate::hq::Hq;
}

/// Notifications re-registered in the language just chosen: its own chunk (with the notices
/// page's), fetched only by a device whose notifications are on.
#[cfg(feature = "resident")]
#[leptos::lazy]
pub(crate) fn follow_language(lang: crate::i18n::Lang) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(crate::push::follow_language(lang))
}

/// The shelter screen below the scan (desk registration, roster, past rosters, supplies, status,
/// poster): its own chunk, so a shelter device's first download is the scan.
#[cfg(feature = "staff")]
#[leptos::lazy]
pub(crate) fn shelter_sections(shelter: String) -> AnyView {
    use crate::shelter::{Desk, PastRosters, PosterQr, Roster, Status, Supplies};
    view! {
        <Desk shelter=shelter.clone()/>
        <Roster shelter=shelter.clone()/>
        <PastRosters shelter=shelter.clone()/>
        <Supplies shelter=shelter.clone()/>
        <Status shelter=shelter.clone()/>
        <PosterQr shelter/>
    }
    .into_any()
}

//! Pages opened later, each a wasm chunk of its own (`#[lazy_route]`, cut out by
//! `wasm-split-cli` in scripts/build-app.sh) fetched on first use. A resident's first download
//! holds only the home page and the sign-in callback; every other page is a chunk, and a deep
//! link into one (`/safety`, a poster's `/c/…`, a notice's `/notices`) starts its chunks
//! downloading beside the main wasm (public/boot.js), so it costs no extra round trip. A shelter
//! device's holds the scan screen (the rest of the shelter screen follows at once), and HQ's
//! screens come when `/hq` is opened. The service worker precaches every chunk after the first
//! visit, so these pages still open offline.

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
    /// `/safety`: the household's safety reports.
    HouseholdSafetyRoute => crate::resident::HouseholdSafety;
    /// `/safety/:id`: one member's.
    SafetyRoute => crate::resident::SafetyPage;
    /// `/checkin`: the check-in QR.
    CheckInRoute => crate::resident::CheckIn;
    /// `/c/:code`: checking in at a shelter's poster.
    PosterCheckInRoute => crate::resident::PosterCheckIn;
}

#[cfg(feature = "staff")]
later! {
    /// `/hq`: the prefecture's and municipalities' headquarters.
    HqRoute => crate::hq::Hq;
    /// `/shelter/callback`: back from the organisation's sign-in.
    StaffCallbackRoute => crate::shelter::StaffCallback;
}

/// Notifications re-registered in the language just chosen: its own chunk (with the notices
/// page's), fetched only by a device whose notifications are on.
#[cfg(feature = "resident")]
#[leptos::lazy]
pub(crate) fn follow_language(lang: crate::i18n::Lang) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(crate::push::follow_language(lang))
}

/// The resident's session renewed with its refresh token (`session::refresh`, with the locks that
/// keep tabs from spending one token twice): its own chunk, as a first, signed-out visit never
/// needs it and a signed-in device has it precached.
#[cfg(feature = "resident")]
#[leptos::lazy]
pub(crate) fn refresh_session(
    stale: crate::session::Session,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<crate::session::Session, crate::api::ApiError>>>> {
    Box::pin(async move { crate::session::refresh(&stale).await })
}

/// The signed-in resident's household synced now (see `resident::state`): the saved copy read,
/// queued writes sent, the household fetched. Its own chunk, shared with the pages. `first`: the
/// app's start or a sign-in, skipped when a page opened meanwhile has begun a sync (it does what
/// this one would).
#[cfg(feature = "resident")]
#[leptos::lazy]
pub(crate) fn sync_household(first: bool) {
    if !(first && crate::resident::synced_since_start()) {
        crate::resident::sync_now();
    }
}

/// The household page's forms (adding a member, the home, the area): fetched once the page's
/// members show, so the page itself stays one small fetch.
#[cfg(feature = "resident")]
#[leptos::lazy]
pub(crate) fn household_forms() -> AnyView {
    crate::resident::household_forms()
}

/// Everything of the resident forgotten on this device (sign-out from the home page).
#[cfg(feature = "resident")]
#[leptos::lazy]
pub(crate) fn forget_resident() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(crate::resident::forget_local())
}

/// The shelter screen below the scan (the queue's export and import, desk registration, roster,
/// past rosters, supplies, status, poster): its own chunk, so a shelter device's first download is
/// the scan.
#[cfg(feature = "staff")]
#[leptos::lazy]
pub(crate) fn shelter_sections(shelter: String) -> AnyView {
    use crate::shelter::{Desk, PastRosters, PosterQr, QueueTools, Roster, Status, Supplies};
    view! {
        <QueueTools/>
        <Desk shelter=shelter.clone()/>
        <Roster shelter=shelter.clone()/>
        <PastRosters shelter=shelter.clone()/>
        <Supplies shelter=shelter.clone()/>
        <Status shelter=shelter.clone()/>
        <PosterQr shelter/>
    }
    .into_any()
}

/// `/shelter` signed out: the organisation's sign-in and the token form.
#[cfg(feature = "staff")]
#[leptos::lazy]
pub(crate) fn staff_sign_in(signed_in: RwSignal<bool>, lang: RwSignal<crate::i18n::Lang>) -> AnyView {
    view! { <crate::shelter::StaffSignIn signed_in lang/> }.into_any()
}

/// The shelter's scan by camera and from a photo (a desk scanner types into the scan input, which
/// is in the first download).
#[cfg(feature = "staff")]
#[leptos::lazy]
pub(crate) fn scan_by_picture(on_code: Callback<String>, msg: RwSignal<Option<(bool, String)>>) -> AnyView {
    use crate::shelter::{has_camera, Camera, Photo};
    view! {
        {has_camera().then(|| view! { <Camera on_code msg/> })}
        <Photo on_code msg/>
    }
    .into_any()
}

/// The QR decoder built into the app (rqrr), for staff devices without a `BarcodeDetector` and
/// for photos: its own chunk, fetched on the first frame or photo it reads.
#[cfg(feature = "staff")]
#[leptos::lazy]
pub(crate) fn qr_in_luma(w: usize, h: usize, luma: Vec<u8>) -> Option<String> {
    crate::qr_decode::decode_luma_guarded(w, h, luma)
}

/// The staff and HQ screens in every language but Japanese (`i18n::ForeignAreas`): only this
/// function names them, so their words are in its chunk, not in a shelter device's first download.
#[cfg(feature = "staff")]
#[leptos::lazy]
pub(crate) fn foreign_areas() -> crate::i18n::ForeignAreas {
    use crate::i18n::{HQ_OTHER, STAFF_OTHER, STAFF_PROBLEMS};
    crate::i18n::ForeignAreas { staff: STAFF_OTHER, hq: HQ_OTHER, problems: STAFF_PROBLEMS }
}

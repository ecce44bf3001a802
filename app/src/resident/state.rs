//! The signed-in resident's own data: the last `GET /api/household` (kept in
//! localStorage so the screens work offline), the outbox's pending writes
//! applied on top of it, and the sync loop (on start, on `online`, on a timer).
//!
//! The first download holds only the signals ([`init`], [`signals`]: the outbox line on every
//! page reads them). Reading the saved copy, the outbox and the sync ([`state`], [`sync`]) is
//! code of the pages' chunks, and of `later::sync_household` for the first download, which asks
//! for it only for a signed-in resident: a first visit does not download the household's and the
//! outbox's decoders.

use crate::api::{self, ApiError, Saved};
use crate::dom;
use crate::i18n::Lang;
use crate::outbox::{self, Op, Queued};
use crate::session;
use bosai_types::household::{HouseholdError, HouseholdView, Member, MemberId, MemberView};
use bosai_types::needs::{Needs, NeedsError};
use bosai_types::safety::{SafetyError, SafetyReport};
use bosai_types::surveys::OpenSurvey;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Every key of the resident's data starts with this, so sign-out can forget all of it.
pub const PREFIX: &str = "bosai.res.";
const HOUSEHOLD_KEY: &str = "bosai.res.household.v1";
/// The last `GET /api/surveys` body, for the survey pages offline.
pub(crate) const SURVEYS_KEY: &str = "bosai.res.surveys.v1";

#[derive(Clone, Copy)]
pub struct Resident {
    /// The server's copy as last received (cached).
    pub saved: RwSignal<Option<Saved<HouseholdView>>>,
    /// Queued writes, oldest first.
    pub pending: RwSignal<Vec<Queued>>,
    /// Whether `pending` has been read from IndexedDB since start (forms prefill after it).
    pub pending_loaded: RwSignal<bool>,
    /// Writes the server rejected (4xx), with its message.
    pub rejected: RwSignal<Vec<(Op, ApiError)>>,
    /// The last failed household fetch.
    pub error: RwSignal<Option<ApiError>>,
    /// The saved copy with the pending writes applied: what the screens show.
    pub shown: Memo<Option<HouseholdView>>,
    /// Bumped after every sync that reached the server.
    pub synced: RwSignal<u32>,
    /// The open surveys as last received (cached); fetched while a survey page is shown.
    pub surveys: RwSignal<Option<Saved<Vec<OpenSurvey>>>>,
}

thread_local! {
    static STATE: Cell<Option<Resident>> = const { Cell::new(None) };
    /// Whether the saved copy has been read into `saved` (see [`state`]).
    static LOADED: Cell<bool> = const { Cell::new(false) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    /// A sync has begun since the app started or the resident signed in.
    static BEGUN: Cell<bool> = const { Cell::new(false) };
    /// The path the app started on, signed in, until a page's [`refresh`].
    static START_PAGE: Cell<Option<String>> = const { Cell::new(None) };
    /// The running sync has begun sending the queue: what is asked from now on needs another round.
    static SENDING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static SURVEYS_DECODER: Cell<Option<SurveysDecoder>> = const { Cell::new(None) };
}

/// Reads a `GET /api/surveys` body. Given by the survey pages: their decoder lives in their chunk,
/// not in the first download.
pub type SurveysDecoder = fn(&str) -> Option<Vec<OpenSurvey>>;

/// Once a survey page has been shown, each sync also refreshes the open surveys.
pub fn want_surveys(decode: SurveysDecoder) {
    SURVEYS_DECODER.set(Some(decode));
}

/// The signals, as they are: the saved copy may not be read yet (see [`state`]).
pub fn signals() -> Resident {
    STATE.get().expect("resident::init runs in App")
}

/// The signals with the saved copy of the household read (once, at the first call): what the
/// pages use.
pub fn state() -> Resident {
    let s = signals();
    if !LOADED.replace(true) && session::load().is_some() && s.saved.with_untracked(Option::is_none) {
        s.saved.set(api::load_saved(HOUSEHOLD_KEY));
    }
    s
}

/// Once, from `App`: the signals; for a signed-in resident, then the saved copy and a sync, and
/// again on `online` (their code is a chunk: `later::sync_household`).
pub fn init() {
    let saved = RwSignal::new(None::<Saved<HouseholdView>>);
    // Loaded from the saved copy by the survey pages (surveys::want_surveys).
    let surveys = RwSignal::new(None);
    let pending = RwSignal::new(Vec::<Queued>::new());
    let shown = Memo::new(move |_| {
        let mut view = saved.get()?.data;
        pending.with(|p| p.iter().for_each(|q| apply(&mut view, q)));
        // The resident first, then the others in the server's order.
        view.members.sort_by_key(|m| !m.member.id.is_self());
        Some(view)
    });
    STATE.set(Some(Resident {
        saved,
        pending,
        pending_loaded: RwSignal::new(false),
        rejected: RwSignal::new(Vec::new()),
        error: RwSignal::new(None),
        shown,
        synced: RwSignal::new(0),
        surveys,
    }));
    #[cfg(feature = "resident")] // (the staff bundle has no resident pages)
    {
        let signed_in_sync = |first| {
            if session::load().is_some() {
                spawn_local(crate::later::sync_household(first));
            }
        };
        if let Some(w) = web_sys::window() {
            let on_online = Closure::<dyn Fn()>::new(move || signed_in_sync(false));
            let _ = w.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
            on_online.forget();
        }
        if session::load().is_some() {
            START_PAGE.set(web_sys::window().and_then(|w| w.location().pathname().ok()));
        }
        signed_in_sync(true);
    }
}

/// What a pending write changes, so the screens show it before the server has it.
fn apply(view: &mut HouseholdView, q: &Queued) {
    let find = |view: &mut HouseholdView, id: &MemberId| view.members.iter_mut().position(|m| &m.member.id == id);
    match &q.op {
        Op::PutMember { id, input } => {
            let member = Member {
                id: id.clone(),
                display_name: input.display_name.clone(),
                birth: Some(input.birth),
                sex: input.sex,
                relationship: input.relationship,
                updated_at: q.at,
                name_unconfirmed: false,
            };
            match find(view, id) {
                Some(i) => view.members[i].member = member,
                None => {
                    view.members.push(MemberView { member, needs: None, safety: None, checked_in: None, help: None })
                }
            }
        }
        Op::DeleteMember { id } => view.members.retain(|m| &m.member.id != id),
        Op::PutNeeds { id, input } => {
            if let Some(i) = find(view, id) {
                view.members[i].needs = Some(Needs { needs: input.clone(), updated_at: q.at });
            }
        }
        // Shown on the survey pages (see `survey_pages`), not in the household.
        Op::SurveyAnswer { .. } => {}
        Op::Safety { input } => {
            if let Some(i) = find(view, &input.member_id) {
                // A new report is a new request, or none: HQ's step on the last one is over.
                view.members[i].help = None;
                view.members[i].safety = Some(SafetyReport {
                    report_id: input.report_id.clone(),
                    member_id: input.member_id.clone(),
                    status: input.status.clone(),
                    reported_at: q.at,
                    received_at: None,
                    clock_skew_ms: None,
                    drill: None,
                });
            }
        }
    }
}

/// Queue a write (durably), show it at once, and try to send it.
pub async fn submit(op: Op) -> Result<(), ApiError> {
    submit_all(vec![op]).await
}

/// [`submit`] for writes made together: queued all or none.
pub async fn submit_all(ops: Vec<Op>) -> Result<(), ApiError> {
    outbox::push_all(ops).await.map_err(|_| ApiError::Unsupported)?;
    reload_pending().await;
    sync();
    Ok(())
}

/// Writes queued outside the app (the loading page's safety form, public/boot-lang.js): read
/// into the waiting list, then sent.
pub async fn adopt_queued() {
    reload_pending().await;
    sync();
}

async fn reload_pending() {
    let s = state();
    if let Ok(items) = outbox::list().await {
        s.pending.set(items);
    }
    if !s.pending_loaded.get_untracked() {
        s.pending_loaded.set(true);
    }
}

pub fn pending_for(id: &MemberId) -> usize {
    state().pending.with(|p| p.iter().filter(|q| q.op.member_id() == Some(id)).count())
}

/// Whether a sync has begun since the app started or the resident signed in (a page opened
/// meanwhile begins its own).
pub fn synced_since_start() -> bool {
    BEGUN.get()
}

/// [`sync`] at once, the wait after earlier failures forgotten (at start, back online, signed in).
pub fn sync_now() {
    outbox::reset_backoff();
    sync();
}

/// A page opened: the household fetched fresh. Nothing more for the page the app opened on (the
/// start's sync, see [`init`], fetches for it) or while a sync runs (its fetch is on its way);
/// after a write, [`sync`], which must send it.
pub fn refresh() {
    let here = web_sys::window().and_then(|w| w.location().pathname().ok());
    let start_page = START_PAGE.take().is_some_and(|p| Some(p) == here);
    if !start_page && !RUNNING.get() {
        sync();
    }
}

/// Send what is queued, then fetch the household. Calls made while one runs are folded into one more round.
pub fn sync() {
    if RUNNING.get() {
        // Asked before the running sync sent anything (a page opened as the app starts): that
        // sync sends what is queued now and fetches after it, so a second round would only
        // repeat its requests.
        if SENDING.get() {
            AGAIN.set(true);
        }
        return;
    }
    RUNNING.set(true);
    BEGUN.set(true);
    spawn_local(async {
        loop {
            AGAIN.set(false);
            SENDING.set(false);
            sync_once().await;
            if !AGAIN.get() {
                break;
            }
        }
        RUNNING.set(false);
    });
}

async fn sync_once() {
    let s = state();
    reload_pending().await;
    if session::load().is_none() {
        return;
    }
    SENDING.set(true);
    let flushed = outbox::flush().await;
    if !flushed.rejected.is_empty() {
        s.rejected.update(|r| r.extend(flushed.rejected.into_iter().map(|(q, e)| (q.op, e))));
    }
    reload_pending().await;
    match flushed.blocked {
        // Offline or the server is struggling: keep the copy we have, try again later.
        Some(e) => {
            if !matches!(e, ApiError::NoSignIn | ApiError::Unsupported) {
                outbox::retry_later(sync);
            }
            s.error.set(Some(e));
        }
        None => {
            outbox::reset_backoff();
            match api::resident::household().text().await {
                Ok(text) => {
                    if let Ok(data) = api::decode::<HouseholdView>(&text) {
                        let saved_at = dom::now();
                        dom::storage_set(HOUSEHOLD_KEY, &text);
                        dom::storage_set(&format!("{HOUSEHOLD_KEY}.at"), &saved_at.millis().to_string());
                        s.saved.set(Some(Saved { saved_at, data }));
                        s.error.set(None);
                        s.synced.update(|n| *n += 1);
                    }
                }
                Err(e) => s.error.set(Some(e)),
            }
            if let Some(decode) = SURVEYS_DECODER.get() {
                match api::resident::surveys().text().await {
                    Ok(text) => {
                        if let Some(data) = decode(&text) {
                            let saved_at = dom::now();
                            dom::storage_set(SURVEYS_KEY, &text);
                            dom::storage_set(&format!("{SURVEYS_KEY}.at"), &saved_at.millis().to_string());
                            s.surveys.set(Some(Saved { saved_at, data }));
                        }
                    }
                    Err(e) => s.error.set(Some(e)),
                }
            }
        }
    }
}

/// Forget everything of this resident on this device (sign-out, account deleted).
pub async fn forget_local() {
    crate::push::forget().await;
    let _ = outbox::clear().await;
    if let Some(st) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let n = st.length().unwrap_or(0);
        let keys: Vec<String> = (0..n).filter_map(|i| st.key(i).ok().flatten()).collect();
        for k in keys.iter().filter(|k| k.starts_with(PREFIX)) {
            let _ = st.remove_item(k);
        }
    }
    BEGUN.set(false);
    if let Some(s) = STATE.get() {
        s.saved.set(None);
        s.surveys.set(None);
        s.pending.set(Vec::new());
        s.rejected.set(Vec::new());
        s.error.set(None);
    }
}

/// A validation error from the shared crate: the same words the server would use.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    Household(HouseholdError),
    Needs(NeedsError),
    Safety(SafetyError),
    /// "At a shelter" with no shelter to pick (the list never loaded).
    NoShelter,
    /// A report for the family with every member unticked.
    NoMemberChosen,
    /// A safety report with no situation chosen (none is chosen for the resident: a family
    /// report must not say "safe" for someone by default).
    NoStatusChosen,
    /// A new member's relationship not chosen (no default: a wrong one reaches the rosters).
    NoRelationship,
    /// A birth year or age the form cannot read.
    Birth(bosai_types::wareki::BirthInputError),
}

impl Invalid {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            // Every rule the form checks has its text in each catalog (`error_<code>`).
            Invalid::Household(e) => lang.tr().error(e.code()).unwrap_or(e.message_ja()).into(),
            Invalid::Needs(e) => lang.tr().error(e.code()).unwrap_or(e.message_ja()).into(),
            Invalid::Safety(e) => lang.tr().error(e.code()).unwrap_or(e.message_ja()).into(),
            Invalid::NoShelter => lang.tr().invalid_no_shelter.into(),
            Invalid::Birth(e) => crate::birth::message(*e, lang),
            Invalid::NoMemberChosen => lang.tr().invalid_no_member.into(),
            Invalid::NoStatusChosen => lang.tr().invalid_no_status.into(),
            Invalid::NoRelationship => lang.tr().invalid_no_relationship.into(),
        }
    }

    /// The field the error is about (the end of its id in the form: `name` is `new-name` in the
    /// add-member form), to take the resident there; None for the form as a whole.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            Invalid::Household(HouseholdError::BadName) => "name",
            Invalid::Household(HouseholdError::BadBirthDate) | Invalid::Birth(_) => "birth",
            Invalid::NoRelationship => "rel",
            Invalid::Safety(SafetyError::BadPlace) => "place",
            Invalid::Safety(SafetyError::BadHelp) => "help-what",
            Invalid::Safety(SafetyError::BadPhone) => "help-phone",
            Invalid::NoShelter => "shelter",
            Invalid::NoStatusChosen => "status-safe_at_home",
            _ => return None,
        })
    }
}

/// `prefix` + random base36 (ids the app chooses so a resend is the same write).
pub fn random_id(prefix: &str, len: usize) -> String {
    const A: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut bytes = vec![0u8; len];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    let mut s = String::from(prefix);
    s.extend(bytes.iter().map(|b| A[*b as usize % 36] as char));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_error_names_its_field() {
        assert_eq!(Invalid::Household(HouseholdError::BadName).field(), Some("name"));
        assert_eq!(Invalid::Birth(bosai_types::wareki::BirthInputError::OutOfRange).field(), Some("birth"));
        assert_eq!(Invalid::Household(HouseholdError::BadBirthDate).field(), Some("birth"));
        assert_eq!(Invalid::NoRelationship.field(), Some("rel"));
        assert_eq!(Invalid::Safety(SafetyError::BadHelp).field(), Some("help-what"));
        // The first situation, an id the safety form gives it.
        assert_eq!(Invalid::NoStatusChosen.field(), Some(format!("status-{}", crate::resident::KINDS[0]).as_str()));
        assert_eq!(Invalid::Household(HouseholdError::TooManyMembers).field(), None, "the form as a whole");
    }
}

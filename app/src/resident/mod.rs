//! The signed-in resident's screens, one file per screen: household, a member's details and
//! needs, safety reports, the check-in QR, and "my data" (export, delete); `state` holds what
//! they share (the household, the outbox of writes). Every write goes through the outbox, so the
//! screens behave the same offline.

mod checkin;
mod components;
mod consent;
mod handover;
mod home_picker;
mod household;
mod member;
mod mydata;
mod notices;
mod safety;
mod state;
mod survey_form;
mod surveys;

pub(crate) use checkin::*;
pub(crate) use components::*;
pub(crate) use consent::*;
pub(crate) use home_picker::*;
pub(crate) use household::*;
pub(crate) use member::*;
pub(crate) use mydata::*;
pub(crate) use notices::*;
pub(crate) use safety::*;
pub use state::*;
pub(crate) use survey_form::*;
pub(crate) use surveys::*;

//! `/shelter`: the shelter staff screen, one file per part. Sign-in through the organisation's
//! IdP (or a pasted staff token); scanning (keyboard-wedge input; camera with the browser's
//! BarcodeDetector or the built-in decoder, `qr_decode.rs`; a photo) verified offline and queued
//! durably (`staff.rs`); desk registration; status; roster; poster. Text comes from the staff
//! catalog (`i18n/staff`: `l.staff().key`, `ts(lang, |s| s.key)`).

mod camera;
mod components;
mod desk;
mod past_roster;
mod poster;
mod roster;
mod scan;
mod scan_people;
mod signin;
mod staff_signin;
mod status;
mod supplies;

pub(crate) use camera::*;
pub(crate) use components::*;
pub(crate) use desk::*;
pub(crate) use past_roster::*;
pub(crate) use poster::*;
pub(crate) use roster::*;
pub(crate) use scan::*;
pub(crate) use scan_people::*;
pub(crate) use signin::*;
pub(crate) use staff_signin::*;
pub(crate) use status::*;
pub(crate) use supplies::{name_of_code, Supplies};

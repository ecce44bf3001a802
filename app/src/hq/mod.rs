//! `/hq`: the disaster HQ (災害対策本部) screen in the staff bundle, one file per part. Sign-in
//! through the organisation's IdP (or a pasted HQ token); the municipality's summary; sending
//! notices (お知らせ) by push with a confirmation step and their delivery progress; open requests
//! for help; the surveys' results; and, beside them, the audit log, residents away in other towns and the prefecture's
//! view. Text comes from the HQ catalog (`i18n/hq`: `l.hq().key`, `th(lang, |h| h.key)`), compiled
//! into the staff bundle only.

mod audit;
mod away;
mod components;
mod compose;
mod help;
mod incidents;
mod notice_text;
mod prefecture;
mod sent;
mod signin;
mod summary;
mod survey_start;
mod surveys;
mod templates;
mod who;

pub(crate) use audit::*;
pub(crate) use away::*;
pub(crate) use components::*;
pub(crate) use compose::*;
pub(crate) use help::*;
pub(crate) use incidents::*;
pub(crate) use notice_text::*;
pub(crate) use prefecture::*;
pub(crate) use sent::*;
pub(crate) use signin::*;
pub(crate) use summary::*;
pub(crate) use survey_start::*;
pub(crate) use surveys::*;
pub(crate) use templates::*;
pub(crate) use who::*;

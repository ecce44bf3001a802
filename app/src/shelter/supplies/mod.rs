//! The supplies (物資) panel of the shelter staff view: the catalog grouped for
//! the eye (water and food, allergy-free meals per allergen, babies, care and
//! hygiene, toilets, other) with stock on hand, the quantity requested from HQ
//! and the request status; per item a stock-take / request form and a delivery
//! form.
//!
//! Writes need the network and are refused while offline (no queue): a counted
//! stock is a snapshot, and replaying it hours later could overwrite a newer
//! count made by another device; requests are only useful when HQ sees them.
//! The typed numbers stay in the form for when the network is back. A delivery
//! id is chosen once per delivery (kept across retries of the same item and
//! quantity, dropped after success), so a double tap or a resend after a lost
//! answer raises the stock once. The last list read is kept on the device and
//! shown, with its time, while offline.

mod catalog;
mod editor;
mod panel;

pub(crate) use catalog::*;
pub(crate) use editor::*;
pub(crate) use panel::*;

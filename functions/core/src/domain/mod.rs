//! Business rules as plain functions over the store interface, unit-tested without HTTP.

pub mod area_import;
pub mod areas;
pub mod audit;
pub mod auth;
pub mod checkin;
pub mod consent;
pub mod credential;
pub mod desk;
pub mod erasure;
pub mod fanout;
pub mod headcount;
pub mod home;
pub mod hq;
pub mod location;
pub mod household;
pub mod municipality_list;
pub mod mydata;
pub mod notices;
pub mod roster;
pub mod safety;
pub mod scan_preview;
pub mod sessions;
pub mod staff_accounts;
/// Card certificate checks live in their own I/O-free crate (also fuzzed).
pub use bosai_jpki as jpki;
pub mod shelter_import;
pub mod shelters;
pub mod supplies;
pub mod surveys;

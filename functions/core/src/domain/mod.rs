//! Business rules as plain functions over the store interface, unit-tested without HTTP.

pub mod activity;
pub mod area_import;
pub mod areas;
pub mod audit;
pub mod auth;
pub mod away;
pub mod checkin;
pub mod consent;
pub mod credential;
pub mod csv;
pub mod desk;
pub mod erasure;
pub mod fanout;
pub mod headcount;
pub mod help_list;
pub mod home;
pub mod household;
pub mod household_view;
pub mod hq;
pub mod incidents;
mod layering;
pub mod lifecycle;
pub mod location;
pub mod municipality_list;
pub mod mydata;
pub mod notices;
pub mod open_data;
pub mod person;
pub mod profile;
pub mod purge;
pub mod roster;
pub mod safety;
pub mod scan_preview;
pub mod scans;
pub mod sessions;
pub mod staff_accounts;
/// Card certificate checks live in their own I/O-free crate (also fuzzed).
pub use bosai_jpki as jpki;
pub mod shelter_import;
pub mod shelters;
pub mod stays;
pub mod subscriptions;
pub mod supplies;
pub mod surveys;

/// Every page of a query, collected: for lists the domain bounds (a household, a roster, a day's
/// audit log, a municipality's shelters).
pub(crate) async fn query_all(
    store: &dyn bosai_store::Store,
    q: bosai_store::Query,
) -> Result<Vec<bosai_store::Item>, crate::ApiError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.query(q.clone().after(cursor)).await?;
        out.extend(page.items);
        cursor = page.next;
        if cursor.is_none() {
            return Ok(out);
        }
    }
}

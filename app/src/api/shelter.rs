//! Endpoints shelter staff call, as the staff signed in on this tab. Types only this screen
//! shows (the poster, a supply line) are the caller's `T`, decoding what it reads.

use super::{Call, Ignored, Staff};
use bosai_types::desk::{DeskRegistered, DeskRegistration};
use bosai_types::roster::{PastRoster, RosterEntry};
use bosai_types::scan_preview::{ScanPreview, ScanPreviewRequest};
use bosai_types::supplies::{Delivery, StockUpdate};
use bosai_types::{Shelter, ShelterStatusUpdate};
use serde::de::DeserializeOwned;

/// `GET /api/shelters/{id}/roster{?filters}` (`filters`: `?allergen=…&q=…`, or empty).
pub fn roster(shelter: &str, filters: &str) -> Call<Staff, Vec<RosterEntry>> {
    Call::new("GET", format!("/api/shelters/{shelter}/roster{filters}"))
}

/// `GET /api/shelters/{id}/roster.csv{?filters}`: downloaded as a file.
pub fn roster_csv(shelter: &str, filters: &str) -> Call<Staff, Ignored> {
    Call::new("GET", format!("/api/shelters/{shelter}/roster.csv{filters}"))
}

/// `POST /api/shelters/{id}/roster/{entry}/check-out`: someone who left without scanning out.
pub fn check_out(shelter: &str, entry: &str, event_id: &str) -> Call<Staff, Ignored> {
    Call::new("POST", format!("/api/shelters/{shelter}/roster/{entry}/check-out"))
        .with(&serde_json::json!({ "event_id": event_id }))
}

/// `DELETE /api/shelters/{id}/roster/{entry}`: a desk registration deleted at the person's request.
pub fn delete_desk_registration(shelter: &str, entry: &str) -> Call<Staff, Ignored> {
    Call::new("DELETE", format!("/api/shelters/{shelter}/roster/{entry}"))
}

/// `GET /api/shelters/{id}/roster/past`: the rosters of incidents that closed.
pub fn past_rosters(shelter: &str) -> Call<Staff, Vec<PastRoster>> {
    Call::new("GET", format!("/api/shelters/{shelter}/roster/past"))
}

/// `POST /api/shelters/{id}/desk-registrations`: someone without a phone, registered at the desk.
pub fn register_at_desk(shelter: &str, reg: &DeskRegistration) -> Call<Staff, DeskRegistered> {
    Call::new("POST", format!("/api/shelters/{shelter}/desk-registrations")).with(reg)
}

/// `POST /api/shelters/{id}/scans`: a batch of scans, as JSON already made (the queue's).
pub fn scans<T: DeserializeOwned>(shelter: &str, batch_json: String) -> Call<Staff, T> {
    Call::new("POST", format!("/api/shelters/{shelter}/scans")).with_text(batch_json)
}

/// `POST /api/shelters/{id}/scan-preview`: whom a scanned code names, before checking them in.
pub fn scan_preview(shelter: &str, req: &ScanPreviewRequest) -> Call<Staff, ScanPreview> {
    Call::new("POST", format!("/api/shelters/{shelter}/scan-preview")).with(req)
}

/// `GET /api/shelters/{id}/poster`: the shelter's check-in poster.
pub fn poster<T: DeserializeOwned>(shelter: &str) -> Call<Staff, T> {
    Call::new("GET", format!("/api/shelters/{shelter}/poster"))
}

/// `PUT /api/shelters/{id}/status`: open or closed, congestion, capacity.
pub fn set_status(shelter: &str, update: &ShelterStatusUpdate) -> Call<Staff, Shelter> {
    Call::new("PUT", format!("/api/shelters/{shelter}/status")).with(update)
}

/// `GET /api/shelters/{id}/supplies`.
pub fn supplies<T: DeserializeOwned>(shelter: &str) -> Call<Staff, Vec<T>> {
    Call::new("GET", format!("/api/shelters/{shelter}/supplies"))
}

/// `PUT /api/shelters/{id}/supplies/{item}`: stock on hand and requested.
pub fn set_stock<T: DeserializeOwned>(shelter: &str, item: &str, update: &StockUpdate) -> Call<Staff, T> {
    Call::new("PUT", format!("/api/shelters/{shelter}/supplies/{item}")).with(update)
}

/// `POST /api/shelters/{id}/supplies/{item}/deliveries`: a delivery received (its id makes a resend count once).
pub fn record_delivery<T: DeserializeOwned>(shelter: &str, item: &str, delivery: &Delivery) -> Call<Staff, T> {
    Call::new("POST", format!("/api/shelters/{shelter}/supplies/{item}/deliveries")).with(delivery)
}

//! Endpoints HQ (災害対策本部) calls, as HQ signed in on this tab; and the administrator's, sent
//! with the token pasted on their page (`Call::send_with_token`).

use super::{query, Call, Hq, Ignored, Public};
use bosai_types::audit::AuditEntry;
use bosai_types::household::{HelpRequest, HelpState, HelpStateChange};
use bosai_types::hq::{AwayPerson, PrefectureSummary};
use bosai_types::incident::{Incident, OpenIncident};
use bosai_types::notices::{NewNotice, Notice};
use bosai_types::shelter::ShelterFacilitiesUpdate;
use bosai_types::staff::{StaffAccount, StaffAccountInput};
use bosai_types::supplies::SupplyLine;
use bosai_types::surveys::{NewSurvey, Survey, SurveyId, SurveyTotals};
use bosai_types::Shelter;
use serde::de::DeserializeOwned;

/// `?incident=<id>` when HQ looks at one incident (a closed one, say), else nothing.
fn of_incident(incident: Option<&str>) -> String {
    query(&[("incident", incident.unwrap_or(""))])
}

/// `GET /api/hq/summary`: the municipality's counts (this screen decodes what it shows).
pub fn summary<T: DeserializeOwned>(incident: Option<&str>) -> Call<Hq, T> {
    Call::new("GET", format!("/api/hq/summary{}", of_incident(incident)))
}

/// `GET /api/hq/help-requests`: open "needs help" reports.
pub fn help_requests(incident: Option<&str>) -> Call<Hq, Vec<HelpRequest>> {
    Call::new("GET", format!("/api/hq/help-requests{}", of_incident(incident)))
}

/// `PUT /api/hq/help-requests/{report_id}`: HQ's step on a request (of the incident viewed).
pub fn set_help_state(report_id: &str, state: HelpState, incident: Option<&str>) -> Call<Hq, HelpRequest> {
    // (A report id is letters, digits, `-` and `_`: nothing to encode.)
    let path = format!("/api/hq/help-requests/{report_id}{}", of_incident(incident));
    Call::new("PUT", path).with(&HelpStateChange { state })
}

/// `GET /api/hq/supply-requests`: each shelter's open supply requests (which shelter asks for what).
pub fn supply_requests(incident: Option<&str>) -> Call<Hq, Vec<SupplyLine>> {
    Call::new("GET", format!("/api/hq/supply-requests{}", of_incident(incident)))
}

/// `GET /api/hq/notices`: the notices sent, newest first, with their delivery.
pub fn notices(incident: Option<&str>) -> Call<Hq, Vec<Notice>> {
    Call::new("GET", format!("/api/hq/notices{}", of_incident(incident)))
}

/// `POST /api/hq/notices`: a notice saved for sending (its id makes a resend one notice).
pub fn send_notice(n: &NewNotice) -> Call<Hq, Ignored> {
    Call::new("POST", "/api/hq/notices".into()).with(n)
}

/// `GET /api/hq/surveys`: the municipality's surveys, open or not (the current incident's).
pub fn surveys() -> Call<Hq, Vec<Survey>> {
    Call::new("GET", "/api/hq/surveys".into())
}

/// `POST /api/hq/surveys`: a survey started (its id makes a resend the same survey).
pub fn create_survey(s: &NewSurvey) -> Call<Hq, Ignored> {
    Call::new("POST", "/api/hq/surveys".into()).with(s)
}

/// `GET /api/hq/surveys/{id}/totals`: the counts of the current period.
pub fn survey_totals(id: &SurveyId) -> Call<Hq, SurveyTotals> {
    Call::new("GET", format!("/api/hq/surveys/{}/totals", id.as_str()))
}

/// `POST /api/hq/surveys/{id}/close`: no answers from now on (closing again changes nothing).
pub fn close_survey(id: &SurveyId) -> Call<Hq, Ignored> {
    Call::new("POST", format!("/api/hq/surveys/{}/close", id.as_str()))
}

/// `GET /api/hq/incidents`.
pub fn incidents() -> Call<Hq, Vec<Incident>> {
    Call::new("GET", "/api/hq/incidents".into())
}

/// `POST /api/hq/incidents`: an incident or a drill opened.
pub fn open_incident(req: &OpenIncident) -> Call<Hq, Ignored> {
    Call::new("POST", "/api/hq/incidents".into()).with(req)
}

/// `POST /api/hq/incidents/{id}/close`.
pub fn close_incident(id: &str) -> Call<Hq, Ignored> {
    Call::new("POST", format!("/api/hq/incidents/{id}/close"))
}

/// `GET /api/hq/audit{?filters}` (`filters` from [`super::query`]).
pub fn audit(filters: &str) -> Call<Hq, Vec<AuditEntry>> {
    Call::new("GET", format!("/api/hq/audit{filters}"))
}

/// `GET /api/hq/audit.csv{?filters}`: downloaded as a file.
pub fn audit_csv(filters: &str) -> Call<Hq, Ignored> {
    Call::new("GET", format!("/api/hq/audit.csv{filters}"))
}

/// `GET /api/hq/away`: the municipality's residents in other towns' shelters.
pub fn away() -> Call<Hq, Vec<AwayPerson>> {
    Call::new("GET", "/api/hq/away".into())
}

/// `GET /api/hq/prefecture`: the prefecture's view.
pub fn prefecture() -> Call<Hq, PrefectureSummary> {
    Call::new("GET", "/api/hq/prefecture".into())
}

// ---- the administrator's (token pasted on the page) ---------------------------------------

/// `GET /api/admin/municipalities/{code}/staff`.
pub fn staff_accounts(code: &str) -> Call<Public, Vec<StaffAccount>> {
    Call::new("GET", format!("/api/admin/municipalities/{code}/staff"))
}

fn staff_account_path(code: &str, subject: &str) -> String {
    format!("/api/admin/municipalities/{code}/staff/{}", String::from(js_sys::encode_uri_component(subject)))
}

/// `PUT /api/admin/municipalities/{code}/staff/{subject}`.
pub fn put_staff_account(code: &str, subject: &str, input: &StaffAccountInput) -> Call<Public, Ignored> {
    Call::new("PUT", staff_account_path(code, subject)).with(input)
}

/// `DELETE /api/admin/municipalities/{code}/staff/{subject}`.
pub fn delete_staff_account(code: &str, subject: &str) -> Call<Public, Ignored> {
    Call::new("DELETE", staff_account_path(code, subject))
}

/// `PUT /api/shelters/{id}/facilities`: facilities and capacity.
pub fn set_facilities(shelter: &str, update: &ShelterFacilitiesUpdate) -> Call<Public, Shelter> {
    Call::new("PUT", format!("/api/shelters/{shelter}/facilities")).with(update)
}

/// `POST /api/admin/municipalities/{code}/{shelters|areas|staff}.csv?apply=`: an open-data CSV,
/// checked (`apply` false) or imported; the file is the body.
pub fn import_path(code: &str, what: &str, apply: bool) -> String {
    format!("/api/admin/municipalities/{code}/{what}?apply={apply}")
}

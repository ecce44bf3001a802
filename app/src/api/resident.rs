//! Endpoints the signed-in resident's app calls. Lists and views come back as text where the app
//! keeps them on the device as received; the household's writes are queued by the outbox.

use super::{Call, Ignored, Resident};
use bosai_types::auth::Me;
use bosai_types::checkin::{CheckInCredential, CredentialRequest, PosterCheckIn};
use bosai_types::consent::ConsentInput;
use bosai_types::household::{AreaRegistration, DeleteConfirmation, Home, HomeChoice, MemberId, MemberInput};
use bosai_types::needs::NeedsInput;
use bosai_types::notices::{PushSubscriptionInput, PushUnsubscribe};
use bosai_types::safety::{SafetyReport, SafetyReportInput};

/// `GET /api/me`: who is signed in, their home municipality and area.
pub fn me() -> Call<Resident, Me> {
    Call::new("GET", "/api/me".into())
}

/// `PUT /api/me/area`: the area notices for which reach the resident (empty: none).
pub fn set_area(a: &AreaRegistration) -> Call<Resident, Ignored> {
    Call::new("PUT", "/api/me/area".into()).with(a)
}

/// `PUT /api/me/home`: the municipality the resident lives in.
pub fn set_home(h: &HomeChoice) -> Call<Resident, Home> {
    Call::new("PUT", "/api/me/home".into()).with(h)
}

/// `GET /api/household` (a `HouseholdView`, kept on the device as text).
pub fn household() -> Call<Resident, Ignored> {
    Call::new("GET", "/api/household".into())
}

/// `PUT /api/household/members/{id}` (queued).
pub fn put_member(id: &MemberId, input: &MemberInput) -> Call<Resident, Ignored> {
    Call::new("PUT", format!("/api/household/members/{id}")).with(input)
}

/// `DELETE /api/household/members/{id}` (queued).
pub fn delete_member(id: &MemberId) -> Call<Resident, Ignored> {
    Call::new("DELETE", format!("/api/household/members/{id}"))
}

/// `PUT /api/household/members/{id}/needs` (queued).
pub fn put_needs(id: &MemberId, input: &NeedsInput) -> Call<Resident, Ignored> {
    Call::new("PUT", format!("/api/household/members/{id}/needs")).with(input)
}

/// `POST /api/safety`: a safety report (queued).
pub fn report_safety(input: &SafetyReportInput) -> Call<Resident, Ignored> {
    Call::new("POST", "/api/safety".into()).with(input)
}

/// `GET /api/safety/history?member_id=`: a member's reports, newest first.
pub fn safety_history(member: &MemberId) -> Call<Resident, Vec<SafetyReport>> {
    Call::new("GET", format!("/api/safety/history{}", super::query(&[("member_id", member.as_str())])))
}

/// `GET /api/surveys` (the open surveys with this household's answers, kept as text; decoded by
/// the survey pages' chunk).
pub fn surveys() -> Call<Resident, Ignored> {
    Call::new("GET", "/api/surveys".into())
}

/// `PUT /api/surveys/{id}/answer`: the answer as the JSON it was kept as (queued).
pub fn answer_survey(survey_id: &str, answer_json: String) -> Call<Resident, Ignored> {
    Call::new("PUT", format!("/api/surveys/{survey_id}/answer")).with_text(answer_json)
}

/// `GET /api/notices`: the notices for the resident (kept as text).
pub fn notices() -> Call<Resident, Ignored> {
    Call::new("GET", "/api/notices".into())
}

/// `POST /api/me/checkin-credential`: the QR code shelter staff scan.
pub fn checkin_credential(req: &CredentialRequest) -> Call<Resident, CheckInCredential> {
    Call::new("POST", "/api/me/checkin-credential".into()).with(req)
}

/// `POST /api/me/checkins`: checking in by scanning a shelter's poster.
pub fn check_in_at_poster(req: &PosterCheckIn) -> Call<Resident, Ignored> {
    Call::new("POST", "/api/me/checkins".into()).with(req)
}

/// `PUT /api/me/consent`: consent to keep 要配慮個人情報 (needs), this version of the text.
pub fn consent(c: &ConsentInput) -> Call<Resident, Ignored> {
    Call::new("PUT", "/api/me/consent".into()).with(c)
}

/// `DELETE /api/me/consent`: consent withdrawn; the needs are deleted.
pub fn withdraw_consent() -> Call<Resident, Ignored> {
    Call::new("DELETE", "/api/me/consent".into())
}

/// `POST /api/push/subscriptions`: this device's notifications, in its reader's language.
pub fn subscribe(s: &PushSubscriptionInput) -> Call<Resident, Ignored> {
    Call::new("POST", "/api/push/subscriptions".into()).with(s)
}

/// `DELETE /api/push/subscriptions`.
pub fn unsubscribe(u: &PushUnsubscribe) -> Call<Resident, Ignored> {
    Call::new("DELETE", "/api/push/subscriptions".into()).with(u)
}

/// `GET /api/me/export`: everything stored about the household (saved as a file, as received).
pub fn export() -> Call<Resident, Ignored> {
    Call::new("GET", "/api/me/export".into())
}

/// `DELETE /api/me`: everything deleted.
pub fn delete_everything() -> Call<Resident, Ignored> {
    Call::new("DELETE", "/api/me".into()).with(&DeleteConfirmation { confirm: "delete".into() })
}

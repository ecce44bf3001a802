//! Key layout of the single table (see README "Data model"). Every key string
//! is built here so the access patterns stay in one file.

use bosai_store::Key;
use bosai_types::{MunicipalityCode, ShelterId};

pub fn shelter(id: &ShelterId) -> Key {
    Key::new(format!("SHELTER#{id}"), "META")
}

/// GSI1 partition listing a municipality's shelters.
pub fn shelters_of(m: &MunicipalityCode) -> String {
    format!("MUNI#{m}#SHELTERS")
}

pub fn municipality(m: &MunicipalityCode) -> Key {
    Key::new(format!("MUNI#{m}"), "META")
}

pub fn staff_account(id: &str) -> Key {
    Key::new(format!("STAFF#{id}"), "ACCOUNT")
}

pub fn challenge(nonce: &str) -> Key {
    Key::new(format!("CHALLENGE#{nonce}"), "CHALLENGE")
}

pub fn auth_code(code_hash: &str) -> Key {
    Key::new(format!("AUTHCODE#{code_hash}"), "CODE")
}

/// Card certificate pseudonym → resident subject (renewed cards link here).
pub fn cert_subject(cert_pseudonym: &str) -> Key {
    Key::new(format!("CERT#{cert_pseudonym}"), "SUBJECT")
}

pub fn profile(sub: &str) -> Key {
    Key::new(format!("RES#{sub}"), "PROFILE")
}

pub fn refresh_token(token_hash: &str) -> Key {
    Key::new(format!("REFRESH#{token_hash}"), "TOKEN")
}

pub fn refresh_family(family: &str) -> Key {
    Key::new(format!("RFAMILY#{family}"), "FAMILY")
}

// Needs surveys (see README data model).
pub fn survey(m: &MunicipalityCode, survey_id: &str) -> Key {
    Key::new(format!("MUNI#{m}"), format!("SURVEY#{survey_id}"))
}

pub fn survey_answer(survey_id: &str, period: &str, sub: &str) -> Key {
    Key::new(format!("SURVEY#{survey_id}"), format!("ANSWER#{period}#{sub}"))
}

/// GSI1 partition of one resident's answers.
pub fn answers_of(sub: &str) -> String {
    format!("RES#{sub}#ANSWERS")
}

pub fn survey_total(survey_id: &str, period: &str, question: &str) -> Key {
    Key::new(format!("SURVEY#{survey_id}"), format!("TOTAL#{period}#{question}"))
}

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

//! Key layout of the single table (see docs/data-model.md). Every key string
//! is built here so the access patterns stay in one file.

use bosai_store::Key;
use bosai_types::{MunicipalityCode, ShelterId};

/// SHA-256, hex: secrets (sign-in codes, refresh tokens) are in keys only as this, so a leaked
/// table cannot be replayed; ids made from a person's id use it so they do not show it.
pub fn digest(secret: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn shelter(id: &ShelterId) -> Key {
    Key::new(format!("SHELTER#{id}"), "META")
}

/// GSI1 partition listing a municipality's shelters.
pub fn shelters_of(m: &MunicipalityCode) -> String {
    format!("MUNI#{m}#SHELTERS")
}

/// A shelter's headcount counters (HQ summary), beside its META item.
pub fn headcount(id: &ShelterId) -> Key {
    headcount_in(id, &Space::Real)
}

/// A drill's counters are the shelter's own for that drill: kept after it ends (anonymous
/// totals for the after-drill review).
pub fn headcount_in(id: &ShelterId, space: &Space) -> Key {
    Key::new(format!("SHELTER#{id}"), format!("HEADCOUNT{}", space.suffix()))
}

/// GSI1 partition listing every shelter's headcount item (sort key `SHELTER#{id}`).
pub const HEADCOUNTS: &str = "HEADCOUNTS";

pub fn headcounts(space: &Space) -> String {
    format!("{HEADCOUNTS}{}", space.suffix())
}

/// GSI1 partition listing every municipality the deployment serves (sort key `MUNI#{code}`).
pub const MUNICIPALITIES: &str = "MUNICIPALITIES";

pub fn municipality(m: &MunicipalityCode) -> Key {
    Key::new(format!("MUNI#{m}"), "META")
}

/// The municipality whose partition `pk` is (`MUNI#{code}`), read back from a stored item.
pub fn municipality_of_partition(pk: &str) -> Option<MunicipalityCode> {
    MunicipalityCode::parse(pk.strip_prefix("MUNI#")?).ok()
}

/// The municipality list (全国地方公共団体コード) of one prefecture: one partition, read in
/// one query (sort key `MUNI#{code}`).
pub fn municipality_list(pref: &MunicipalityCode) -> String {
    format!("MUNILIST#{}", pref.prefecture())
}

pub fn listed_municipality(m: &MunicipalityCode) -> Key {
    Key::new(municipality_list(m), format!("MUNI#{m}"))
}

/// A staff record: what the account `subject` of identity provider `idp` may do here.
pub fn staff_account(idp: &str, subject: &str) -> Key {
    Key::new(format!("STAFF#{idp}#{subject}"), "ACCOUNT")
}

/// GSI1 partition listing a municipality's staff records (sort key `STAFF#{idp}#{subject}`).
pub fn staff_of(m: &MunicipalityCode) -> String {
    format!("MUNI#{m}#STAFF")
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

/// GSI1 partition of a resident's card links (sort key `CERT#{pseudonym}`), found again when
/// the resident deletes their data.
pub fn cards_of(sub: &str) -> String {
    format!("RES#{sub}#CARDS")
}

pub fn profile(sub: &str) -> Key {
    Key::new(format!("RES#{sub}"), "PROFILE")
}

/// GSI1 partition of the profiles of residents whose last sign-in was in `month` (`yyyy-mm`,
/// JST; sort key `RES#{sub}`): the inactive sweep reads the months past its limit.
pub fn active_in(month: &str) -> String {
    format!("ACTIVE#{month}")
}

pub fn refresh_token(token_hash: &str) -> Key {
    Key::new(format!("REFRESH#{token_hash}"), "TOKEN")
}

pub fn refresh_family(family: &str) -> Key {
    Key::new(format!("RFAMILY#{family}"), "FAMILY")
}

/// GSI1 partition of a resident's sessions: refresh-token families and tokens
/// (sort keys `FAMILY#{id}`, `TOKEN#{hash}`), so deleting the resident ends them all.
pub fn sessions_of(sub: &str) -> String {
    format!("RES#{sub}#SESSIONS")
}

// Needs surveys (see docs/data-model.md).
pub fn survey(m: &MunicipalityCode, survey_id: &str) -> Key {
    Key::new(format!("MUNI#{m}"), format!("SURVEY#{survey_id}"))
}

/// One survey's answers and totals.
pub fn survey_partition(survey_id: &str) -> String {
    format!("SURVEY#{survey_id}")
}

pub fn survey_answer(survey_id: &str, period: &str, sub: &str) -> Key {
    Key::new(survey_partition(survey_id), format!("ANSWER#{period}#{sub}"))
}

/// GSI1 partition of one resident's answers.
pub fn answers_of(sub: &str) -> String {
    format!("RES#{sub}#ANSWERS")
}

pub fn survey_total(survey_id: &str, period: &str, question: &str) -> Key {
    Key::new(survey_partition(survey_id), format!("TOTAL#{period}#{question}"))
}

// The resident's own partition: profile, members, needs, safety (see docs/data-model.md).
pub fn resident_partition(sub: &str) -> String {
    format!("RES#{sub}")
}

pub fn member(sub: &str, member: &str) -> Key {
    Key::new(resident_partition(sub), format!("MEMBER#{member}"))
}

pub fn needs(sub: &str, member: &str) -> Key {
    Key::new(resident_partition(sub), format!("NEEDS#{member}"))
}

/// Where a resident's safety reports live: their own partition, or one per drill beside it
/// (`RES#{sub}#DRILL#{id}`, deleted whole when the drill ends).
pub fn safety_partition(sub: &str, space: &Space) -> String {
    format!("{}{}", resident_partition(sub), space.suffix())
}

pub fn safety_current(sub: &str, member: &str, space: &Space) -> Key {
    Key::new(safety_partition(sub, space), format!("SAFETY#{member}"))
}

/// History entries sort by time within a member.
pub fn safety_log(sub: &str, member: &str, at_ms: i64, report_id: &str, space: &Space) -> Key {
    Key::new(safety_partition(sub, space), format!("SAFETYLOG#{member}#{at_ms:013}#{report_id}"))
}

pub fn safety_log_prefix(member: &str) -> String {
    format!("SAFETYLOG#{member}#")
}

/// Makes a resent report (same app-chosen id) a no-op.
pub fn safety_report_id(sub: &str, report_id: &str, space: &Space) -> Key {
    Key::new(safety_partition(sub, space), format!("SAFETYID#{report_id}"))
}

/// Safety counts of one registered area (`~`: none registered), real or a drill's.
pub fn safety_count(m: &MunicipalityCode, area: Option<&bosai_types::surveys::AreaCode>, space: &Space) -> Key {
    Key::new(municipality(m).pk, format!("{}{}", safety_count_prefix(space), area.map(|a| a.as_str()).unwrap_or("~")))
}

/// A drill's counters sort apart from the real ones (`DRILL#{id}#SAFETYCOUNT#…`).
pub fn safety_count_prefix(space: &Space) -> String {
    match space {
        Space::Real => "SAFETYCOUNT#".into(),
        Space::Drill(id) => format!("DRILL#{id}#SAFETYCOUNT#"),
    }
}

/// "Needs help" reports HQ lists, newest last; a drill's in their own partition.
pub fn help_partition(m: &MunicipalityCode, space: &Space) -> String {
    format!("HELP#{m}{}", space.suffix())
}

/// GSI1 partition of the replay records of a drill's safety reports: with it, ending the drill
/// finds every resident's drill partition.
pub fn drill_reported(incident: &str) -> String {
    format!("INCIDENT#{incident}#SAFETY")
}

pub fn audit(m: &MunicipalityCode, date: &str, at_ms: i64, id: &str) -> Key {
    Key::new(format!("AUDIT#{m}#{date}"), format!("{at_ms:013}#{id}"))
}

// Check-in (see docs/data-model.md). A person is a household member of a card
// holder (`R#{sub}#{member}`) or someone registered at a desk (`D#{id}`).
pub fn person_of_resident(sub: &str, member: &str) -> String {
    format!("R#{sub}#{member}")
}

pub fn person_of_desk(id: &str) -> String {
    format!("D#{id}")
}

/// Which copy of the check-in data a key belongs to: the real one, or a drill's (訓練), kept
/// in keys of its own so a drill is never counted, listed or exported as the real thing, and
/// ending it deletes exactly its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Space {
    Real,
    /// The drill incident's id.
    Drill(String),
}

impl Space {
    fn suffix(&self) -> String {
        match self {
            Space::Real => String::new(),
            Space::Drill(id) => format!("#DRILL#{id}"),
        }
    }

    pub fn drill(&self) -> Option<&str> {
        match self {
            Space::Real => None,
            Space::Drill(id) => Some(id),
        }
    }
}

/// A person's check-in partition (location and history) in `space`.
pub fn person_partition(person: &str, space: &Space) -> String {
    format!("PERSON#{person}{}", space.suffix())
}

pub fn location(person: &str) -> Key {
    location_in(person, &Space::Real)
}

pub fn location_in(person: &str, space: &Space) -> Key {
    Key::new(person_partition(person, space), "LOCATION")
}

pub fn person_event(person: &str, space: &Space, at_ms: i64, event_id: &str) -> Key {
    Key::new(person_partition(person, space), format!("EVENT#{at_ms:013}#{event_id}"))
}

/// GSI1 partition of a drill's locations of people who left (those present are on
/// [`present_at`]): with it, ending the drill finds every person it holds.
pub fn drill_left(incident: &str) -> String {
    format!("INCIDENT#{incident}#LEFT")
}

/// GSI1 partition of the real personal data (check-in history, scan records, locations of
/// people who left, desk registrations, safety history and help-list entries) made during incident `id`, or outside any incident
/// (sort key `{at_ms:013}#…`): what the purge deletes once its retention is over.
pub fn personal_of(incident: Option<&str>) -> String {
    match incident {
        Some(id) => format!("INCIDENT#{id}#PERSONAL"),
        None => PERSONAL_OUTSIDE_INCIDENTS.into(),
    }
}

pub const PERSONAL_OUTSIDE_INCIDENTS: &str = "PERSONAL#NOINCIDENT";

/// Counts of what the purge deleted of data made outside any incident (by kind).
pub fn purge_report_outside_incidents() -> Key {
    Key::new("PURGE", "OUTSIDE_INCIDENTS")
}

/// Who stayed at `shelter` during real incident `incident` (one item per person), kept after
/// they left until the incident's personal data is purged.
pub fn stays_at(incident: &str, shelter: &ShelterId) -> String {
    format!("INCIDENT#{incident}#STAYS#{shelter}")
}

pub fn stay(incident: &str, shelter: &ShelterId, person: &str) -> Key {
    Key::new(stays_at(incident, shelter), person)
}

pub fn incident(id: &str) -> Key {
    Key::new(format!("INCIDENT#{id}"), "META")
}

/// GSI1 partition listing every incident and drill (sort key `{started_at:013}#{id}`): a few a
/// year, read whole.
pub const INCIDENTS: &str = "INCIDENTS";

/// A scan's id: makes a resent batch record a no-op.
pub fn event_id(event_id: &str) -> Key {
    Key::new(format!("EVENTID#{event_id}"), "EVENT")
}

/// GSI1 partition of the people present at a shelter (the roster).
pub fn present_at(shelter: &ShelterId, space: &Space) -> String {
    format!("SHELTER#{shelter}#PRESENT{}", space.suffix())
}

/// A desk registration and the people in it.
pub fn desk(registration: &str) -> Key {
    Key::new(format!("DESK#{registration}"), "META")
}

/// GSI1 partition of the desk registrations a resident claimed (sort key `DESK#{id}`).
pub fn desks_of(sub: &str) -> String {
    format!("RES#{sub}#DESKS")
}

pub fn desk_person(registration: &str, person: &str) -> Key {
    Key::new(format!("DESK#{registration}"), format!("PERSON#{person}"))
}

/// A shelter's stock and request of one item; a drill's lines sort apart (`DRILL#{id}#SUPPLY#…`).
pub fn supply(shelter: &ShelterId, item_code: &str, space: &Space) -> Key {
    Key::new(format!("SHELTER#{shelter}"), format!("{}{item_code}", supply_prefix(space)))
}

pub fn supply_prefix(space: &Space) -> String {
    match space {
        Space::Real => "SUPPLY#".into(),
        Space::Drill(id) => format!("DRILL#{id}#SUPPLY#"),
    }
}

pub fn delivery(shelter: &ShelterId, delivery_id: &str) -> Key {
    Key::new(format!("SHELTER#{shelter}"), format!("DELIVERY#{delivery_id}"))
}

/// GSI1 partition of open supply requests of a municipality (HQ's list), real or a drill's.
pub fn supply_requests_of(m: &MunicipalityCode, space: &Space) -> String {
    format!("MUNI#{m}#SUPPLYREQ{}", space.suffix())
}

// Notices and push subscriptions (see docs/data-model.md).
pub fn notice(m: &MunicipalityCode, id: &str) -> Key {
    Key::new(municipality(m).pk, format!("NOTICE#{id}"))
}

pub const NOTICE_PREFIX: &str = "NOTICE#";

/// GSI1 partition of notices whose fan-out is not finished (sparse: removed when done).
pub const FANOUT_PENDING: &str = "FANOUT#PENDING";

/// A device's push subscription, by a hash of its endpoint.
pub fn push_subscription(id: &str) -> Key {
    Key::new(format!("PUSHSUB#{id}"), "SUB")
}

/// GSI1 partition of a municipality's subscriptions; the sort key starts with the area.
pub fn push_index(m: &MunicipalityCode) -> String {
    format!("MUNI#{m}#PUSH")
}

/// Area part of a subscription's GSI1 sort key (`~`: no area registered).
pub fn push_area_prefix(area: Option<&bosai_types::surveys::AreaCode>) -> String {
    format!("{}#", area.map(|a| a.as_str()).unwrap_or("~"))
}

/// The resident's pointer to a subscription of theirs (found again on area change or deletion).
pub fn resident_push(sub: &str, id: &str) -> Key {
    Key::new(resident_partition(sub), format!("PUSHSUB#{id}"))
}

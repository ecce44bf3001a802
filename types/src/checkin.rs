//! The resident's check-in QR: a compact ES256-signed credential naming the
//! resident's pseudonymous id and the members checking in. Staff devices verify
//! it offline against cached public keys (JWKS), so it lives in the shared crate.

use crate::household::MemberId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// JWS `typ` of check-in credentials; an access token can never pass as one.
pub const CHECKIN_TYPE: &str = "checkin+jwt";
/// Valid for three days: shown offline for as long as a network outage lasts, refreshed when online.
pub const CHECKIN_TTL_SECONDS: i64 = 3 * 24 * 3600;

/// Short claim names keep the QR small (reliably scannable at version ≤ 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInClaims {
    pub iss: String,
    /// Resident pseudonym.
    pub sub: String,
    /// Member ids checking in.
    pub m: Vec<String>,
    /// Municipality code.
    pub mu: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CredentialRequest {
    /// 1 to 20 members (a household checks in together).
    #[serde(deserialize_with = "credential_members")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub members: Vec<MemberId>,
}

/// Members one check-in credential names.
pub const MAX_CREDENTIAL_MEMBERS: usize = 20;

/// The list as sent is bounded, not only once repeats are dropped: 21 copies of `self` used to
/// pass (the schema's `maxItems` said otherwise; found by schemathesis's negative data).
fn credential_members<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<MemberId>, D::Error> {
    let members = Vec::<MemberId>::deserialize(d)?;
    if members.len() > MAX_CREDENTIAL_MEMBERS {
        return Err(serde::de::Error::invalid_length(members.len(), &"at most 20 members"));
    }
    Ok(members)
}

#[cfg(test)]
mod request_tests {
    use super::*;

    #[test]
    fn a_credential_names_at_most_20_members_as_sent() {
        let parse =
            |n: usize| serde_json::from_value::<CredentialRequest>(serde_json::json!({ "members": vec!["self"; n] }));
        assert_eq!(parse(20).unwrap().members.len(), 20);
        let e = parse(21).unwrap_err().to_string();
        assert!(e.contains("invalid length 21, expected at most 20 members"), "{e}");
        assert!(serde_json::from_str::<CredentialRequest>(r#"{"members": ["a/b"]}"#).is_err());
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInCredential {
    /// Compact JWS to encode in the QR code.
    pub credential: String,
    pub expires_at: Timestamp,
}

#[cfg(feature = "jws")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Signature(#[from] crate::jws::JwsError),
    #[error(transparent)]
    Time(#[from] crate::jws::TimeError),
    /// Issued for a municipality this deployment does not serve (checked by the server, which
    /// knows the served list; a staff device offline trusts the deployment's signature).
    #[error("the credential was issued by another municipality")]
    OtherMunicipality,
    #[error("the credential names no members")]
    NoMembers,
}

/// What a staff device checks before checking anyone in, with no network. Any municipality
/// of the deployment (the signature is the deployment's): a resident of the next town is
/// received too (広域避難).
#[cfg(feature = "jws")]
pub fn verify_credential(
    keys: &crate::jws::KeySet,
    credential: &str,
    now_seconds: i64,
) -> Result<CheckInClaims, CredentialError> {
    let c: CheckInClaims = keys.verify(credential, CHECKIN_TYPE)?;
    crate::jws::check_time(now_seconds, c.iat, c.exp, 300)?;
    if c.m.is_empty() || c.m.iter().any(|m| MemberId::parse(m).is_err()) {
        return Err(CredentialError::NoMembers);
    }
    Ok(c)
}

#[cfg(all(test, feature = "jws"))]
mod tests {
    use super::*;
    use crate::jws::{KeySet, Signer};

    #[test]
    fn credential_checks() {
        let s = Signer::new(p256::ecdsa::SigningKey::from_slice(&[3; 32]).unwrap());
        let keys = KeySet::from(&s);
        let claims = |mu: &str, m: Vec<&str>| CheckInClaims {
            iss: "x".into(),
            sub: "r_1".into(),
            m: m.into_iter().map(String::from).collect(),
            mu: mu.into(),
            iat: 1000,
            exp: 1000 + CHECKIN_TTL_SECONDS,
        };
        let good = s.sign(CHECKIN_TYPE, &claims("041009", vec!["self", "m-1"]));
        assert!(good.len() < 400, "fits a small QR: {}", good.len());
        assert_eq!(verify_credential(&keys, &good, 2000).unwrap().m.len(), 2);
        let next_town = s.sign(CHECKIN_TYPE, &claims("092011", vec!["self"]));
        assert_eq!(
            verify_credential(&keys, &next_town, 2000).unwrap().mu,
            "092011",
            "a resident of the next town is received"
        );
        assert!(matches!(
            verify_credential(&keys, &good, 1000 + CHECKIN_TTL_SECONDS + 301),
            Err(CredentialError::Time(_))
        ));
        let none = s.sign(CHECKIN_TYPE, &claims("041009", vec![]));
        assert_eq!(verify_credential(&keys, &none, 2000), Err(CredentialError::NoMembers));
        // An access token is not a credential, even from the same key.
        let at = s.sign("at+jwt", &claims("041009", vec!["self"]));
        assert!(matches!(verify_credential(&keys, &at, 2000), Err(CredentialError::Signature(_))));
    }

    /// Found by the credential fuzz target (fuzz/seeds/credential/regression-exp-overflow):
    /// `exp` near `i64::MAX` in a signed credential overflowed the time checks (a panic
    /// in debug builds, a wrapped comparison in release).
    #[test]
    fn extreme_times_in_a_signed_credential_do_not_overflow() {
        let s = Signer::new(p256::ecdsa::SigningKey::from_slice(&[3; 32]).unwrap());
        let keys = KeySet::from(&s);
        for (iat, exp) in [(1000, i64::MAX), (1000, i64::MAX - 1), (i64::MIN, i64::MAX), (i64::MAX, i64::MAX)] {
            let c = CheckInClaims {
                iss: "x".into(),
                sub: "r_1".into(),
                m: vec!["self".into()],
                mu: "041009".into(),
                iat,
                exp,
            };
            let cred = s.sign(CHECKIN_TYPE, &c);
            let device = verify_credential(&keys, &cred, 2000);
            let record = ScanRecord {
                event_id: "ev-00000001".into(),
                kind: EventKind::CheckIn,
                at: crate::Timestamp(2_000_000),
                credential: cred,
                members: None,
            };
            let server = check_scan(&keys, &record, 2_000_000);
            assert_eq!(device.is_ok(), iat <= 2300, "{iat} {exp}");
            assert_eq!(server.is_ok(), iat <= 2300, "{iat} {exp}");
        }
        let far = ScanRecord {
            event_id: "ev-00000001".into(),
            kind: EventKind::CheckIn,
            at: crate::Timestamp(i64::MIN),
            credential: String::new(),
            members: None,
        };
        assert_eq!(check_scan(&keys, &far, i64::MIN).unwrap_err().code, "credential_invalid");
        assert_eq!(check_scan(&keys, &far, i64::MAX).unwrap_err().code, "invalid_time");
    }
}

/// JWS `typ` of the shelter poster code a resident scans to check in.
pub const POSTER_TYPE: &str = "shelter+jwt";

/// Claims of a shelter poster QR (printed, so no expiry; revoked by rotating keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosterClaims {
    pub iss: String,
    pub sh: String,
    pub mu: String,
    pub iat: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    CheckIn,
    CheckOut,
}

/// One scan recorded by a staff device (maybe offline, sent later in a batch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScanRecord {
    /// Unique per scan, chosen by the device: a resend of the same scan is stored once.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub event_id: String,
    pub kind: EventKind,
    /// When the scan happened (device clock); the current location follows event time.
    pub at: Timestamp,
    /// The resident's check-in credential (or a desk-registration credential).
    pub credential: String,
    /// A subset of the credential's members; all of them when absent.
    #[serde(default)]
    pub members: Option<Vec<MemberId>>,
}

pub const MAX_BATCH_RECORDS: usize = 200;

/// `POST /api/shelters/{id}/scans`: records are parsed one by one, so one
/// malformed record is reported back without losing the good ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanBatch {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub device_id: String,
    /// Each a [`ScanRecord`]; anything else is answered as a rejected record, not refused
    /// with the batch, so the schema admits any value.
    #[cfg_attr(feature = "openapi", schema(schema_with = scan_records))]
    pub records: Vec<serde_json::Value>,
}

#[cfg(feature = "openapi")]
fn scan_records() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, SchemaType};
    let record = AnyOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name("ScanRecord"))
        .item(ObjectBuilder::new().schema_type(SchemaType::AnyValue))
        .description(Some(
            "a ScanRecord; any other value is answered with outcome `rejected` (code `malformed_record`)",
        ));
    ArrayBuilder::new()
        .items(record)
        .max_items(Some(MAX_BATCH_RECORDS))
        .description(Some("at most 200 records, each answered on its own"))
        .build()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordOutcome {
    /// New: stored now.
    Stored,
    /// Seen before: acknowledged, nothing stored twice.
    Duplicate,
    /// Will never be stored; `code` and `message` say why. The device drops it.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordResult {
    pub index: usize,
    pub event_id: Option<String>,
    pub outcome: RecordOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanBatchResult {
    pub results: Vec<RecordResult>,
}

/// `POST /api/me/checkins`: the resident scanned a shelter's poster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PosterCheckIn {
    pub poster: String,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub event_id: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub members: Vec<MemberId>,
}

/// The check-in event id rules: 8–64 of `[A-Za-z0-9_-]`.
pub fn valid_event_id(s: &str) -> bool {
    (8..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A batch's `device_id`: 1–64 of `[A-Za-z0-9_-]`.
pub fn valid_device_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How far a device clock may run ahead of the server's.
pub const MAX_SCAN_FUTURE_MS: i64 = 10 * 60 * 1000;
/// How old an offline scan may be when it reaches the server.
pub const MAX_SCAN_AGE_MS: i64 = 30 * 24 * 3600 * 1000;

/// Why a scan can never be stored: the `code` and `message` of its batch answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRejection {
    pub code: &'static str,
    pub message: String,
}

impl ScanRejection {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// One batch entry as the server reads it: the event id it names (echoed in
/// the answer even when the rest is malformed) and the record, or why it is none.
pub fn parse_record(raw: serde_json::Value) -> (Option<String>, Result<ScanRecord, ScanRejection>) {
    let event_id = raw.get("event_id").and_then(|v| v.as_str()).map(str::to_owned);
    let record = serde_json::from_value::<ScanRecord>(raw)
        .map_err(|e| ScanRejection::new("malformed_record", format!("the record is not a valid scan: {e}")));
    (event_id, record)
}

/// The checks of one scan that need no store, in the server's order: event id,
/// scan time against the server clock (`now_ms`), the credential's signature and
/// type, and validity when scanned (a device may sync days later). Whether the deployment
/// serves the credential's municipality is the server's check (it needs the store).
#[cfg(feature = "jws")]
pub fn check_scan(keys: &crate::jws::KeySet, record: &ScanRecord, now_ms: i64) -> Result<CheckInClaims, ScanRejection> {
    if !valid_event_id(&record.event_id) {
        return Err(ScanRejection::new(
            "invalid_event_id",
            "event_id must be 8-64 characters of A-Z, a-z, 0-9, '-' and '_'",
        ));
    }
    let at = record.at.millis();
    // Saturating throughout: `at` comes from the device and `iat`/`exp` from a token.
    if at > now_ms.saturating_add(MAX_SCAN_FUTURE_MS) || at < now_ms.saturating_sub(MAX_SCAN_AGE_MS) {
        return Err(ScanRejection::new(
            "invalid_time",
            "the scan time is in the future or more than 30 days old; check the device clock",
        ));
    }
    let claims: CheckInClaims = keys.verify(&record.credential, CHECKIN_TYPE).map_err(|e| {
        ScanRejection::new("credential_invalid", format!("the QR code is not a valid check-in credential ({e})"))
    })?;
    if at / 1000 > claims.exp.saturating_add(300) || (at / 1000).saturating_add(300) < claims.iat {
        return Err(ScanRejection::new(
            "credential_expired",
            "the QR code had expired when it was scanned; ask the resident to refresh it",
        ));
    }
    Ok(claims)
}

/// Who a scan checks in: the members the record names (a non-empty subset of
/// the credential's), or all of the credential's when it names none.
pub fn scanned_members(record: &ScanRecord, claims: &CheckInClaims) -> Result<Vec<MemberId>, ScanRejection> {
    match &record.members {
        None => {
            let all: Vec<MemberId> = claims.m.iter().filter_map(|m| MemberId::parse(m).ok()).collect();
            if all.is_empty() {
                return Err(ScanRejection::new("credential_invalid", "the QR code names no members"));
            }
            Ok(all)
        }
        Some(ms) if !ms.is_empty() && ms.iter().all(|m| claims.m.iter().any(|c| c == m.as_str())) => Ok(ms.clone()),
        Some(_) => {
            Err(ScanRejection::new("member_not_in_credential", "only members named in the QR code can be checked in"))
        }
    }
}

/// A person's current place (returned after a check-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub member_id: MemberId,
    /// None after check-out.
    pub shelter_id: Option<crate::ShelterId>,
    pub since: Timestamp,
    /// Checked in during a drill (訓練): not a real stay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drill: bool,
}

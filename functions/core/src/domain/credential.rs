//! The check-in credential behind the resident's QR code.

use crate::auth::AuthSettings;
use crate::domain::household;
use crate::ApiError;
use bosai_store::Store;
use bosai_types::checkin::{CheckInClaims, CheckInCredential, CHECKIN_TTL_SECONDS, CHECKIN_TYPE};
use bosai_types::household::MemberId;
use bosai_types::{MunicipalityCode, Timestamp};

/// A household checks in together; more than this is not one family at a desk.
pub const MAX_MEMBERS_PER_CREDENTIAL: usize = 20;

pub async fn issue(
    store: &dyn Store,
    settings: &AuthSettings,
    municipality: &MunicipalityCode,
    sub: &str,
    members: &[MemberId],
    now_seconds: i64,
) -> Result<CheckInCredential, ApiError> {
    let mut unique = members.to_vec();
    unique.sort();
    unique.dedup();
    if unique.is_empty() || unique.len() > MAX_MEMBERS_PER_CREDENTIAL {
        return Err(ApiError::invalid("invalid_members", "チェックインする人を1〜20人選んでください。"));
    }
    for m in &unique {
        if !household::member_exists(store, sub, m).await? {
            return Err(household::member_not_found());
        }
    }
    let claims = CheckInClaims {
        iss: settings.tokens.issuer.clone(),
        sub: sub.to_owned(),
        m: unique.iter().map(|m| m.as_str().to_owned()).collect(),
        mu: municipality.as_str().to_owned(),
        iat: now_seconds,
        exp: now_seconds + CHECKIN_TTL_SECONDS,
    };
    Ok(CheckInCredential {
        credential: settings.tokens.sign(CHECKIN_TYPE, &claims).await?,
        expires_at: Timestamp(claims.exp * 1000),
    })
}

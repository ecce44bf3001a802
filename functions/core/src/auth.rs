//! Token settings shared by every function: our ES256 keys (current signer plus
//! verify-only keys during rotation), trusted staff issuers, and the checks
//! every access token must pass.

use crate::domain::jpki::JpkiVerifier;
use bosai_types::auth::{Claims, Role};
use bosai_types::jws::{check_time, JwsError, Jwks, KeySet, Signer, TimeError};
use bosai_types::{MunicipalityCode, ShelterId};
use std::sync::Arc;

pub const AUDIENCE: &str = "bosai-api";
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
pub const REFRESH_TTL_SECONDS: i64 = 30 * 24 * 3600;
/// Clock skew tolerated on `exp`/`nbf`.
pub const LEEWAY_SECONDS: i64 = 30;

/// Who is calling, after the token passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub sub: String,
    pub role: Role,
    pub shelters: Vec<ShelterId>,
    pub municipality: Option<MunicipalityCode>,
}

impl Principal {
    /// HQ reads its own municipality's data; admins any.
    pub fn may_read_municipality(&self, m: &MunicipalityCode) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Hq => self.municipality.as_ref() == Some(m),
            _ => false,
        }
    }

    /// Staff act for their own shelters; HQ for its municipality's; admins for all.
    pub fn may_manage_shelter(&self, shelter: &ShelterId, shelter_municipality: &MunicipalityCode) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Hq => self.municipality.as_ref() == Some(shelter_municipality),
            Role::ShelterStaff => self.shelters.contains(shelter),
            Role::Resident => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no bearer token was sent")]
    Missing,
    #[error(transparent)]
    Jws(#[from] JwsError),
    #[error(transparent)]
    Time(#[from] TimeError),
    #[error("the token was issued for another service or by another issuer")]
    WrongAudienceOrIssuer,
    #[error("the token's scope is not valid")]
    BadScope,
}

/// A trusted issuer of staff/HQ tokens (an external OIDC provider in production).
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    pub issuer: String,
    pub keys: KeySet,
}

#[derive(Debug, Clone)]
pub struct TokenKeys {
    pub issuer: String,
    signer: Signer,
    /// Our own keys: the signer plus keys still live from before a rotation.
    own: KeySet,
    jwks: Jwks,
    staff: Vec<TrustedIssuer>,
}

impl TokenKeys {
    /// `signer` signs new tokens; `previous` keys only verify (rotation window).
    pub fn new(issuer: impl Into<String>, signer: Signer, previous: Vec<Signer>, staff: Vec<TrustedIssuer>) -> Self {
        let mut jwks = Jwks { keys: vec![signer.jwk().clone()] };
        jwks.keys.extend(previous.iter().map(|s| s.jwk().clone()));
        let own = KeySet::from_jwks(&jwks).expect("our own keys are valid");
        Self { issuer: issuer.into(), signer, own, jwks, staff }
    }

    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    pub fn issue(&self, sub: &str, role: Role, shelters: Vec<String>, municipality: Option<String>, now: i64) -> String {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            sub: sub.into(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TTL_SECONDS,
            role,
            shelters,
            municipality,
        };
        self.signer.sign(ACCESS_TOKEN_TYPE, &claims)
    }

    /// A JWS of another type signed by one of our own keys (check-in credentials, posters).
    pub fn verify_own<T: serde::de::DeserializeOwned>(&self, token: &str, typ: &str) -> Result<T, JwsError> {
        self.own.verify(token, typ)
    }

    /// Signature by a key of the issuer the token names, then audience, time and scope.
    pub fn verify(&self, token: &str, now: i64) -> Result<Principal, TokenError> {
        let (claims, expected_iss): (Claims, &str) = match self.own.verify::<Claims>(token, ACCESS_TOKEN_TYPE) {
            Ok(c) => (c, &self.issuer),
            Err(JwsError::UnknownKey) => {
                // A staff IdP's key can only vouch for that IdP's own issuer.
                let mut found = Err(TokenError::Jws(JwsError::UnknownKey));
                for t in &self.staff {
                    match t.keys.verify::<Claims>(token, ACCESS_TOKEN_TYPE) {
                        Ok(c) => {
                            found = Ok((c, t.issuer.as_str()));
                            break;
                        }
                        Err(JwsError::UnknownKey) => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
                found?
            }
            Err(e) => return Err(e.into()),
        };
        if claims.iss != expected_iss || claims.aud != AUDIENCE {
            return Err(TokenError::WrongAudienceOrIssuer);
        }
        if expected_iss != self.issuer && claims.role == Role::Resident {
            // Residents are only ever signed in by our own card flow.
            return Err(TokenError::WrongAudienceOrIssuer);
        }
        check_time(now, claims.nbf, claims.exp, LEEWAY_SECONDS)?;
        let shelters =
            claims.shelters.iter().map(|s| ShelterId::parse(s)).collect::<Result<Vec<_>, _>>().map_err(|_| TokenError::BadScope)?;
        let municipality =
            claims.municipality.as_deref().map(MunicipalityCode::parse).transpose().map_err(|_| TokenError::BadScope)?;
        match claims.role {
            Role::ShelterStaff if shelters.is_empty() => return Err(TokenError::BadScope),
            Role::Hq if municipality.is_none() => return Err(TokenError::BadScope),
            _ => {}
        }
        Ok(Principal { sub: claims.sub, role: claims.role, shelters, municipality })
    }
}

/// Everything the sign-in flow needs besides the store.
pub struct AuthSettings {
    pub tokens: TokenKeys,
    pub jpki: JpkiVerifier,
    /// HMAC key deriving residents' pseudonymous ids from card serials.
    pub pseudonym_key: aws_lc_rs::hmac::Key,
    /// Exact redirect URIs a challenge may name (the PWA's `/auth/callback`).
    pub redirect_uris: Vec<String>,
    /// Deep link opening the companion app (`bosai-companion://jpki` in production,
    /// the simulated card page in the local stack).
    pub companion_url: String,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings").field("issuer", &self.tokens.issuer).field("jpki", &self.jpki).finish()
    }
}

impl AuthSettings {
    pub fn new(
        tokens: TokenKeys,
        jpki: JpkiVerifier,
        pseudonym_secret: &[u8],
        redirect_uris: Vec<String>,
        companion_url: String,
    ) -> Arc<Self> {
        Arc::new(Self {
            tokens,
            jpki,
            pseudonym_key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, pseudonym_secret),
            redirect_uris,
            companion_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;

    fn signer(seed: u8) -> Signer {
        Signer::new(SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    fn claims(iss: &str, role: Role, now: i64) -> Claims {
        Claims {
            iss: iss.into(),
            aud: AUDIENCE.into(),
            sub: "s".into(),
            iat: now,
            nbf: now,
            exp: now + 60,
            role,
            shelters: vec!["aoba-01".into()],
            municipality: Some("041009".into()),
        }
    }

    #[test]
    fn issuer_audience_and_scope_are_enforced() {
        let idp = signer(9);
        let keys = TokenKeys::new(
            "us",
            signer(1),
            vec![signer(2)],
            vec![TrustedIssuer { issuer: "idp".into(), keys: KeySet::from(&idp) }],
        );
        let now = 1_000_000;
        let t = keys.issue("r1", Role::Resident, vec![], None, now);
        assert_eq!(keys.verify(&t, now).unwrap().role, Role::Resident);
        // Rotated-out key still verifies.
        let old = signer(2).sign(ACCESS_TOKEN_TYPE, &claims("us", Role::Hq, now));
        assert_eq!(keys.verify(&old, now).unwrap().role, Role::Hq);
        // Staff IdP tokens verify for staff, but never claim our issuer or mint residents.
        let staff = idp.sign(ACCESS_TOKEN_TYPE, &claims("idp", Role::ShelterStaff, now));
        assert_eq!(keys.verify(&staff, now).unwrap().shelters[0].as_str(), "aoba-01");
        let spoof = idp.sign(ACCESS_TOKEN_TYPE, &claims("us", Role::Admin, now));
        assert_eq!(keys.verify(&spoof, now), Err(TokenError::WrongAudienceOrIssuer));
        let resident = idp.sign(ACCESS_TOKEN_TYPE, &claims("idp", Role::Resident, now));
        assert_eq!(keys.verify(&resident, now), Err(TokenError::WrongAudienceOrIssuer));
        // Wrong audience, expired, bad scope.
        let mut c = claims("us", Role::Hq, now);
        c.aud = "other".into();
        assert_eq!(keys.verify(&signer(1).sign(ACCESS_TOKEN_TYPE, &c), now), Err(TokenError::WrongAudienceOrIssuer));
        assert_eq!(keys.verify(&t, now + ACCESS_TTL_SECONDS + LEEWAY_SECONDS), Err(TokenError::Time(TimeError::Expired)));
        let mut c = claims("us", Role::ShelterStaff, now);
        c.shelters = vec![];
        assert_eq!(keys.verify(&signer(1).sign(ACCESS_TOKEN_TYPE, &c), now), Err(TokenError::BadScope));
        let mut c = claims("us", Role::Hq, now);
        c.municipality = Some("999999".into());
        assert_eq!(keys.verify(&signer(1).sign(ACCESS_TOKEN_TYPE, &c), now), Err(TokenError::BadScope));
    }
}

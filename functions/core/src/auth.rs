//! Token settings shared by every function: our ES256 keys (current signer plus
//! verify-only keys during rotation), trusted staff issuers, and the checks
//! every access token must pass. Everything we issue is signed by a [`TokenSigner`]
//! (a key file locally, KMS on AWS); access tokens' signatures are verified with
//! `jsonwebtoken` (aws-lc-rs backend); check-in credentials and posters, which staff
//! devices also verify offline in wasm, with the shared `bosai_types::jws`.

use crate::domain::jpki::JpkiVerifier;
use crate::signing::{SignError, TokenSigner};
use bosai_types::auth::{Claims, Role};
use bosai_types::jws::{check_time, Jwk, Jwks, JwsError, KeySet, Signer, TimeError, MAX_TOKEN_BYTES};
use bosai_types::{MunicipalityCode, ShelterId};
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, Validation};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const AUDIENCE: &str = "bosai-api";
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
/// A card sign-in lasts at most this long, counted from the sign-in (not the last
/// refresh), and never beyond the card certificate's notAfter.
pub const SESSION_LIFETIME_SECONDS: i64 = 30 * 24 * 3600;
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
            Role::Admin => self.may_administer(m),
            Role::Hq => self.municipality.as_ref() == Some(m),
            // The prefecture reads counts through its own summary, not a municipality's views.
            Role::PrefectureHq | Role::ShelterStaff | Role::Resident => false,
        }
    }

    /// The prefecture whose counts this caller may read: a prefecture HQ's own; a
    /// deployment-wide admin's, that of `deployment` (the deployment's municipality).
    pub fn prefecture(&self, deployment: &MunicipalityCode) -> Option<MunicipalityCode> {
        match (self.role, &self.municipality) {
            (Role::PrefectureHq, Some(p)) => Some(p.clone()),
            (Role::Admin, None) => Some(deployment.prefecture()),
            _ => None,
        }
    }

    /// Admins of this municipality, or of the whole deployment (no municipality in the token).
    pub fn may_administer(&self, m: &MunicipalityCode) -> bool {
        self.role == Role::Admin && self.municipality.as_ref().is_none_or(|own| own == m)
    }

    /// Staff act for their own shelters; HQ for its municipality's; an admin for those of the
    /// municipality it administers (a deployment-wide admin for all).
    pub fn may_manage_shelter(&self, shelter: &ShelterId, shelter_municipality: &MunicipalityCode) -> bool {
        match self.role {
            Role::Admin => self.may_administer(shelter_municipality),
            Role::Hq => self.municipality.as_ref() == Some(shelter_municipality),
            Role::ShelterStaff => self.shelters.contains(shelter),
            Role::Resident | Role::PrefectureHq => false,
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

/// Verification keys of one issuer, by `kid`.
#[derive(Clone)]
struct IssuerKeys {
    issuer: String,
    keys: Vec<(String, DecodingKey)>,
}

impl std::fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuerKeys({}, {} keys)", self.issuer, self.keys.len())
    }
}

impl IssuerKeys {
    fn from_jwks(issuer: &str, jwks: &Jwks) -> Result<Self, JwsError> {
        KeySet::from_jwks(jwks)?; // only ES256 keys on P-256, checked once here
        let keys = jwks
            .keys
            .iter()
            .map(|k| DecodingKey::from_ec_components(&k.x, &k.y).map(|d| (k.kid.clone(), d)))
            .collect::<Result<_, _>>()
            .map_err(|e| JwsError::BadKey(e.to_string()))?;
        Ok(Self { issuer: issuer.into(), keys })
    }

    fn key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.iter().find(|(k, _)| k == kid).map(|(_, d)| d)
    }
}

/// A trusted issuer of staff/HQ tokens (an external OIDC provider in production).
#[derive(Debug, Clone)]
pub struct TrustedIssuer(IssuerKeys);

impl TrustedIssuer {
    pub fn new(issuer: &str, jwks: &Jwks) -> Result<Self, JwsError> {
        IssuerKeys::from_jwks(issuer, jwks).map(Self)
    }
}

#[derive(Debug, Clone)]
pub struct TokenKeys {
    pub issuer: String,
    /// None: this function only verifies (the api function on AWS).
    signer: Option<TokenSigner>,
    /// Our own keys: the signer plus keys still live from before a rotation.
    own: KeySet,
    own_jwt: IssuerKeys,
    jwks: Jwks,
    staff: Vec<TrustedIssuer>,
    verified: Arc<SignatureCache>,
}

/// Access tokens whose signature already checked out, with the issuer that signed them.
/// A staff device sends the same token with every scan batch, and the ECDSA verify was
/// the costliest step of a check-in request. Only the signature is remembered: time,
/// audience, issuer and scope are checked on every request. Keys change only by building
/// new `TokenKeys`, which starts an empty cache.
#[derive(Debug, Default)]
struct SignatureCache(Mutex<HashMap<String, (Claims, String)>>);

impl SignatureCache {
    /// Enough for every staff device of a municipality; cleared rather than evicted one by one.
    const MAX: usize = 4096;

    fn get(&self, token: &str) -> Option<(Claims, String)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(token).cloned()
    }

    fn put(&self, token: &str, claims: &Claims, issuer: &str) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= Self::MAX {
            m.clear();
        }
        m.insert(token.to_owned(), (claims.clone(), issuer.to_owned()));
    }
}

impl TokenKeys {
    /// `signer` signs new tokens; `previous` keys only verify (rotation window).
    pub fn new(issuer: impl Into<String>, signer: Signer, previous: Vec<Signer>, staff: Vec<TrustedIssuer>) -> Self {
        let previous = previous.iter().map(|s| s.jwk().clone()).collect();
        Self::with_signer(issuer, Some(TokenSigner::Local(signer)), previous, staff).expect("our own keys are valid")
    }

    /// `signer` (if this function signs) plus `verify_only` public keys, the signer's first.
    pub fn with_signer(
        issuer: impl Into<String>,
        signer: Option<TokenSigner>,
        verify_only: Vec<Jwk>,
        staff: Vec<TrustedIssuer>,
    ) -> Result<Self, JwsError> {
        // Exactly one crypto backend must be compiled in, or jsonwebtoken panics at first use.
        assert!(
            jsonwebtoken::crypto::CryptoProvider::try_get_default().is_some(),
            "jsonwebtoken has no crypto backend"
        );
        let issuer = issuer.into();
        let jwks = Jwks { keys: signer.iter().map(|s| s.jwk().clone()).chain(verify_only).collect() };
        if jwks.keys.is_empty() {
            return Err(JwsError::BadKey("no token key".into()));
        }
        let own = KeySet::from_jwks(&jwks)?;
        let own_jwt = IssuerKeys::from_jwks(&issuer, &jwks)?;
        Ok(Self { issuer, signer, own, own_jwt, jwks, staff, verified: Arc::default() })
    }

    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    /// A JWS of type `typ` signed by our current key (access tokens, credentials, posters).
    pub async fn sign<T: serde::Serialize>(&self, typ: &str, claims: &T) -> Result<String, SignError> {
        self.signer.as_ref().ok_or(SignError::NotHere)?.sign(typ, claims).await
    }

    pub async fn issue(
        &self,
        sub: &str,
        role: Role,
        shelters: Vec<String>,
        municipality: Option<String>,
        now: i64,
    ) -> Result<String, SignError> {
        self.issue_for(sub, role, shelters, municipality, now, ACCESS_TTL_SECONDS).await
    }

    /// A token valid for `ttl` seconds (staff sign-ins, which have no refresh token).
    pub async fn issue_for(
        &self,
        sub: &str,
        role: Role,
        shelters: Vec<String>,
        municipality: Option<String>,
        now: i64,
        ttl: i64,
    ) -> Result<String, SignError> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            sub: sub.into(),
            iat: now,
            nbf: now,
            exp: now + ttl,
            role,
            shelters,
            municipality,
        };
        self.sign(ACCESS_TOKEN_TYPE, &claims).await
    }

    /// Our own verification keys (check-in credentials, posters).
    pub fn own_keys(&self) -> &KeySet {
        &self.own
    }

    /// A JWS of another type signed by one of our own keys (check-in credentials, posters).
    pub fn verify_own<T: serde::de::DeserializeOwned>(&self, token: &str, typ: &str) -> Result<T, JwsError> {
        self.own.verify(token, typ)
    }

    /// What a token seen for the first time costs: signature (jsonwebtoken), then the claims.
    pub fn verify_uncached(&self, token: &str, now: i64) -> Result<Principal, TokenError> {
        let (claims, iss) = self.verify_signature(token)?;
        self.check_claims(claims, &iss, now)
    }

    /// Signature by a key of the issuer the token names, then audience, time and scope.
    pub fn verify(&self, token: &str, now: i64) -> Result<Principal, TokenError> {
        let (claims, expected_iss) = match self.verified.get(token) {
            Some(hit) => hit,
            None => {
                let (claims, iss) = self.verify_signature(token)?;
                self.verified.put(token, &claims, &iss);
                (claims, iss)
            }
        };
        let expected_iss = expected_iss.as_str();
        self.check_claims(claims, expected_iss, now)
    }

    /// The claims of a token signed by us or by a trusted staff issuer, and that issuer.
    /// Form, algorithm, type, `crit` and key id are refused before any key is touched.
    fn verify_signature(&self, token: &str) -> Result<(Claims, String), TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwsError::TooLarge.into());
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| match e.kind() {
            // `alg: none` and other unknown algorithms do not even parse as a header.
            ErrorKind::Json(_) if token.split('.').count() == 3 => JwsError::UnsupportedAlgorithm,
            _ => JwsError::Malformed,
        })?;
        if header.alg != Algorithm::ES256 {
            return Err(JwsError::UnsupportedAlgorithm.into());
        }
        // Extensions we do not understand must make us refuse (RFC 7515 §4.1.11).
        if header.crit.is_some() {
            return Err(JwsError::Malformed.into());
        }
        if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(JwsError::WrongType.into());
        }
        let kid = header.kid.ok_or(JwsError::UnknownKey)?;
        // A staff IdP's key can only vouch for that IdP's own issuer.
        let (key, issuer) = std::iter::once(&self.own_jwt)
            .chain(self.staff.iter().map(|t| &t.0))
            .find_map(|ik| ik.key(&kid).map(|k| (k, &ik.issuer)))
            .ok_or(JwsError::UnknownKey)?;
        // Signature only here: issuer, audience, time and scope are `check_claims`' (also on cache hits).
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => JwsError::BadSignature,
            ErrorKind::InvalidAlgorithm => JwsError::UnsupportedAlgorithm,
            _ => JwsError::Malformed,
        })?;
        Ok((data.claims, issuer.clone()))
    }

    fn check_claims(&self, claims: Claims, expected_iss: &str, now: i64) -> Result<Principal, TokenError> {
        if claims.iss != expected_iss || claims.aud != AUDIENCE {
            return Err(TokenError::WrongAudienceOrIssuer);
        }
        if expected_iss != self.issuer && claims.role == Role::Resident {
            // Residents are only ever signed in by our own card flow.
            return Err(TokenError::WrongAudienceOrIssuer);
        }
        check_time(now, claims.nbf, claims.exp, LEEWAY_SECONDS)?;
        let shelters = claims
            .shelters
            .iter()
            .map(|s| ShelterId::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| TokenError::BadScope)?;
        let municipality = claims
            .municipality
            .as_deref()
            .map(MunicipalityCode::parse)
            .transpose()
            .map_err(|_| TokenError::BadScope)?;
        match claims.role {
            Role::ShelterStaff if shelters.is_empty() => return Err(TokenError::BadScope),
            Role::Hq if municipality.is_none() => return Err(TokenError::BadScope),
            Role::PrefectureHq if !municipality.as_ref().is_some_and(MunicipalityCode::is_prefecture) => {
                return Err(TokenError::BadScope)
            }
            _ => {}
        }
        Ok(Principal { sub: claims.sub, role: claims.role, shelters, municipality })
    }
}

/// What card sign-in needs: the JPKI trust with its CRLs and the pseudonym key. Only the
/// token function (and the local stack) holds it; on AWS the api function cannot read
/// the pseudonym secret.
pub struct CardSignIn {
    pub jpki: JpkiVerifier,
    /// Where the CRLs are re-read from, on a schedule.
    pub crl_source: crate::jpki_trust::CrlSource,
    /// HMAC key deriving residents' pseudonymous ids from card serials.
    pub pseudonym_key: aws_lc_rs::hmac::Key,
}

impl CardSignIn {
    pub fn new(jpki: JpkiVerifier, crl_source: crate::jpki_trust::CrlSource, pseudonym_secret: &[u8]) -> Self {
        Self {
            jpki,
            crl_source,
            pseudonym_key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, pseudonym_secret),
        }
    }
}

/// Why a function does not serve card sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardSignInClosed {
    /// It never does (the api function on AWS).
    NotHere,
    /// The JPKI trust did not load at start (no current CRL for a root, say): card sign-in
    /// fails closed until a deployment brings current CRLs; the function serves the rest.
    TrustNotLoaded(String),
}

/// Everything the sign-in flow needs besides the store.
pub struct AuthSettings {
    pub tokens: TokenKeys,
    /// Err in a function that does not serve card sign-in, or whose JPKI trust did not load.
    card: Result<CardSignIn, CardSignInClosed>,
    /// Exact redirect URIs a challenge may name (the PWA's `/auth/callback`).
    pub redirect_uris: Vec<String>,
    /// Deep link opening the companion app (`bosai-companion://jpki` in production,
    /// the simulated card page in the local stack).
    pub companion_url: String,
    /// Staff and HQ sign in through the organisation's OpenID Provider, when configured.
    pub oidc: Option<crate::oidc::OidcClient>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("issuer", &self.tokens.issuer)
            .field("jpki", &self.card.as_ref().map(|c| &c.jpki))
            .finish()
    }
}

impl AuthSettings {
    pub fn new(
        tokens: TokenKeys,
        card: Result<CardSignIn, CardSignInClosed>,
        redirect_uris: Vec<String>,
        companion_url: String,
        oidc: Option<crate::oidc::OidcClient>,
    ) -> Arc<Self> {
        Arc::new(Self { tokens, card, redirect_uris, companion_url, oidc })
    }

    /// Card sign-in's trust and keys, or 503 where this function does not serve it or its
    /// CRLs did not load (revocation fails closed; staff sign-in and the rest go on).
    pub fn card(&self) -> Result<&CardSignIn, crate::ApiError> {
        match &self.card {
            Ok(card) => Ok(card),
            Err(CardSignInClosed::NotHere) => {
                tracing::error!("a card sign-in route reached a function without card sign-in");
                Err(crate::ApiError::Unavailable("card sign-in is served by the token function".into()))
            }
            Err(CardSignInClosed::TrustNotLoaded(reason)) => {
                tracing::error!(reason = %reason, "card sign-in refused: the JPKI trust (CRLs) did not load");
                Err(crate::ApiError::RevocationUnavailable)
            }
        }
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

    #[tokio::test]
    async fn issuer_audience_and_scope_are_enforced() {
        let idp = signer(9);
        let keys = TokenKeys::new(
            "us",
            signer(1),
            vec![signer(2)],
            vec![TrustedIssuer::new("idp", &Jwks { keys: vec![idp.jwk().clone()] }).unwrap()],
        );
        let now = 1_000_000;
        let t = keys.issue("r1", Role::Resident, vec![], None, now).await.unwrap();
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
        assert_eq!(
            keys.verify(&t, now + ACCESS_TTL_SECONDS + LEEWAY_SECONDS),
            Err(TokenError::Time(TimeError::Expired))
        );
        let mut c = claims("us", Role::ShelterStaff, now);
        c.shelters = vec![];
        assert_eq!(keys.verify(&signer(1).sign(ACCESS_TOKEN_TYPE, &c), now), Err(TokenError::BadScope));
        let mut c = claims("us", Role::Hq, now);
        c.municipality = Some("999999".into());
        assert_eq!(keys.verify(&signer(1).sign(ACCESS_TOKEN_TYPE, &c), now), Err(TokenError::BadScope));
    }

    #[tokio::test]
    async fn a_remembered_signature_still_gets_every_other_check() {
        let keys = TokenKeys::new("us", signer(1), vec![], vec![]);
        let now = 1_000_000;
        let t = keys.issue("staff:1", Role::ShelterStaff, vec!["aoba-01".into()], None, now).await.unwrap();
        assert!(keys.verify(&t, now).is_ok());
        assert!(keys.verify(&t, now).is_ok(), "second use comes from the cache");
        assert_eq!(keys.verify(&t, now - 3600), Err(TokenError::Time(TimeError::NotYetValid)));
        assert_eq!(keys.verify(&t, now + 3600), Err(TokenError::Time(TimeError::Expired)));
        // A token differing in one signature character is not the remembered one
        // (not the last character: its low bits are padding).
        let mut forged = t.clone().into_bytes();
        let i = forged.len() - 10;
        forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert!(keys.verify(&forged, now).is_err());
        // A remembered signature does not skip the scope check.
        let mut c = claims("us", Role::ShelterStaff, now);
        c.shelters = vec![];
        let bad = signer(1).sign(ACCESS_TOKEN_TYPE, &c);
        assert_eq!(keys.verify(&bad, now), Err(TokenError::BadScope));
        assert_eq!(keys.verify(&bad, now), Err(TokenError::BadScope));
        // Other keys, other cache: a token of a retired key no longer verifies.
        let rotated = TokenKeys::new("us", signer(3), vec![], vec![]);
        assert!(rotated.verify(&t, now).is_err());
    }

    #[test]
    fn the_prefecture_a_caller_may_read() {
        let sendai = MunicipalityCode::parse("041009").unwrap();
        let p = |role, m: Option<&str>| Principal {
            sub: "x".into(),
            role,
            shelters: vec![],
            municipality: m.map(|m| MunicipalityCode::parse(m).unwrap()),
        };
        assert_eq!(p(Role::PrefectureHq, Some("090000")).prefecture(&sendai).unwrap().as_str(), "090000");
        assert_eq!(p(Role::Admin, None).prefecture(&sendai).unwrap().as_str(), "040002", "the deployment's prefecture");
        assert_eq!(p(Role::Admin, Some("041009")).prefecture(&sendai), None, "a municipality's admin");
        assert_eq!(p(Role::Hq, Some("041009")).prefecture(&sendai), None);
        assert!(
            !p(Role::PrefectureHq, Some("040002")).may_read_municipality(&sendai),
            "counts only, through its own summary"
        );
    }
}

//! Sign-in with the card: challenge → card verification (both certificates, each in
//! its own trust slot) → one-time code → a session (`sessions`); card renewal links.

use crate::auth::{AuthSettings, CardSignIn};
use crate::domain::jpki::{self, hex, JpkiError, Purpose, VerifiedCert};
use crate::domain::sessions::{self, invalid_grant, random_token};
use crate::{keys, ApiError};
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use bosai_store::{item::item, Condition, ItemExt, Store, StoreError, Update, Value};
use bosai_types::auth::{
    valid_code_challenge, valid_code_verifier, ChallengeRequest, ChallengeResponse, JpkiResult, JpkiSubmission, Me,
    Role, TokenRequest, TokenResponse,
};
use bosai_types::Timestamp;

pub const CHALLENGE_TTL_SECONDS: i64 = 5 * 60;
pub const CODE_TTL_SECONDS: i64 = 2 * 60;
const MAX_INTERMEDIATES: usize = 4;

fn s256(verifier: &str) -> String {
    B64URL.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref())
}

/// Stable pseudonymous id of a card certificate: HMAC of the issuing root's key id and
/// the serial with a server secret. The serial alone is not unique: J-LIS numbers each
/// CA generation's certificates on their own, and generations share one name.
pub fn cert_pseudonym(card: &CardSignIn, ca_key_id: &[u8; 32], serial: &[u8]) -> String {
    let serial = &serial[serial.iter().position(|b| *b != 0).unwrap_or(serial.len())..];
    let input = format!("jpki-auth-cert:{}:{}", hex(ca_key_id), hex(serial));
    let tag = aws_lc_rs::hmac::sign(&card.pseudonym_key, input.as_bytes());
    format!("r_{}", &B64URL.encode(tag.as_ref())[..26])
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn bad(code: &'static str, ja: &str) -> ApiError {
    ApiError::invalid(code, ja)
}

pub async fn start_challenge(
    store: &dyn Store,
    settings: &AuthSettings,
    req: ChallengeRequest,
    now: i64,
) -> Result<ChallengeResponse, ApiError> {
    if req.code_challenge_method != "S256" || !valid_code_challenge(&req.code_challenge) {
        return Err(bad("invalid_code_challenge", "PKCE の code_challenge（S256）が正しくありません。"));
    }
    if !settings.redirect_uris.contains(&req.redirect_uri) {
        return Err(bad("invalid_redirect_uri", "戻り先アドレスが許可されていません。"));
    }
    let nonce = random_token();
    let expires = now + CHALLENGE_TTL_SECONDS;
    let it = item(&keys::challenge(&nonce))
        .with("code_challenge", Value::s(&req.code_challenge))
        .with("redirect_uri", Value::s(&req.redirect_uri))
        .with("state", Value::s("issued"))
        .with("ttl", Value::n(expires));
    store.put(it, Some(Condition::absent())).await?;
    let companion_url =
        format!("{}?nonce={}&redirect_uri={}", settings.companion_url, nonce, percent_encode(&req.redirect_uri));
    Ok(ChallengeResponse { nonce, expires_at: Timestamp(expires * 1000), companion_url })
}

fn decode_cert(field: &str, b64: &str) -> Result<Vec<u8>, ApiError> {
    let der = B64.decode(b64.trim()).map_err(|_| {
        ApiError::invalid("invalid_encoding", "証明書データの形式が正しくありません。").with("field", field)
    })?;
    if der.is_empty() || der.len() > jpki::MAX_CERT_BYTES {
        return Err(
            ApiError::invalid("invalid_encoding", "証明書データの大きさが正しくありません。").with("field", field)
        );
    }
    Ok(der)
}

fn card_rejected(e: JpkiError) -> ApiError {
    let (code, ja) = match &e {
        JpkiError::RevocationUnavailable => return ApiError::RevocationUnavailable,
        JpkiError::Expired => {
            ("certificate_expired", "カードの電子証明書の有効期限が切れています。市区町村の窓口で更新してください。")
        }
        JpkiError::NotYetValid => ("certificate_not_yet_valid", "カードの電子証明書がまだ有効になっていません。"),
        JpkiError::Revoked => {
            ("certificate_revoked", "カードの電子証明書は失効しています。市区町村の窓口にご相談ください。")
        }
        JpkiError::TestCard => ("certificate_test_card", "テスト用のカードは使えません。"),
        JpkiError::WrongPurpose => (
            "certificate_wrong_purpose",
            "利用者証明用と署名用の電子証明書が入れ替わっています。アプリを更新してもう一度お試しください。",
        ),
        JpkiError::Untrusted | JpkiError::NotJpkiProfile | JpkiError::UnsupportedExtension(_) | JpkiError::WeakKey => {
            ("certificate_untrusted", "このカードの証明書は確認できませんでした。")
        }
        JpkiError::WrongKeyUsage => ("certificate_untrusted", "このカードの証明書は利用できません。"),
        JpkiError::BadSignature => {
            ("signature_invalid", "カードの署名を確認できませんでした。もう一度お試しください。")
        }
        JpkiError::MissingBasicFour => ("basic_four_missing", "署名用電子証明書から基本4情報を読み取れませんでした。"),
        JpkiError::Unreadable | JpkiError::Config(_) => {
            ("certificate_unreadable", "カードの証明書を読み取れませんでした。")
        }
    };
    ApiError::invalid(code, ja)
}

/// `own`: the deployment's municipality, whose prefecture's list reads the card's address.
pub async fn submit_jpki(
    store: &dyn Store,
    settings: &AuthSettings,
    own: &bosai_types::MunicipalityCode,
    sub: JpkiSubmission,
    now: i64,
) -> Result<JpkiResult, ApiError> {
    let auth_cert = decode_cert("auth_certificate", &sub.auth_certificate)?;
    let auth_sig = decode_cert("auth_signature", &sub.auth_signature)?;
    if sub.intermediates.len() > MAX_INTERMEDIATES {
        return Err(bad("invalid_encoding", "中間証明書が多すぎます。"));
    }
    // J-LIS's roots issue card certificates directly: intermediates are decoded (so bad
    // input is refused) but trust comes only from the configured roots.
    for c in &sub.intermediates {
        decode_cert("intermediates", c)?;
    }
    let signing = match (&sub.signing_certificate, &sub.signing_signature) {
        (None, None) => None,
        (Some(c), Some(s)) => Some((decode_cert("signing_certificate", c)?, decode_cert("signing_signature", s)?)),
        _ => return Err(bad("invalid_request", "署名用電子証明書と署名はセットで送ってください。")),
    };
    let key = keys::challenge(&sub.nonce);
    let challenge = store
        .get(&key)
        .await?
        .ok_or_else(|| bad("unknown_challenge", "サインインの受付が期限切れです。最初からやり直してください。"))?;
    // Consume first: a nonce is good for exactly one attempt, even a failed one.
    let used = store
        .update(&key, Update::new().set("state", Value::s("used")), Some(Condition::eq("state", Value::s("issued"))))
        .await;
    match used {
        Ok(_) => {}
        Err(StoreError::ConditionFailed) => {
            return Err(bad("challenge_used", "このサインイン受付は使用済みです。最初からやり直してください。"))
        }
        Err(e) => return Err(e.into()),
    }
    let nonce = sub.nonce.as_bytes();
    let card = settings.card()?;
    card.crl_source.refresh(&card.jpki, now);
    let verified: VerifiedCert =
        card.jpki.verify(Purpose::UserAuthentication, &auth_cert, nonce, &auth_sig, now).map_err(card_rejected)?;
    let basic_four = match signing {
        None => None,
        Some((cert, sig)) => {
            card.jpki.verify(Purpose::DigitalSignature, &cert, nonce, &sig, now).map_err(card_rejected)?;
            Some(jpki::basic_four(&cert).map_err(card_rejected)?)
        }
    };
    let subject = resolve_subject(store, &cert_pseudonym(card, &verified.ca_key_id, &verified.serial)).await?;
    let mut profile = crate::domain::profile::seen_update(&subject, bosai_types::Timestamp(now * 1000))
        .set("verified_at", Value::n(now * 1000))
        .set("cert_not_after", Value::n(verified.not_after))
        .set("card_ca", Value::s(&verified.anchor_id))
        .set_if_absent("created_at", Value::n(now * 1000))
        // Signing in again after deleting everything: the tombstone becomes a profile again
        // (its revocation mark stays, so QR codes from before the deletion remain refused).
        .remove(bosai_store::attr::TTL);
    if let Some(b4) = &basic_four {
        profile = profile.set("basic_four", crate::domain::profile::basic_four_value(b4));
    }
    store.update(&keys::profile(&subject), profile, None).await?;
    if let Some(b4) = &basic_four {
        crate::domain::home::record_from_card(store, own, &subject, &b4.address).await?;
    }
    let code = random_token();
    let code_item = item(&keys::auth_code(&keys::digest(&code)))
        .with("sub", Value::s(&subject))
        .with("code_challenge", challenge.get("code_challenge").cloned().unwrap_or(Value::s("")))
        .with("cert_not_after", Value::n(verified.not_after))
        .with("ttl", Value::n(now + CODE_TTL_SECONDS));
    store.put(code_item, Some(Condition::absent())).await?;
    let redirect = challenge.str("redirect_uri").unwrap_or_default();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    Ok(JpkiResult { redirect_to: format!("{redirect}{sep}code={code}"), code })
}

/// A renewed card maps to the same resident through a link record (see docs/identity.md).
async fn resolve_subject(store: &dyn Store, cert_ps: &str) -> Result<String, ApiError> {
    let key = keys::cert_subject(cert_ps);
    if let Some(found) = store.get(&key).await?.and_then(|i| i.str("sub").map(str::to_owned)) {
        return Ok(found);
    }
    let link = item(&key)
        .with("sub", Value::s(cert_ps))
        .with(bosai_store::attr::GSI1_PK, Value::s(keys::cards_of(cert_ps)))
        .with(bosai_store::attr::GSI1_SK, Value::s(&key.pk));
    match store.put(link, Some(Condition::absent())).await {
        Ok(()) => Ok(cert_ps.to_owned()),
        // Two first sign-ins at once: both read the winner's record.
        Err(StoreError::ConditionFailed) => Ok(store
            .get(&key)
            .await?
            .and_then(|i| i.str("sub").map(str::to_owned))
            .unwrap_or_else(|| cert_ps.to_owned())),
        Err(e) => Err(e.into()),
    }
}

pub async fn exchange(
    store: &dyn Store,
    settings: &AuthSettings,
    req: TokenRequest,
    now: i64,
) -> Result<TokenResponse, ApiError> {
    match req {
        TokenRequest::AuthorizationCode { code, code_verifier } => {
            if !valid_code_verifier(&code_verifier) {
                return Err(bad("invalid_request", "code_verifier の形式が正しくありません。"));
            }
            let key = keys::auth_code(&keys::digest(&code));
            let found = store.get(&key).await?.ok_or_else(invalid_grant)?;
            // Single use: whoever deletes it first wins; a replay finds nothing.
            match store.delete(&key, Some(Condition::present())).await {
                Ok(()) => {}
                Err(StoreError::ConditionFailed) => return Err(invalid_grant()),
                Err(e) => return Err(e.into()),
            }
            if found.str("code_challenge") != Some(s256(&code_verifier).as_str()) {
                return Err(invalid_grant());
            }
            let sub = found.str("sub").ok_or_else(invalid_grant)?;
            let cert_not_after = found.i64("cert_not_after").ok_or_else(invalid_grant)?;
            sessions::start(store, settings, sub, cert_not_after, now).await
        }
        TokenRequest::RefreshToken { refresh_token } => sessions::rotate(store, settings, &refresh_token, now).await,
    }
}

pub async fn me(store: &dyn Store, sub: &str, role: Role) -> Result<Me, ApiError> {
    let profile = store.get(&keys::profile(sub)).await?;
    Ok(Me {
        sub: sub.to_owned(),
        role,
        basic_four: profile.as_ref().and_then(|p| p.get("basic_four")).and_then(crate::domain::profile::basic_four_of),
        verified_at: profile.as_ref().and_then(|p| p.i64("verified_at")).map(Timestamp),
        area: profile.as_ref().and_then(|p| p.str("area")).and_then(|a| bosai_types::surveys::AreaCode::parse(a).ok()),
        home: crate::domain::home::of(store, sub).await?,
        consent: crate::domain::consent::of(profile.as_ref()),
    })
}

fn parse_hex(field: &str, s: &str) -> Result<Vec<u8>, ApiError> {
    let s = s.trim().trim_start_matches("0x");
    let ok = !s.is_empty() && s.len().is_multiple_of(2) && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(ApiError::invalid("invalid_serial", "証明書のシリアル番号（16進）が正しくありません。")
            .with("field", field));
    }
    Ok((0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("checked hex")).collect())
}

/// Card renewal: J-LIS's old→new serial link (新旧シリアル番号紐付け) makes the new card
/// sign in as the same resident. Imported by an administrator. The old certificate is
/// found among the user-authentication roots it may have come from (`old_ca` settles it
/// when two generations know the serial); the new one was issued by `new_ca`, by default
/// the newest current root, which is the CA that issues renewed cards.
pub async fn link_renewed_card(
    store: &dyn Store,
    settings: &AuthSettings,
    renewal: &CardRenewalRequest<'_>,
    now: i64,
) -> Result<(), ApiError> {
    let old_serial = parse_hex("old_serial", renewal.old_serial)?;
    let new_serial = parse_hex("new_serial", renewal.new_serial)?;
    let card = settings.card()?;
    let anchor = |id: &str| {
        let well_formed = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.starts_with('-');
        if !well_formed {
            return Err(ApiError::invalid("invalid_ca", "認証局は auth-g3 のような名前で指定してください。"));
        }
        card.jpki
            .trust()
            .get(id)
            .filter(|a| a.purpose == Purpose::UserAuthentication)
            .ok_or(ApiError::NotFound("利用者証明用の認証局"))
    };
    let old_candidates: Vec<_> = match renewal.old_ca {
        Some(id) => vec![anchor(id)?],
        None => card.jpki.trust().anchors().iter().filter(|a| a.purpose == Purpose::UserAuthentication).collect(),
    };
    let mut found = Vec::new();
    for a in old_candidates {
        let ps = cert_pseudonym(card, &a.key_id, &old_serial);
        if let Some(sub) = store.get(&keys::cert_subject(&ps)).await?.and_then(|i| i.str("sub").map(str::to_owned)) {
            found.push((ps, sub));
        }
    }
    let (old_ps, sub) = match found.len() {
        0 => return Err(ApiError::NotFound("以前のカード")),
        1 => found.remove(0),
        _ => {
            return Err(ApiError::invalid(
                "ambiguous_serial",
                "このシリアル番号は複数の認証局の世代にあります。old_ca で以前のカードの認証局を指定してください。",
            ))
        }
    };
    let new_anchor = match renewal.new_ca {
        Some(id) => anchor(id)?,
        None => card
            .jpki
            .trust()
            .newest(Purpose::UserAuthentication, now)
            .ok_or(ApiError::NotFound("有効な利用者証明用の認証局"))?,
    };
    let new_ps = cert_pseudonym(card, &new_anchor.key_id, &new_serial);
    let new_key = keys::cert_subject(&new_ps);
    let link = item(&new_key)
        .with("sub", Value::s(&sub))
        .with("linked_from", Value::s(&old_ps))
        .with(bosai_store::attr::GSI1_PK, Value::s(keys::cards_of(&sub)))
        .with(bosai_store::attr::GSI1_SK, Value::s(&new_key.pk));
    let cond = Condition::Or(vec![Condition::absent(), Condition::eq("sub", Value::s(&sub))]);
    match store.put(link, Some(cond)).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed) => Err(ApiError::Conflict("新しいカード")),
        Err(e) => Err(e.into()),
    }
}

/// What an administrator imports from J-LIS's renewal link.
pub struct CardRenewalRequest<'a> {
    pub old_serial: &'a str,
    pub new_serial: &'a str,
    pub old_ca: Option<&'a str>,
    pub new_ca: Option<&'a str>,
}

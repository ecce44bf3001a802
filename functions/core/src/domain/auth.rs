//! Sign-in flows: challenge → card verification → one-time code → tokens,
//! refresh-token rotation with reuse detection, sign-out, card renewal links.

use crate::auth::{AuthSettings, REFRESH_TTL_SECONDS};
use crate::domain::jpki::{self, JpkiError};
use crate::{keys, ApiError};
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use bosai_store::{item::item, CancelReason, Condition, Item, ItemExt, Store, StoreError, TransactOp, Update, Value};
use bosai_types::auth::{
    valid_code_challenge, valid_code_verifier, BasicFour, ChallengeRequest, ChallengeResponse, JpkiResult,
    JpkiSubmission, Me, Role, TokenRequest, TokenResponse,
};
use bosai_types::Timestamp;
use std::collections::BTreeMap;

pub const CHALLENGE_TTL_SECONDS: i64 = 5 * 60;
pub const CODE_TTL_SECONDS: i64 = 2 * 60;
const MAX_CERT_BYTES: usize = 8 * 1024;
const MAX_INTERMEDIATES: usize = 4;

fn random_token() -> String {
    let mut b = [0u8; 32];
    aws_lc_rs::rand::fill(&mut b).expect("system randomness");
    B64URL.encode(b)
}

/// Secrets are stored only as hashes, so a leaked table cannot be replayed.
fn hash(secret: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn s256(verifier: &str) -> String {
    B64URL.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref())
}

/// Stable pseudonymous id for a card certificate: HMAC of its serial with a server secret.
pub fn cert_pseudonym(settings: &AuthSettings, serial: &[u8]) -> String {
    let hex: String = serial.iter().map(|b| format!("{b:02x}")).collect();
    let tag = aws_lc_rs::hmac::sign(&settings.pseudonym_key, format!("jpki-auth-cert:{hex}").as_bytes());
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

fn bad(code: &'static str, en: &str, ja: &str) -> ApiError {
    ApiError::invalid(code, en, ja)
}

fn invalid_grant() -> ApiError {
    bad(
        "invalid_grant",
        "This sign-in code or refresh token is not valid any more. Sign in with your card again.",
        "サインインの有効期限が切れたか、無効です。もう一度カードでサインインしてください。",
    )
}

pub async fn start_challenge(
    store: &dyn Store,
    settings: &AuthSettings,
    req: ChallengeRequest,
    now: i64,
) -> Result<ChallengeResponse, ApiError> {
    if req.code_challenge_method != "S256" || !valid_code_challenge(&req.code_challenge) {
        return Err(bad(
            "invalid_code_challenge",
            "code_challenge must be the 43-character S256 PKCE challenge and code_challenge_method must be \"S256\".",
            "PKCE の code_challenge（S256）が正しくありません。",
        ));
    }
    if !settings.redirect_uris.contains(&req.redirect_uri) {
        return Err(bad("invalid_redirect_uri", "redirect_uri is not an allowed address of this app.", "戻り先アドレスが許可されていません。"));
    }
    let nonce = random_token();
    let expires = now + CHALLENGE_TTL_SECONDS;
    let it = item(&keys::challenge(&nonce))
        .with("code_challenge", Value::s(&req.code_challenge))
        .with("redirect_uri", Value::s(&req.redirect_uri))
        .with("state", Value::s("issued"))
        .with("ttl", Value::n(expires));
    store.put(it, Some(Condition::absent())).await?;
    let companion_url = format!(
        "{}?nonce={}&redirect_uri={}",
        settings.companion_url,
        nonce,
        percent_encode(&req.redirect_uri)
    );
    Ok(ChallengeResponse { nonce, expires_at: Timestamp(expires * 1000), companion_url })
}

fn decode_cert(field: &str, b64: &str) -> Result<Vec<u8>, ApiError> {
    let der = B64.decode(b64.trim()).map_err(|_| {
        ApiError::invalid("invalid_encoding", format!("{field} must be base64"), "証明書データの形式が正しくありません。")
    })?;
    if der.is_empty() || der.len() > MAX_CERT_BYTES {
        return Err(ApiError::invalid("invalid_encoding", format!("{field} has an impossible size"), "証明書データの大きさが正しくありません。"));
    }
    Ok(der)
}

fn card_rejected(e: JpkiError) -> ApiError {
    let (code, ja) = match e {
        JpkiError::Expired => ("certificate_expired", "カードの電子証明書の有効期限が切れています。市区町村の窓口で更新してください。"),
        JpkiError::NotYetValid => ("certificate_not_yet_valid", "カードの電子証明書がまだ有効になっていません。"),
        JpkiError::Revoked => ("certificate_revoked", "カードの電子証明書は失効しています。市区町村の窓口にご相談ください。"),
        JpkiError::Untrusted => ("certificate_untrusted", "このカードの証明書は確認できませんでした。"),
        JpkiError::WrongKeyUsage => ("certificate_untrusted", "このカードの証明書は利用できません。"),
        JpkiError::BadSignature => ("signature_invalid", "カードの署名を確認できませんでした。もう一度お試しください。"),
        JpkiError::MissingBasicFour => ("basic_four_missing", "署名用電子証明書から基本4情報を読み取れませんでした。"),
        JpkiError::Unreadable | JpkiError::Config(_) => ("certificate_unreadable", "カードの証明書を読み取れませんでした。"),
    };
    ApiError::invalid(code, format!("The card was not accepted: {e}."), ja)
}

pub async fn submit_jpki(
    store: &dyn Store,
    settings: &AuthSettings,
    sub: JpkiSubmission,
    now: i64,
) -> Result<JpkiResult, ApiError> {
    let auth_cert = decode_cert("auth_certificate", &sub.auth_certificate)?;
    let auth_sig = decode_cert("auth_signature", &sub.auth_signature)?;
    if sub.intermediates.len() > MAX_INTERMEDIATES {
        return Err(bad("invalid_encoding", "Too many intermediate certificates.", "中間証明書が多すぎます。"));
    }
    let intermediates =
        sub.intermediates.iter().map(|c| decode_cert("intermediates", c)).collect::<Result<Vec<_>, _>>()?;
    let signing = match (&sub.signing_certificate, &sub.signing_signature) {
        (None, None) => None,
        (Some(c), Some(s)) => Some((decode_cert("signing_certificate", c)?, decode_cert("signing_signature", s)?)),
        _ => {
            return Err(bad(
                "invalid_request",
                "signing_certificate and signing_signature go together.",
                "署名用電子証明書と署名はセットで送ってください。",
            ))
        }
    };
    let key = keys::challenge(&sub.nonce);
    let challenge = store.get(&key).await?.ok_or_else(|| {
        bad("unknown_challenge", "This sign-in request has expired or is unknown. Start again.", "サインインの受付が期限切れです。最初からやり直してください。")
    })?;
    // Consume first: a nonce is good for exactly one attempt, even a failed one.
    let used = store
        .update(&key, Update::new().set("state", Value::s("used")), Some(Condition::eq("state", Value::s("issued"))))
        .await;
    match used {
        Ok(_) => {}
        Err(StoreError::ConditionFailed) => {
            return Err(bad("challenge_used", "This sign-in request was already used. Start again.", "このサインイン受付は使用済みです。最初からやり直してください。"))
        }
        Err(e) => return Err(e.into()),
    }
    let nonce = sub.nonce.as_bytes();
    let verified = settings.jpki.verify(&auth_cert, &intermediates, nonce, &auth_sig, now).map_err(card_rejected)?;
    let basic_four = match signing {
        None => None,
        Some((cert, sig)) => {
            settings.jpki.verify(&cert, &intermediates, nonce, &sig, now).map_err(card_rejected)?;
            Some(jpki::basic_four(&cert).map_err(card_rejected)?)
        }
    };
    let subject = resolve_subject(store, &cert_pseudonym(settings, &verified.serial)).await?;
    let mut profile = Update::new()
        .set("verified_at", Value::n(now * 1000))
        .set("cert_not_after", Value::n(verified.not_after))
        .set_if_absent("created_at", Value::n(now * 1000));
    if let Some(b4) = &basic_four {
        profile = profile.set("basic_four", basic_four_value(b4));
    }
    store.update(&keys::profile(&subject), profile, None).await?;
    let code = random_token();
    let code_item = item(&keys::auth_code(&hash(&code)))
        .with("sub", Value::s(&subject))
        .with("code_challenge", challenge.get("code_challenge").cloned().unwrap_or(Value::s("")))
        .with("ttl", Value::n(now + CODE_TTL_SECONDS));
    store.put(code_item, Some(Condition::absent())).await?;
    let redirect = challenge.str("redirect_uri").unwrap_or_default();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    Ok(JpkiResult { redirect_to: format!("{redirect}{sep}code={code}"), code })
}

/// A renewed card maps to the same resident through a link record (see README).
async fn resolve_subject(store: &dyn Store, cert_ps: &str) -> Result<String, ApiError> {
    let key = keys::cert_subject(cert_ps);
    if let Some(found) = store.get(&key).await?.and_then(|i| i.str("sub").map(str::to_owned)) {
        return Ok(found);
    }
    match store.put(item(&key).with("sub", Value::s(cert_ps)), Some(Condition::absent())).await {
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

fn basic_four_value(b: &BasicFour) -> Value {
    Value::M(BTreeMap::from([
        ("name".into(), Value::s(&b.name)),
        ("address".into(), Value::s(&b.address)),
        ("date_of_birth".into(), Value::s(&b.date_of_birth)),
        ("sex".into(), Value::s(&b.sex)),
    ]))
}

fn basic_four_of(v: &Value) -> Option<BasicFour> {
    let Value::M(m) = v else { return None };
    let g = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(BasicFour { name: g("name")?, address: g("address")?, date_of_birth: g("date_of_birth")?, sex: g("sex")? })
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
                return Err(bad("invalid_request", "code_verifier must be 43-128 PKCE characters.", "code_verifier の形式が正しくありません。"));
            }
            let key = keys::auth_code(&hash(&code));
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
            let sub = found.str("sub").ok_or_else(invalid_grant)?.to_owned();
            let family = random_token();
            let refresh = new_refresh(store, &sub, &family, now, None).await?;
            Ok(tokens(settings, &sub, refresh, now))
        }
        TokenRequest::RefreshToken { refresh_token } => rotate(store, settings, &refresh_token, now).await,
    }
}

fn tokens(settings: &AuthSettings, sub: &str, refresh_token: String, now: i64) -> TokenResponse {
    TokenResponse {
        access_token: settings.tokens.issue(sub, Role::Resident, vec![], None, now),
        token_type: "Bearer".into(),
        expires_in: crate::auth::ACCESS_TTL_SECONDS,
        refresh_token,
        role: Role::Resident,
    }
}

/// Stores a new refresh token; with `rotating_from`, atomically retires the old one.
async fn new_refresh(
    store: &dyn Store,
    sub: &str,
    family: &str,
    now: i64,
    rotating_from: Option<&str>,
) -> Result<String, ApiError> {
    let token = random_token();
    let expires = now + REFRESH_TTL_SECONDS;
    let put = TransactOp::Put {
        item: item(&keys::refresh_token(&hash(&token)))
            .with("sub", Value::s(sub))
            .with("family", Value::s(family))
            .with("state", Value::s("active"))
            .with("ttl", Value::n(expires)),
        condition: Some(Condition::absent()),
    };
    let family_op = TransactOp::Update {
        key: keys::refresh_family(family),
        update: Update::new().set("sub", Value::s(sub)).set("ttl", Value::n(expires)).set_if_absent("revoked", Value::Bool(false)),
        condition: Some(Condition::Ne("revoked".into(), Value::Bool(true))),
    };
    let mut ops = vec![put, family_op];
    if let Some(old) = rotating_from {
        ops.insert(
            0,
            TransactOp::Update {
                key: keys::refresh_token(old),
                update: Update::new().set("state", Value::s("used")),
                condition: Some(Condition::eq("state", Value::s("active"))),
            },
        );
    }
    match store.transact_write(ops).await {
        Ok(()) => Ok(token),
        Err(StoreError::TransactionCanceled { reasons }) if reasons.contains(&CancelReason::ConditionFailed) => {
            // The old token was used concurrently, or the family was revoked.
            revoke_family(store, family).await?;
            Err(invalid_grant())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_family(store: &dyn Store, family: &str) -> Result<(), ApiError> {
    store.update(&keys::refresh_family(family), Update::new().set("revoked", Value::Bool(true)), None).await?;
    Ok(())
}

async fn rotate(store: &dyn Store, settings: &AuthSettings, presented: &str, now: i64) -> Result<TokenResponse, ApiError> {
    let h = hash(presented);
    let old: Item = store.get(&keys::refresh_token(&h)).await?.ok_or_else(invalid_grant)?;
    let (Some(sub), Some(family)) = (old.str("sub"), old.str("family")) else { return Err(invalid_grant()) };
    let fam = store.get(&keys::refresh_family(family)).await?;
    if fam.as_ref().and_then(|f| f.bool("revoked")).unwrap_or(true) {
        return Err(invalid_grant());
    }
    if old.str("state") != Some("active") {
        // A used token came back: someone holds a copy. Sign the whole family out.
        tracing::warn!("refresh token reuse detected; family revoked");
        revoke_family(store, family).await?;
        return Err(invalid_grant());
    }
    let refresh = new_refresh(store, sub, family, now, Some(&h)).await?;
    Ok(tokens(settings, sub, refresh, now))
}

/// Sign-out: revokes every refresh token descended from this sign-in. Idempotent.
pub async fn logout(store: &dyn Store, refresh_token: &str) -> Result<(), ApiError> {
    if let Some(old) = store.get(&keys::refresh_token(&hash(refresh_token))).await? {
        if let Some(family) = old.str("family") {
            revoke_family(store, family).await?;
        }
    }
    Ok(())
}

pub async fn me(store: &dyn Store, sub: &str, role: Role) -> Result<Me, ApiError> {
    let profile = store.get(&keys::profile(sub)).await?;
    Ok(Me {
        sub: sub.to_owned(),
        role,
        basic_four: profile.as_ref().and_then(|p| p.get("basic_four")).and_then(basic_four_of),
        verified_at: profile.as_ref().and_then(|p| p.i64("verified_at")).map(Timestamp),
        area: profile.as_ref().and_then(|p| p.str("area")).and_then(|a| bosai_types::surveys::AreaCode::parse(a).ok()),
    })
}

fn parse_hex(field: &str, s: &str) -> Result<Vec<u8>, ApiError> {
    let s = s.trim().trim_start_matches("0x");
    let ok = !s.is_empty() && s.len().is_multiple_of(2) && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(ApiError::invalid("invalid_serial", format!("{field} must be a hexadecimal certificate serial"), "証明書のシリアル番号（16進）が正しくありません。"));
    }
    Ok((0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("checked hex")).collect())
}

/// Card renewal: J-LIS's old→new serial link (新旧シリアル番号紐付け) makes the new card
/// sign in as the same resident. Imported by an administrator.
pub async fn link_renewed_card(
    store: &dyn Store,
    settings: &AuthSettings,
    old_serial: &str,
    new_serial: &str,
) -> Result<(), ApiError> {
    let old_ps = cert_pseudonym(settings, &parse_hex("old_serial", old_serial)?);
    let new_ps = cert_pseudonym(settings, &parse_hex("new_serial", new_serial)?);
    let sub = store
        .get(&keys::cert_subject(&old_ps))
        .await?
        .and_then(|i| i.str("sub").map(str::to_owned))
        .ok_or(ApiError::NotFound("The old card", "以前のカード"))?;
    let link = item(&keys::cert_subject(&new_ps)).with("sub", Value::s(&sub)).with("linked_from", Value::s(&old_ps));
    let cond = Condition::Or(vec![Condition::absent(), Condition::eq("sub", Value::s(&sub))]);
    match store.put(link, Some(cond)).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed) => Err(ApiError::Conflict("The new card", "新しいカード")),
        Err(e) => Err(e.into()),
    }
}

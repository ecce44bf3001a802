//! Message encryption for Web Push (RFC 8291) in the `aes128gcm` content coding (RFC 8188).
//!
//! A push service relays our notices but must not read them: each message is encrypted to the
//! browser's subscription key (`p256dh`) with a fresh ephemeral key and salt, and authenticated
//! with the subscription's `auth` secret. RFC 8291 requires a single record, so a message is
//! one AES-128-GCM record behind the RFC 8188 header (salt, record size, keyid = our ephemeral
//! public key).

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce, Tag};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

use crate::{b64, PushError};

/// The record size we announce: the whole message is one record of at most this size.
pub const RECORD_SIZE: u32 = 4096;
/// Every push service must accept bodies of up to 4096 octets (RFC 8291, section 4).
pub const MAX_BODY_LEN: usize = 4096;
const SALT_LEN: usize = 16;
/// An uncompressed P-256 point: 0x04 || x || y.
const POINT_LEN: usize = 65;
const HEADER_LEN: usize = SALT_LEN + 4 + 1 + POINT_LEN;
const TAG_LEN: usize = 16;
/// 4096 − 86 (header) − 16 (tag) − 1 (padding delimiter) = 3993 octets (RFC 8291, section 4).
pub const MAX_PLAINTEXT_LEN: usize = MAX_BODY_LEN - HEADER_LEN - TAG_LEN - 1;
/// Delimiter that ends the last (here: only) record's plaintext (RFC 8188, section 2).
const LAST_RECORD: u8 = 0x02;

/// The keys of a browser's push subscription (`PushSubscription.toJSON().keys`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionKeys {
    /// The user agent's ECDH public key.
    pub p256dh: PublicKey,
    /// The authentication secret shared with the user agent.
    pub auth: [u8; 16],
}

impl SubscriptionKeys {
    /// Reads the browser's base64url `p256dh` (65-byte uncompressed point) and `auth` (16 bytes).
    pub fn from_base64url(p256dh: &str, auth: &str) -> Result<Self, PushError> {
        let point = b64::decode(p256dh).ok_or(PushError::InvalidKey("p256dh is not base64url"))?;
        if point.len() != POINT_LEN || point[0] != 0x04 {
            return Err(PushError::InvalidKey("p256dh must be an uncompressed P-256 point (65 bytes)"));
        }
        let p256dh =
            PublicKey::from_sec1_bytes(&point).map_err(|_| PushError::InvalidKey("p256dh is not a point on P-256"))?;
        let auth = b64::decode(auth)
            .ok_or(PushError::InvalidKey("auth is not base64url"))?
            .try_into()
            .map_err(|_| PushError::InvalidKey("auth must be 16 bytes"))?;
        Ok(Self { p256dh, auth })
    }

    /// `p256dh` as the browser writes it (unpadded base64url).
    pub fn p256dh_base64url(&self) -> String {
        b64::encode(self.p256dh.to_encoded_point(false))
    }

    /// `auth` as the browser writes it (unpadded base64url).
    pub fn auth_base64url(&self) -> String {
        b64::encode(self.auth)
    }
}

/// Encrypts `plaintext` for one subscription, with a fresh ephemeral key and salt and no padding.
/// The key agreement runs on aws-lc-rs (several times faster than the pure-Rust curve, which
/// matters at 100 000 messages a notice); [`encrypt_with`] is the same construction on `p256`.
pub fn encrypt(keys: &SubscriptionKeys, plaintext: &[u8]) -> Result<Vec<u8>, PushError> {
    use aws_lc_rs::agreement::{agree_ephemeral, EphemeralPrivateKey, UnparsedPublicKey, ECDH_P256};
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(PushError::PayloadTooLarge { len: plaintext.len(), max: MAX_PLAINTEXT_LEN });
    }
    let crypto_failed = |_: aws_lc_rs::error::Unspecified| PushError::InvalidKey("the system's key agreement failed");
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut salt = [0u8; SALT_LEN];
    aws_lc_rs::rand::SecureRandom::fill(&rng, &mut salt).map_err(crypto_failed)?;
    let ephemeral = EphemeralPrivateKey::generate(&ECDH_P256, &rng).map_err(crypto_failed)?;
    let as_public = ephemeral.compute_public_key().map_err(crypto_failed)?;
    let ua_public = keys.p256dh.to_encoded_point(false);
    let peer = UnparsedPublicKey::new(&ECDH_P256, ua_public.as_bytes());
    let ecdh =
        agree_ephemeral(ephemeral, peer, crypto_failed(aws_lc_rs::error::Unspecified), |shared| Ok(shared.to_vec()))?;
    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD);
    Ok(seal_with(keys, &record, &ecdh, as_public.as_ref(), salt))
}

/// [`encrypt`] with a given ephemeral key, salt and `pad` zero octets of padding (which hides
/// the plaintext's length). Reusing a key and salt pair leaks plaintext: tests only.
pub fn encrypt_with(
    keys: &SubscriptionKeys,
    plaintext: &[u8],
    as_secret: &SecretKey,
    salt: [u8; 16],
    pad: usize,
) -> Result<Vec<u8>, PushError> {
    let max = MAX_PLAINTEXT_LEN.saturating_sub(pad);
    if plaintext.len() > max {
        return Err(PushError::PayloadTooLarge { len: plaintext.len(), max });
    }
    let mut record = Vec::with_capacity(plaintext.len() + 1 + pad);
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD);
    record.resize(plaintext.len() + 1 + pad, 0);
    Ok(seal(keys, &record, as_secret, salt))
}

/// Header plus one encrypted record; `record` already holds the delimiter and padding.
fn seal(keys: &SubscriptionKeys, record: &[u8], as_secret: &SecretKey, salt: [u8; 16]) -> Vec<u8> {
    let as_public = as_secret.public_key().to_encoded_point(false);
    let ecdh = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), keys.p256dh.as_affine());
    seal_with(keys, record, ecdh.raw_secret_bytes(), as_public.as_bytes(), salt)
}

/// [`seal`] from an agreed secret and the sender's uncompressed public key.
fn seal_with(keys: &SubscriptionKeys, record: &[u8], ecdh: &[u8], as_public: &[u8], salt: [u8; 16]) -> Vec<u8> {
    let ua_public = keys.p256dh.to_encoded_point(false);
    let secrets = derive(ecdh, &keys.auth, ua_public.as_bytes(), as_public, &salt);

    let mut body = Vec::with_capacity(HEADER_LEN + record.len() + TAG_LEN);
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(POINT_LEN as u8);
    body.extend_from_slice(as_public);
    body.extend_from_slice(record);
    // One record, sequence number 0: the nonce is NONCE itself (RFC 8188, section 2.3).
    let tag = Aes128Gcm::new(&secrets.cek.into())
        .encrypt_in_place_detached(Nonce::from_slice(&secrets.nonce), b"", &mut body[HEADER_LEN..])
        .expect("a 4 KiB record is far below AES-GCM's limit");
    body.extend_from_slice(&tag);
    body
}

/// The receiving side (a browser, or our test push service): reads the RFC 8188 header,
/// derives the keys from the sender's public key in `keyid`, decrypts the single record and
/// strips the padding.
pub fn decrypt(ua_secret: &SecretKey, auth: &[u8; 16], body: &[u8]) -> Result<Vec<u8>, PushError> {
    if body.len() < HEADER_LEN {
        return Err(PushError::MalformedBody("shorter than the aes128gcm header"));
    }
    let salt: [u8; SALT_LEN] = body[..SALT_LEN].try_into().expect("16 bytes");
    let rs = u32::from_be_bytes(body[16..20].try_into().expect("4 bytes")) as usize;
    if usize::from(body[20]) != POINT_LEN {
        return Err(PushError::MalformedBody("keyid must be the sender's 65-byte public key"));
    }
    let as_public = PublicKey::from_sec1_bytes(&body[21..HEADER_LEN])
        .map_err(|_| PushError::MalformedBody("keyid is not a P-256 point"))?;
    let ciphertext = &body[HEADER_LEN..];
    if rs < TAG_LEN + 2 {
        return Err(PushError::MalformedBody("record size below 18"));
    }
    if ciphertext.len() < TAG_LEN + 1 {
        return Err(PushError::MalformedBody("record shorter than tag and delimiter"));
    }
    if ciphertext.len() > rs {
        return Err(PushError::MalformedBody("more than one record"));
    }

    let ua_public = ua_secret.public_key().to_encoded_point(false);
    let ecdh = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), as_public.as_affine());
    let secrets = derive(ecdh.raw_secret_bytes(), auth, ua_public.as_bytes(), &body[21..HEADER_LEN], &salt);

    let (sealed, tag) = ciphertext.split_at(ciphertext.len() - TAG_LEN);
    let mut record = sealed.to_vec();
    Aes128Gcm::new(&secrets.cek.into())
        .decrypt_in_place_detached(Nonce::from_slice(&secrets.nonce), b"", &mut record, Tag::from_slice(tag))
        .map_err(|_| PushError::DecryptFailed)?;

    let delimiter = record.iter().rposition(|&b| b != 0).ok_or(PushError::MalformedBody("no padding delimiter"))?;
    if record[delimiter] != LAST_RECORD {
        return Err(PushError::MalformedBody("padding delimiter is not 0x02 (last record)"));
    }
    record.truncate(delimiter);
    Ok(record)
}

/// The keys of RFC 8291, section 3.4 (intermediate values kept for the tests).
struct Secrets {
    #[cfg_attr(not(test), allow(dead_code))]
    prk_key: [u8; 32],
    #[cfg_attr(not(test), allow(dead_code))]
    ikm: [u8; 32],
    #[cfg_attr(not(test), allow(dead_code))]
    prk: [u8; 32],
    cek: [u8; 16],
    nonce: [u8; 12],
}

fn derive(ecdh_secret: &[u8], auth: &[u8; 16], ua_public: &[u8], as_public: &[u8], salt: &[u8; 16]) -> Secrets {
    const EXPAND: &str = "HKDF-SHA-256 expands up to 8160 octets";
    // PRK_key = HKDF-Extract(auth_secret, ecdh_secret)
    // IKM = HKDF-Expand(PRK_key, "WebPush: info" || 0x00 || ua_public || as_public, 32)
    let (prk_key, hk) = Hkdf::<Sha256>::extract(Some(auth), ecdh_secret);
    let mut ikm = [0u8; 32];
    hk.expand_multi_info(&[b"WebPush: info\0", ua_public, as_public], &mut ikm).expect(EXPAND);
    // PRK = HKDF-Extract(salt, IKM); CEK and NONCE as in RFC 8188, section 2.2 and 2.3.
    let (prk, hk) = Hkdf::<Sha256>::extract(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    hk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).expect(EXPAND);
    let mut nonce = [0u8; 12];
    hk.expand(b"Content-Encoding: nonce\0", &mut nonce).expect(EXPAND);
    Secrets { prk_key: prk_key.into(), ikm, prk: prk.into(), cek, nonce }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::rand_core::{OsRng, RngCore};

    fn d(text: &str) -> Vec<u8> {
        b64::decode(text).expect("base64url")
    }

    fn secret(text: &str) -> SecretKey {
        SecretKey::from_slice(&d(text)).expect("scalar")
    }

    // RFC 8291, Appendix A.
    const PLAINTEXT: &[u8] = b"When I grow up, I want to be a watermelon";
    const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    const AS_PUBLIC: &str = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    const UA_PUBLIC: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    fn rfc_keys() -> SubscriptionKeys {
        SubscriptionKeys::from_base64url(UA_PUBLIC, AUTH).unwrap()
    }

    fn rfc_salt() -> [u8; 16] {
        d(SALT).try_into().unwrap()
    }

    #[test]
    fn rfc8291_appendix_a_key_pairs() {
        assert_eq!(b64::encode(secret(AS_PRIVATE).public_key().to_encoded_point(false)), AS_PUBLIC);
        assert_eq!(b64::encode(secret(UA_PRIVATE).public_key().to_encoded_point(false)), UA_PUBLIC);
        assert_eq!(PLAINTEXT, d("V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24"));
    }

    #[test]
    fn rfc8291_appendix_a_derivation() {
        let as_secret = secret(AS_PRIVATE);
        let keys = rfc_keys();
        let ecdh = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), keys.p256dh.as_affine());
        assert_eq!(b64::encode(ecdh.raw_secret_bytes()), "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");
        let s = derive(ecdh.raw_secret_bytes(), &keys.auth, &d(UA_PUBLIC), &d(AS_PUBLIC), &rfc_salt());
        assert_eq!(b64::encode(s.prk_key), "Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k");
        assert_eq!(b64::encode(s.ikm), "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg");
        assert_eq!(b64::encode(s.prk), "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc");
        assert_eq!(b64::encode(s.cek), "oIhVW04MRdy2XN9CiKLxTg");
        assert_eq!(b64::encode(s.nonce), "4h_95klXJ5E_qnoN");
        // The info strings, as the RFC prints them.
        let mut key_info = b"WebPush: info\0".to_vec();
        key_info.extend(d(UA_PUBLIC));
        key_info.extend(d(AS_PUBLIC));
        assert_eq!(
            b64::encode(key_info),
            "V2ViUHVzaDogaW5mbwAEJXGyvs3942BVGq8e0PTNNmwRzr5VX4m8t7GGpTM5FzFo7OLr4BhZe9MEebhuPI-OztV3ylkYfpJGmQ22ggCLDgT-M_SrDepxkU21WCP3O1SUj0EwbZIHMtu5pZpTKGSCIA5Zent7wmC6HCJ5mFgJkuk5cwAvMBKiiujwa7t45ewP"
        );
        assert_eq!(b64::encode(b"Content-Encoding: aes128gcm\0"), "Q29udGVudC1FbmNvZGluZzogYWVzMTI4Z2NtAA");
        assert_eq!(b64::encode(b"Content-Encoding: nonce\0"), "Q29udGVudC1FbmNvZGluZzogbm9uY2UA");
    }

    #[test]
    fn rfc8291_appendix_a_body() {
        let body = encrypt_with(&rfc_keys(), PLAINTEXT, &secret(AS_PRIVATE), rfc_salt(), 0).unwrap();
        assert_eq!(b64::encode(&body), BODY);
        assert_eq!(
            b64::encode(&body[..HEADER_LEN]),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        assert_eq!(
            b64::encode(&body[HEADER_LEN..]),
            "8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ"
        );
        let auth: [u8; 16] = d(AUTH).try_into().unwrap();
        assert_eq!(decrypt(&secret(UA_PRIVATE), &auth, &d(BODY)).unwrap(), PLAINTEXT);
    }

    fn fresh_ua() -> (SecretKey, SubscriptionKeys) {
        let ua = SecretKey::random(&mut OsRng);
        let mut auth = [0u8; 16];
        OsRng.fill_bytes(&mut auth);
        let keys = SubscriptionKeys { p256dh: ua.public_key(), auth };
        (ua, keys)
    }

    #[test]
    fn round_trip_at_every_size_class() {
        let (ua, keys) = fresh_ua();
        for len in [0, 1, 15, 16, 17, 100, 1000, MAX_PLAINTEXT_LEN] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let body = encrypt(&keys, &plaintext).unwrap();
            assert_eq!(body.len(), HEADER_LEN + len + 1 + TAG_LEN);
            assert!(body.len() <= MAX_BODY_LEN);
            assert_eq!(decrypt(&ua, &keys.auth, &body).unwrap(), plaintext);
        }
    }

    #[test]
    fn plaintext_ending_in_zeros_survives() {
        let (ua, keys) = fresh_ua();
        let plaintext = [7, 0, 0, 2, 0];
        let body = encrypt(&keys, &plaintext).unwrap();
        assert_eq!(decrypt(&ua, &keys.auth, &body).unwrap(), plaintext);
    }

    #[test]
    fn every_message_has_its_own_key_and_salt() {
        let (_, keys) = fresh_ua();
        let a = encrypt(&keys, b"same").unwrap();
        let b = encrypt(&keys, b"same").unwrap();
        assert_ne!(a[..SALT_LEN], b[..SALT_LEN]);
        assert_ne!(a[21..HEADER_LEN], b[21..HEADER_LEN]);
        assert_ne!(a[HEADER_LEN..], b[HEADER_LEN..]);
    }

    #[test]
    fn too_large_is_refused() {
        let (_, keys) = fresh_ua();
        let big = vec![b'x'; MAX_PLAINTEXT_LEN + 1];
        assert!(matches!(
            encrypt(&keys, &big),
            Err(PushError::PayloadTooLarge { len, max: MAX_PLAINTEXT_LEN }) if len == MAX_PLAINTEXT_LEN + 1
        ));
        let as_secret = SecretKey::random(&mut OsRng);
        let fits = vec![b'x'; MAX_PLAINTEXT_LEN - 10];
        assert!(encrypt_with(&keys, &fits, &as_secret, [1; 16], 10).is_ok());
        assert!(matches!(encrypt_with(&keys, &fits, &as_secret, [1; 16], 11), Err(PushError::PayloadTooLarge { .. })));
    }

    #[test]
    fn padding_is_stripped() {
        let (ua, keys) = fresh_ua();
        let as_secret = SecretKey::random(&mut OsRng);
        let plain = encrypt_with(&keys, b"evacuate", &as_secret, [9; 16], 0).unwrap();
        let padded = encrypt_with(&keys, b"evacuate", &as_secret, [9; 16], 300).unwrap();
        assert_eq!(padded.len(), plain.len() + 300);
        assert_eq!(decrypt(&ua, &keys.auth, &padded).unwrap(), b"evacuate");
        // Same key, salt and nonce: the padded ciphertext starts like the unpadded one.
        assert_eq!(padded[..HEADER_LEN + 8], plain[..HEADER_LEN + 8]);
    }

    #[test]
    fn bad_delimiters_are_refused() {
        let (ua, keys) = fresh_ua();
        let as_secret = SecretKey::random(&mut OsRng);
        // 0x01 marks a record that is not the last one: not allowed in a single-record message.
        let not_last = seal(&keys, b"hello\x01\0\0", &as_secret, [3; 16]);
        assert!(matches!(decrypt(&ua, &keys.auth, &not_last), Err(PushError::MalformedBody(_))));
        let all_zero = seal(&keys, &[0; 8], &as_secret, [3; 16]);
        assert!(matches!(decrypt(&ua, &keys.auth, &all_zero), Err(PushError::MalformedBody(_))));
        let other = seal(&keys, b"hello\x07", &as_secret, [3; 16]);
        assert!(matches!(decrypt(&ua, &keys.auth, &other), Err(PushError::MalformedBody(_))));
        let ok = seal(&keys, b"hello\x02\0", &as_secret, [3; 16]);
        assert_eq!(decrypt(&ua, &keys.auth, &ok).unwrap(), b"hello");
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let (ua, keys) = fresh_ua();
        let body = encrypt(&keys, b"shelter A is full").unwrap();
        // Salt, keyid and every ciphertext/tag byte. (The record size is not authenticated
        // by RFC 8188; a wrong one is caught only when it breaks the record layout.)
        let positions = (0..SALT_LEN).chain(21..body.len());
        for pos in positions {
            let mut tampered = body.clone();
            tampered[pos] ^= 0x01;
            assert!(decrypt(&ua, &keys.auth, &tampered).is_err(), "flip at {pos} went unnoticed");
        }
        let mut short_rs = body.clone();
        short_rs[16..20].copy_from_slice(&17u32.to_be_bytes());
        assert!(decrypt(&ua, &keys.auth, &short_rs).is_err());
        assert!(decrypt(&ua, &keys.auth, &body[..body.len() - 1]).is_err());
        assert!(decrypt(&ua, &keys.auth, &body[..HEADER_LEN + TAG_LEN]).is_err());
        assert!(decrypt(&ua, &keys.auth, &body[..40]).is_err());
    }

    #[test]
    fn wrong_auth_or_key_fails() {
        let (ua, keys) = fresh_ua();
        let body = encrypt(&keys, b"notice").unwrap();
        let mut auth = keys.auth;
        auth[0] ^= 0x80;
        assert!(matches!(decrypt(&ua, &auth, &body), Err(PushError::DecryptFailed)));
        let (other, _) = fresh_ua();
        assert!(matches!(decrypt(&other, &keys.auth, &body), Err(PushError::DecryptFailed)));
    }

    #[test]
    fn subscription_keys_are_validated() {
        let keys = rfc_keys();
        assert_eq!(keys.p256dh_base64url(), UA_PUBLIC);
        assert_eq!(keys.auth_base64url(), AUTH);
        // Padded base64url is accepted too.
        assert_eq!(SubscriptionKeys::from_base64url(&format!("{UA_PUBLIC}="), &format!("{AUTH}==")).unwrap(), keys);

        let bad = |p256dh: &str, auth: &str| SubscriptionKeys::from_base64url(p256dh, auth).unwrap_err();
        assert!(matches!(bad("not base64!", AUTH), PushError::InvalidKey(_)));
        // Compressed form (33 bytes) is not what browsers send.
        let compressed = b64::encode(keys.p256dh.to_encoded_point(true));
        assert!(matches!(bad(&compressed, AUTH), PushError::InvalidKey(_)));
        let mut off_curve = d(UA_PUBLIC);
        off_curve[64] ^= 1;
        assert!(matches!(bad(&b64::encode(off_curve), AUTH), PushError::InvalidKey(m) if m.contains("not a point")));
        assert!(matches!(bad(&UA_PUBLIC[..80], AUTH), PushError::InvalidKey(_)));
        assert!(matches!(bad(UA_PUBLIC, "BTBZMqHH6r4Tts7J_aSI"), PushError::InvalidKey(m) if m.contains("16 bytes")));
        assert!(matches!(bad(UA_PUBLIC, &b64::encode([0u8; 32])), PushError::InvalidKey(_)));
    }
}

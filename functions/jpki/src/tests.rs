use super::*;
use bosai_companion::rcgen::{CustomExtension, ExtendedKeyUsagePurpose, KeyUsagePurpose};
use bosai_companion::{CardHolder, TestCa};
use time::{Duration, OffsetDateTime};

fn holder() -> CardHolder {
    CardHolder {
        name: "防災 花子".into(),
        address: "宮城県仙台市青葉区片平一丁目2-1".into(),
        date_of_birth: "1985-12-24".into(),
        sex: "2".into(),
        ..CardHolder::default()
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn der(pem: &str) -> Vec<u8> {
    pem_blocks(pem, "CERTIFICATE").remove(0)
}

fn trust_of(ca: &TestCa) -> TrustStore {
    TrustStore::production()
        .with_local_ca(&der(&ca.auth.cert_pem))
        .unwrap()
        .with_local_ca(&der(&ca.sign.cert_pem))
        .unwrap()
}

fn verifier(ca: &TestCa, revoked: &[Vec<u8>]) -> JpkiVerifier {
    let trust = trust_of(ca);
    let crls = CrlSet::parse_all(&[ca.auth.crl(revoked).unwrap(), ca.sign.crl(&[]).unwrap()], &trust).unwrap();
    JpkiVerifier::new(trust, crls)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/real-card/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const AUTH: Purpose = Purpose::UserAuthentication;
const SIGN: Purpose = Purpose::DigitalSignature;

#[test]
fn good_card_passes_and_bad_ones_fail() {
    let ca = TestCa::generate("JPKI-TEST").unwrap();
    let card = ca.issue_card(&holder()).unwrap();
    let revoked = ca.issue_card(&holder()).unwrap();
    let v = verifier(&ca, std::slice::from_ref(&revoked.auth_serial));
    let nonce = b"nonce-123";
    let sig = card.sign_with_auth_key(nonce).unwrap();
    let ok = v.verify(AUTH, &card.auth_cert_der, nonce, &sig, now()).unwrap();
    assert!(ok.not_after > now());
    assert!(ok.anchor_id.starts_with("local-auth-"), "{}", ok.anchor_id);
    // The signing certificate verifies in its own slot, with its own key.
    let ssig = card.sign_with_signing_key(nonce).unwrap();
    assert!(v.verify(SIGN, &card.sign_cert_der, nonce, &ssig, now()).is_ok());

    // Signature over another nonce, by the other key, truncated, or of the wrong length.
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, b"nonce-999", &sig, now()), Err(JpkiError::BadSignature));
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, nonce, &ssig, now()), Err(JpkiError::BadSignature));
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, nonce, &sig[..255], now()), Err(JpkiError::BadSignature));
    assert_eq!(
        v.verify(AUTH, &card.auth_cert_der, nonce, &[sig.clone(), vec![0]].concat(), now()),
        Err(JpkiError::BadSignature)
    );
    // Revoked by the CRL.
    let rsig = revoked.sign_with_auth_key(nonce).unwrap();
    assert_eq!(v.verify(AUTH, &revoked.auth_cert_der, nonce, &rsig, now()), Err(JpkiError::Revoked));
    // A rogue pair of CAs with the very same names: the issuer is chosen by signature.
    let rogue = TestCa::generate("JPKI-TEST").unwrap().issue_card(&holder()).unwrap();
    let gsig = rogue.sign_with_auth_key(nonce).unwrap();
    assert_eq!(v.verify(AUTH, &rogue.auth_cert_der, nonce, &gsig, now()), Err(JpkiError::Untrusted));
    // Checked at a time after expiry and before issue.
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, nonce, &sig, now() + 6 * 365 * 86400), Err(JpkiError::Expired));
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, nonce, &sig, now() - 10 * 86400), Err(JpkiError::NotYetValid));
    // Garbage, truncated, oversized.
    assert_eq!(v.verify(AUTH, b"not a certificate", nonce, &sig, now()), Err(JpkiError::Unreadable));
    let half = &card.auth_cert_der[..card.auth_cert_der.len() / 2];
    assert_eq!(v.verify(AUTH, half, nonce, &sig, now()), Err(JpkiError::Unreadable));
    assert_eq!(v.verify(AUTH, &vec![0x30; 10 * 1024 * 1024], nonce, &sig, now()), Err(JpkiError::Unreadable));
}

#[test]
fn each_certificate_only_in_its_own_slot() {
    let ca = TestCa::generate("JPKI-TEST").unwrap();
    let card = ca.issue_card(&holder()).unwrap();
    let v = verifier(&ca, &[]);
    let ssig = card.sign_with_signing_key(b"n").unwrap();
    let asig = card.sign_with_auth_key(b"n").unwrap();
    assert_eq!(v.verify(AUTH, &card.sign_cert_der, b"n", &ssig, now()), Err(JpkiError::WrongPurpose));
    assert_eq!(v.verify(SIGN, &card.auth_cert_der, b"n", &asig, now()), Err(JpkiError::WrongPurpose));
}

#[test]
fn revocation_fails_closed() {
    let ca = TestCa::generate("JPKI-TEST").unwrap();
    let other = TestCa::generate("JPKI-TEST").unwrap();
    let card = ca.issue_card(&holder()).unwrap();
    let trust = trust_of(&ca);
    let sig = card.sign_with_auth_key(b"n").unwrap();
    // No CRL at all, or only the signing CA's: the card's status is unknown.
    let v = JpkiVerifier::new(trust.clone(), CrlSet::default());
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, b"n", &sig, now()), Err(JpkiError::RevocationUnavailable));
    v.replace_crls(CrlSet::parse_all(&[ca.sign.crl(&[]).unwrap()], &trust).unwrap());
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, b"n", &sig, now()), Err(JpkiError::RevocationUnavailable));
    // A CRL past its nextUpdate.
    let t = OffsetDateTime::now_utc();
    let stale = ca.auth.crl_at(&[], t - Duration::days(8), Duration::days(7)).unwrap();
    v.replace_crls(CrlSet::parse_all(&[stale], &trust).unwrap());
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, b"n", &sig, now()), Err(JpkiError::RevocationUnavailable));
    // Reloaded with a current one: accepted without a new verifier.
    v.replace_crls(CrlSet::parse_all(&[ca.auth.crl(&[]).unwrap()], &trust).unwrap());
    assert!(v.verify(AUTH, &card.auth_cert_der, b"n", &sig, now()).is_ok());
    // A newer CRL that revokes it wins over the older one that did not.
    let newer = ca.auth.crl_at(std::slice::from_ref(&card.auth_serial), t, Duration::days(1)).unwrap();
    let older = ca.auth.crl_at(&[], t - Duration::hours(1), Duration::days(1)).unwrap();
    v.replace_crls(CrlSet::parse_all(&[older, newer], &trust).unwrap());
    assert_eq!(v.verify(AUTH, &card.auth_cert_der, b"n", &sig, now()), Err(JpkiError::Revoked));
    // CRLs that must not load: another CA's, garbage, truncated.
    assert_eq!(CrlSet::parse_all(&[other.auth.crl(&[]).unwrap()], &trust).unwrap_err(), CrlError::UnknownIssuer);
    assert_eq!(CrlSet::parse_all(&[b"garbage".to_vec()], &trust).unwrap_err(), CrlError::Unparsable);
    let crl = ca.auth.crl(&[]).unwrap();
    assert_eq!(CrlSet::parse_all(&[crl[..crl.len() - 9].to_vec()], &trust).unwrap_err(), CrlError::Unparsable);
    // Coverage: a production start lists the current anchors without a current CRL.
    let set = CrlSet::parse_all(&[ca.auth.crl(&[]).unwrap()], &trust).unwrap();
    let uncovered = set.uncovered(&trust, now());
    assert!(uncovered.iter().any(|id| id.starts_with("local-sign-")), "{uncovered:?}");
    assert!(!uncovered.iter().any(|id| id.starts_with("local-auth-")), "{uncovered:?}");
    assert!(
        uncovered.contains(&"auth-g3") && !uncovered.contains(&"auth-g1"),
        "expired generation 1 needs none: {uncovered:?}"
    );
}

#[test]
fn the_jlis_profile_is_enforced() {
    let ca = TestCa::generate("JPKI-TEST").unwrap();
    let v = verifier(&ca, &[]);
    let check = |tweak: &dyn Fn(&mut bosai_companion::rcgen::CertificateParams)| {
        let (der, _) = ca.issue_auth_with(tweak).unwrap();
        v.check_chain(AUTH, &der, now()).map(|c| c.anchor_id().to_owned())
    };
    assert!(check(&|_| {}).is_ok());
    // An unknown critical extension.
    assert_eq!(
        check(&|p| {
            let mut e = CustomExtension::from_oid_content(&[1, 2, 3, 4], vec![0x05, 0x00]);
            e.set_criticality(true);
            p.custom_extensions.push(e);
        }),
        Err(JpkiError::UnsupportedExtension("1.2.3.4".into()))
    );
    // No J-LIS certificate policy.
    assert_eq!(
        check(&|p| p.custom_extensions.retain(|e| e.oid_components().collect::<Vec<_>>() != [2, 5, 29, 32])),
        Err(JpkiError::NotJpkiProfile)
    );
    // A key that may sign certificates, or an authentication certificate for servers.
    assert_eq!(check(&|p| p.key_usages.push(KeyUsagePurpose::KeyCertSign)), Err(JpkiError::WrongKeyUsage));
    assert_eq!(check(&|p| p.key_usages = vec![KeyUsagePurpose::KeyEncipherment]), Err(JpkiError::WrongKeyUsage));
    assert_eq!(
        check(&|p| p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth]),
        Err(JpkiError::WrongKeyUsage)
    );
}

#[test]
fn basic_four_with_substitutes_and_unknown_sex() {
    let ca = TestCa::generate("JPKI-TEST").unwrap();
    let h = CardHolder {
        name: "髙橋 一".into(),
        sex: "3".into(),
        name_substituted: vec![0],
        date_of_birth: "1989-01-07".into(),
        ..holder()
    };
    let b4 = basic_four(&ca.issue_card(&h).unwrap().sign_cert_der).unwrap();
    assert_eq!(b4.name, "髙橋 一");
    assert_eq!(b4.name_substituted, vec![0]);
    assert!(!b4.name_is_certain() && b4.address_is_certain());
    assert_eq!(b4.card_sex(), bosai_types::auth::CardSex::Unknown);
    assert_eq!(b4.date_of_birth, "1989-01-07");
    let card = ca.issue_card(&holder()).unwrap();
    let b4 = basic_four(&card.sign_cert_der).unwrap();
    assert_eq!((b4.name.as_str(), b4.date_of_birth.as_str(), b4.sex.as_str()), ("防災 花子", "1985-12-24", "2"));
    assert!(b4.address.starts_with("宮城県") && b4.name_is_certain());
    // The authentication certificate carries no personal data.
    assert_eq!(basic_four(&card.auth_cert_der), Err(JpkiError::MissingBasicFour));
}

#[test]
fn multibyte_birth_date_is_refused_not_a_panic() {
    let ca = TestCa::generate("JPKI-TEST").unwrap();
    for dob in ["１９８５１２２４", "昭和60年12月24日", "x１９８５１２２"] {
        let card = ca.issue_card(&CardHolder { date_of_birth: dob.into(), ..holder() }).unwrap();
        assert_eq!(basic_four(&card.sign_cert_der), Err(JpkiError::MissingBasicFour), "{dob}");
    }
}

/// Certificates read from a real JPKI test card (see tests/fixtures/real-card/README.md).
#[test]
fn real_card_certificates_pass_the_chain_check() {
    let v = JpkiVerifier::new(TrustStore::production().with_jpki_test_roots(), CrlSet::default());
    let (auth, sign) = (fixture("jpki-auth-cert.der"), fixture("jpki-sign-cert.der"));
    // The issuer is the 2023 test root (serial 218887), not the 2019 one of the same name.
    assert_eq!(v.check_chain(AUTH, &auth, now()).map(|c| c.anchor_id().to_owned()), Ok("test-auth-218887".into()));
    assert!(v.check_chain(SIGN, &sign, now()).is_ok());
    assert_eq!(v.check_chain(SIGN, &auth, now()).err(), Some(JpkiError::WrongPurpose));
    // Without the card's key only the signature step can fail: it fails before revocation.
    for sig in [vec![0x5a; 256], vec![0x5a; 255], vec![]] {
        assert_eq!(v.verify(AUTH, &auth, b"nonce", &sig, now()), Err(JpkiError::BadSignature));
    }
    // Valid 2025-10-27 to 2030-02-17.
    assert_eq!(v.check_chain(AUTH, &auth, 1_900_000_000).err(), Some(JpkiError::Expired));
    // A production deployment recognises a test card and says so.
    let prod = JpkiVerifier::new(TrustStore::production(), CrlSet::default());
    assert_eq!(prod.check_chain(AUTH, &auth, now()).err(), Some(JpkiError::TestCard));
    assert_eq!(prod.check_chain(SIGN, &sign, now()).err(), Some(JpkiError::TestCard));
    // The card's own CA certificate, trusted as a local CA, is not enough: it signed it, but
    // the card is refused where only J-LIS's roots are trusted (above), and a local CA is opt-in.
    let b4 = basic_four(&sign).unwrap();
    assert_eq!(b4.name, "黒桐　幹也");
    assert_eq!(b4.date_of_birth, "1980-02-17");
    assert_eq!(b4.sex, "1");
    assert_eq!(b4.address, "東京都清瀬市観布子南１２－７－２０２");
    assert!(b4.name_is_certain() && b4.address_is_certain());
}

#[test]
fn production_roots_are_the_six_jlis_publishes() {
    let t = TrustStore::production();
    let ids: Vec<&str> = t.anchors().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["auth-g1", "auth-g2", "auth-g3", "sign-g1", "sign-g2", "sign-g3"]);
    assert!(!t.has_test_material());
    for a in t.anchors() {
        assert!(a.subject().contains("O=JPKI") && !a.subject().contains("JPKI-TEST"), "{}", a.subject());
    }
    // Generations share a name and differ by key.
    assert_eq!(t.anchors()[1].subject(), t.anchors()[2].subject());
    assert_ne!(t.anchors()[1].key_id, t.anchors()[2].key_id);
    assert_eq!(t.newest(AUTH, now()).map(|a| a.id.as_str()), Some("auth-g3"));
    assert!(TrustStore::production().with_jpki_test_roots().has_test_material());
}

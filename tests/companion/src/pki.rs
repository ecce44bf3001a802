//! A test stand-in for J-LIS: two CAs named and shaped like JPKI's ("JPKI for user
//! authentication" and "JPKI for digital signature"), issuing card certificates to the
//! J-LIS profile — critical certificatePolicies, issuerAltName DirName, a DirName CRL
//! distribution point per municipality, the basic four as otherNames `.1`–`.6` with the
//! substitute-character flags, an era-prefixed date of birth — and full CRLs.

use crate::{Card, CompanionError};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, OtherNameValue, RevocationReason,
    RevokedCertParams, SanType, SerialNumber, PKCS_RSA_SHA256,
};
use std::path::Path;
use std::str::FromStr;
use time::{Duration, OffsetDateTime};
use x509_cert::der::asn1::{Any, Ia5StringRef};
use x509_cert::der::Encode;
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{CertificatePolicies, CrlDistributionPoints, IssuerAltName};
use x509_cert::name::Name;

/// JPKI's private arc for the basic four items in the signing certificate's subjectAltName.
pub const OID_NAME: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 1];
pub const OID_NAME_SUBSTITUTES: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 2];
pub const OID_SEX: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 3];
pub const OID_DATE_OF_BIRTH: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 4];
pub const OID_ADDRESS: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 5];
pub const OID_ADDRESS_SUBSTITUTES: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 6];

/// The person a test card is made for.
#[derive(Debug, Clone, Default)]
pub struct CardHolder {
    pub name: String,
    pub address: String,
    /// YYYY-MM-DD
    pub date_of_birth: String,
    /// 1 male, 2 female, 3 unknown (不明)
    pub sex: String,
    /// Character positions J-LIS replaced by a substitute character (代替文字).
    pub name_substituted: Vec<usize>,
    pub address_substituted: Vec<usize>,
}

/// Which of the card's two certificates a CA issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// 利用者証明用電子証明書
    UserAuthentication,
    /// 署名用電子証明書
    DigitalSignature,
}

impl Purpose {
    fn ou(self) -> &'static str {
        match self {
            Purpose::UserAuthentication => "JPKI for user authentication",
            Purpose::DigitalSignature => "JPKI for digital signature",
        }
    }
    fn file(self) -> &'static str {
        match self {
            Purpose::UserAuthentication => "auth",
            Purpose::DigitalSignature => "sign",
        }
    }
    /// The policy OIDs seen on JPKI test cards (under J-LIS's arc 1.2.392.200149.8.5.1).
    fn policy(self) -> &'static str {
        match self {
            Purpose::UserAuthentication => "1.2.392.200149.8.5.1.0.30",
            Purpose::DigitalSignature => "1.2.392.200149.8.5.1.0.20",
        }
    }
}

/// One CA of the pair: its certificate and key.
pub struct Ca {
    pub purpose: Purpose,
    pub org: String,
    pub cert_pem: String,
    pub key_pem: String,
}

/// A test certificate authority standing in for J-LIS's two JPKI CAs.
pub struct TestCa {
    pub auth: Ca,
    pub sign: Ca,
}

fn random_serial(bytes: usize) -> SerialNumber {
    let mut b = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut b).expect("system randomness");
    b[0] &= 0x7f; // positive INTEGER
    b[0] |= 0x01;
    SerialNumber::from_slice(&b)
}

/// `C=JP, O=<org>, OU=<purpose>, OU=Japan Agency for Local Authority Information Systems`,
/// in that order (rcgen keys names by type, so the second OU goes in as a custom type).
fn ca_name(org: &str, purpose: Purpose) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::CountryName, "JP");
    d.push(DnType::OrganizationName, org);
    d.push(DnType::OrganizationalUnitName, purpose.ou());
    d.push(DnType::CustomDnType(vec![2, 5, 4, 11]), "Japan Agency for Local Authority Information Systems");
    d
}

fn der_ext(oid: &[u64], critical: bool, value: impl Encode) -> Result<CustomExtension, CompanionError> {
    let mut ext =
        CustomExtension::from_oid_content(oid, value.to_der().map_err(|e| CompanionError::Other(e.to_string()))?);
    ext.set_criticality(critical);
    Ok(ext)
}

fn name(rfc4514: &str) -> Result<Name, CompanionError> {
    Name::from_str(rfc4514).map_err(|e| CompanionError::Other(format!("name {rfc4514}: {e}")))
}

/// 明治 1 … 令和 5, written before the Gregorian YYYYMMDD on the card.
fn era_digit(ymd: &str) -> char {
    match ymd {
        d if d >= "20190501" => '5',
        d if d >= "19890108" => '4',
        d if d >= "19261225" => '3',
        d if d >= "19120730" => '2',
        _ => '1',
    }
}

fn flags(text: &str, substituted: &[usize]) -> String {
    (0..text.chars().count()).map(|i| if substituted.contains(&i) { '1' } else { '0' }).collect()
}

impl Ca {
    fn generate(org: &str, purpose: Purpose) -> Result<Self, CompanionError> {
        let key = KeyPair::generate_for(&PKCS_RSA_SHA256)?;
        let cert = Self::params(org, purpose, OffsetDateTime::now_utc()).self_signed(&key)?;
        Ok(Self { purpose, org: org.into(), cert_pem: cert.pem(), key_pem: key.serialize_pem() })
    }

    fn params(org: &str, purpose: Purpose, now: OffsetDateTime) -> CertificateParams {
        let mut p = CertificateParams::default();
        p.distinguished_name = ca_name(org, purpose);
        p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.not_before = now - Duration::days(1);
        p.not_after = now + Duration::days(3650);
        p.serial_number = Some(random_serial(3));
        p.key_identifier_method = KeyIdMethod::Sha256;
        p
    }

    fn issuer(&self) -> Result<Issuer<'static, KeyPair>, CompanionError> {
        let key = KeyPair::from_pem(&self.key_pem)?;
        Ok(Issuer::new(Self::params(&self.org, self.purpose, OffsetDateTime::now_utc()), key))
    }

    /// A full CRL (no issuingDistributionPoint: it covers every distribution point).
    pub fn crl(&self, revoked_serials: &[Vec<u8>]) -> Result<Vec<u8>, CompanionError> {
        self.crl_at(revoked_serials, OffsetDateTime::now_utc() - Duration::minutes(5), Duration::days(7))
    }

    /// A CRL issued at `this_update`, current for `valid` (past-dated CRLs for tests).
    pub fn crl_at(
        &self,
        revoked: &[Vec<u8>],
        this_update: OffsetDateTime,
        valid: Duration,
    ) -> Result<Vec<u8>, CompanionError> {
        let params = CertificateRevocationListParams {
            this_update,
            next_update: this_update + valid,
            crl_number: random_serial(4),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(s),
                    revocation_time: this_update,
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.issuer()?)?.der().to_vec())
    }

    /// A card certificate to the J-LIS profile; returns key, certificate DER and serial.
    fn issue(
        &self,
        subject: DistinguishedName,
        san: Vec<SanType>,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        tweak: &dyn Fn(&mut CertificateParams),
    ) -> Result<(KeyPair, Vec<u8>, Vec<u8>), CompanionError> {
        let key = KeyPair::generate_for(&PKCS_RSA_SHA256)?;
        let mut p = CertificateParams::default();
        p.distinguished_name = subject;
        p.is_ca = IsCa::NoCa; // J-LIS card certificates carry no basicConstraints
        p.key_usages = match self.purpose {
            Purpose::UserAuthentication => vec![KeyUsagePurpose::DigitalSignature],
            Purpose::DigitalSignature => vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment],
        };
        if self.purpose == Purpose::UserAuthentication {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        }
        p.not_before = not_before;
        p.not_after = not_after;
        let serial = random_serial(4);
        p.serial_number = Some(serial.clone());
        p.subject_alt_names = san;
        p.key_identifier_method = KeyIdMethod::Sha256;
        let cps = Any::encode_from(
            &Ia5StringRef::new("http://www.jpki.go.jp/cps.html").map_err(|e| CompanionError::Other(e.to_string()))?,
        )
        .map_err(|e| CompanionError::Other(e.to_string()))?;
        let policy = PolicyInformation {
            policy_identifier: self.purpose.policy().parse().map_err(|_| CompanionError::Other("policy oid".into()))?,
            policy_qualifiers: Some(vec![PolicyQualifierInfo {
                policy_qualifier_id: "1.3.6.1.5.5.7.2.1"
                    .parse()
                    .map_err(|_| CompanionError::Other("cps oid".into()))?,
                qualifier: Some(cps),
            }]),
        };
        let dp_name = name(&format!(
            "CN=Sendai-shi CRLDP,OU=Miyagi-ken,OU=CRL Distribution Points,OU={},O={},C=JP",
            self.purpose.ou(),
            self.org
        ))?;
        p.custom_extensions = vec![
            der_ext(&[2, 5, 29, 32], true, CertificatePolicies(vec![policy]))?,
            der_ext(
                &[2, 5, 29, 18],
                false,
                IssuerAltName(vec![GeneralName::DirectoryName(name("O=公的個人認証サービス,C=JP")?)]),
            )?,
            der_ext(
                &[2, 5, 29, 31],
                false,
                CrlDistributionPoints(vec![DistributionPoint {
                    distribution_point: Some(DistributionPointName::FullName(vec![GeneralName::DirectoryName(
                        dp_name,
                    )])),
                    reasons: None,
                    crl_issuer: None,
                }]),
            )?,
        ];
        tweak(&mut p);
        let cert = p.signed_by(&key, &self.issuer()?)?;
        Ok((key, cert.der().to_vec(), serial.to_bytes()))
    }
}

fn random_cn(len: usize) -> String {
    let mut b = vec![0u8; len];
    aws_lc_rs::rand::fill(&mut b).expect("system randomness");
    b.iter().map(|x| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[*x as usize % 36] as char).collect()
}

impl TestCa {
    /// A pair of CAs under organisation `org` (J-LIS's test hierarchy is `JPKI-TEST`).
    pub fn generate(org: &str) -> Result<Self, CompanionError> {
        Ok(Self {
            auth: Ca::generate(org, Purpose::UserAuthentication)?,
            sign: Ca::generate(org, Purpose::DigitalSignature)?,
        })
    }

    pub fn ca(&self, purpose: Purpose) -> &Ca {
        match purpose {
            Purpose::UserAuthentication => &self.auth,
            Purpose::DigitalSignature => &self.sign,
        }
    }

    /// Both CA certificates, PEM (what the local stack trusts).
    pub fn certs_pem(&self) -> String {
        format!("{}{}", self.auth.cert_pem, self.sign.cert_pem)
    }

    pub fn save(&self, dir: &Path) -> Result<(), CompanionError> {
        std::fs::create_dir_all(dir)?;
        for ca in [&self.auth, &self.sign] {
            let f = ca.purpose.file();
            std::fs::write(dir.join(format!("{f}-ca.pem")), &ca.cert_pem)?;
            std::fs::write(dir.join(format!("{f}-ca.key.pem")), &ca.key_pem)?;
        }
        std::fs::write(dir.join("org"), &self.auth.org)?;
        Ok(())
    }

    pub fn load(dir: &Path) -> Result<Self, CompanionError> {
        let org = std::fs::read_to_string(dir.join("org"))?;
        let ca = |purpose: Purpose| -> Result<Ca, CompanionError> {
            let f = purpose.file();
            Ok(Ca {
                purpose,
                org: org.clone(),
                cert_pem: std::fs::read_to_string(dir.join(format!("{f}-ca.pem")))?,
                key_pem: std::fs::read_to_string(dir.join(format!("{f}-ca.key.pem")))?,
            })
        };
        Ok(Self { auth: ca(Purpose::UserAuthentication)?, sign: ca(Purpose::DigitalSignature)? })
    }

    /// A card valid from `not_before` to `not_after` (past windows make expired cards for tests).
    pub fn issue_card_valid(
        &self,
        holder: &CardHolder,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Card, CompanionError> {
        // The user-authentication certificate carries no personal data, as in JPKI.
        let mut auth_subject = DistinguishedName::new();
        auth_subject.push(DnType::CountryName, "JP");
        auth_subject.push(DnType::CommonName, random_cn(23));
        let (auth_key, auth_cert_der, auth_serial) =
            self.auth.issue(auth_subject, vec![], not_before, not_after, &|_| {})?;
        let other = |oid: [u64; 8], v: String| SanType::OtherName((oid.to_vec(), OtherNameValue::Utf8String(v)));
        let ymd = holder.date_of_birth.replace('-', "");
        let san = vec![
            other(OID_NAME, holder.name.clone()),
            other(OID_DATE_OF_BIRTH, format!("{}{ymd}", era_digit(&ymd))),
            other(OID_SEX, holder.sex.clone()),
            other(OID_ADDRESS, holder.address.clone()),
            other(OID_NAME_SUBSTITUTES, flags(&holder.name, &holder.name_substituted)),
            other(OID_ADDRESS_SUBSTITUTES, flags(&holder.address, &holder.address_substituted)),
        ];
        let mut sign_subject = DistinguishedName::new();
        sign_subject.push(DnType::CountryName, "JP");
        sign_subject.push(DnType::LocalityName, "Miyagi-ken");
        sign_subject.push(DnType::CustomDnType(vec![2, 5, 4, 7]), "Sendai-shi");
        sign_subject.push(DnType::CommonName, random_cn(28));
        let (sign_key, sign_cert_der, sign_serial) =
            self.sign.issue(sign_subject, san, not_before, not_after, &|_| {})?;
        Ok(Card {
            auth_serial,
            sign_serial,
            auth_cert_der,
            auth_key_der: auth_key.serialize_der(),
            sign_cert_der,
            sign_key_der: sign_key.serialize_der(),
        })
    }

    /// A user-authentication certificate changed by `tweak` before signing (for tests of
    /// what must be refused): certificate DER and PKCS#8 key DER.
    pub fn issue_auth_with(
        &self,
        tweak: &dyn Fn(&mut CertificateParams),
    ) -> Result<(Vec<u8>, Vec<u8>), CompanionError> {
        let now = OffsetDateTime::now_utc();
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CountryName, "JP");
        subject.push(DnType::CommonName, random_cn(23));
        let (key, der, _) =
            self.auth.issue(subject, vec![], now - Duration::days(1), now + Duration::days(365), tweak)?;
        Ok((der, key.serialize_der()))
    }

    pub fn issue_card(&self, holder: &CardHolder) -> Result<Card, CompanionError> {
        let now = OffsetDateTime::now_utc();
        self.issue_card_valid(holder, now - Duration::days(1), now + Duration::days(365 * 5))
    }
}

/// The CRL file of a purpose in a CA directory.
pub fn crl_path(dir: &Path, purpose: Purpose) -> std::path::PathBuf {
    dir.join(format!("{}-crl.der", purpose.file()))
}

fn revoked_list(dir: &Path, purpose: Purpose) -> std::path::PathBuf {
    dir.join(format!("{}-revoked.txt", purpose.file()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len()).step_by(2).filter_map(|i| h.get(i..i + 2).and_then(|s| u8::from_str_radix(s, 16).ok())).collect()
}

/// Rewrite both CRLs from the revoked lists (fresh thisUpdate/nextUpdate).
pub fn write_crls(dir: &Path, ca: &TestCa) -> Result<(), CompanionError> {
    for purpose in [Purpose::UserAuthentication, Purpose::DigitalSignature] {
        let serials: Vec<Vec<u8>> =
            std::fs::read_to_string(revoked_list(dir, purpose)).unwrap_or_default().lines().map(unhex).collect();
        // Written aside and renamed: a server re-reading the file never sees half of it.
        let tmp = dir.join(format!(".{}-crl.tmp", purpose.file()));
        std::fs::write(&tmp, ca.ca(purpose).crl(&serials)?)?;
        std::fs::rename(&tmp, crl_path(dir, purpose))?;
    }
    Ok(())
}

/// Create the CA pair and empty CRLs in `dir` unless they exist; CRLs are re-signed
/// on every call, so a restarted local stack never runs on a stale one.
pub fn ensure_ca(dir: &Path) -> Result<TestCa, CompanionError> {
    let ca = if dir.join("org").exists() {
        TestCa::load(dir)?
    } else {
        let ca = TestCa::generate("JPKI-TEST")?;
        ca.save(dir)?;
        ca
    };
    write_crls(dir, &ca)?;
    Ok(ca)
}

/// Revoke a card: both its certificates go on their CA's list and the CRLs are rewritten.
pub fn revoke(dir: &Path, ca: &TestCa, card: &Card) -> Result<(), CompanionError> {
    for (purpose, serial) in
        [(Purpose::UserAuthentication, &card.auth_serial), (Purpose::DigitalSignature, &card.sign_serial)]
    {
        let list = revoked_list(dir, purpose);
        let mut serials: Vec<String> =
            std::fs::read_to_string(&list).unwrap_or_default().lines().map(str::to_owned).collect();
        if !serials.contains(&hex(serial)) {
            serials.push(hex(serial));
        }
        std::fs::write(&list, serials.join("\n"))?;
    }
    write_crls(dir, ca)
}

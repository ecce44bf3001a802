use crate::{Card, CompanionError};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName, DnType, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose, OtherNameValue, RevocationReason, RevokedCertParams, SanType, SerialNumber,
    PKCS_RSA_SHA256,
};
use std::path::Path;
use time::{Duration, OffsetDateTime};

/// JPKI's private arc for the basic four items in the signing certificate's subjectAltName.
pub const OID_NAME: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 1];
pub const OID_SEX: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 3];
pub const OID_DATE_OF_BIRTH: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 4];
pub const OID_ADDRESS: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 5];

/// The person a test card is made for.
#[derive(Debug, Clone)]
pub struct CardHolder {
    pub name: String,
    pub address: String,
    /// YYYY-MM-DD
    pub date_of_birth: String,
    /// 1 male, 2 female, 3 other
    pub sex: String,
}

/// A test certificate authority standing in for J-LIS's JPKI CA.
pub struct TestCa {
    pub cert_pem: String,
    pub key_pem: String,
}

fn random_serial() -> SerialNumber {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).expect("system randomness");
    b[0] &= 0x7f; // positive INTEGER
    b[0] |= 0x01;
    SerialNumber::from_slice(&b)
}

fn dn(cn: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::CountryName, "JP");
    d.push(DnType::OrganizationName, "Bosai Test JPKI");
    d.push(DnType::CommonName, cn);
    d
}

impl TestCa {
    pub fn generate(cn: &str) -> Result<Self, CompanionError> {
        let key = KeyPair::generate_for(&PKCS_RSA_SHA256)?;
        let mut p = CertificateParams::default();
        p.distinguished_name = dn(cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.not_before = OffsetDateTime::now_utc() - Duration::days(1);
        p.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
        p.serial_number = Some(random_serial());
        let cert = p.self_signed(&key)?;
        Ok(Self { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
    }

    pub fn save(&self, dir: &Path) -> Result<(), CompanionError> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("ca.pem"), &self.cert_pem)?;
        std::fs::write(dir.join("ca.key.pem"), &self.key_pem)?;
        Ok(())
    }

    pub fn load(dir: &Path) -> Result<Self, CompanionError> {
        Ok(Self {
            cert_pem: std::fs::read_to_string(dir.join("ca.pem"))?,
            key_pem: std::fs::read_to_string(dir.join("ca.key.pem"))?,
        })
    }

    fn issuer(&self) -> Result<Issuer<'static, KeyPair>, CompanionError> {
        let key = KeyPair::from_pem(&self.key_pem)?;
        Ok(Issuer::from_ca_cert_pem(&self.cert_pem, key)?)
    }

    /// A card valid from `not_before` for `days` days (negative windows make expired cards for tests).
    pub fn issue_card_valid(
        &self,
        holder: &CardHolder,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Card, CompanionError> {
        let issuer = self.issuer()?;
        let ee = |cn: &str, san: Vec<SanType>| -> Result<(KeyPair, rcgen::Certificate, Vec<u8>), CompanionError> {
            let key = KeyPair::generate_for(&PKCS_RSA_SHA256)?;
            let mut p = CertificateParams::default();
            p.distinguished_name = dn(cn);
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            p.not_before = not_before;
            p.not_after = not_after;
            let serial = random_serial();
            p.serial_number = Some(serial.clone());
            p.subject_alt_names = san;
            p.key_identifier_method = KeyIdMethod::Sha256;
            let cert = p.signed_by(&key, &issuer)?;
            Ok((key, cert, serial.to_bytes()))
        };
        // The user-authentication certificate carries no personal data, as in JPKI.
        let (auth_key, auth_cert, auth_serial) = ee("JPKI user authentication (test)", vec![])?;
        let other = |oid: [u64; 8], v: &str| SanType::OtherName((oid.to_vec(), OtherNameValue::Utf8String(v.into())));
        let san = vec![
            other(OID_NAME, &holder.name),
            other(OID_DATE_OF_BIRTH, &holder.date_of_birth.replace('-', "")),
            other(OID_SEX, &holder.sex),
            other(OID_ADDRESS, &holder.address),
        ];
        let (sign_key, sign_cert, _) = ee("JPKI digital signature (test)", san)?;
        Ok(Card {
            auth_serial,
            auth_cert_der: auth_cert.der().to_vec(),
            auth_key_der: auth_key.serialize_der(),
            sign_cert_der: sign_cert.der().to_vec(),
            sign_key_der: sign_key.serialize_der(),
        })
    }

    pub fn issue_card(&self, holder: &CardHolder) -> Result<Card, CompanionError> {
        let now = OffsetDateTime::now_utc();
        self.issue_card_valid(holder, now - Duration::days(1), now + Duration::days(365 * 5))
    }

    /// A CRL (DER) revoking the given certificate serial numbers.
    pub fn crl(&self, revoked_serials: &[Vec<u8>]) -> Result<Vec<u8>, CompanionError> {
        let now = OffsetDateTime::now_utc();
        let params = CertificateRevocationListParams {
            this_update: now - Duration::minutes(5),
            next_update: now + Duration::days(7),
            crl_number: random_serial(),
            issuing_distribution_point: None,
            revoked_certs: revoked_serials
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(s),
                    revocation_time: now - Duration::minutes(1),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.issuer()?)?.der().to_vec())
    }
}

/// Create the CA and an empty CRL in `dir` unless they exist.
pub fn ensure_ca(dir: &Path) -> Result<TestCa, CompanionError> {
    if dir.join("ca.pem").exists() {
        return TestCa::load(dir);
    }
    let ca = TestCa::generate("Bosai Test JPKI User Authentication CA")?;
    ca.save(dir)?;
    std::fs::write(dir.join("crl.der"), ca.crl(&[])?)?;
    Ok(ca)
}

/// Append a serial to `dir/revoked.txt` (hex) and rewrite `dir/crl.der`.
pub fn revoke(dir: &Path, ca: &TestCa, serial: &[u8]) -> Result<(), CompanionError> {
    let list = dir.join("revoked.txt");
    let mut serials: Vec<String> = std::fs::read_to_string(&list).unwrap_or_default().lines().map(str::to_owned).collect();
    let hex: String = serial.iter().map(|b| format!("{b:02x}")).collect();
    if !serials.contains(&hex) {
        serials.push(hex);
    }
    std::fs::write(&list, serials.join("\n"))?;
    let bytes: Vec<Vec<u8>> = serials
        .iter()
        .map(|h| (0..h.len()).step_by(2).filter_map(|i| u8::from_str_radix(&h[i..i + 2], 16).ok()).collect())
        .collect();
    std::fs::write(dir.join("crl.der"), ca.crl(&bytes)?)?;
    Ok(())
}

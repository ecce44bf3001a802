//! The basic four items (基本4情報) in the signing certificate's subjectAltName:
//! otherNames under JPKI's arc `1.2.392.200149.8.5.5`.

use crate::JpkiError;
use bosai_types::auth::BasicFour;
use x509_cert::der::asn1::Utf8StringRef;
use x509_cert::der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

/// `.1` name, `.2` substitute-character flags of the name, `.3` sex, `.4` date of birth,
/// `.5` address, `.6` substitute-character flags of the address.
pub const OID_NAME: &str = "1.2.392.200149.8.5.5.1";
pub const OID_NAME_SUBSTITUTES: &str = "1.2.392.200149.8.5.5.2";
pub const OID_SEX: &str = "1.2.392.200149.8.5.5.3";
pub const OID_DATE_OF_BIRTH: &str = "1.2.392.200149.8.5.5.4";
pub const OID_ADDRESS: &str = "1.2.392.200149.8.5.5.5";
pub const OID_ADDRESS_SUBSTITUTES: &str = "1.2.392.200149.8.5.5.6";

/// A calendar day as (year, month, day), compared in that order.
type Ymd = (u16, u8, u8);

/// Era digits J-LIS writes before the date of birth (西暦 YYYYMMDD follows), with each era's first and last day.
const ERAS: [(char, Ymd, Ymd); 5] = [
    ('1', (1868, 1, 25), (1912, 7, 29)),  // 明治
    ('2', (1912, 7, 30), (1926, 12, 24)), // 大正
    ('3', (1926, 12, 25), (1989, 1, 7)),  // 昭和
    ('4', (1989, 1, 8), (2019, 4, 30)),   // 平成
    ('5', (2019, 5, 1), (9999, 12, 31)),  // 令和
];

/// `[era]YYYYMMDD` → `YYYY-MM-DD`; an era digit must agree with the date.
pub fn parse_date_of_birth(raw: &str) -> Option<String> {
    let (era, digits) = match raw.len() {
        9 => (raw.chars().next(), &raw[1..]),
        8 => (None, raw),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m, d): (u16, u8, u8) = (digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > days_in_month {
        return None;
    }
    if let Some(e) = era {
        let (_, from, to) = ERAS.iter().find(|(c, _, _)| *c == e)?;
        if (y, m, d) < *from || (y, m, d) > *to {
            return None;
        }
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// One flag digit per character; positions whose digit is not `0` are substitutes.
/// A flag string that does not line up with the text marks every position uncertain.
pub fn substituted_positions(text: &str, flags: Option<&str>) -> Vec<u16> {
    let n = text.chars().count();
    match flags {
        None => vec![],
        Some(f) if f.chars().count() == n && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.chars().enumerate().filter(|(_, c)| *c != '0').map(|(i, _)| i as u16).collect()
        }
        Some(_) => (0..n.min(u16::MAX as usize) as u16).collect(),
    }
}

/// The basic four items from a signing certificate's subjectAltName otherNames.
pub fn basic_four(cert_der: &[u8]) -> Result<BasicFour, JpkiError> {
    let cert = x509_cert::Certificate::from_der(cert_der).map_err(|_| JpkiError::Unreadable)?;
    let san = cert
        .tbs_certificate()
        .get_extension::<SubjectAltName>()
        .map_err(|_| JpkiError::Unreadable)?
        .ok_or(JpkiError::MissingBasicFour)?
        .1;
    let get = |oid: &str| {
        san.0.iter().find_map(|gn| match gn {
            GeneralName::OtherName(on) if on.type_id.to_string() == oid => {
                Utf8StringRef::try_from(&on.value).ok().map(|s| s.as_str().to_owned())
            }
            _ => None,
        })
    };
    let present = |oid: &str| get(oid).filter(|s| !s.trim().is_empty()).ok_or(JpkiError::MissingBasicFour);
    let name = present(OID_NAME)?;
    let address = present(OID_ADDRESS)?;
    let date_of_birth = parse_date_of_birth(&present(OID_DATE_OF_BIRTH)?).ok_or(JpkiError::MissingBasicFour)?;
    let sex = present(OID_SEX)?;
    if !matches!(sex.as_str(), "1" | "2" | "3") {
        return Err(JpkiError::MissingBasicFour);
    }
    Ok(BasicFour {
        name_substituted: substituted_positions(&name, get(OID_NAME_SUBSTITUTES).as_deref()),
        address_substituted: substituted_positions(&address, get(OID_ADDRESS_SUBSTITUTES).as_deref()),
        name,
        address,
        date_of_birth,
        sex,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_prefixed_dates() {
        assert_eq!(parse_date_of_birth("319800217").as_deref(), Some("1980-02-17"));
        assert_eq!(parse_date_of_birth("19800217").as_deref(), Some("1980-02-17"));
        assert_eq!(parse_date_of_birth("520200229").as_deref(), Some("2020-02-29"));
        assert_eq!(parse_date_of_birth("419890108").as_deref(), Some("1989-01-08"));
        // The era must agree with the date: 1989-01-07 is the last day of 昭和.
        assert_eq!(parse_date_of_birth("419890107"), None);
        assert_eq!(parse_date_of_birth("319890107").as_deref(), Some("1989-01-07"));
        for bad in ["", "1980021", "320210229", "919800217", "19801317", "１９８５１２２４", "昭和60年12月24日"]
        {
            assert_eq!(parse_date_of_birth(bad), None, "{bad}");
        }
    }

    #[test]
    fn substitute_flags_per_character() {
        assert!(substituted_positions("黒桐　幹也", Some("00000")).is_empty());
        assert_eq!(substituted_positions("髙橋 一", Some("1000")), vec![0]);
        // Misaligned flags: trust no character.
        assert_eq!(substituted_positions("高橋", Some("0")), vec![0, 1]);
        assert!(substituted_positions("高橋", None).is_empty());
    }
}

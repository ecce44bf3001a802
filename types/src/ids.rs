use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("shelter id must be 1-64 characters of a-z, 0-9 and '-'")]
    BadShelterId,
    #[error("municipality code must be the 6-digit local government code with a valid check digit (e.g. 131016)")]
    BadMunicipalityCode,
}

/// Identifier of a designated shelter (指定避難所), e.g. `sendai-aoba-01`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(pattern = "^[a-z0-9-]{1,64}$", example = "041009-aoba-katahira-es")
)]
#[serde(try_from = "String", into = "String")]
pub struct ShelterId(String);

impl ShelterId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::BadShelterId)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ShelterId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}
impl From<ShelterId> for String {
    fn from(v: ShelterId) -> String {
        v.0
    }
}
impl std::fmt::Display for ShelterId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 全国地方公共団体コード: five JIS X 0402 digits plus a check digit (which `parse` checks;
/// the schema's pattern cannot).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(pattern = "^[0-9]{6}$", example = "041009"))]
#[serde(try_from = "String", into = "String")]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
        if s.len() != 6 || d.len() != 6 {
            return Err(IdError::BadMunicipalityCode);
        }
        let sum: u32 = d[..5].iter().zip([6, 5, 4, 3, 2]).map(|(a, w)| a * w).sum();
        let check = (11 - sum % 11) % 10;
        if check == d[5] {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::BadMunicipalityCode)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A prefecture's own code (宮城県 040002): the municipality digits are zero.
    pub fn is_prefecture(&self) -> bool {
        &self.0[2..5] == "000"
    }

    /// The code of the prefecture this one lies in (仙台市 041009 → 宮城県 040002).
    pub fn prefecture(&self) -> MunicipalityCode {
        let five = format!("{}000", &self.0[..2]);
        let sum: u32 = five.bytes().map(|b| u32::from(b - b'0')).zip([6, 5, 4, 3, 2]).map(|(a, w)| a * w).sum();
        Self(format!("{five}{}", (11 - sum % 11) % 10))
    }

    /// Whether this code lies in the prefecture `pref` (the first two digits).
    pub fn in_prefecture(&self, pref: &MunicipalityCode) -> bool {
        self.0[..2] == pref.0[..2]
    }
}

impl TryFrom<String> for MunicipalityCode {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}
impl From<MunicipalityCode> for String {
    fn from(v: MunicipalityCode) -> String {
        v.0
    }
}
impl std::fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_check_digit() {
        // Chiyoda-ku, Sendai-shi, Sapporo-shi: published codes.
        for ok in ["131016", "041009", "011002"] {
            assert!(MunicipalityCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["131017", "13101", "1310166", "13101a", ""] {
            assert_eq!(MunicipalityCode::parse(bad), Err(IdError::BadMunicipalityCode), "{bad}");
        }
    }

    #[test]
    fn prefecture_of_a_municipality() {
        // Published: 宮城県 040002, 東京都 130001, 北海道 010006.
        for (m, pref) in [
            ("041009", "040002"),
            ("042021", "040002"),
            ("131016", "130001"),
            ("011002", "010006"),
            ("040002", "040002"),
        ] {
            assert_eq!(MunicipalityCode::parse(m).unwrap().prefecture().as_str(), pref);
        }
    }

    #[test]
    fn shelter_id_rules() {
        assert!(ShelterId::parse("aoba-01").is_ok());
        for bad in ["", "Aoba", "a b", "避難所", &"x".repeat(65)] {
            assert!(ShelterId::parse(bad).is_err(), "{bad}");
        }
        let e = serde_json::from_str::<ShelterId>("\"BAD\"").unwrap_err();
        assert!(e.to_string().contains("shelter id"));
    }
}

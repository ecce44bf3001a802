//! Whole numbers as JSON Schema counts them: `300.0` is the integer 300. The OpenAPI document
//! types these fields `integer`, which admits either spelling, and JSON tools use both
//! (schemathesis sends `300.0` on purpose); serde on its own takes only `300`. A fraction, or a
//! value outside the field's type, is still refused.
//!
//! Use with `#[serde(deserialize_with = "crate::whole::deserialize")]`, or `crate::whole::option`
//! (with `default`) for an optional field.

use serde::de::{self, Deserializer, Unexpected, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Past 2^53 a float no longer spells one integer.
const EXACT: f64 = 9_007_199_254_740_992.0;

struct Whole<T>(PhantomData<T>);

impl<'de, T: TryFrom<i64> + TryFrom<u64>> Visitor<'de> for Whole<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a whole number that fits {}", std::any::type_name::<T>())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // NaN and infinities have no zero fraction.
        if v.fract() != 0.0 || v.abs() > EXACT {
            return Err(E::invalid_type(Unexpected::Float(v), &self));
        }
        T::try_from(v as i64).map_err(|_| E::invalid_value(Unexpected::Float(v), &self))
    }
}

pub fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    d.deserialize_any(Whole(PhantomData))
}

struct Optional<T>(PhantomData<T>);

impl<'de, T: TryFrom<i64> + TryFrom<u64>> Visitor<'de> for Optional<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or a whole number that fits {}", std::any::type_name::<T>())
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        deserialize(d).map(Some)
    }
}

pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    d.deserialize_option(Optional(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Counts {
        #[serde(deserialize_with = "super::deserialize")]
        n: u32,
        #[serde(default, deserialize_with = "super::option")]
        cap: Option<u16>,
        #[serde(default, deserialize_with = "super::deserialize")]
        delta: i32,
    }

    fn parse(json: &str) -> Result<Counts, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_floats_are_integers() {
        let c = |n, cap, delta| Counts { n, cap, delta };
        assert_eq!(parse(r#"{"n": 300}"#), Ok(c(300, None, 0)));
        assert_eq!(parse(r#"{"n": 300.0, "cap": 1900.0, "delta": -5.0}"#), Ok(c(300, Some(1900), -5)));
        assert_eq!(parse(r#"{"n": 3e2, "cap": null}"#), Ok(c(300, None, 0)));
        assert_eq!(parse(r#"{"n": -0.0}"#), Ok(c(0, None, 0)));
        for bad in [
            r#"{"n": 1.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": -1.0}"#,
            r#"{"n": 4294967296}"#,
            r#"{"n": 4294967296.0}"#,
            r#"{"n": 1e300}"#,
            r#"{"n": "3"}"#,
            r#"{"n": 1, "cap": 65536.0}"#,
            r#"{"n": 1, "cap": 0.5}"#,
            r#"{"n": 1, "delta": 2147483648}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(r#"{"n": 1.5}"#).unwrap_err().contains("floating point `1.5`"));
    }
}

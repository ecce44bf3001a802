use crate::{attr, Result, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// DynamoDB's attribute value, restricted to the types this project stores.
/// Serialises as DynamoDB JSON (`{"S":"…"}`, `{"N":"12"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    S(String),
    /// Numbers travel as decimal strings, as in DynamoDB.
    N(String),
    #[serde(rename = "BOOL")]
    Bool(bool),
    #[serde(rename = "NULL")]
    Null(bool),
    L(Vec<Value>),
    M(BTreeMap<String, Value>),
}

impl Value {
    pub fn s(v: impl Into<String>) -> Self {
        Value::S(v.into())
    }
    pub fn n(v: i64) -> Self {
        Value::N(v.to_string())
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::S(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::N(n) => n.parse().ok(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::N(n) => n.parse().ok(),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

pub type Item = BTreeMap<String, Value>;

/// Primary key of an item in the single table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self { pk: pk.into(), sk: sk.into() }
    }
    pub fn of(item: &Item) -> Result<Key> {
        let get = |name: &str| {
            item.get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| StoreError::Validation(format!("item needs a non-empty string '{name}'")))
        };
        Ok(Key { pk: get(attr::PK)?, sk: get(attr::SK)? })
    }
}

/// Typed accessors so domain code reads items without matching on `Value`.
pub trait ItemExt {
    fn with(self, name: &str, v: Value) -> Self;
    fn str(&self, name: &str) -> Option<&str>;
    fn i64(&self, name: &str) -> Option<i64>;
    fn bool(&self, name: &str) -> Option<bool>;
}

impl ItemExt for Item {
    fn with(mut self, name: &str, v: Value) -> Self {
        self.insert(name.to_owned(), v);
        self
    }
    fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }
    fn i64(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }
    fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }
}

/// Start an item with its key attributes set.
pub fn item(key: &Key) -> Item {
    Item::new().with(attr::PK, Value::s(&key.pk)).with(attr::SK, Value::s(&key.sk))
}

/// Validates what DynamoDB would reject, so the embedded store rejects it too.
pub(crate) fn validate_item(item: &Item) -> Result<Key> {
    let key = Key::of(item)?;
    for gsi in [attr::GSI1_PK, attr::GSI1_SK] {
        if let Some(v) = item.get(gsi) {
            if !matches!(v, Value::S(s) if !s.is_empty()) {
                return Err(StoreError::Validation(format!("'{gsi}' must be a non-empty string")));
            }
        }
    }
    for v in item.values() {
        validate_value(v)?;
    }
    let size = serde_json::to_vec(item).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > crate::MAX_ITEM_BYTES {
        return Err(StoreError::Validation(format!("item of about {size} bytes exceeds 400 KB")));
    }
    Ok(key)
}

fn validate_value(v: &Value) -> Result<()> {
    match v {
        Value::N(n) if n.parse::<f64>().map(|f| !f.is_finite()).unwrap_or(true) => {
            Err(StoreError::Validation(format!("'{n}' is not a number")))
        }
        Value::L(l) => l.iter().try_for_each(validate_value),
        Value::M(m) => m.values().try_for_each(validate_value),
        _ => Ok(()),
    }
}

/// Cursor encoding shared by both backends: the last item's key attributes as JSON.
pub(crate) fn encode_cursor(key: &Item) -> String {
    serde_json::to_string(key).unwrap_or_default()
}

pub(crate) fn decode_cursor(s: &str) -> Result<Item> {
    serde_json::from_str(s).map_err(|_| StoreError::Validation("the page cursor is not valid".into()))
}

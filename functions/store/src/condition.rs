//! Conditions and updates as typed values: the DynamoDB backend compiles them
//! to expressions, the embedded backend evaluates them on the stored item.

use crate::{Item, Result, StoreError, Value};
use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Exists(String),
    NotExists(String),
    Eq(String, Value),
    Ne(String, Value),
    Lt(String, Value),
    Le(String, Value),
    Gt(String, Value),
    Ge(String, Value),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    /// The item must not exist yet (idempotent creates).
    pub fn absent() -> Self {
        Condition::NotExists(crate::attr::PK.into())
    }
    pub fn present() -> Self {
        Condition::Exists(crate::attr::PK.into())
    }
    pub fn eq(name: &str, v: Value) -> Self {
        Condition::Eq(name.into(), v)
    }

    /// Evaluate against the current item (`None` when it does not exist).
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let get = |n: &str| item.and_then(|i| i.get(n));
        let cmp = |n: &str, v: &Value| get(n).and_then(|a| compare(a, v));
        match self {
            Condition::Exists(n) => get(n).is_some(),
            Condition::NotExists(n) => get(n).is_none(),
            Condition::Eq(n, v) => get(n).is_some_and(|a| values_equal(a, v)),
            // DynamoDB: `a <> v` is true when `a` is missing.
            Condition::Ne(n, v) => !get(n).is_some_and(|a| values_equal(a, v)),
            Condition::Lt(n, v) => cmp(n, v) == Some(Ordering::Less),
            Condition::Le(n, v) => matches!(cmp(n, v), Some(Ordering::Less | Ordering::Equal)),
            Condition::Gt(n, v) => cmp(n, v) == Some(Ordering::Greater),
            Condition::Ge(n, v) => matches!(cmp(n, v), Some(Ordering::Greater | Ordering::Equal)),
            Condition::And(cs) => cs.iter().all(|c| c.holds(item)),
            Condition::Or(cs) => cs.iter().any(|c| c.holds(item)),
            Condition::Not(c) => !c.holds(item),
        }
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::N(_), Value::N(_)) => compare(a, b) == Some(Ordering::Equal),
        _ => a == b,
    }
}

/// Order of numbers and strings as DynamoDB compares them; other types do not compare.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::N(x), Value::N(y)) => x.parse::<f64>().ok()?.partial_cmp(&y.parse::<f64>().ok()?),
        (Value::S(x), Value::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ => None,
    }
}

/// SET / ADD / REMOVE on top-level attributes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(String, Value)>,
    /// Set only when the attribute is absent (`if_not_exists`), e.g. `created_at`.
    pub set_if_absent: Vec<(String, Value)>,
    /// Integer counters; a missing attribute counts as 0.
    pub add: Vec<(String, i64)>,
    pub remove: Vec<String>,
}

impl Update {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn set(mut self, name: &str, v: Value) -> Self {
        self.set.push((name.into(), v));
        self
    }
    pub fn set_if_absent(mut self, name: &str, v: Value) -> Self {
        self.set_if_absent.push((name.into(), v));
        self
    }
    pub fn add(mut self, name: &str, by: i64) -> Self {
        self.add.push((name.into(), by));
        self
    }
    pub fn remove(mut self, name: &str) -> Self {
        self.remove.push(name.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let mut names = std::collections::BTreeSet::new();
        let all = self
            .set
            .iter()
            .map(|(n, _)| n)
            .chain(self.set_if_absent.iter().map(|(n, _)| n))
            .chain(self.add.iter().map(|(n, _)| n))
            .chain(self.remove.iter());
        for n in all {
            if n == crate::attr::PK || n == crate::attr::SK {
                return Err(StoreError::Validation("an update cannot change the key".into()));
            }
            if !names.insert(n) {
                return Err(StoreError::Validation(format!("'{n}' appears twice in one update")));
            }
        }
        if self.set.is_empty() && self.set_if_absent.is_empty() && self.add.is_empty() && self.remove.is_empty() {
            return Err(StoreError::Validation("an update needs at least one action".into()));
        }
        Ok(())
    }

    /// Apply to an item in memory (embedded backend).
    pub(crate) fn apply(&self, item: &mut Item) -> Result<()> {
        for (n, v) in &self.set {
            item.insert(n.clone(), v.clone());
        }
        for (n, v) in &self.set_if_absent {
            item.entry(n.clone()).or_insert_with(|| v.clone());
        }
        for (n, by) in &self.add {
            let cur = match item.get(n) {
                None => 0,
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| StoreError::Validation(format!("ADD needs '{n}' to be an integer number")))?,
            };
            let next = cur.checked_add(*by).ok_or_else(|| StoreError::Validation(format!("'{n}' overflows")))?;
            item.insert(n.clone(), Value::n(next));
        }
        for n in &self.remove {
            item.remove(n);
        }
        Ok(())
    }
}

/// Placeholders for a DynamoDB expression: `#n0` for names, `:v0` for values.
#[derive(Default, Debug)]
pub(crate) struct ExprBuilder {
    pub names: HashMap<String, String>,
    pub values: HashMap<String, Value>,
}

impl ExprBuilder {
    pub fn name(&mut self, n: &str) -> String {
        if let Some((k, _)) = self.names.iter().find(|(_, v)| v.as_str() == n) {
            return k.clone();
        }
        let k = format!("#n{}", self.names.len());
        self.names.insert(k.clone(), n.to_owned());
        k
    }
    pub fn value(&mut self, v: Value) -> String {
        let k = format!(":v{}", self.values.len());
        self.values.insert(k.clone(), v);
        k
    }

    pub fn condition(&mut self, c: &Condition) -> String {
        let bin = |s: &mut Self, n: &str, op: &str, v: &Value| {
            let (n, v) = (s.name(n), s.value(v.clone()));
            format!("{n} {op} {v}")
        };
        match c {
            Condition::Exists(n) => format!("attribute_exists({})", self.name(n)),
            Condition::NotExists(n) => format!("attribute_not_exists({})", self.name(n)),
            Condition::Eq(n, v) => bin(self, n, "=", v),
            Condition::Ne(n, v) => bin(self, n, "<>", v),
            Condition::Lt(n, v) => bin(self, n, "<", v),
            Condition::Le(n, v) => bin(self, n, "<=", v),
            Condition::Gt(n, v) => bin(self, n, ">", v),
            Condition::Ge(n, v) => bin(self, n, ">=", v),
            Condition::And(cs) => self.join(cs, " AND "),
            Condition::Or(cs) => self.join(cs, " OR "),
            Condition::Not(c) => format!("(NOT {})", self.condition(c)),
        }
    }

    fn join(&mut self, cs: &[Condition], sep: &str) -> String {
        let parts: Vec<String> = cs.iter().map(|c| self.condition(c)).collect();
        format!("({})", parts.join(sep))
    }

    pub fn update(&mut self, u: &Update) -> String {
        let mut sets: Vec<String> = Vec::new();
        for (n, v) in &u.set {
            sets.push(format!("{} = {}", self.name(n), self.value(v.clone())));
        }
        for (n, v) in &u.set_if_absent {
            let n = self.name(n);
            sets.push(format!("{n} = if_not_exists({n}, {})", self.value(v.clone())));
        }
        let mut out = Vec::new();
        if !sets.is_empty() {
            out.push(format!("SET {}", sets.join(", ")));
        }
        if !u.add.is_empty() {
            let adds: Vec<String> =
                u.add.iter().map(|(n, by)| format!("{} {}", self.name(n), self.value(Value::n(*by)))).collect();
            out.push(format!("ADD {}", adds.join(", ")));
        }
        if !u.remove.is_empty() {
            let rm: Vec<String> = u.remove.iter().map(|n| self.name(n)).collect();
            out.push(format!("REMOVE {}", rm.join(", ")));
        }
        out.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ItemExt;

    #[test]
    fn conditions_follow_dynamodb_semantics() {
        let item = Item::new().with("n", Value::n(5)).with("s", Value::s("b"));
        let i = Some(&item);
        assert!(Condition::Exists("n".into()).holds(i));
        assert!(!Condition::Exists("n".into()).holds(None));
        assert!(Condition::absent().holds(None));
        assert!(Condition::Eq("n".into(), Value::N("5.0".into())).holds(i));
        assert!(Condition::Ne("missing".into(), Value::n(1)).holds(i));
        assert!(Condition::Lt("n".into(), Value::n(10)).holds(i));
        assert!(!Condition::Lt("s".into(), Value::n(10)).holds(i), "types do not compare");
        assert!(Condition::Gt("s".into(), Value::s("a")).holds(i));
        assert!(Condition::Or(vec![Condition::absent(), Condition::Le("n".into(), Value::n(5))]).holds(i));
        assert!(!Condition::Not(Box::new(Condition::Exists("n".into()))).holds(i));
    }

    #[test]
    fn update_expression_uses_placeholders() {
        let u = Update::new().set("a", Value::s("x")).set_if_absent("c", Value::n(1)).add("k", 2).remove("r");
        let mut b = ExprBuilder::default();
        let e = b.update(&u);
        assert_eq!(e, "SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1) ADD #n2 :v2 REMOVE #n3");
        assert_eq!(b.names["#n3"], "r");
    }

    #[test]
    fn update_rejects_key_changes_and_repeats() {
        assert!(Update::new().set("pk", Value::s("x")).validate().is_err());
        assert!(Update::new().set("a", Value::s("x")).add("a", 1).validate().is_err());
        assert!(Update::new().validate().is_err());
    }

    #[test]
    fn add_needs_integers() {
        let mut item = Item::new().with("c", Value::s("x"));
        assert!(Update::new().add("c", 1).apply(&mut item).is_err());
        let mut item = Item::new();
        Update::new().add("c", 3).add("d", -1).apply(&mut item).unwrap();
        assert_eq!(item.i64("c"), Some(3));
        assert_eq!(item.i64("d"), Some(-1));
    }
}

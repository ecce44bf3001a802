//! One storage interface shaped like DynamoDB's item model (single table,
//! `pk`/`sk` keys, one GSI `gsi1pk`/`gsi1sk`, TTL attribute `ttl`), with two
//! backends: [`dynamo::DynamoStore`] for production and [`sqlite::SqliteStore`]
//! for the one-command local run. `tests/contract.rs` runs the same suite
//! against both.

pub mod aws_http;
pub mod condition;
pub mod dynamo;
pub mod error;
pub mod item;
pub mod sqlite;

use async_trait::async_trait;

pub use condition::{Condition, Update};
pub use error::{CancelReason, StoreError};
pub use item::{Item, ItemExt, Key, Value};

pub type Result<T> = std::result::Result<T, StoreError>;

/// Attribute names with a meaning to the store itself.
pub mod attr {
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
    pub const GSI1_PK: &str = "gsi1pk";
    pub const GSI1_SK: &str = "gsi1sk";
    /// Expiry in epoch seconds. Expired items are never returned by `get` or
    /// `query`; DynamoDB deletes them lazily, so conditions may still see them.
    pub const TTL: &str = "ttl";
}

/// DynamoDB's limits, enforced by both backends so code that works locally works on AWS.
pub const MAX_TRANSACT_ITEMS: usize = 100;
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Which key set a query runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Table,
    Gsi1,
}

/// Condition on the sort key of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    All,
    BeginsWith(String),
    /// Inclusive on both ends, as DynamoDB's BETWEEN.
    Between(String, String),
    Ge(String),
    Le(String),
}

#[derive(Debug, Clone)]
pub struct Query {
    pub index: Index,
    pub pk: String,
    pub sk: SortKey,
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next`.
    pub start: Option<String>,
    pub forward: bool,
}

impl Query {
    /// What DynamoDB refuses before running a query, checked the same way by both backends.
    pub(crate) fn validate(&self) -> Result<()> {
        let empty = |s: &str| s.is_empty();
        let bad = empty(&self.pk)
            || match &self.sk {
                SortKey::All => false,
                SortKey::BeginsWith(p) | SortKey::Ge(p) | SortKey::Le(p) => empty(p),
                SortKey::Between(a, b) => empty(a) || empty(b),
            };
        if bad {
            return Err(StoreError::Validation("a query key value cannot be an empty string".into()));
        }
        Ok(())
    }

    pub fn partition(pk: impl Into<String>) -> Self {
        Self { index: Index::Table, pk: pk.into(), sk: SortKey::All, limit: None, start: None, forward: true }
    }
    pub fn gsi1(pk: impl Into<String>) -> Self {
        Self { index: Index::Gsi1, ..Self::partition(pk) }
    }
    pub fn begins_with(mut self, prefix: impl Into<String>) -> Self {
        self.sk = SortKey::BeginsWith(prefix.into());
        self
    }
    pub fn sort(mut self, sk: SortKey) -> Self {
        self.sk = sk;
        self
    }
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }
    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.start = cursor;
        self
    }
    pub fn backward(mut self) -> Self {
        self.forward = false;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Present when more items may follow.
    pub next: Option<String>,
}

/// One write of a batch (no conditions, like BatchWriteItem).
#[derive(Debug, Clone)]
pub enum WriteOp {
    Put(Item),
    Delete(Key),
}

/// One part of an all-or-nothing transaction (TransactWriteItems).
#[derive(Debug, Clone)]
pub enum TransactOp {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Update {
        key: Key,
        update: Update,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    /// Fails the transaction unless the condition holds; writes nothing.
    Check {
        key: Key,
        condition: Condition,
    },
}

impl TransactOp {
    pub fn key(&self) -> Result<Key> {
        match self {
            TransactOp::Put { item, .. } => Key::of(item),
            TransactOp::Update { key, .. } | TransactOp::Delete { key, .. } | TransactOp::Check { key, .. } => {
                Ok(key.clone())
            }
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "embedded" or "dynamodb", for health checks and logs.
    fn backend(&self) -> &'static str;
    async fn get(&self, key: &Key) -> Result<Option<Item>>;
    /// Put the whole item; with a condition, fails with `ConditionFailed` unless it holds.
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<()>;
    /// Apply SET/ADD/REMOVE (creating the item if absent) and return the new item.
    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item>;
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<()>;
    async fn query(&self, query: Query) -> Result<Page>;
    /// Any number of unconditional puts/deletes; sent in chunks of 25 with retries.
    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<()>;
    /// Up to 100 operations on distinct items, all or nothing.
    async fn transact_write(&self, ops: Vec<TransactOp>) -> Result<()>;
    /// One page of every item the table holds, expired ones included (DynamoDB keeps those
    /// until its TTL sweep): for audits of what is stored, never on a request path. Wrappers
    /// that do not need it refuse.
    async fn scan(&self, _start: Option<String>) -> Result<Page> {
        Err(StoreError::Validation("this store does not scan".into()))
    }
}

/// Checks shared by both backends so they reject the same transactions.
pub(crate) fn validate_transaction(ops: &[TransactOp]) -> Result<()> {
    if ops.is_empty() || ops.len() > MAX_TRANSACT_ITEMS {
        return Err(StoreError::Validation(format!(
            "a transaction holds 1 to {MAX_TRANSACT_ITEMS} operations, got {}",
            ops.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for op in ops {
        if !seen.insert(op.key()?) {
            return Err(StoreError::Validation("a transaction cannot touch the same item twice".into()));
        }
    }
    Ok(())
}

pub(crate) fn now_seconds() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// True when the item carries a `ttl` in the past.
pub(crate) fn is_expired(item: &Item, now: i64) -> bool {
    item.get(attr::TTL).and_then(Value::as_i64).is_some_and(|t| t <= now)
}

//! Embedded, durable backend for the local stack: one SQLite file in WAL mode.
//! Items are kept as DynamoDB JSON; key and index attributes are columns so
//! queries use the same orderings as DynamoDB (byte order of UTF-8).

use crate::item::{decode_cursor, encode_cursor, validate_item};
use crate::{
    attr, is_expired, now_seconds, validate_transaction, CancelReason, Condition, Index, Item, ItemExt, Key, Page,
    Query, Result, SortKey, Store, StoreError, TransactOp, Update, WriteOp,
};
use async_trait::async_trait;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Arc;

mod checkpoint;
mod connection;

/// The data directory's owner: an OS lock on `dir/bosai.lock`, held while the store is open.
fn own(dir: &Path) -> Result<std::fs::File> {
    let path = dir.join("bosai.lock");
    let file =
        std::fs::File::create(&path).map_err(|e| StoreError::Unavailable(format!("cannot create {path:?}: {e}")))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Unavailable(format!(
            "{} is in use by another process (one local stack per data directory)",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Unavailable(format!("cannot lock {path:?}: {e}"))),
    }
}

#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<connection::Shared>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("embedded store: {e}"))
}

impl SqliteStore {
    /// Open (or create) the store in `dir/bosai.db`. One process owns a data directory (the
    /// local stack): a second opener gets a clear error instead of sharing the file.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(format!("cannot create {dir:?}: {e}")))?;
        let owner = own(dir)?;
        let db = dir.join("bosai.db");
        let conn = Connection::open(&db).map_err(db_err)?;
        // The WAL is copied back by a thread of its own (`checkpoint`), not inside a commit;
        // after a burst it is cut back to 64 MiB when it starts over.
        conn.execute_batch("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;").map_err(db_err)?;
        let store = Self::init(conn)?;
        let checkpointer = checkpoint::Checkpointer::start(&db, store.shared.wal_long.clone())?;
        // Dropped in this order: the last checkpoint, then the directory's lock.
        store.shared.keep(Box::new((checkpointer, owner)));
        Ok(store)
    }

    pub fn in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory().map_err(db_err)?)
    }

    fn init(conn: Connection) -> Result<Self> {
        // WAL + NORMAL: a commit survives a killed process; only a power cut
        // can lose the last few commits, which is fine for a local stack.
        conn.execute_batch(
            "PRAGMA busy_timeout=5000;
             PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS items (
               pk TEXT NOT NULL, sk TEXT NOT NULL,
               gsi1pk TEXT, gsi1sk TEXT, ttl INTEGER,
               body TEXT NOT NULL,
               PRIMARY KEY (pk, sk)) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk)
               WHERE gsi1pk IS NOT NULL AND gsi1sk IS NOT NULL;",
        )
        .map_err(db_err)?;
        Ok(Self { shared: Arc::new(connection::Shared::new(conn)) })
    }

    /// Statements run on the calling task, not on tokio's blocking pool: each takes
    /// microseconds (WAL, no fsync per commit), and the hand-off to a pool thread and back
    /// cost more than the work (measured: a third of the check-in API's CPU went to
    /// waking threads).
    async fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.shared.read(f).await
    }

    /// A write, committed with the others queued meanwhile (`connection`).
    async fn write(&self, f: impl FnOnce(&Connection) -> Result<()> + Send + 'static) -> Result<()> {
        self.shared.write(move |c| f(c).map(|()| None)).await.map(|_| ())
    }
}

fn read(tx: &Connection, key: &Key) -> Result<Option<Item>> {
    let body: Option<String> = tx
        .prepare_cached("SELECT body FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut st| st.query_row(params![key.pk, key.sk], |r| r.get(0)))
        .optional()
        .map_err(db_err)?;
    body.map(|b| parse_body(&b)).transpose()
}

fn parse_body(b: &str) -> Result<Item> {
    serde_json::from_str(b).map_err(|e| StoreError::Unavailable(format!("embedded store: unreadable item: {e}")))
}

fn write(tx: &Connection, item: &Item) -> Result<()> {
    let key = validate_item(item)?;
    let body = serde_json::to_string(item).map_err(|e| StoreError::Validation(e.to_string()))?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, ttl, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut st| {
        st.execute(params![key.pk, key.sk, item.str(attr::GSI1_PK), item.str(attr::GSI1_SK), item.i64(attr::TTL), body])
    })
    .map_err(db_err)?;
    Ok(())
}

fn remove(tx: &Connection, key: &Key) -> Result<()> {
    tx.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut st| st.execute(params![key.pk, key.sk]))
        .map_err(db_err)?;
    Ok(())
}

fn check(current: Option<&Item>, cond: &Option<Condition>) -> Result<()> {
    match cond {
        Some(c) if !c.holds(current) => Err(StoreError::ConditionFailed),
        _ => Ok(()),
    }
}

fn updated(key: &Key, current: Option<Item>, update: &Update) -> Result<Item> {
    update.validate()?;
    let mut item = current.unwrap_or_else(|| crate::item::item(key));
    update.apply(&mut item)?;
    Ok(item)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "embedded"
    }

    async fn get(&self, key: &Key) -> Result<Option<Item>> {
        self.read(|c| Ok(read(c, key)?.filter(|i| !is_expired(i, now_seconds())))).await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<()> {
        self.write(move |c| {
            let key = validate_item(&item)?;
            if condition.is_some() {
                check(read(c, &key)?.as_ref(), &condition)?;
            }
            write(c, &item)
        })
        .await
    }

    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item> {
        let key = key.clone();
        let written = self
            .shared
            .write(move |c| {
                let current = read(c, &key)?;
                check(current.as_ref(), &condition)?;
                let item = updated(&key, current, &update)?;
                write(c, &item)?;
                Ok(Some(item))
            })
            .await?;
        written.ok_or_else(|| StoreError::Unavailable("embedded store: the update returned no item".into()))
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<()> {
        let key = key.clone();
        self.write(move |c| {
            check(read(c, &key)?.as_ref(), &condition)?;
            remove(c, &key)
        })
        .await
    }

    async fn query(&self, q: Query) -> Result<Page> {
        q.validate()?;
        self.read(|c| query(c, &q)).await
    }

    async fn scan(&self, start: Option<String>) -> Result<Page> {
        self.read(|c| scan(c, start.as_deref())).await
    }

    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<()> {
        self.write(move |c| {
            for op in &ops {
                match op {
                    WriteOp::Put(item) => write(c, item)?,
                    WriteOp::Delete(key) => remove(c, key)?,
                }
            }
            Ok(())
        })
        .await
    }

    async fn transact_write(&self, ops: Vec<TransactOp>) -> Result<()> {
        validate_transaction(&ops)?;
        self.write(move |c| {
            let mut reasons = Vec::with_capacity(ops.len());
            let mut writes: Vec<std::result::Result<Item, Key>> = Vec::with_capacity(ops.len());
            for op in &ops {
                let key = op.key()?;
                let current = read(c, &key)?;
                let cond = match op {
                    TransactOp::Put { condition, .. }
                    | TransactOp::Update { condition, .. }
                    | TransactOp::Delete { condition, .. } => condition.clone(),
                    TransactOp::Check { condition, .. } => Some(condition.clone()),
                };
                let ok = cond.as_ref().is_none_or(|c| c.holds(current.as_ref()));
                reasons.push(if ok { CancelReason::None } else { CancelReason::ConditionFailed });
                match op {
                    TransactOp::Put { item, .. } => {
                        validate_item(item)?;
                        writes.push(Ok(item.clone()));
                    }
                    TransactOp::Update { update, .. } => writes.push(Ok(updated(&key, current, update)?)),
                    TransactOp::Delete { .. } => writes.push(Err(key)),
                    TransactOp::Check { .. } => {}
                }
            }
            if reasons.iter().any(|r| *r != CancelReason::None) {
                return Err(StoreError::TransactionCanceled { reasons });
            }
            for w in &writes {
                match w {
                    Ok(item) => write(c, item)?,
                    Err(key) => remove(c, key)?,
                }
            }
            Ok(())
        })
        .await
    }
}

/// Smallest string greater than every string starting with `prefix`, or None.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(c) = chars.pop() {
        if let Some(n) = (c as u32 + 1..=char::MAX as u32).find_map(char::from_u32) {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn query(c: &Connection, q: &Query) -> Result<Page> {
    let (pk_col, sk_col, order) = match q.index {
        Index::Table => ("pk", "sk", vec!["sk"]),
        Index::Gsi1 => ("gsi1pk", "gsi1sk", vec!["gsi1sk", "pk", "sk"]),
    };
    let mut sql = format!("SELECT body FROM items WHERE {pk_col} = ? AND {sk_col} IS NOT NULL");
    let mut args: Vec<String> = vec![q.pk.clone()];
    let mut bound = |sql: &mut String, op: &str, v: &str| {
        sql.push_str(&format!(" AND {sk_col} {op} ?"));
        args.push(v.to_owned());
    };
    match &q.sk {
        SortKey::All => {}
        SortKey::BeginsWith(p) => {
            bound(&mut sql, ">=", p);
            if let Some(end) = prefix_end(p) {
                bound(&mut sql, "<", &end);
            }
        }
        SortKey::Between(a, b) => {
            bound(&mut sql, ">=", a);
            bound(&mut sql, "<=", b);
        }
        SortKey::Ge(a) => bound(&mut sql, ">=", a),
        SortKey::Le(b) => bound(&mut sql, "<=", b),
    }
    if let Some(cursor) = &q.start {
        let last = decode_cursor(cursor)?;
        let cols = order.join(", ");
        let op = if q.forward { ">" } else { "<" };
        sql.push_str(&format!(" AND ({cols}) {op} ({})", vec!["?"; order.len()].join(", ")));
        for col in &order {
            let v = last.str(col).ok_or_else(|| StoreError::Validation("the page cursor is not valid".into()))?;
            args.push(v.to_owned());
        }
    }
    let now = now_seconds();
    sql.push_str(&format!(" AND (ttl IS NULL OR ttl > {now})"));
    let dir = if q.forward { "ASC" } else { "DESC" };
    let order_by: Vec<String> = order.iter().map(|c| format!("{c} {dir}")).collect();
    sql.push_str(&format!(" ORDER BY {}", order_by.join(", ")));
    let limit = q.limit.map(|l| l.max(1) as usize);
    if let Some(l) = limit {
        sql.push_str(&format!(" LIMIT {}", l + 1));
    }
    let mut stmt = c.prepare_cached(&sql).map_err(db_err)?;
    let bodies: Vec<String> = stmt
        .query_map(params_from_iter(args.iter()), |r| r.get(0))
        .map_err(db_err)?
        .collect::<std::result::Result<_, _>>()
        .map_err(db_err)?;
    let mut items = bodies.iter().map(|b| parse_body(b)).collect::<Result<Vec<_>>>()?;
    let mut next = None;
    if let Some(l) = limit {
        if items.len() > l {
            items.truncate(l);
            let last = items.last().expect("limit is at least 1");
            let mut key = Item::new();
            // The sort columns plus the partition column: the same shape as DynamoDB's LastEvaluatedKey.
            for col in order.iter().chain([&pk_col]) {
                if let Some(v) = last.get(*col) {
                    key.insert(col.to_string(), v.clone());
                }
            }
            next = Some(encode_cursor(&key));
        }
    }
    Ok(Page { items, next })
}

const SCAN_PAGE: usize = 1000;

fn scan(c: &Connection, start: Option<&str>) -> Result<Page> {
    let last = start.map(decode_cursor).transpose()?;
    let after = match &last {
        Some(k) => Some(Key::of(k)?),
        None => None,
    };
    let sql = format!(
        "SELECT body FROM items {} ORDER BY pk, sk LIMIT {}",
        if after.is_some() { "WHERE (pk, sk) > (?1, ?2)" } else { "" },
        SCAN_PAGE + 1
    );
    let mut stmt = c.prepare_cached(&sql).map_err(db_err)?;
    let args: Vec<String> = after.iter().flat_map(|k| [k.pk.clone(), k.sk.clone()]).collect();
    let bodies: Vec<String> = stmt
        .query_map(params_from_iter(args.iter()), |r| r.get(0))
        .map_err(db_err)?
        .collect::<std::result::Result<_, _>>()
        .map_err(db_err)?;
    let mut items = bodies.iter().map(|b| parse_body(b)).collect::<Result<Vec<_>>>()?;
    let mut next = None;
    if items.len() > SCAN_PAGE {
        items.truncate(SCAN_PAGE);
        let k = Key::of(items.last().expect("a full page"))?;
        next = Some(encode_cursor(
            &Item::new().with(attr::PK, crate::Value::s(k.pk)).with(attr::SK, crate::Value::s(k.sk)),
        ));
    }
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::prefix_end;
    #[test]
    fn prefix_end_is_next_string() {
        assert_eq!(prefix_end("AB").as_deref(), Some("AC"));
        assert_eq!(prefix_end("").as_deref(), None);
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        // Skips the surrogate gap.
        assert_eq!(prefix_end("\u{D7FF}").as_deref(), Some("\u{E000}"));
    }
}

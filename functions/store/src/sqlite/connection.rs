//! The embedded store's one connection, with group commit: writes that arrive while
//! another write holds the connection are committed together in the next transaction,
//! each inside its own savepoint.
//!
//! Why: under check-in load a commit (appending the changed pages to the WAL) took about
//! half of each write's time on the connection, and the connection is the one thing every
//! request waits for (measured: 110 of 190 µs per check-in transaction). Sharing a commit
//! among the writes that queued meanwhile pays that once per batch. Each write still sees
//! the writes before it, fails or succeeds alone (its savepoint is rolled back on error),
//! and is answered only after the commit that holds it.

use crate::{Item, Result, StoreError};
use rusqlite::Connection;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{oneshot, Mutex};

/// What a write answers: `update` the item it wrote, the others nothing.
pub type Outcome = Result<Option<Item>>;
type Job = Box<dyn FnOnce(&Connection) -> Outcome + Send>;

pub struct Shared {
    // An async lock: while one task commits, the other worker thread goes on parsing and
    // verifying requests, whose writes then queue for the next batch.
    conn: Mutex<Connection>,
    queue: std::sync::Mutex<Vec<(Job, oneshot::Sender<Outcome>)>>,
    commits: AtomicU64,
    /// Set by the checkpoint thread when the WAL is long (`checkpoint`).
    pub wal_long: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// What lives as long as the connection (the directory's lock, the checkpoint thread).
    kept: std::sync::Mutex<Vec<Box<dyn std::any::Any + Send>>>,
}

fn unexpected() -> StoreError {
    StoreError::Unavailable("embedded store: an operation failed unexpectedly".into())
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("embedded store: {e}"))
}

impl Shared {
    pub fn new(conn: Connection) -> Self {
        Self {
            conn: Mutex::new(conn),
            queue: std::sync::Mutex::new(Vec::new()),
            commits: AtomicU64::new(0),
            kept: Default::default(),
            wal_long: Default::default(),
        }
    }

    pub fn keep(&self, thing: Box<dyn std::any::Any + Send>) {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).push(thing);
    }

    /// Transactions committed so far (each holds one or more writes).
    #[cfg(test)]
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs a read on the calling task (statements take microseconds; a hand-off to a
    /// blocking pool thread cost more than the work).
    pub async fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.conn.lock().await;
        // A panic must not make the store unusable: SQLite has rolled back, the connection is fine.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&conn))).map_err(|_| unexpected())?
    }

    /// Runs a write in the next commit. If the caller goes away while queued, the write still
    /// happens (as when a client times out after the server acted); retried writes are idempotent.
    pub async fn write(&self, job: impl FnOnce(&Connection) -> Outcome + Send + 'static) -> Outcome {
        let (answer, mut answered) = oneshot::channel();
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push((Box::new(job), answer));
        let mut conn = self.conn.lock().await;
        // The task that held the connection may have committed this write already:
        // answers are sent before the connection is released.
        if let Ok(outcome) = answered.try_recv() {
            return outcome;
        }
        let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        commit(&mut conn, batch);
        self.commits.fetch_add(1, Ordering::Relaxed);
        // A long WAL, and no write waiting: copy the little the checkpoint thread has not, so
        // the next write starts the WAL over (a failure only means it stays long a while).
        if self.wal_long.load(Ordering::Relaxed) && self.queue.lock().unwrap_or_else(|p| p.into_inner()).is_empty() {
            self.wal_long.store(false, Ordering::Relaxed);
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
        drop(conn);
        answered.await.unwrap_or_else(|_| Err(unexpected()))
    }
}

/// One transaction for the whole batch, one savepoint per write.
fn commit(conn: &mut Connection, batch: Vec<(Job, oneshot::Sender<Outcome>)>) {
    let mut tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = db_err(e);
            for (_, answer) in batch {
                let _ = answer.send(Err(e.clone()));
            }
            return;
        }
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    for (job, answer) in batch {
        let outcome = tx.savepoint().map_err(db_err).and_then(|sp| {
            let out =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&sp))).map_err(|_| unexpected())??;
            // Dropping the savepoint without `commit` rolls back this write alone.
            sp.commit().map_err(db_err)?;
            Ok(out)
        });
        outcomes.push((outcome, answer));
    }
    let committed = tx.commit().map_err(db_err);
    for (outcome, answer) in outcomes {
        let _ = answer.send(match &committed {
            Ok(()) => outcome,
            Err(e) => Err(e.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn shared() -> Arc<Shared> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v TEXT NOT NULL)").unwrap();
        Arc::new(Shared::new(conn))
    }

    fn insert(c: &Connection, v: &str) -> Result<()> {
        c.execute("INSERT INTO t (v) VALUES (?1)", [v]).map(|_| ()).map_err(db_err)
    }

    async fn rows(s: &Shared) -> Vec<String> {
        s.read(|c| {
            let mut st = c.prepare("SELECT v FROM t ORDER BY v").map_err(db_err)?;
            let v = st.query_map([], |r| r.get(0)).map_err(db_err)?.collect::<std::result::Result<_, _>>();
            v.map_err(db_err)
        })
        .await
        .unwrap()
    }

    /// Holds the connection while `writes` queue up, then lets them run; returns their answers.
    async fn queued(s: &Arc<Shared>, writes: Vec<Job>) -> Vec<Outcome> {
        let held = s.conn.lock().await;
        let n = writes.len();
        let tasks: Vec<_> = writes
            .into_iter()
            .map(|w| {
                let s = s.clone();
                tokio::spawn(async move { s.write(w).await })
            })
            .collect();
        while s.queue.lock().unwrap().len() < n {
            tokio::task::yield_now().await;
        }
        drop(held);
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_queued_meanwhile_share_one_commit() {
        let s = shared();
        let writes: Vec<Job> =
            (0..8).map(|i| Box::new(move |c: &Connection| insert(c, &format!("w{i}")).map(|()| None)) as Job).collect();
        let before = s.commits();
        let answers = queued(&s, writes).await;
        assert!(answers.iter().all(|a| a.is_ok()), "{answers:?}");
        assert_eq!(s.commits() - before, 1, "eight queued writes, one commit");
        assert_eq!(rows(&s).await.len(), 8);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_or_panicking_write_is_undone_alone() {
        let s = shared();
        let writes: Vec<Job> = vec![
            Box::new(|c: &Connection| insert(c, "a").map(|()| None)),
            Box::new(|c: &Connection| {
                insert(c, "b")?;
                Err(StoreError::ConditionFailed)
            }),
            Box::new(|c: &Connection| {
                insert(c, "c").unwrap();
                panic!("a bug in one write")
            }),
            Box::new(|c: &Connection| insert(c, "d").map(|()| None)),
        ];
        let answers = queued(&s, writes).await;
        assert!(answers[0].is_ok() && answers[3].is_ok(), "{answers:?}");
        assert_eq!(answers[1], Err(StoreError::ConditionFailed));
        assert!(matches!(&answers[2], Err(StoreError::Unavailable(m)) if m.contains("unexpectedly")), "{answers:?}");
        assert_eq!(rows(&s).await, ["a", "d"], "the failed writes left nothing, the others are committed");
        // The connection is still usable after the panic.
        s.write(|c: &Connection| insert(c, "e").map(|()| None)).await.unwrap();
        assert_eq!(rows(&s).await, ["a", "d", "e"]);
    }
}

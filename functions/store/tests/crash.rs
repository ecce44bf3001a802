//! Fault test: a process writing transactions to the embedded store is killed
//! (SIGKILL) mid-stream; the store reopens consistent — every committed
//! transaction whole, none half-applied, counters matching their items.

use bosai_store::sqlite::SqliteStore;
use bosai_store::{item::item, Condition, ItemExt, Key, Query, Store, TransactOp, Update, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::Command;
use std::time::Duration;

const CHILD_ENV: &str = "BOSAI_CRASH_CHILD_DIR";

const PROGRESS: &str = "committed 50";

/// Runs only inside the child process started by the test below (it is `#[ignore]`d otherwise).
#[tokio::test]
#[ignore = "helper process for killed_writer_leaves_a_consistent_store"]
async fn crash_child_writer() {
    let dir = std::env::var(CHILD_ENV).expect("run by killed_writer_leaves_a_consistent_store");
    let store = SqliteStore::open(std::path::Path::new(&dir)).unwrap();
    for i in 0.. {
        // One check-in: the event and the counter move together or not at all.
        let ops = vec![
            TransactOp::Put {
                item: item(&Key::new("PERSON#p", format!("EVENT#{i:08}"))).with("i", Value::n(i)),
                condition: Some(Condition::absent()),
            },
            TransactOp::Update {
                key: Key::new("SHELTER#s", "META"),
                update: Update::new().add("occupancy", 1),
                condition: None,
            },
        ];
        store.transact_write(ops).await.unwrap();
        // The store is this process's alone (the directory's lock): progress is reported, not read.
        if i == 49 {
            println!("{PROGRESS}");
            std::io::stdout().flush().unwrap();
        }
    }
}

#[tokio::test]
async fn killed_writer_leaves_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--ignored", "--exact", "crash_child_writer", "--test-threads", "1", "--nocapture"])
            .env(CHILD_ENV, dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill it while it is busy writing: after it has committed some, at a varying moment.
        let stdout = BufReader::new(child.stdout.take().unwrap());
        // libtest may print "test crash_child_writer ... " on the same line first.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(stdout.lines().map_while(Result::ok).any(|l| l.contains(PROGRESS)));
        });
        let going = rx.recv_timeout(Duration::from_secs(30));
        if going != Ok(true) {
            let _ = child.kill();
            panic!("the writer never got going");
        }
        tokio::time::sleep(Duration::from_millis(37 * round)).await;
        child.kill().unwrap(); // SIGKILL: no chance to finish a write
        child.wait().unwrap();

        let store = SqliteStore::open(dir.path()).unwrap();
        let events = store.query(Query::partition("PERSON#p")).await.unwrap();
        let counter =
            store.get(&Key::new("SHELTER#s", "META")).await.unwrap().and_then(|i| i.i64("occupancy")).unwrap_or(0);
        assert!(events.items.len() >= 50, "round {round}: what was committed before the kill is still there");
        assert_eq!(events.items.len() as i64, counter, "round {round}: events and counter agree");
        // Events are a gap-free prefix: the writer resumes where it stopped next round.
        for (n, e) in events.items.iter().enumerate() {
            assert_eq!(e.str("sk"), Some(format!("EVENT#{n:08}").as_str()));
        }
        // Make the next round's child continue the sequence from scratch in a fresh partition.
        let cleanup: Vec<_> =
            events.items.iter().filter_map(|i| Key::of(i).ok()).map(bosai_store::WriteOp::Delete).collect();
        store.batch_write(cleanup).await.unwrap();
        store.delete(&Key::new("SHELTER#s", "META"), None).await.unwrap();
    }
}

//! One contract suite, run against the embedded SQLite store and against the
//! real DynamoDB Local (started by `scripts/dynamodb-local.sh`, which exports
//! `BOSAI_DYNAMODB_ENDPOINT`). `make test` sets `BOSAI_REQUIRE_DYNAMODB=1`
//! so a missing DynamoDB Local fails instead of skipping.

use bosai_store::dynamo::DynamoStore;
use bosai_store::item::item;
use bosai_store::sqlite::SqliteStore;
use bosai_store::*;
use std::collections::BTreeMap;
use std::sync::Arc;

type S = Arc<dyn Store>;

async fn embedded() -> S {
    Arc::new(SqliteStore::in_memory().unwrap())
}

async fn dynamodb() -> Option<S> {
    DynamoStore::fresh_test_table("contract").await.map(|s| Arc::new(s) as S)
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod embedded_store { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::embedded().await).await } )* }
        mod dynamodb_local { $( #[tokio::test] async fn $name() { if let Some(s) = super::dynamodb().await { super::$name(s).await } } )* }
    };
}

contract!(
    put_get_roundtrip,
    conditional_put_keeps_first,
    update_set_add_remove,
    conditional_update_and_delete,
    query_sort_key_conditions,
    query_pagination_collects_all,
    gsi_query,
    batch_write_many,
    transaction_all_or_nothing,
    transaction_limits,
    ttl_hides_expired,
    invalid_items_rejected,
    concurrent_conditional_puts,
    concurrent_writes_fail_alone,
    scan_reads_every_item_once,
);

fn k(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

async fn put_get_roundtrip(s: S) {
    let key = k("R#1", "PROFILE");
    let nested = BTreeMap::from([("a".to_string(), Value::n(1)), ("b".to_string(), Value::L(vec![Value::s("x")]))]);
    let it = item(&key)
        .with("name", Value::s("山田 花子"))
        .with("n", Value::N("3.5".into()))
        .with("flag", Value::Bool(true))
        .with("none", Value::Null(true))
        .with("m", Value::M(nested))
        .with("empty", Value::s(""));
    s.put(it.clone(), None).await.unwrap();
    assert_eq!(s.get(&key).await.unwrap(), Some(it));
    assert_eq!(s.get(&k("R#1", "OTHER")).await.unwrap(), None);
}

async fn conditional_put_keeps_first(s: S) {
    let key = k("NONCE#a", "NONCE");
    s.put(item(&key).with("v", Value::n(1)), Some(Condition::absent())).await.unwrap();
    let again = s.put(item(&key).with("v", Value::n(2)), Some(Condition::absent())).await;
    assert_eq!(again, Err(StoreError::ConditionFailed));
    assert_eq!(s.get(&key).await.unwrap().unwrap().i64("v"), Some(1));
}

async fn update_set_add_remove(s: S) {
    let key = k("SHELTER#a", "META");
    let new = s
        .update(
            &key,
            Update::new().set("name", Value::s("A")).add("occupancy", 3).set_if_absent("created", Value::n(10)),
            None,
        )
        .await
        .unwrap();
    assert_eq!(new.str("pk"), Some("SHELTER#a"));
    assert_eq!(new.i64("occupancy"), Some(3));
    let new = s
        .update(&key, Update::new().add("occupancy", -1).set_if_absent("created", Value::n(99)).remove("name"), None)
        .await
        .unwrap();
    assert_eq!(new.i64("occupancy"), Some(2));
    assert_eq!(new.i64("created"), Some(10), "if_not_exists keeps the first value");
    assert_eq!(new.get("name"), None);
    assert_eq!(s.get(&key).await.unwrap(), Some(new));
}

async fn conditional_update_and_delete(s: S) {
    let key = k("SHELTER#b", "META");
    s.put(item(&key).with("occupancy", Value::n(9)).with("capacity", Value::n(10)), None).await.unwrap();
    let cond = Condition::Lt("occupancy".into(), Value::n(10));
    s.update(&key, Update::new().add("occupancy", 1), Some(cond.clone())).await.unwrap();
    let full = s.update(&key, Update::new().add("occupancy", 1), Some(cond)).await;
    assert_eq!(full, Err(StoreError::ConditionFailed));
    assert_eq!(s.get(&key).await.unwrap().unwrap().i64("occupancy"), Some(10));
    let upd_missing = s.update(&k("X", "Y"), Update::new().set("a", Value::s("b")), Some(Condition::present())).await;
    assert_eq!(upd_missing, Err(StoreError::ConditionFailed));
    assert_eq!(s.get(&k("X", "Y")).await.unwrap(), None, "a failed update creates nothing");
    let del = s.delete(&key, Some(Condition::eq("occupancy", Value::n(3)))).await;
    assert_eq!(del, Err(StoreError::ConditionFailed));
    s.delete(&key, Some(Condition::eq("occupancy", Value::n(10)))).await.unwrap();
    assert_eq!(s.get(&key).await.unwrap(), None);
}

async fn seed_events(s: &S, pk: &str, n: usize) {
    let ops = (0..n).map(|i| WriteOp::Put(item(&k(pk, &format!("EV#{i:04}"))).with("i", Value::n(i as i64)))).collect();
    s.batch_write(ops).await.unwrap();
    s.put(item(&k(pk, "META")), None).await.unwrap();
}

fn sks(p: &Page) -> Vec<String> {
    p.items.iter().map(|i| i.str("sk").unwrap().to_owned()).collect()
}

async fn query_sort_key_conditions(s: S) {
    seed_events(&s, "H#1", 10).await;
    let all = s.query(Query::partition("H#1")).await.unwrap();
    assert_eq!(all.items.len(), 11);
    let ev = s.query(Query::partition("H#1").begins_with("EV#")).await.unwrap();
    assert_eq!(sks(&ev), (0..10).map(|i| format!("EV#{i:04}")).collect::<Vec<_>>());
    let between =
        s.query(Query::partition("H#1").sort(SortKey::Between("EV#0002".into(), "EV#0004".into()))).await.unwrap();
    assert_eq!(sks(&between), vec!["EV#0002", "EV#0003", "EV#0004"]);
    let ge = s.query(Query::partition("H#1").sort(SortKey::Ge("EV#0009".into()))).await.unwrap();
    assert_eq!(sks(&ge), vec!["EV#0009", "META"]);
    let le = s.query(Query::partition("H#1").sort(SortKey::Le("EV#0001".into()))).await.unwrap();
    assert_eq!(sks(&le), vec!["EV#0000", "EV#0001"]);
    let back = s.query(Query::partition("H#1").begins_with("EV#").backward().limit(2)).await.unwrap();
    assert_eq!(sks(&back), vec!["EV#0009", "EV#0008"]);
    let none = s.query(Query::partition("H#none")).await.unwrap();
    assert!(none.items.is_empty() && none.next.is_none());
    // DynamoDB refuses an empty key value; so does the embedded store (found by the fan-out).
    let empty = s.query(Query::gsi1("G#1").begins_with("")).await;
    assert!(matches!(empty, Err(StoreError::Validation(_))), "{empty:?}");
}

async fn query_pagination_collects_all(s: S) {
    seed_events(&s, "H#2", 23).await;
    for forward in [true, false] {
        let mut cursor = None;
        let mut seen = Vec::new();
        for _ in 0..20 {
            let mut q = Query::partition("H#2").begins_with("EV#").limit(5).after(cursor.take());
            if !forward {
                q = q.backward();
            }
            let page = s.query(q).await.unwrap();
            assert!(page.items.len() <= 5);
            seen.extend(sks(&page));
            cursor = page.next;
            if cursor.is_none() {
                break;
            }
        }
        let mut expected: Vec<String> = (0..23).map(|i| format!("EV#{i:04}")).collect();
        if !forward {
            expected.reverse();
        }
        assert_eq!(seen, expected);
    }
    let bad = s.query(Query::partition("H#2").after(Some("not a cursor".into()))).await;
    assert!(matches!(bad, Err(StoreError::Validation(_))), "{bad:?}");
}

async fn gsi_query(s: S) {
    for (i, area) in ["aoba", "aoba", "taihaku", "aoba"].iter().enumerate() {
        let it = item(&k(&format!("R#{i}"), "SAFETY"))
            .with("gsi1pk", Value::s(format!("AREA#{area}")))
            .with("gsi1sk", Value::s(format!("needs_help#{i}")));
        s.put(it, None).await.unwrap();
    }
    // Not in the index: no gsi1sk.
    s.put(item(&k("R#9", "SAFETY")).with("gsi1pk", Value::s("AREA#aoba")), None).await.unwrap();
    let mut got = Vec::new();
    let mut cursor = None;
    loop {
        let page = s.query(Query::gsi1("AREA#aoba").begins_with("needs_help#").limit(2).after(cursor)).await.unwrap();
        got.extend(page.items.iter().map(|i| i.str("pk").unwrap().to_owned()));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(got, vec!["R#0", "R#1", "R#3"]);
}

async fn batch_write_many(s: S) {
    seed_events(&s, "B#1", 60).await;
    assert_eq!(s.query(Query::partition("B#1").begins_with("EV#")).await.unwrap().items.len(), 60);
    let dels = (0..30).map(|i| WriteOp::Delete(k("B#1", &format!("EV#{i:04}")))).collect();
    s.batch_write(dels).await.unwrap();
    let left = s.query(Query::partition("B#1").begins_with("EV#")).await.unwrap();
    assert_eq!(left.items.len(), 30);
    assert_eq!(left.items[0].str("sk"), Some("EV#0030"));
}

/// A scan pages through the whole table, each item once, expired ones too (they still hold data).
async fn scan_reads_every_item_once(s: S) {
    let ops = (0..1100).map(|i| WriteOp::Put(item(&k(&format!("SC#{}", i % 7), &format!("I#{i:05}"))))).collect();
    s.batch_write(ops).await.unwrap();
    s.put(item(&k("SC#x", "OLD")).with(attr::TTL, Value::n(1)), None).await.unwrap();
    let (mut seen, mut cursor, mut pages) = (std::collections::BTreeSet::new(), None, 0);
    loop {
        let page = s.scan(cursor).await.unwrap();
        pages += 1;
        for i in &page.items {
            if i.str("pk").is_some_and(|p| p.starts_with("SC#")) {
                assert!(
                    seen.insert((i.str("pk").unwrap().to_owned(), i.str("sk").unwrap().to_owned())),
                    "an item came twice"
                );
            }
        }
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 1101);
    assert!(seen.contains(&("SC#x".into(), "OLD".into())));
    assert!(pages >= 2 || s.backend() == "dynamodb", "1,101 items fit one embedded page");
}

async fn transaction_all_or_nothing(s: S) {
    let shelter = k("SHELTER#c", "META");
    s.put(item(&shelter).with("occupancy", Value::n(0)), None).await.unwrap();
    let checkin = |id: &str| TransactOp::Put {
        item: item(&k("R#t", &format!("EVENT#{id}"))).with("kind", Value::s("check_in")),
        condition: Some(Condition::absent()),
    };
    let bump = TransactOp::Update { key: shelter.clone(), update: Update::new().add("occupancy", 1), condition: None };
    s.transact_write(vec![checkin("1"), bump.clone()]).await.unwrap();
    // Replaying the same event id cancels the whole transaction.
    let again = s.transact_write(vec![bump.clone(), checkin("1")]).await;
    assert_eq!(
        again,
        Err(StoreError::TransactionCanceled { reasons: vec![CancelReason::None, CancelReason::ConditionFailed] })
    );
    assert_eq!(s.get(&shelter).await.unwrap().unwrap().i64("occupancy"), Some(1), "nothing applied");
    let check_fails = s
        .transact_write(vec![
            TransactOp::Check { key: k("NOPE", "NOPE"), condition: Condition::present() },
            checkin("2"),
        ])
        .await;
    assert!(matches!(check_fails, Err(StoreError::TransactionCanceled { .. })));
    assert_eq!(s.get(&k("R#t", "EVENT#2")).await.unwrap(), None);
    s.transact_write(vec![TransactOp::Delete { key: k("R#t", "EVENT#1"), condition: Some(Condition::present()) }])
        .await
        .unwrap();
    assert_eq!(s.get(&k("R#t", "EVENT#1")).await.unwrap(), None);
}

async fn transaction_limits(s: S) {
    let put = |i: usize| TransactOp::Put { item: item(&k("L#1", &format!("I#{i}"))), condition: None };
    let max: Vec<_> = (0..100).map(put).collect();
    s.transact_write(max).await.unwrap();
    assert_eq!(s.query(Query::partition("L#1")).await.unwrap().items.len(), 100);
    let too_many: Vec<_> = (0..101).map(put).collect();
    assert!(matches!(s.transact_write(too_many).await, Err(StoreError::Validation(_))));
    let twice = vec![put(1), put(1)];
    assert!(matches!(s.transact_write(twice).await, Err(StoreError::Validation(_))));
    assert!(matches!(s.transact_write(vec![]).await, Err(StoreError::Validation(_))));
}

async fn ttl_hides_expired(s: S) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    s.put(item(&k("T#1", "old")).with("ttl", Value::n(now - 10)), None).await.unwrap();
    s.put(item(&k("T#1", "new")).with("ttl", Value::n(now + 600)), None).await.unwrap();
    s.put(item(&k("T#1", "forever")), None).await.unwrap();
    assert_eq!(s.get(&k("T#1", "old")).await.unwrap(), None);
    assert!(s.get(&k("T#1", "new")).await.unwrap().is_some());
    assert_eq!(sks(&s.query(Query::partition("T#1")).await.unwrap()), vec!["forever", "new"]);
}

async fn invalid_items_rejected(s: S) {
    let no_sk = Item::new().with("pk", Value::s("A"));
    assert!(matches!(s.put(no_sk, None).await, Err(StoreError::Validation(_))));
    let empty_pk = item(&k("A", "B")).with("pk", Value::s(""));
    assert!(matches!(s.put(empty_pk, None).await, Err(StoreError::Validation(_))));
    let bad_number = item(&k("A", "B")).with("n", Value::N("abc".into()));
    assert!(matches!(s.put(bad_number, None).await, Err(StoreError::Validation(_))));
    let bad_gsi = item(&k("A", "B")).with("gsi1pk", Value::n(1));
    assert!(matches!(s.put(bad_gsi, None).await, Err(StoreError::Validation(_))));
    let huge = item(&k("A", "B")).with("blob", Value::s("x".repeat(401 * 1024)));
    assert!(matches!(s.put(huge, None).await, Err(StoreError::Validation(_))));
    assert!(matches!(
        s.update(&k("A", "B"), Update::new().set("sk", Value::s("C")), None).await,
        Err(StoreError::Validation(_))
    ));
    assert_eq!(s.get(&k("A", "B")).await.unwrap(), None, "nothing written");
}

async fn concurrent_conditional_puts(s: S) {
    let key = k("C#1", "ONCE");
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let s = s.clone();
            let key = key.clone();
            tokio::spawn(async move { s.put(item(&key).with("by", Value::n(i)), Some(Condition::absent())).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::ConditionFailed) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let counters: Vec<_> = (0..16)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.update(&k("C#1", "COUNT"), Update::new().add("n", 1), None).await })
        })
        .collect();
    for t in counters {
        t.await.unwrap().unwrap();
    }
    assert_eq!(s.get(&k("C#1", "COUNT")).await.unwrap().unwrap().i64("n"), Some(16));
}

/// Many writers at once, half of them failing part-way (the embedded store commits the
/// writes that queue meanwhile together): each failure leaves nothing, each success stays.
async fn concurrent_writes_fail_alone(s: S) {
    let tasks: Vec<_> = (0..48)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    let ops = vec![
                        TransactOp::Put {
                            item: item(&k("F#1", &format!("E#{i:02}"))),
                            condition: Some(Condition::absent()),
                        },
                        TransactOp::Update {
                            key: k("F#1", "COUNT"),
                            update: Update::new().add("n", 1),
                            condition: None,
                        },
                    ];
                    s.transact_write(ops).await
                } else {
                    // The first item is valid, the second is not: the batch must leave neither.
                    let bad = Item::new().with("pk", Value::s("F#1"));
                    s.batch_write(vec![WriteOp::Put(item(&k("F#1", &format!("X#{i:02}")))), WriteOp::Put(bad)]).await
                }
            })
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        let r = t.await.unwrap();
        assert_eq!(r.is_ok(), i % 2 == 0, "writer {i}: {r:?}");
    }
    let all = s.query(Query::partition("F#1")).await.unwrap().items;
    let sks: Vec<&str> = all.iter().filter_map(|it| it.str("sk")).collect();
    assert_eq!(sks.iter().filter(|sk| sk.starts_with("E#")).count(), 24, "{sks:?}");
    assert!(!sks.iter().any(|sk| sk.starts_with("X#")), "a failed batch left an item: {sks:?}");
    assert_eq!(s.get(&k("F#1", "COUNT")).await.unwrap().unwrap().i64("n"), Some(24));
}

#[tokio::test]
async fn embedded_store_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = SqliteStore::open(dir.path()).unwrap();
        s.put(item(&k("D#1", "X")).with("v", Value::s("kept")), None).await.unwrap();
    }
    let s = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(s.get(&k("D#1", "X")).await.unwrap().unwrap().str("v"), Some("kept"));
}

/// Commits only append to the WAL; a thread of the store's own copies it back into the
/// database file soon after (SQLite's automatic checkpoint ran inside the commit that crossed
/// 1 000 pages, stalling every queued request).
#[tokio::test]
async fn embedded_store_copies_the_wal_back_between_commits() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    let db = dir.path().join("bosai.db");
    let before = std::fs::metadata(&db).unwrap().len();
    // ~100 pages of WAL: far below the 1 000 at which a commit would have checkpointed.
    let big = "x".repeat(3_000);
    for i in 0..120 {
        s.put(item(&k(&format!("W#{i}"), "X")).with("v", Value::s(&big)), None).await.unwrap();
    }
    let copied = async {
        while std::fs::metadata(&db).unwrap().len() < before + 120 * 3_000 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), copied)
        .await
        .expect("the database file holds the writes without another commit");
    assert_eq!(s.get(&k("W#119", "X")).await.unwrap().unwrap().str("v"), Some(big.as_str()));
}

/// The embedded store belongs to one process (a lock on `bosai.lock`): a second opener gets a
/// clear error at once instead of sharing the file.
#[tokio::test]
async fn embedded_store_is_owned_by_one_opener() {
    let dir = tempfile::tempdir().unwrap();
    let first = SqliteStore::open(dir.path()).unwrap();
    first.put(item(&k("E#1", "X")).with("v", Value::s("mine")), None).await.unwrap();
    let second = SqliteStore::open(dir.path());
    let Err(e) = second else { panic!("a second opener shared the store") };
    assert!(e.to_string().contains("in use by another process"), "{e}");
    assert_eq!(first.get(&k("E#1", "X")).await.unwrap().unwrap().str("v"), Some("mine"));
}

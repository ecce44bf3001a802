//! Property: whatever order scans arrive in, and however often each is resent,
//! occupancy equals a recount of current locations, and each person ends where
//! their latest event (by event time) puts them.

use bosai_core::domain::checkin::record_event;
use bosai_core::domain::person::Person;
use bosai_core::{keys, seed};
use bosai_store::sqlite::SqliteStore;
use bosai_store::{Item, ItemExt, Store, Value};
use bosai_types::checkin::EventKind;
use bosai_types::household::MemberId;
use bosai_types::{ShelterId, Timestamp};
use proptest::prelude::*;
use std::collections::BTreeMap;

const SHELTERS: [&str; 3] =
    ["041009-aoba-katahira-es", "041009-wakabayashi-itsutsubashi-jhs", "041009-taihaku-nagamachi-es"];

#[derive(Debug, Clone)]
struct Ev {
    person: usize,
    shelter: usize,
    check_in: bool,
    at: i64,
    id: usize,
}

fn events() -> impl Strategy<Value = (Vec<Ev>, Vec<usize>)> {
    prop::collection::vec((0..4usize, 0..3usize, prop::bool::weighted(0.75), 0..20i64), 1..25).prop_flat_map(|raw| {
        let evs: Vec<Ev> = raw
            .into_iter()
            .enumerate()
            .map(|(id, (person, shelter, check_in, at))| Ev { person, shelter, check_in, at, id })
            .collect();
        let n = evs.len();
        // Delivery order: every event at least once, some resent, shuffled.
        let order = prop::collection::vec(0..n, 0..n)
            .prop_map(move |extra| (0..n).chain(extra).collect::<Vec<_>>())
            .prop_shuffle();
        (Just(evs), order)
    })
}

fn person(i: usize) -> Person {
    Person {
        key: keys::person_of_resident(&format!("r_prop_{i}"), "self"),
        member_id: MemberId::myself(),
        roster: Item::new().with("name", Value::s(format!("p{i}"))),
    }
}

async fn occupancy(store: &dyn Store, s: &str) -> i64 {
    store
        .get(&keys::headcount(&ShelterId::parse(s).unwrap()))
        .await
        .unwrap()
        .and_then(|i| i.i64("occupancy"))
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn occupancy_is_a_recount_under_resends_and_reordering((evs, order) in events()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let store = SqliteStore::in_memory().unwrap();
            seed::seed(&store, Timestamp(0)).await.unwrap();
            let mut base = BTreeMap::new();
            for s in SHELTERS {
                base.insert(s, occupancy(&store, s).await);
            }
            for &k in &order {
                let e = &evs[k];
                let kind = if e.check_in { EventKind::CheckIn } else { EventKind::CheckOut };
                let sh = ShelterId::parse(SHELTERS[e.shelter]).unwrap();
                record_event(&store, &[person(e.person)], kind, &sh, Timestamp(1_000 + e.at), &format!("ev-prop-{:04}", e.id), "prop").await.unwrap();
            }
            // The model: each person's latest event by (time, id) decides where they are.
            let mut expected: BTreeMap<&str, i64> = SHELTERS.iter().map(|s| (*s, 0)).collect();
            for p in 0..4 {
                let last = evs.iter().filter(|e| e.person == p).max_by_key(|e| (1_000 + e.at, format!("ev-prop-{:04}", e.id)));
                if let Some(e) = last.filter(|e| e.check_in) {
                    *expected.get_mut(SHELTERS[e.shelter]).unwrap() += 1;
                }
                let loc = store.get(&keys::location(&person(p).key)).await.unwrap();
                let at = loc.as_ref().and_then(|l| l.str("shelter").map(str::to_owned));
                let want = last.filter(|e| e.check_in).map(|e| SHELTERS[e.shelter].to_owned());
                assert_eq!(at, want, "person {p}");
            }
            for s in SHELTERS {
                assert_eq!(occupancy(&store, s).await - base[s], expected[s], "{s}: {evs:?} in order {order:?}");
            }
        });
    }
}

//! The purge of a closed real incident of 100,000 residents: each came and left once during it,
//! leaving what a real stay leaves (two check-in history items, two scan records, the location
//! of someone who left), all listed under the incident as the check-in code writes them. The
//! purge runs in process on the embedded store, as the local stack runs it.
//!
//! `purge_per_s` is personal items deleted per second; its floor is the same store deleting the
//! same number of items by key in batches (no listing, no per-kind checks), so the ratio shows
//! what the purge's own work costs.

use crate::Row;
use bosai_core::domain::{incidents, purge};
use bosai_core::keys::{self, Space};
use bosai_store::{attr, item::item, sqlite::SqliteStore, Item, ItemExt, Store, Value, WriteOp};
use bosai_types::incident::{Incident, IncidentKind};
use bosai_types::{MunicipalityCode, Timestamp};
use std::time::Instant;

const DAY: i64 = 86_400_000;

/// The five items one resident's stay leaves, listed under `incident`.
fn stay(i: usize, incident: &str, at: i64) -> Vec<Item> {
    let person = keys::person_of_resident(&format!("r_purge{i:06}"), "self");
    let listed = |it: Item, what: String| {
        it.with(attr::GSI1_PK, Value::s(keys::personal_of(Some(incident))))
            .with(attr::GSI1_SK, Value::s(format!("{at:013}#{what}")))
    };
    let mut out = Vec::new();
    for (k, kind) in ["check_in", "check_out"].iter().enumerate() {
        let event = format!("ev-purge-{i:06}-{k}");
        let ek = keys::person_event(&person, &Space::Real, at + k as i64, &event);
        let e = item(&ek)
            .with("kind", Value::s(*kind))
            .with("shelter", Value::s("bench-shelter"))
            .with("by", Value::s("bench"));
        out.push(listed(e, format!("{}#{}", ek.pk, ek.sk)));
        let sk = keys::event_id(&event);
        let s = item(&sk)
            .with("kind", Value::s(*kind))
            .with("shelter", Value::s("bench-shelter"))
            .with("at", Value::n(at))
            .with("by", Value::s("bench"));
        out.push(listed(s, sk.pk.clone()));
    }
    let lk = keys::location(&person);
    let loc = item(&lk)
        .with("member_id", Value::s("self"))
        .with("at", Value::n(at + 1))
        .with("event_id", Value::s(format!("ev-purge-{i:06}-1")));
    out.push(listed(loc, lk.pk.clone()));
    out
}

async fn fill(store: &SqliteStore, residents: usize, incident: &str, at: i64) -> usize {
    let mut n = 0;
    for chunk in (0..residents).collect::<Vec<_>>().chunks(1_000) {
        let items: Vec<WriteOp> = chunk.iter().flat_map(|i| stay(*i, incident, at)).map(WriteOp::Put).collect();
        n += items.len();
        store.batch_write(items).await.expect("fill");
    }
    n
}

fn closed_incident(id: &str, at: i64) -> Incident {
    Incident {
        id: id.into(),
        name: "bench".into(),
        kind: IncidentKind::Real,
        municipalities: vec![MunicipalityCode::parse(bosai_core::seed::DEMO_MUNICIPALITY).unwrap()],
        areas: vec![],
        started_at: Timestamp(at - DAY),
        closed_at: Some(Timestamp(at + DAY)),
        personal_data_until: Some(Timestamp(at + 2 * DAY)),
        purged_items: None,
        purge_report: Default::default(),
        purged_at: None,
    }
}

async fn measure(residents: usize) -> (f64, f64) {
    let dir = crate::hq::tempfile_dir("purge");
    let store = SqliteStore::open(&dir).expect("open the bench store");
    let at = 1_790_000_000_000;
    // Floor: the same number of items deleted by key in batches.
    let floor_items = fill(&store, residents, "floor", at).await;
    let keys: Vec<WriteOp> = (0..residents)
        .flat_map(|i| stay(i, "floor", at))
        .filter_map(|i| bosai_store::Key::of(&i).ok())
        .map(WriteOp::Delete)
        .collect();
    let t = Instant::now();
    for chunk in keys.chunks(1_000) {
        store.batch_write(chunk.to_vec()).await.expect("delete");
    }
    let floor = floor_items as f64 / t.elapsed().as_secs_f64();
    // The purge of a closed incident holding the same stays.
    let items = fill(&store, residents, "bench-quake", at).await;
    incidents::save(&store, &closed_incident("bench-quake", at)).await.expect("incident");
    let t = Instant::now();
    let run = purge::run(&store, 90, Timestamp(at + 3 * DAY), u64::MAX).await.expect("purge");
    let secs = t.elapsed().as_secs_f64();
    assert!(run.complete, "{run:?}");
    assert_eq!(run.total() as usize, items, "the purge deletes every listed item: {run:?}");
    let _ = std::fs::remove_dir_all(&dir);
    (items as f64 / secs, floor)
}

pub fn rows(smoke: bool) -> Vec<Row> {
    let residents = if smoke { 1_000 } else { 100_000 };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (per_s, floor) = rt.block_on(measure(residents));
    eprintln!(
        "purge: {residents} residents' stays ({} items) at {per_s:.0} items/s; delete-by-key floor {floor:.0}/s",
        residents * 5
    );
    let row = Row::new("purge_per_s", Some(per_s), "items/s").against(Some(floor));
    vec![row.clone(), Row::ratio_of("purge_vs_delete_ratio", &row)]
}

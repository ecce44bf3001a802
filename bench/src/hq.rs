//! HQ dashboard summary at 100,000 residents / 500 shelters: the store is filled
//! through the domain functions (every resident registers an area and reports
//! their safety, 60% are checked in), then the release stack serves
//! `GET /api/hq/summary` to an HQ token. Store reads per load are counted once,
//! in process, through a counting wrapper around the same store.

use crate::stack::Stack;
use crate::Row;
use bosai_core::domain::{checkin, household, hq, safety, shelters};
use bosai_store::{sqlite::SqliteStore, Item, ItemExt, Key, Page, Query, Store, TransactOp, Update, Value, WriteOp};
use bosai_types::checkin::EventKind;
use bosai_types::household::{AreaRegistration, MemberId};
use bosai_types::safety::{SafetyReportInput, SafetyStatus};
use bosai_types::surveys::AreaCode;
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counts the store calls that read (a query page is one read, as on DynamoDB).
pub(crate) struct Counting {
    pub(crate) inner: SqliteStore,
    pub(crate) reads: AtomicU64,
}

#[async_trait::async_trait]
impl Store for Counting {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn get(&self, key: &Key) -> bosai_store::Result<Option<Item>> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, c: Option<bosai_store::Condition>) -> bosai_store::Result<()> {
        self.inner.put(item, c).await
    }
    async fn update(&self, key: &Key, u: Update, c: Option<bosai_store::Condition>) -> bosai_store::Result<Item> {
        self.inner.update(key, u, c).await
    }
    async fn delete(&self, key: &Key, c: Option<bosai_store::Condition>) -> bosai_store::Result<()> {
        self.inner.delete(key, c).await
    }
    async fn query(&self, q: Query) -> bosai_store::Result<Page> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.query(q).await
    }
    async fn batch_write(&self, ops: Vec<WriteOp>) -> bosai_store::Result<()> {
        self.inner.batch_write(ops).await
    }
    async fn transact_write(&self, ops: Vec<TransactOp>) -> bosai_store::Result<()> {
        self.inner.transact_write(ops).await
    }
}

fn roster(i: usize) -> Item {
    let sex = ["female", "male", "female", "male", "no_answer"][i % 5];
    let needs = match i % 11 {
        0 => r#"{"allergens":["egg","milk"]}"#,
        1 => r#"{"allergens":["wheat"],"care":["wheelchair"]}"#,
        2 => r#"{"dietary":["infant_formula_powder"],"care":["infant"]}"#,
        _ => "{}",
    };
    Item::new()
        .with("name", Value::s("x"))
        .with("sex", Value::s(sex))
        .with("birth_year", Value::n(1930 + (i as i64 * 7) % 96))
        .with("needs", Value::s(needs))
}

/// Fills the embedded store in `data`; returns the number of store reads one summary takes.
async fn fill(data: &Path, shelters_n: usize, residents: usize, now: Timestamp) -> u64 {
    let store = Counting { inner: SqliteStore::open(data).expect("open the bench store"), reads: AtomicU64::new(0) };
    bosai_core::seed::seed(&store, now).await.expect("seed");
    let m = MunicipalityCode::parse(bosai_core::seed::DEMO_MUNICIPALITY).unwrap();
    let template = bosai_core::seed::demo_shelters(now).remove(0);
    let ids: Vec<ShelterId> = (0..shelters_n.saturating_sub(6))
        .map(|k| ShelterId::parse(&format!("bench-shelter-{k:03}")).unwrap())
        .collect();
    for id in &ids {
        let s = bosai_types::Shelter { id: id.clone(), occupancy: 0, capacity: 300, ..template.clone() };
        store.put(shelters::to_item(&s), None).await.expect("shelter");
    }
    let all: Vec<ShelterId> = shelters::list(&store, &m).await.unwrap().into_iter().map(|s| s.id).collect();
    let areas: Vec<AreaCode> = (0..40).map(|k| AreaCode::parse(&format!("area-{k:02}")).unwrap()).collect();
    let listed: Vec<_> =
        areas.iter().map(|a| serde_json::json!({"code": a, "name_ja": a.as_str(), "name_en": a.as_str()})).collect();
    store
        .update(
            &bosai_core::keys::municipality(&m),
            Update::new().set("areas", Value::s(serde_json::Value::Array(listed).to_string())),
            None,
        )
        .await
        .unwrap();
    for i in 0..residents {
        let sub = format!("r_hq{i:06}");
        household::set_area(
            &store,
            &m,
            &sub,
            &AreaRegistration { area: (i % 10 != 9).then(|| areas[i % areas.len()].clone()) },
        )
        .await
        .unwrap();
        let at = &all[i % all.len()];
        let status = match i % 10 {
            0..=5 => SafetyStatus::AtShelter { shelter_id: at.clone() },
            6 | 7 => SafetyStatus::SafeAtHome,
            8 => SafetyStatus::Elsewhere { place: "親戚の家".into() },
            _ => SafetyStatus::NeedsHelp { what: "水".into(), location: "自宅".into(), phone: None },
        };
        let input = SafetyReportInput {
            report_id: format!("rep-{i:06}"),
            member_id: MemberId::myself(),
            status: status.clone(),
        };
        safety::report(&store, &m, &sub, input, bosai_types::made::Made::now(Timestamp(now.millis() - 3_600_000)))
            .await
            .unwrap();
        if matches!(status, SafetyStatus::AtShelter { .. }) {
            let p = bosai_core::domain::person::Person {
                key: bosai_core::keys::person_of_resident(&sub, "self"),
                member_id: MemberId::myself(),
                roster: roster(i),
            };
            checkin::record_event(
                &store,
                &[p],
                EventKind::CheckIn,
                at,
                Timestamp(now.millis() - 1_800_000),
                &format!("ev-hq-{i:06}"),
                "bench",
            )
            .await
            .unwrap();
        }
    }
    store.reads.store(0, Ordering::Relaxed);
    let s = hq::summary(&store, &m, &bosai_core::keys::Space::Real, now).await.unwrap();
    assert_eq!(
        s.totals.people as usize,
        residents * 6 / 10 + seeded_people(&s),
        "the summary counts everyone checked in"
    );
    store.reads.load(Ordering::Relaxed)
}

/// People the seed put in the demo shelters.
fn seeded_people(s: &bosai_types::hq::HqSummary) -> usize {
    bosai_core::seed::demo_shelters(s.generated_at).iter().map(|d| d.occupancy as usize).sum()
}

pub fn rows(bin: &Path, dist: &Path, smoke: bool) -> Vec<Row> {
    let (shelters_n, residents, loads) = if smoke { (30, 1_000, 20) } else { (500, 100_000, 200) };
    let dir = tempfile_dir("hq");
    let now = Timestamp(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let t = Instant::now();
    let reads = rt.block_on(fill(&dir, shelters_n, residents, now));
    eprintln!(
        "hq summary: filled {residents} residents / {shelters_n} shelters in {:.1} s; {reads} store reads per load",
        t.elapsed().as_secs_f64()
    );
    let stack = Stack::start(bin, &dir, dist, &[]);
    let token = crate::stack::hq_token(&dir, now.seconds());
    let url = format!("{}/api/hq/summary", stack.url);
    let (mut ms, bytes) = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut ms = Vec::with_capacity(loads);
        let mut bytes = 0;
        for _ in 0..loads {
            let t = Instant::now();
            let r = http.get(&url).bearer_auth(&token).send().await.expect("summary request");
            assert!(r.status().is_success(), "summary: {}", r.status());
            bytes = r.bytes().await.expect("summary body").len();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        (ms, bytes)
    });
    drop(stack);
    let _ = std::fs::remove_dir_all(&dir);
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1];
    eprintln!("hq summary over HTTP: {loads} loads, p50 {:.2} ms, p99 {:.2} ms, {bytes} bytes", pct(0.5), pct(0.99));
    vec![
        Row::new("hq_summary_p50_ms", Some(pct(0.5)), "ms"),
        Row::new("hq_summary_p99_ms", Some(pct(0.99)), "ms"),
        Row::new("hq_summary_store_reads", Some(reads as f64), "reads"),
    ]
}

pub(crate) fn tempfile_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("bosai-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("bench temp dir");
    d
}

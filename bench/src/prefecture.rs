//! The prefecture HQ's summary (県災害対策本部) at prefecture scale: 35 municipalities, 2,000
//! shelters, 500,000 residents checked in. The store is filled at the level the summary reads:
//! every municipality registered (as the shelter import registers it), every shelter described,
//! and each shelter's counters item as 250 check-ins leave it (sex, age bands, needs, and a
//! tenth from a neighbouring town). Filling half a million residents through the check-in path
//! would take most of the bench and leave the same counters; the check-in path itself is
//! measured by the checkin section, and `hq_summary_store_reads` shows reads do not follow
//! residents. Floor: `GET /api/health` on the same stack, same client, same run.

use crate::hq::{tempfile_dir, Counting};
use crate::stack::Stack;
use crate::Row;
use bosai_core::domain::{areas, hq, shelters};
use bosai_store::{sqlite::SqliteStore, ItemExt, Store, Value};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Miyagi-shaped codes (04xxx + check digit): Sendai and 34 more.
fn municipalities(n: usize) -> Vec<MunicipalityCode> {
    let with_check = |five: String| (0..10).find_map(|d| MunicipalityCode::parse(&format!("{five}{d}")).ok()).unwrap();
    std::iter::once(with_check("04100".into())).chain((1..n).map(|k| with_check(format!("04{:03}", 200 + k)))).collect()
}

async fn fill(data: &Path, towns: usize, shelters_n: usize, residents: usize, now: Timestamp) -> (u64, u64) {
    let store = Counting { inner: SqliteStore::open(data).expect("open the bench store"), reads: AtomicU64::new(0) };
    bosai_core::seed::seed(&store, now).await.expect("seed");
    let codes = municipalities(towns);
    let template = bosai_core::seed::demo_shelters(now).remove(0);
    let per_shelter = (residents / shelters_n) as i64;
    for (k, m) in (0..shelters_n).zip(codes.iter().cycle()) {
        areas::register(&store, m, Some(&format!("町{}", &m.as_str()[2..5]))).await.unwrap();
        let id = ShelterId::parse(&format!("{m}-b{k:04}")).unwrap();
        let s = bosai_types::Shelter {
            id: id.clone(),
            municipality: m.clone(),
            occupancy: 0,
            capacity: 300,
            ..template.clone()
        };
        store.put(shelters::to_item(&s), None).await.expect("shelter");
        let neighbour = &codes[(k + 1) % codes.len()];
        let counters = [
            ("hc_sex_female".to_owned(), per_shelter / 2),
            ("hc_sex_male".to_owned(), per_shelter - per_shelter / 2),
            ("hc_age_adult".to_owned(), per_shelter * 6 / 10),
            ("hc_age_over75".to_owned(), per_shelter - per_shelter * 6 / 10),
            ("hc_allergen_egg".to_owned(), per_shelter / 25),
            ("hc_care_wheelchair".to_owned(), per_shelter / 50),
            (bosai_core::domain::headcount::home_counter(m.as_str()), per_shelter - per_shelter / 10),
            (bosai_core::domain::headcount::home_counter(neighbour.as_str()), per_shelter / 10),
        ];
        let item = counters
            .into_iter()
            .fold(shelters::counters_item(&id, per_shelter as u32), |i, (k, v)| i.with(&k, Value::n(v)));
        store.put(item, None).await.expect("counters");
    }
    let pref = MunicipalityCode::parse(bosai_core::seed::DEMO_PREFECTURE).unwrap();
    store.reads.store(0, Ordering::Relaxed);
    let s = hq::prefecture_summary(&store, &pref, now).await.unwrap();
    let reads = store.reads.load(Ordering::Relaxed);
    assert_eq!(s.municipalities.len(), towns, "every municipality listed");
    let people = s.totals.people;
    assert!(people as usize >= residents, "everyone counted: {people}");
    (reads, u64::from(people))
}

fn token(data: &Path, now: i64) -> String {
    use bosai_types::auth::{Claims, Role};
    let key = std::fs::read_to_string(data.join("identity/keys/token-1.pem")).expect("dev token key");
    let signer = bosai_types::jws::Signer::from_pkcs8_pem(&key).expect("key");
    signer.sign(
        "at+jwt",
        &Claims {
            iss: "bosai-local".into(),
            aud: "bosai-api".into(),
            sub: "pref:bench".into(),
            iat: now,
            nbf: now,
            exp: now + 3600,
            role: Role::PrefectureHq,
            shelters: vec![],
            municipality: Some(bosai_core::seed::DEMO_PREFECTURE.into()),
        },
    )
}

/// p99 of `loads` GETs of `url`.
async fn p99(http: &reqwest::Client, url: &str, bearer: Option<&str>, loads: usize) -> f64 {
    let mut ms = Vec::with_capacity(loads);
    for _ in 0..loads {
        let t = Instant::now();
        let mut req = http.get(url);
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let r = req.send().await.expect("request");
        assert!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await.expect("body");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    ms[((ms.len() as f64 * 0.99).ceil() as usize).clamp(1, ms.len()) - 1]
}

pub fn rows(bin: &Path, dist: &Path, smoke: bool) -> Vec<Row> {
    let (towns, shelters_n, residents, loads) = if smoke { (5, 50, 5_000, 20) } else { (35, 2_000, 500_000, 200) };
    let dir = tempfile_dir("prefecture");
    let now = Timestamp(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let t = Instant::now();
    let (reads, people) = rt.block_on(fill(&dir, towns, shelters_n, residents, now));
    eprintln!("prefecture summary: {towns} municipalities, {shelters_n} shelters, {people} people in {:.1} s; {reads} store reads per load", t.elapsed().as_secs_f64());
    let stack = Stack::start(bin, &dir, dist, &[]);
    let bearer = token(&dir, now.seconds());
    let (summary, health) = rt.block_on(async {
        let http = reqwest::Client::new();
        let summary = p99(&http, &format!("{}/api/hq/prefecture", stack.url), Some(&bearer), loads).await;
        let health = p99(&http, &format!("{}/api/health", stack.url), None, loads).await;
        (summary, health)
    });
    drop(stack);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("prefecture summary over HTTP: {loads} loads, p99 {summary:.2} ms (health p99 {health:.2} ms)");
    vec![
        Row::new("hq_summary_prefecture_p99_ms", Some(summary), "ms").against(Some(health)),
        Row::new("hq_summary_prefecture_store_reads", Some(reads as f64), "reads"),
    ]
}

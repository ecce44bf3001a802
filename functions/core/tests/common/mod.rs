//! `spawn_app`: the real router on a free 127.0.0.1 port over a chosen store.
#![allow(dead_code)]

use bosai_core::config::StoreConfig;
use bosai_core::{seed, AppState, Config};
use bosai_store::dynamo::{DynamoConfig, DynamoStore};
use bosai_store::sqlite::SqliteStore;
use bosai_store::Store;
use bosai_types::{MunicipalityCode, Timestamp};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub http: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

pub async fn embedded_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::in_memory().unwrap())
}

static TABLES: AtomicUsize = AtomicUsize::new(0);

/// A fresh table on DynamoDB Local, or None (skip) when it is not running.
pub async fn dynamodb_store() -> Option<Arc<dyn Store>> {
    let Ok(endpoint) = std::env::var("BOSAI_DYNAMODB_ENDPOINT") else {
        assert!(std::env::var("BOSAI_REQUIRE_DYNAMODB").is_err(), "DynamoDB Local required but not running");
        eprintln!("skipping: BOSAI_DYNAMODB_ENDPOINT not set");
        return None;
    };
    let table = format!("api-{}-{}", std::process::id(), TABLES.fetch_add(1, Ordering::SeqCst));
    let store = DynamoStore::connect(&DynamoConfig { table, endpoint: Some(endpoint), region: None }).await;
    store.create_table().await.unwrap();
    Some(Arc::new(store))
}

pub async fn spawn_app(store: Arc<dyn Store>) -> TestApp {
    let config = Config {
        store: StoreConfig::Embedded { dir: "unused".into() },
        municipality: MunicipalityCode::parse(seed::DEMO_MUNICIPALITY).unwrap(),
    };
    seed::seed(store.as_ref(), Timestamp(1_790_000_000_000)).await.unwrap();
    let router = bosai_core::router(AppState::new(store.clone(), config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    TestApp { base, store, http: reqwest::Client::new() }
}

/// Runs each listed async test fn (taking a `TestApp`) on both store backends.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod embedded_store { $( #[tokio::test] async fn $name() { super::$name($crate::common::spawn_app($crate::common::embedded_store().await).await).await } )* }
        mod dynamodb_local { $( #[tokio::test] async fn $name() { if let Some(s) = $crate::common::dynamodb_store().await { super::$name($crate::common::spawn_app(s).await).await } } )* }
    };
}

use bosai_store::dynamo::{DynamoConfig, DynamoStore};
use bosai_store::sqlite::SqliteStore;
use bosai_store::Store;
use bosai_types::MunicipalityCode;
use std::path::PathBuf;
use std::sync::Arc;

/// Runtime configuration, from environment variables (Lambda and local alike).
#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    /// The municipality this deployment serves (全国地方公共団体コード).
    pub municipality: MunicipalityCode,
}

#[derive(Debug, Clone)]
pub enum StoreConfig {
    Embedded { dir: PathBuf },
    Dynamo(DynamoConfig),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not valid: {1}")]
    Invalid(&'static str, String),
    #[error("cannot open the store: {0}")]
    Store(#[from] bosai_store::StoreError),
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// `BOSAI_STORE=dynamodb` (with `BOSAI_TABLE`, optional `BOSAI_DYNAMODB_ENDPOINT`)
    /// or the embedded store in `BOSAI_DATA_DIR` (default `.bosai/data`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let municipality = var("BOSAI_MUNICIPALITY").unwrap_or_else(|| crate::seed::DEMO_MUNICIPALITY.into());
        let municipality = MunicipalityCode::parse(&municipality)
            .map_err(|e| ConfigError::Invalid("BOSAI_MUNICIPALITY", e.to_string()))?;
        let store = match var("BOSAI_STORE").as_deref() {
            Some("dynamodb") => StoreConfig::Dynamo(DynamoConfig {
                table: var("BOSAI_TABLE").unwrap_or_else(|| "bosai".into()),
                endpoint: var("BOSAI_DYNAMODB_ENDPOINT"),
                region: var("AWS_REGION"),
            }),
            None | Some("embedded") => {
                StoreConfig::Embedded { dir: var("BOSAI_DATA_DIR").unwrap_or_else(|| ".bosai/data".into()).into() }
            }
            Some(other) => return Err(ConfigError::Invalid("BOSAI_STORE", format!("'{other}' (use embedded or dynamodb)"))),
        };
        Ok(Self { store, municipality })
    }

    pub async fn open_store(&self) -> Result<Arc<dyn Store>, ConfigError> {
        Ok(match &self.store {
            StoreConfig::Embedded { dir } => Arc::new(SqliteStore::open(dir)?),
            StoreConfig::Dynamo(cfg) => {
                let store = DynamoStore::connect(cfg).await;
                // Local endpoints start empty; on AWS the table comes from infra/.
                if cfg.endpoint.is_some() {
                    store.create_table().await?;
                }
                Arc::new(store)
            }
        })
    }
}

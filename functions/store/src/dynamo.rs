//! Production backend: one DynamoDB table (`pk`/`sk`, GSI `gsi1`, TTL on `ttl`).

use crate::condition::ExprBuilder;
use crate::item::{decode_cursor, encode_cursor, validate_item};
use crate::{
    attr, is_expired, now_seconds, validate_transaction, CancelReason, Condition, Index, Item, Key, Page, Query,
    Result, SortKey, Store, StoreError, TransactOp, Update, Value, WriteOp,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{self as t, AttributeValue};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::time::Duration;

pub const GSI1: &str = "gsi1";

/// The table's shape, defined once: [`DynamoStore::create_table`] builds it and
/// [`cloudformation_table`] describes it for `infra/template.yaml`.
pub struct TableShape {
    /// Partition and sort key (strings).
    pub key: (&'static str, &'static str),
    /// Global secondary indexes: name, partition and sort key (strings, all attributes projected).
    pub indexes: &'static [(&'static str, &'static str, &'static str)],
    /// Items carrying this attribute (epoch seconds) expire.
    pub ttl: &'static str,
    /// The stream the fan-out function reads new notices from.
    pub stream_view: &'static str,
}

pub const TABLE: TableShape = TableShape {
    key: (attr::PK, attr::SK),
    indexes: &[(GSI1, attr::GSI1_PK, attr::GSI1_SK)],
    ttl: attr::TTL,
    stream_view: "NEW_IMAGE",
};

impl TableShape {
    /// Every key attribute, table and indexes, once each.
    pub fn attributes(&self) -> Vec<&'static str> {
        let mut names = vec![self.key.0, self.key.1];
        for (_, hash, range) in self.indexes {
            names.extend([*hash, *range]);
        }
        names.dedup();
        names
    }
}

/// The table as CloudFormation's `AWS::DynamoDB::Table` properties (the part the code decides).
pub fn cloudformation_table() -> serde_json::Value {
    use serde_json::json;
    let schema = |h: &str, r: &str| json!([{ "AttributeName": h, "KeyType": "HASH" }, { "AttributeName": r, "KeyType": "RANGE" }]);
    json!({
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": TABLE.attributes().iter().map(|n| json!({ "AttributeName": n, "AttributeType": "S" })).collect::<Vec<_>>(),
        "KeySchema": schema(TABLE.key.0, TABLE.key.1),
        "GlobalSecondaryIndexes": TABLE.indexes.iter().map(|(name, h, r)| json!({ "IndexName": name, "KeySchema": schema(h, r), "Projection": { "ProjectionType": "ALL" } })).collect::<Vec<_>>(),
        "TimeToLiveSpecification": { "AttributeName": TABLE.ttl, "Enabled": true },
        "StreamSpecification": { "StreamViewType": TABLE.stream_view },
    })
}

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// Where to find the table. `endpoint` is set for DynamoDB Local.
#[derive(Debug, Clone)]
pub struct DynamoConfig {
    pub table: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
}

/// A request waits at most ~8 s for DynamoDB, inside the API function's 10 s limit, so a
/// store that hangs (or a lost connection) becomes a 503 with `Retry-After` that the app
/// retries, not a gateway timeout. The SDK defaults have no attempt or operation limit.
fn timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    use std::time::Duration;
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_millis(2500))
        .operation_timeout(Duration::from_secs(8))
        .build()
}

/// Three attempts with a short first backoff: a waiting tablet or resident is better
/// served by a quick 503 (their device retries) than by a long server-side wait.
fn retries() -> aws_sdk_dynamodb::config::retry::RetryConfig {
    aws_sdk_dynamodb::config::retry::RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(std::time::Duration::from_millis(100))
        .with_max_backoff(std::time::Duration::from_secs(1))
}

impl DynamoStore {
    pub async fn connect(cfg: &DynamoConfig) -> Self {
        let mut loader =
            aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(crate::aws_http::from_env());
        if let Some(region) = &cfg.region {
            loader = loader.region(aws_sdk_dynamodb::config::Region::new(region.clone()));
        }
        if let Some(ep) = &cfg.endpoint {
            // DynamoDB Local accepts any credentials but the SDK insists on some.
            loader = loader
                .endpoint_url(ep)
                .region(aws_sdk_dynamodb::config::Region::new(cfg.region.clone().unwrap_or("ap-northeast-1".into())))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                    "local",
                    "local",
                    None,
                    None,
                    "dynamodb-local",
                ));
        }
        let sdk = loader.timeout_config(timeouts()).retry_config(retries()).load().await;
        Self { client: Client::new(&sdk), table: cfg.table.clone() }
    }

    /// For test suites: a fresh table on the DynamoDB Local named by
    /// `BOSAI_DYNAMODB_ENDPOINT`, or None to skip. With `BOSAI_REQUIRE_DYNAMODB`
    /// set (as `make test` does) a missing endpoint is a failure, not a skip.
    pub async fn fresh_test_table(prefix: &str) -> Option<Self> {
        static TABLES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let Ok(endpoint) = std::env::var("BOSAI_DYNAMODB_ENDPOINT") else {
            assert!(
                std::env::var("BOSAI_REQUIRE_DYNAMODB").is_err(),
                "BOSAI_REQUIRE_DYNAMODB is set but BOSAI_DYNAMODB_ENDPOINT is not: start DynamoDB Local"
            );
            eprintln!("skipping: BOSAI_DYNAMODB_ENDPOINT not set");
            return None;
        };
        let n = TABLES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let table = format!("{prefix}-{}-{n}", std::process::id());
        let store = Self::connect(&DynamoConfig { table, endpoint: Some(endpoint), region: None }).await;
        store.create_table().await.expect("create the test table");
        Some(store)
    }

    pub fn from_client(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// Create the table as `infra/` deploys it (for local runs and tests): from [`TABLE`],
    /// as [`cloudformation_table`] describes it to the template test.
    pub async fn create_table(&self) -> Result<()> {
        let s = |n: &str| {
            t::AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(t::ScalarAttributeType::S)
                .build()
                .expect("static definition")
        };
        let k = |n: &str, kt: t::KeyType| {
            t::KeySchemaElement::builder().attribute_name(n).key_type(kt).build().expect("static key")
        };
        let (pk, sk) = TABLE.key;
        let mut req = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(t::BillingMode::PayPerRequest)
            .key_schema(k(pk, t::KeyType::Hash))
            .key_schema(k(sk, t::KeyType::Range))
            .stream_specification(
                t::StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(t::StreamViewType::from(TABLE.stream_view))
                    .build()
                    .expect("static stream"),
            );
        for name in TABLE.attributes() {
            req = req.attribute_definitions(s(name));
        }
        for (index, hash, range) in TABLE.indexes {
            let gsi = t::GlobalSecondaryIndex::builder()
                .index_name(*index)
                .key_schema(k(hash, t::KeyType::Hash))
                .key_schema(k(range, t::KeyType::Range))
                .projection(t::Projection::builder().projection_type(t::ProjectionType::All).build())
                .build()
                .expect("static gsi");
            req = req.global_secondary_indexes(gsi);
        }
        let res = req.send().await;
        match res {
            Ok(_) => {}
            Err(e) if e.code() == Some("ResourceInUseException") => return Ok(()),
            Err(e) => return Err(map_err(e)),
        }
        let ttl = t::TimeToLiveSpecification::builder().attribute_name(TABLE.ttl).enabled(true).build().ok();
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .set_time_to_live_specification(ttl)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

fn map_err<E: ProvideErrorMetadata + std::fmt::Debug>(e: SdkError<E>) -> StoreError {
    match e.code() {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed,
        Some("ProvisionedThroughputExceededException" | "ThrottlingException" | "RequestLimitExceeded") => {
            StoreError::Throttled
        }
        Some("ValidationException") => StoreError::Validation(e.message().unwrap_or("invalid request").to_owned()),
        _ => StoreError::Unavailable(match e.message() {
            Some(m) => format!("{}: {m}", e.code().unwrap_or("DynamoDB error")),
            None => format!("{e:?}").chars().take(300).collect(),
        }),
    }
}

pub(crate) fn to_av(v: &Value) -> AttributeValue {
    match v {
        Value::S(s) => AttributeValue::S(s.clone()),
        Value::N(n) => AttributeValue::N(n.clone()),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Null(_) => AttributeValue::Null(true),
        Value::L(l) => AttributeValue::L(l.iter().map(to_av).collect()),
        Value::M(m) => AttributeValue::M(m.iter().map(|(k, v)| (k.clone(), to_av(v))).collect()),
    }
}

pub(crate) fn from_av(v: &AttributeValue) -> Result<Value> {
    Ok(match v {
        AttributeValue::S(s) => Value::S(s.clone()),
        AttributeValue::N(n) => Value::N(n.clone()),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null(true),
        AttributeValue::L(l) => Value::L(l.iter().map(from_av).collect::<Result<_>>()?),
        AttributeValue::M(m) => Value::M(m.iter().map(|(k, v)| Ok((k.clone(), from_av(v)?))).collect::<Result<_>>()?),
        other => return Err(StoreError::Unavailable(format!("unsupported attribute type {other:?}"))),
    })
}

fn to_map(item: &Item) -> HashMap<String, AttributeValue> {
    item.iter().map(|(k, v)| (k.clone(), to_av(v))).collect()
}

fn from_map(m: &HashMap<String, AttributeValue>) -> Result<Item> {
    m.iter().map(|(k, v)| Ok((k.clone(), from_av(v)?))).collect()
}

fn key_map(key: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (attr::PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (attr::SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

type Names = Option<HashMap<String, String>>;
type Values = Option<HashMap<String, AttributeValue>>;

impl ExprBuilder {
    fn into_parts(self) -> (Names, Values) {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values =
            (!self.values.is_empty()).then(|| self.values.iter().map(|(k, v)| (k.clone(), to_av(v))).collect());
        (names, values)
    }
}

fn condition_parts(c: &Option<Condition>) -> (Option<String>, Names, Values) {
    let mut b = ExprBuilder::default();
    let expr = c.as_ref().map(|c| b.condition(c));
    let (n, v) = b.into_parts();
    (expr, n, v)
}

fn update_parts(u: &Update, c: &Option<Condition>) -> Result<(String, Option<String>, Names, Values)> {
    u.validate()?;
    let mut b = ExprBuilder::default();
    let update = b.update(u);
    let cond = c.as_ref().map(|c| b.condition(c));
    let (n, v) = b.into_parts();
    Ok((update, cond, n, v))
}

#[async_trait]
impl Store for DynamoStore {
    fn backend(&self) -> &'static str {
        "dynamodb"
    }

    async fn get(&self, key: &Key) -> Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(map_err)?;
        let item = out.item().map(from_map).transpose()?;
        Ok(item.filter(|i| !is_expired(i, now_seconds())))
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<()> {
        validate_item(&item)?;
        let (expr, names, values) = condition_parts(&condition);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_map(&item)))
            .set_condition_expression(expr)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item> {
        let (expr, cond, names, values) = update_parts(&update, &condition)?;
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression(expr)
            .set_condition_expression(cond)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(t::ReturnValue::AllNew)
            .send()
            .await
            .map_err(map_err)?;
        from_map(out.attributes().unwrap_or(&HashMap::new()))
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<()> {
        let (expr, names, values) = condition_parts(&condition);
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .set_condition_expression(expr)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn query(&self, q: Query) -> Result<Page> {
        q.validate()?;
        let (pk_name, sk_name) = match q.index {
            Index::Table => (attr::PK, attr::SK),
            Index::Gsi1 => (attr::GSI1_PK, attr::GSI1_SK),
        };
        let mut b = ExprBuilder::default();
        let pk = b.name(pk_name);
        let mut key_expr = format!("{pk} = {}", b.value(Value::s(&q.pk)));
        // DynamoDB rejects unused placeholders, so the sort key is named only when used.
        let sk = if q.sk == SortKey::All { String::new() } else { b.name(sk_name) };
        match &q.sk {
            SortKey::All => {}
            SortKey::BeginsWith(p) => key_expr += &format!(" AND begins_with({sk}, {})", b.value(Value::s(p))),
            SortKey::Between(x, y) => {
                key_expr += &format!(" AND {sk} BETWEEN {} AND {}", b.value(Value::s(x)), b.value(Value::s(y)))
            }
            SortKey::Ge(x) => key_expr += &format!(" AND {sk} >= {}", b.value(Value::s(x))),
            SortKey::Le(y) => key_expr += &format!(" AND {sk} <= {}", b.value(Value::s(y))),
        }
        let ttl = b.name(attr::TTL);
        let filter = format!("(attribute_not_exists({ttl}) OR {ttl} > {})", b.value(Value::n(now_seconds())));
        let start = q.start.as_deref().map(decode_cursor).transpose()?.map(|c| to_map(&c));
        let (names, values) = b.into_parts();
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name((q.index == Index::Gsi1).then(|| GSI1.to_owned()))
            .key_condition_expression(key_expr)
            .filter_expression(filter)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_limit(q.limit.map(|l| l.clamp(1, i32::MAX as u32) as i32))
            .set_exclusive_start_key(start)
            .scan_index_forward(q.forward)
            .consistent_read(q.index == Index::Table)
            .send()
            .await
            .map_err(map_err)?;
        let items = out.items().iter().map(from_map).collect::<Result<Vec<_>>>()?;
        let next = out.last_evaluated_key().map(from_map).transpose()?.map(|k| encode_cursor(&k));
        Ok(Page { items, next })
    }

    async fn scan(&self, start: Option<String>) -> Result<Page> {
        let start = start.as_deref().map(decode_cursor).transpose()?.map(|c| to_map(&c));
        let out = self
            .client
            .scan()
            .table_name(&self.table)
            .set_exclusive_start_key(start)
            .consistent_read(true)
            .send()
            .await
            .map_err(map_err)?;
        let items = out.items().iter().map(from_map).collect::<Result<Vec<_>>>()?;
        let next = out.last_evaluated_key().map(from_map).transpose()?.map(|k| encode_cursor(&k));
        Ok(Page { items, next })
    }

    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<()> {
        for op in &ops {
            if let WriteOp::Put(item) = op {
                validate_item(item)?;
            }
        }
        for chunk in ops.chunks(25) {
            let mut pending: Vec<t::WriteRequest> = chunk
                .iter()
                .map(|op| match op {
                    WriteOp::Put(item) => t::WriteRequest::builder()
                        .put_request(t::PutRequest::builder().set_item(Some(to_map(item))).build().expect("item set"))
                        .build(),
                    WriteOp::Delete(key) => t::WriteRequest::builder()
                        .delete_request(
                            t::DeleteRequest::builder().set_key(Some(key_map(key))).build().expect("key set"),
                        )
                        .build(),
                })
                .collect();
            let mut attempt = 0u32;
            while !pending.is_empty() {
                if attempt > 0 {
                    // Unprocessed items mean throttling: back off before resending only those.
                    tokio::time::sleep(Duration::from_millis(25 << attempt.min(6))).await;
                }
                if attempt == 8 {
                    return Err(StoreError::Throttled);
                }
                let out =
                    self.client.batch_write_item().request_items(&self.table, pending).send().await.map_err(map_err)?;
                pending = out.unprocessed_items().and_then(|m| m.get(&self.table)).cloned().unwrap_or_default();
                attempt += 1;
            }
        }
        Ok(())
    }

    async fn transact_write(&self, ops: Vec<TransactOp>) -> Result<()> {
        validate_transaction(&ops)?;
        let mut items = Vec::with_capacity(ops.len());
        for op in &ops {
            let built = match op {
                TransactOp::Put { item, condition } => {
                    validate_item(item)?;
                    let (expr, names, values) = condition_parts(condition);
                    let put = t::Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_map(item)))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build();
                    t::TransactWriteItem::builder().put(put.map_err(|e| StoreError::Validation(e.to_string()))?)
                }
                TransactOp::Update { key, update, condition } => {
                    let (expr, cond, names, values) = update_parts(update, condition)?;
                    let upd = t::Update::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .update_expression(expr)
                        .set_condition_expression(cond)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build();
                    t::TransactWriteItem::builder().update(upd.map_err(|e| StoreError::Validation(e.to_string()))?)
                }
                TransactOp::Delete { key, condition } => {
                    let (expr, names, values) = condition_parts(condition);
                    let del = t::Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build();
                    t::TransactWriteItem::builder().delete(del.map_err(|e| StoreError::Validation(e.to_string()))?)
                }
                TransactOp::Check { key, condition } => {
                    let (expr, names, values) = condition_parts(&Some(condition.clone()));
                    let chk = t::ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build();
                    t::TransactWriteItem::builder()
                        .condition_check(chk.map_err(|e| StoreError::Validation(e.to_string()))?)
                }
            };
            items.push(built.build());
        }
        // The SDK resends a transaction whose attempt timed out; the token makes DynamoDB apply
        // it once even if the first attempt landed (ADDs to counters would count twice).
        let token = uuid::Uuid::new_v4().to_string();
        let res =
            self.client.transact_write_items().set_transact_items(Some(items)).client_request_token(token).send().await;
        let Err(e) = res else { return Ok(()) };
        if let SdkError::ServiceError(se) = &e {
            if let TransactWriteItemsError::TransactionCanceledException(tc) = se.err() {
                let reasons: Vec<CancelReason> = tc
                    .cancellation_reasons()
                    .iter()
                    .map(|r| match r.code() {
                        None | Some("None") => CancelReason::None,
                        Some("ConditionalCheckFailed") => CancelReason::ConditionFailed,
                        Some("TransactionConflict") => CancelReason::Conflict,
                        Some(other) => CancelReason::Other(other.to_owned()),
                    })
                    .collect();
                let throttled = reasons
                    .iter()
                    .any(|r| matches!(r, CancelReason::Other(c) if c.contains("Throughput") || c.contains("Throttl")));
                return Err(if throttled {
                    StoreError::Throttled
                } else {
                    StoreError::TransactionCanceled { reasons }
                });
            }
        }
        Err(map_err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What DynamoDB (Local) built from `create_table`, in CloudFormation's words: it must be
    /// what `cloudformation_table` tells the template (and so the template test) it is.
    #[tokio::test]
    async fn the_table_built_is_the_table_the_template_declares() {
        let Some(store) = DynamoStore::fresh_test_table("shape").await else { return };
        let d = store.client.describe_table().table_name(&store.table).send().await.unwrap();
        let t = d.table().unwrap();
        let schema = |k: &[t::KeySchemaElement]| {
            k.iter()
                .map(|e| json!({ "AttributeName": e.attribute_name(), "KeyType": e.key_type().as_str() }))
                .collect::<Vec<_>>()
        };
        let mut attributes: Vec<_> = t
            .attribute_definitions()
            .iter()
            .map(|a| json!({ "AttributeName": a.attribute_name(), "AttributeType": a.attribute_type().as_str() }))
            .collect();
        attributes.sort_by_key(|a| a["AttributeName"].as_str().unwrap().to_owned());
        let ttl = store.client.describe_time_to_live().table_name(&store.table).send().await.unwrap();
        let ttl = ttl.time_to_live_description().unwrap();
        let built = json!({
            "BillingMode": t.billing_mode_summary().and_then(|b| b.billing_mode()).map(|b| b.as_str()),
            "AttributeDefinitions": attributes,
            "KeySchema": schema(t.key_schema()),
            "GlobalSecondaryIndexes": t.global_secondary_indexes().iter().map(|g| json!({ "IndexName": g.index_name(), "KeySchema": schema(g.key_schema()), "Projection": { "ProjectionType": g.projection().and_then(|p| p.projection_type()).map(|p| p.as_str()) } })).collect::<Vec<_>>(),
            "TimeToLiveSpecification": { "AttributeName": ttl.attribute_name(), "Enabled": ttl.time_to_live_status().map(|s| s.as_str()) == Some("ENABLED") },
            "StreamSpecification": { "StreamViewType": t.stream_specification().and_then(|s| s.stream_view_type()).map(|v| v.as_str()) },
        });
        let mut declared = cloudformation_table();
        declared["AttributeDefinitions"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|a| a["AttributeName"].as_str().unwrap().to_owned());
        assert_eq!(built, declared);
    }
}

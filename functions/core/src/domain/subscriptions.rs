//! Devices that receive notices (Web Push subscriptions): registered by a resident, filed under
//! their municipality and registered area so a notice's fan-out finds them, moved when either
//! changes, forgotten with the resident.

use crate::domain::profile::registered_area;
use crate::{keys, ApiError};
use bosai_store::{attr, item::item, Condition, Item, ItemExt, Query, Store, StoreError, Update, Value, WriteOp};
use bosai_types::household::NotificationDevice;
use bosai_types::notices::{PushSubscriptionInput, MAX_ENDPOINT_CHARS};
use bosai_types::surveys::AreaCode;
use bosai_types::{MunicipalityCode, Timestamp};

/// Push services browsers use. Anything else is refused: the fan-out POSTs to these
/// URLs from inside our network, so a resident must not be able to point it elsewhere.
const PUSH_SERVICE_HOSTS: &[&str] = &["fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com"];
const PUSH_SERVICE_SUFFIXES: &[&str] = &[".push.apple.com", ".notify.windows.com", ".push.services.mozilla.com"];

/// How the server reaches push services.
#[derive(Debug, Clone)]
pub struct PushSettings {
    /// Signs with the deployment's VAPID key; its public half is the app's `applicationServerKey`.
    pub client: bosai_push::PushClient,
    /// Accept `http://127.0.0.1:…` endpoints (the local test push service; never on AWS).
    pub allow_loopback: bool,
}

fn invalid_subscription(detail: &str) -> ApiError {
    ApiError::invalid(
        "invalid_subscription",
        "通知の登録に失敗しました。アプリで通知をいったんオフにして、もう一度オンにしてください。",
    )
    .with("detail", detail)
}

/// The endpoint's host is a known push service (or loopback, when allowed).
pub fn endpoint_allowed(endpoint: &str, allow_loopback: bool) -> bool {
    let Ok(url) = url::Url::parse(endpoint) else { return false };
    let host = url.host_str().unwrap_or("");
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    if url.scheme() == "http" {
        return allow_loopback && loopback;
    }
    url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && (PUSH_SERVICE_HOSTS.contains(&host)
            || PUSH_SERVICE_SUFFIXES.iter().any(|s| host.ends_with(s))
            || (allow_loopback && loopback))
}

/// Subscriptions are keyed by a hash of the endpoint: the same device registering twice is one.
pub fn subscription_id(endpoint: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, endpoint.as_bytes());
    d.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// On a subscription: the language code its reader chose.
pub const LANG: &str = "lang";

fn subscription_sort_key(area: Option<&AreaCode>, id: &str) -> String {
    format!("{}{id}", keys::push_area_prefix(area))
}

/// Registers (or refreshes) this device for the resident's notices.
pub async fn subscribe(
    store: &dyn Store,
    push: &PushSettings,
    m: &MunicipalityCode,
    sub: &str,
    input: &PushSubscriptionInput,
    now: Timestamp,
) -> Result<(), ApiError> {
    if input.endpoint.chars().count() > MAX_ENDPOINT_CHARS || !endpoint_allowed(&input.endpoint, push.allow_loopback) {
        return Err(invalid_subscription("the endpoint is not a known push service"));
    }
    bosai_push::SubscriptionKeys::from_base64url(&input.keys.p256dh, &input.keys.auth)
        .map_err(|_| invalid_subscription("bad keys"))?;
    let lang = match input.lang.as_deref() {
        None => None,
        Some(code) => Some(
            bosai_types::localized::language(code)
                .ok_or_else(|| ApiError::invalid("unknown_language", "アプリの言語をもう一度選んでください。"))?,
        ),
    };
    let id = subscription_id(&input.endpoint);
    let area = registered_area(store, sub).await?;
    let key = keys::push_subscription(&id);
    // A device that changed hands: the previous owner's pointer goes.
    if let Some(old) = store.get(&key).await?.and_then(|i| i.str("owner").map(str::to_owned)).filter(|o| o != sub) {
        store.delete(&keys::resident_push(&old, &id), None).await?;
    }
    let subscription = item(&key)
        .with(attr::GSI1_PK, Value::s(keys::push_index(m)))
        .with(attr::GSI1_SK, Value::s(subscription_sort_key(area.as_ref(), &id)))
        .with("endpoint", Value::s(&input.endpoint))
        .with("p256dh", Value::s(&input.keys.p256dh))
        .with("auth", Value::s(&input.keys.auth))
        .with("owner", Value::s(sub))
        .with("updated_at", Value::n(now.millis()));
    // Notifications in the reader's language (the fan-out reads it; absent: Japanese and English).
    let subscription = match lang {
        Some(code) => subscription.with(LANG, Value::s(code)),
        None => subscription,
    };
    store
        .batch_write(vec![
            WriteOp::Put(subscription),
            WriteOp::Put(item(&keys::resident_push(sub, &id)).with("subscription", Value::s(&id))),
        ])
        .await?;
    Ok(())
}

/// Stops notices to this device. Unknown, or another resident's: nothing happens.
pub async fn unsubscribe(store: &dyn Store, sub: &str, endpoint: &str) -> Result<(), ApiError> {
    if endpoint.chars().count() > MAX_ENDPOINT_CHARS {
        return Err(invalid_subscription("the endpoint is longer than any push service's"));
    }
    let id = subscription_id(endpoint);
    let owned = Condition::Eq("owner".into(), Value::s(sub));
    match store.delete(&keys::push_subscription(&id), Some(owned)).await {
        Ok(()) | Err(StoreError::ConditionFailed) => {}
        Err(e) => return Err(e.into()),
    }
    store.delete(&keys::resident_push(sub, &id), None).await?;
    Ok(())
}

/// The resident's subscriptions follow their municipality and registered area.
pub async fn move_subscriptions(
    store: &dyn Store,
    sub: &str,
    m: &MunicipalityCode,
    area: Option<&AreaCode>,
) -> Result<(), ApiError> {
    let pointers = store.query(Query::partition(keys::resident_partition(sub)).begins_with("PUSHSUB#")).await?;
    for id in pointers.items.iter().filter_map(|p| p.str("subscription")) {
        let update = Update::new()
            .set(attr::GSI1_PK, Value::s(keys::push_index(m)))
            .set(attr::GSI1_SK, Value::s(subscription_sort_key(area, id)));
        match store
            .update(&keys::push_subscription(id), update, Some(Condition::Eq("owner".into(), Value::s(sub))))
            .await
        {
            Ok(_) | Err(StoreError::ConditionFailed) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The resident's devices, for "export my data".
pub async fn devices_of(store: &dyn Store, sub: &str) -> Result<Vec<NotificationDevice>, ApiError> {
    let pointers = store.query(Query::partition(keys::resident_partition(sub)).begins_with("PUSHSUB#")).await?;
    let mut out = Vec::new();
    for id in pointers.items.iter().filter_map(|p| p.str("subscription")) {
        let Some(i) = store.get(&keys::push_subscription(id)).await? else { continue };
        if i.str("owner") != Some(sub) {
            continue;
        }
        let host = i.str("endpoint").and_then(|e| url::Url::parse(e).ok()?.host_str().map(str::to_owned));
        out.push(NotificationDevice {
            push_service: host.unwrap_or_default(),
            language: i.str(LANG).map(str::to_owned),
            registered_at: Timestamp(i.i64("updated_at").unwrap_or(0)),
        });
    }
    Ok(out)
}

/// Deletes the subscriptions a resident's pointers name (all data deleted).
pub fn forget_subscriptions(partition: &std::collections::BTreeMap<String, Item>) -> Vec<WriteOp> {
    partition
        .values()
        .filter_map(|p| p.str("subscription"))
        .map(|id| WriteOp::Delete(keys::push_subscription(id)))
        .collect()
}

// ---------------------------------------------------------------------------
// Notices

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_push_services_are_reached() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
            "https://web.push.apple.com/QGx",
            "https://wns2-db5p.notify.windows.com/w/?token=x",
        ] {
            assert!(endpoint_allowed(ok, false), "{ok}");
        }
        for bad in [
            "http://fcm.googleapis.com/fcm/send/x",
            "https://169.254.169.254/latest/meta-data",
            "https://evil.example/fcm.googleapis.com",
            "https://fcm.googleapis.com.evil.example/x",
            "https://user:pw@fcm.googleapis.com/x",
            "http://127.0.0.1:9/push/1",
            "not a url",
        ] {
            assert!(!endpoint_allowed(bad, false), "{bad}");
        }
        assert!(endpoint_allowed("http://127.0.0.1:4567/push/1", true), "the local test push service, when allowed");
        assert!(!endpoint_allowed("http://10.0.0.1/push/1", true));
    }

    #[test]
    fn subscription_ids_are_stable_and_short() {
        let a = subscription_id("https://fcm.googleapis.com/fcm/send/a");
        assert_eq!(a, subscription_id("https://fcm.googleapis.com/fcm/send/a"));
        assert_ne!(a, subscription_id("https://fcm.googleapis.com/fcm/send/b"));
        assert_eq!(a.len(), 32);
    }
}

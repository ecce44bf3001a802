//! The whole path over HTTP: PushClient encrypts and signs, the local test push service
//! checks VAPID, decrypts as a browser would and records what arrived.

use std::sync::Arc;
use std::time::Duration;

use bosai_push::{
    Delivery, Fault, PushClient, PushError, RequestMeta, SendOptions, Subscription, TestPushHandle, TestPushService,
    Urgency, VapidKey, MAX_PLAINTEXT_LEN,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const SUBJECT: &str = "mailto:ops@bosai.example";

async fn setup(n: usize) -> (PushClient, TestPushHandle) {
    let vapid = VapidKey::generate(SUBJECT).unwrap();
    let service = TestPushService::start(n, Some(vapid.public_key())).await.unwrap();
    (PushClient::new(vapid).unwrap(), service)
}

async fn send(client: &PushClient, sub: &Subscription, payload: &[u8]) -> Delivery {
    client.send(sub, payload, &SendOptions::default()).await.unwrap()
}

/// Sends `payload(i)` to every subscription, at most `limit` in flight.
async fn fan_out(
    client: &PushClient,
    service: &TestPushHandle,
    limit: usize,
    payload: impl Fn(usize) -> Vec<u8>,
) -> Vec<Delivery> {
    let permits = Arc::new(Semaphore::new(limit));
    let mut tasks = JoinSet::new();
    for i in 0..service.len() {
        let (client, sub, body) = (client.clone(), service.subscription(i), payload(i));
        let permit = permits.clone().acquire_owned().await.unwrap();
        tasks.spawn(async move {
            let delivery = client.send(&sub, &body, &SendOptions::default()).await.unwrap();
            drop(permit);
            (i, delivery)
        });
    }
    let mut out = vec![None; service.len()];
    while let Some(done) = tasks.join_next().await {
        let (i, delivery) = done.unwrap();
        out[i] = Some(delivery);
    }
    out.into_iter().map(Option::unwrap).collect()
}

fn notice(i: usize) -> Vec<u8> {
    format!(r#"{{"shelter":"S-{i:03}","status":"open","capacity":{}}}"#, 40 + i).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subscriber_receives_exactly_its_plaintext() {
    let (client, service) = setup(200).await;
    let deliveries = fan_out(&client, &service, 32, notice).await;
    assert!(deliveries.iter().all(|d| *d == Delivery::Delivered), "{deliveries:?}");
    for i in 0..200 {
        assert_eq!(service.received_count(i), 1, "subscription {i}");
        assert_eq!(service.last_payload(i).unwrap(), notice(i), "subscription {i}");
    }
    let stats = service.stats();
    assert_eq!((stats.accepted, stats.distinct_reached), (200, 200));
    assert_eq!(stats.vapid_failures + stats.decrypt_failures + stats.bad_requests, 0);

    // A broadcast: one plaintext, 200 different ciphertexts, all decrypt to it.
    let broadcast = b"Evacuation order lifted for district 3".to_vec();
    let deliveries = fan_out(&client, &service, 16, |_| broadcast.clone()).await;
    assert!(deliveries.iter().all(|d| *d == Delivery::Delivered));
    assert_eq!(service.payload_counts()[&broadcast], 200);
    assert!((0..200).all(|i| service.received_count(i) == 2));
    assert_eq!(service.stats().distinct_reached, 200);
}

#[tokio::test]
async fn gone_subscriptions_say_so() {
    let (client, service) = setup(10).await;
    for i in [2, 7] {
        service.set_gone(i, true);
    }
    for i in 0..10 {
        let expected = if i == 2 || i == 7 { Delivery::Gone } else { Delivery::Delivered };
        assert_eq!(send(&client, &service.subscription(i), b"x").await, expected, "subscription {i}");
    }
    assert_eq!(service.stats().gone, 2);
    assert_eq!(service.received_count(2), 0);

    // An endpoint the service does not know: 404, also Gone.
    let mut unknown = service.subscription(0);
    unknown.endpoint = format!("{}/push/10", service.origin());
    assert_eq!(send(&client, &unknown, b"x").await, Delivery::Gone);

    service.set_gone(2, false);
    assert_eq!(send(&client, &service.subscription(2), b"back").await, Delivery::Delivered);
}

#[tokio::test]
async fn overload_asks_for_a_retry_and_the_resend_arrives() {
    let (client, service) = setup(4).await;
    let sub = service.subscription(1);

    service.fail_next(3, Fault::Unavailable { retry_after_secs: Some(7) });
    for _ in 0..3 {
        assert_eq!(send(&client, &sub, b"m1").await, Delivery::Retry { after: Some(Duration::from_secs(7)) });
    }
    assert_eq!(send(&client, &sub, b"m1").await, Delivery::Delivered);

    service.fail_next(1, Fault::TooManyRequests { retry_after_secs: Some(30) });
    assert_eq!(send(&client, &sub, b"m2").await, Delivery::Retry { after: Some(Duration::from_secs(30)) });
    service.fail_next(1, Fault::Unavailable { retry_after_secs: None });
    assert_eq!(send(&client, &sub, b"m2").await, Delivery::Retry { after: None });
    assert_eq!(send(&client, &sub, b"m2").await, Delivery::Delivered);

    service.pause();
    assert_eq!(send(&client, &sub, b"m3").await, Delivery::Retry { after: None });
    service.resume();
    assert_eq!(send(&client, &sub, b"m3").await, Delivery::Delivered);

    assert_eq!(service.received_count(1), 3);
    assert_eq!(service.last_payload(1).unwrap(), b"m3");
    assert_eq!(service.stats().injected_failures, 6);
}

#[tokio::test]
async fn unreachable_service_asks_for_a_retry() {
    let (client, service) = setup(1).await;
    // A port nobody listens on: connection refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut sub = service.subscription(0);
    sub.endpoint = format!("http://{closed}/push/0");
    assert_eq!(send(&client, &sub, b"x").await, Delivery::Retry { after: None });
}

#[tokio::test]
async fn wrong_vapid_key_is_rejected_with_403() {
    let (client, service) = setup(3).await;
    let stranger = PushClient::new(VapidKey::generate("https://bosai.example/contact").unwrap()).unwrap();
    assert_eq!(send(&stranger, &service.subscription(0), b"x").await, Delivery::Rejected { status: 403 });
    assert_eq!(service.stats().vapid_failures, 1);
    assert_eq!(service.received_count(0), 0);
    // The right key still works; and a service that accepts any key takes the stranger's.
    assert_eq!(send(&client, &service.subscription(0), b"x").await, Delivery::Delivered);
    service.set_expected_vapid(None);
    assert_eq!(send(&stranger, &service.subscription(0), b"y").await, Delivery::Delivered);
}

#[tokio::test]
async fn keys_of_another_subscription_do_not_decrypt() {
    let (client, service) = setup(2).await;
    let mut crossed = service.subscription(0);
    crossed.keys = service.subscription(1).keys;
    assert_eq!(send(&client, &crossed, b"x").await, Delivery::Rejected { status: 400 });
    assert_eq!(service.stats().decrypt_failures, 1);
}

#[tokio::test]
async fn too_large_payload_fails_before_sending() {
    let (client, service) = setup(1).await;
    let sub = service.subscription(0);
    let too_big = vec![b'a'; MAX_PLAINTEXT_LEN + 1];
    let err = client.send(&sub, &too_big, &SendOptions::default()).await.unwrap_err();
    assert!(matches!(err, PushError::PayloadTooLarge { max: MAX_PLAINTEXT_LEN, .. }), "{err}");
    assert_eq!(service.stats(), Default::default(), "nothing reached the service");

    // The largest allowed payload goes through a 4096-byte body.
    let largest = vec![b'a'; MAX_PLAINTEXT_LEN];
    assert_eq!(send(&client, &sub, &largest).await, Delivery::Delivered);
    assert_eq!(service.last_payload(0).unwrap(), largest);
}

#[tokio::test]
async fn options_become_headers() {
    let (client, service) = setup(1).await;
    let sub = service.subscription(0);
    let opts = SendOptions { ttl_secs: 600, urgency: Urgency::High, topic: Some("shelter-12".into()) };
    assert_eq!(client.send(&sub, b"x", &opts).await.unwrap(), Delivery::Delivered);
    assert_eq!(
        service.last_request().unwrap(),
        RequestMeta { index: 0, ttl: 600, urgency: Some("high".into()), topic: Some("shelter-12".into()) }
    );
    let opts = SendOptions { ttl_secs: 0, urgency: Urgency::VeryLow, topic: None };
    assert_eq!(client.send(&sub, b"x", &opts).await.unwrap(), Delivery::Delivered);
    assert_eq!(service.last_request().unwrap().urgency.as_deref(), Some("very-low"));

    let bad_topic = SendOptions { topic: Some("not a topic!".into()), ..SendOptions::default() };
    assert!(matches!(client.send(&sub, b"x", &bad_topic).await, Err(PushError::InvalidTopic)));
}

#[tokio::test]
async fn plain_http_is_only_for_loopback() {
    let (client, service) = setup(1).await;
    let mut sub = service.subscription(0);
    sub.endpoint = "http://push.example.com/push/0".into();
    assert!(matches!(client.send(&sub, b"x", &SendOptions::default()).await, Err(PushError::InvalidEndpoint(_))));
    let keys = service.subscription(0).keys;
    assert!(Subscription::new("http://push.example.com/1", keys.clone()).is_err());
    let from_json = Subscription::from_base64url(
        &service.subscription(0).endpoint,
        &keys.p256dh_base64url(),
        &keys.auth_base64url(),
    )
    .unwrap();
    assert_eq!(send(&client, &from_json, b"from json").await, Delivery::Delivered);
}

#[tokio::test]
async fn https_goes_through_rustls() {
    let (client, service) = setup(1).await;
    // TLS to a plain-http port: the handshake fails, which is a connection error.
    let mut sub = service.subscription(0);
    sub.endpoint = format!("https://{}/push/0", service.addr());
    assert_eq!(send(&client, &sub, b"x").await, Delivery::Retry { after: None });
    assert_eq!(service.stats().accepted, 0);
}

#[test]
fn other_reqwest_clients_in_the_same_build_still_work() {
    // Features unify across the workspace: this crate must not leave reqwest in a state where
    // a plain client (as the other crates' tests build) panics for want of a TLS provider.
    let _ = reqwest::Client::new();
}

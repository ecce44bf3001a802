//! `test-push-service`: a **stand-in for a real push service** (FCM, Mozilla autopush, Apple,
//! WNS), which cannot be reached from the test machines, for the browser tests.
//!
//! It runs [`bosai_push::TestPushService`] on 127.0.0.1 — the push endpoints the local stack
//! sends to (VAPID checked, bodies decrypted as the browser behind them would) — and a small
//! control API on a second loopback port, so a test can hand a subscription to the app and
//! see what arrived:
//!
//! - `GET /_subscription/{i}`: device `i`'s subscription shaped like `PushSubscription.toJSON()`
//!   (`endpoint`, `expirationTime: null`, `keys.p256dh`, `keys.auth`, base64url);
//! - `GET /_received/{i}`: `{count, last, last_text}` — messages accepted for device `i`, the last
//!   decrypted payload parsed as JSON (null if none or not JSON) and as text;
//! - `GET /_stats`: the service's counters (accepted, VAPID/decrypt failures, …).
//!
//! Usage: `test-push-service [--devices N] [--exit-on-stdin-close]` (N defaults to 4). When
//! ready it prints one line, `TEST_PUSH_READY <push origin> <control origin>`, to stdout.
//! With `--exit-on-stdin-close` it stops when its standard input closes (the test runner that
//! started it went away), so a crashed test leaves no server behind.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use bosai_push::{TestPushHandle, TestPushService};
use serde_json::{json, Value};
use tokio::net::TcpListener;

struct Args {
    devices: usize,
    exit_on_stdin_close: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { devices: 4, exit_on_stdin_close: false };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--devices" => {
                let n = it.next().ok_or("--devices needs a number")?;
                args.devices =
                    n.parse().ok().filter(|&n| n > 0).ok_or(format!("--devices: not a positive number: {n}"))?;
            }
            "--exit-on-stdin-close" => args.exit_on_stdin_close = true,
            "-h" | "--help" => {
                println!("test-push-service [--devices N] [--exit-on-stdin-close]\n\nA local stand-in for a real push service (FCM) for tests; prints TEST_PUSH_READY <push origin> <control origin>.");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(args)
}

type Shared = Arc<TestPushHandle>;

/// 404 for an index that is not one of the devices.
type NotFound = (StatusCode, String);

fn device(push: &TestPushHandle, i: &str) -> Result<usize, NotFound> {
    i.parse::<usize>()
        .ok()
        .filter(|&i| i < push.len())
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no device {i}; there are {}", push.len())))
}

async fn subscription(State(push): State<Shared>, Path(i): Path<String>) -> Result<Json<Value>, NotFound> {
    let sub = push.subscription(device(&push, &i)?);
    Ok(Json(json!({
        "endpoint": sub.endpoint,
        "expirationTime": null,
        "keys": { "p256dh": sub.keys.p256dh_base64url(), "auth": sub.keys.auth_base64url() },
    })))
}

async fn received(State(push): State<Shared>, Path(i): Path<String>) -> Result<Json<Value>, NotFound> {
    let i = device(&push, &i)?;
    let text = push.last_payload(i).map(|b| String::from_utf8_lossy(&b).into_owned());
    let last = text.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok());
    Ok(Json(json!({ "count": push.received_count(i), "last": last, "last_text": text })))
}

async fn stats(State(push): State<Shared>) -> Json<Value> {
    let s = push.stats();
    Json(json!({
        "devices": push.len(),
        "accepted": s.accepted,
        "distinct_reached": s.distinct_reached,
        "vapid_failures": s.vapid_failures,
        "decrypt_failures": s.decrypt_failures,
        "bad_requests": s.bad_requests,
        "gone": s.gone,
        "injected_failures": s.injected_failures,
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args().map_err(|e| format!("{e} (see --help)"))?;
    let push = Arc::new(TestPushService::start(args.devices, None).await?);
    let control = TcpListener::bind("127.0.0.1:0").await?;
    let control_origin = format!("http://{}", control.local_addr()?);
    let app = Router::new()
        .route("/_subscription/{i}", get(subscription))
        .route("/_received/{i}", get(received))
        .route("/_stats", get(stats))
        .with_state(push.clone());
    println!("TEST_PUSH_READY {} {control_origin}", push.origin());
    if args.exit_on_stdin_close {
        // A plain thread: tokio's stdin needs features the rest of the workspace does not use.
        std::thread::spawn(|| {
            use std::io::Read;
            let mut buf = [0u8; 256];
            while matches!(std::io::stdin().read(&mut buf), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    axum::serve(control, app).await?;
    Ok(())
}

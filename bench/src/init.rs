//! API function cold start: time from process start until it asks a minimal
//! Lambda Runtime API emulator on 127.0.0.1 for its first event, against a
//! hello-world `lambda_runtime` binary built the same way (median of 5 starts): as deployed
//! (`BOSAI_FUNCTIONS_DIR`, set by scripts/bench.sh), else the release build (the CI smoke run).

use crate::Row;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `bin` with the runtime API pointed at our listener; returns ms until its first `next` request.
fn time_to_first_poll(bin: &Path, env: &[(String, String)]) -> Option<f64> {
    let listener = TcpListener::bind("127.0.0.1:0").ok()?;
    listener.set_nonblocking(true).ok()?;
    let addr = listener.local_addr().ok()?;
    let start = Instant::now();
    let mut child = Command::new(bin)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        // As on AWS: no DynamoDB Local endpoint (bench.sh exports one for the other rows; with it
        // the function creates its table at startup, a network round trip a real start never makes).
        .env_remove("BOSAI_DYNAMODB_ENDPOINT")
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut result = None;
    while start.elapsed() < Duration::from_secs(10) {
        match listener.accept() {
            Ok((mut s, _)) => {
                let mut buf = [0u8; 1024];
                let n = s.read(&mut buf).unwrap_or(0);
                if String::from_utf8_lossy(&buf[..n]).contains("/runtime/invocation/next") {
                    result = Some(start.elapsed().as_secs_f64() * 1000.0);
                    let _ = s.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n");
                    break;
                }
            }
            Err(_) => {
                if child.try_wait().ok().flatten().is_some() {
                    break; // exited during init: a configuration error
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn median(bin: &Path, env: &[(String, String)], runs: usize) -> Option<f64> {
    let mut v: Vec<f64> = (0..runs).filter_map(|_| time_to_first_poll(bin, env)).collect();
    if v.len() < runs {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

pub fn rows(release_dir: &Path, smoke: bool) -> Vec<Row> {
    let built = std::env::var_os("BOSAI_FUNCTIONS_DIR").map(std::path::PathBuf::from);
    let release_dir = built.as_deref().unwrap_or(release_dir);
    let runs = if smoke { 1 } else { 5 };
    let dir = std::env::temp_dir().join(format!("bosai-bench-init-{}", std::process::id()));
    let Ok(id) = bosai_companion::dev::ensure_dev_identity(&dir) else {
        return vec![Row::missing("api_init_ms", "ms"), Row::missing("api_init_ratio", "ratio")];
    };
    let s = |p: &Path| p.display().to_string();
    // As on AWS: DynamoDB by region and role credentials, identity material from files.
    let env: Vec<(String, String)> = [
        ("BOSAI_STORE", "dynamodb".to_owned()),
        ("BOSAI_TABLE", "bosai".to_owned()),
        ("AWS_REGION", "ap-northeast-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "bench".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "bench".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("BOSAI_ISSUER", "https://bosai.example.jp".to_owned()),
        ("BOSAI_TOKEN_KEYS", s(&id.token_key)),
        // The bench's local CA stands in for J-LIS (test trust: no production CRLs here).
        ("BOSAI_JPKI_TRUST", "test".to_owned()),
        ("BOSAI_JPKI_TEST_CAS", id.ca_certs.iter().map(|p| s(p)).collect::<Vec<_>>().join(",")),
        ("BOSAI_JPKI_CRLS", id.crls.iter().map(|p| s(p)).collect::<Vec<_>>().join(",")),
        ("BOSAI_PSEUDONYM_SECRET_FILE", s(&id.pseudonym_secret)),
        ("BOSAI_REDIRECT_URIS", "https://bosai.example.jp/auth/callback".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let api = median(&release_dir.join("api"), &env, runs);
    let hello = median(&release_dir.join("hello-lambda"), &[], runs);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("init: api {api:?} ms, hello-world {hello:?} ms");
    let init = Row::new("api_init_ms", api, "ms").against(hello);
    vec![init.clone(), Row::ratio_of("api_init_ratio", &init)]
}

//! The real Lambda binaries (`functions/api`, `token`, `fanout`) behind cargo-lambda's
//! Runtime API emulator (`cargo lambda watch`, no Docker), configured as
//! `infra/template.yaml` configures them on AWS: DynamoDB (here DynamoDB Local), the token
//! key in KMS and the secrets in Secrets Manager (here moto's server). A resident signs in
//! with a test card through the token function, reads the household and gets a check-in QR,
//! staff scan it through the api function, HQ saves a notice, and the fan-out function
//! handles the stream event of that notice.
//!
//! Run by `scripts/lambda-emulator-test.sh` (part of `make test`); skipped elsewhere unless
//! `BOSAI_REQUIRE_LAMBDA_EMULATOR` is set.

mod common;

use bosai_store::dynamo::{DynamoConfig, DynamoStore};
use bosai_types::auth::{Claims, Role};
use bosai_types::jws::{Jwks, Signer};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const STAFF_ISSUER: &str = "bosai-staff-test";

/// Stops the emulator (and the functions it started) when the test ends, however it ends.
struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        // The emulator's process group: cargo-lambda and the function processes it spawned.
        let _ = Command::new("kill").args(["--", &format!("-{}", self.0.id())]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ready() -> Option<(String, String)> {
    let vars = (
        std::env::var("BOSAI_DYNAMODB_ENDPOINT"),
        std::env::var("BOSAI_MOTO_ENDPOINT"),
        std::env::var("BOSAI_LAMBDA_EMULATOR"),
    );
    match vars {
        (Ok(dynamo), Ok(moto), Ok(_)) => Some((dynamo, moto)),
        _ => {
            assert!(
                std::env::var("BOSAI_REQUIRE_LAMBDA_EMULATOR").is_err(),
                "run through scripts/lambda-emulator-test.sh"
            );
            eprintln!("skipping: run through scripts/lambda-emulator-test.sh");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn call(http: &reqwest::Client, method: &str, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = http.request(method.parse().unwrap(), url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

fn staff_token(key: &Signer, role: Role, shelters: &[&str]) -> String {
    let now = bosai_core::clock::now_seconds();
    let claims = Claims {
        iss: STAFF_ISSUER.into(),
        aud: "bosai-api".into(),
        sub: format!("staff:emulator-{}", role.as_str()),
        iat: now,
        nbf: now,
        exp: now + 600,
        role,
        shelters: shelters.iter().map(|s| s.to_string()).collect(),
        municipality: Some("041009".into()),
    };
    key.sign("at+jwt", &claims)
}

#[tokio::test]
async fn the_lambda_binaries_serve_sign_in_household_scan_and_fanout() {
    let Some((dynamo, _moto)) = ready() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let identity = bosai_companion::dev::ensure_dev_identity(dir.path()).unwrap();

    // What infra/template.yaml creates: the table (seeded with the demo shelters), the
    // token key, the pseudonym and VAPID secrets.
    let table = format!("bosai-emulator-{}", std::process::id());
    let store =
        DynamoStore::connect(&DynamoConfig { table: table.clone(), endpoint: Some(dynamo.clone()), region: None })
            .await;
    store.create_table().await.unwrap();
    bosai_core::seed::seed(&store, bosai_types::Timestamp(bosai_core::clock::now_millis())).await.unwrap();
    let key_arn = common::aws::new_token_key().await;
    let pseudonym = common::aws::new_secret("pseudonym", &"p".repeat(64)).await;
    let vapid_key = [uuid::Uuid::new_v4().into_bytes(), uuid::Uuid::new_v4().into_bytes()].concat();
    let vapid_key = Signer::new(p256::ecdsa::SigningKey::from_slice(&vapid_key).unwrap());
    let vapid = common::aws::new_secret("vapid", &vapid_key.to_pkcs8_pem()).await;
    // Staff tokens come from the organisation's IdP on AWS; here a test issuer and its JWKS.
    let staff_key = Signer::from_pkcs8_pem(&std::fs::read_to_string(&identity.token_key).unwrap()).unwrap();
    let staff_jwks = dir.path().join("staff-jwks.json");
    std::fs::write(&staff_jwks, serde_json::to_vec(&Jwks { keys: vec![staff_key.jwk().clone()] }).unwrap()).unwrap();

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let (token_url, api_url) = (format!("{base}/lambda-url/token"), format!("{base}/lambda-url/api"));
    let paths = |v: &[std::path::PathBuf]| v.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(",");
    let env = [
        ("BOSAI_STORE", "dynamodb".to_owned()),
        ("BOSAI_TABLE", table.clone()),
        ("BOSAI_DYNAMODB_ENDPOINT", dynamo.clone()),
        ("BOSAI_MUNICIPALITY", "041009".into()),
        ("BOSAI_RETENTION_DAYS", "90".into()),
        ("BOSAI_ISSUER", "bosai-emulator".into()),
        ("BOSAI_TOKEN_KMS_KEYS", key_arn.clone()),
        ("BOSAI_REDIRECT_URIS", format!("{token_url}/auth/callback")),
        ("BOSAI_JPKI_TRUST", "test".into()),
        ("BOSAI_JPKI_TEST_CAS", paths(&identity.ca_certs)),
        ("BOSAI_JPKI_CRLS", paths(&identity.crls)),
        ("BOSAI_PSEUDONYM_SECRET_ID", pseudonym),
        ("BOSAI_VAPID_KEY_SECRET_ID", vapid),
        ("BOSAI_VAPID_SUBJECT", "mailto:ops@example.jp".into()),
        ("BOSAI_STAFF_ISSUER", STAFF_ISSUER.into()),
        ("BOSAI_STAFF_JWKS_FILE", staff_jwks.display().to_string()),
    ];
    let env_file = dir.path().join("lambda.env");
    std::fs::write(&env_file, env.iter().map(|(k, v)| format!("{k}={v}\n")).collect::<String>()).unwrap();
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let log = std::fs::File::create(dir.path().join("watch.log")).unwrap();
    let child = {
        use std::os::unix::process::CommandExt;
        Command::new("cargo")
            .args([
                "lambda",
                "watch",
                "--ignore-changes",
                "--quiet",
                "-A",
                "127.0.0.1",
                "-P",
                &port.to_string(),
                "--env-file",
            ])
            .arg(&env_file)
            .current_dir(&workspace)
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .process_group(0)
            .spawn()
            .expect("cargo lambda (scripts/infra-tools.sh installs it)")
    };
    let _emulator = Emulator(child);
    // The first call of each function builds and starts it: allow for a build.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(600)).build().unwrap();
    let mut health = None;
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{api_url}/api/health")).send().await {
            health = Some(r.json::<Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let log = || std::fs::read_to_string(dir.path().join("watch.log")).unwrap_or_default();
    let health = health.unwrap_or_else(|| panic!("the emulator did not answer: {}", log()));
    assert_eq!(health["store"], "dynamodb", "{health}");

    // The token function publishes the KMS key and signs the card sign-in's tokens with it.
    let jwks: Jwks = http.get(format!("{token_url}/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let tokens = bosai_companion::client::login(&token_url, &identity.card("taro").unwrap(), false)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", log()));
    let resident = tokens.access_token;
    assert!(bosai_core::auth::TokenKeys::with_signer("bosai-emulator", None, jwks.keys.clone(), vec![])
        .unwrap()
        .verify(&resident, bosai_core::clock::now_seconds())
        .is_ok());

    // The api function reads the household with that token (it holds the public key only).
    let (s, household) = call(&http, "GET", &format!("{api_url}/api/household"), &resident, None).await;
    assert_eq!(s, 200, "{household}");
    assert_eq!(household["members"][0]["member"]["id"], "self", "{household}");
    // The QR is signed by the token function; the api function refuses to sign it.
    let body = json!({"members": ["self"]});
    assert_eq!(
        call(&http, "POST", &format!("{api_url}/api/me/checkin-credential"), &resident, Some(body.clone())).await.0,
        503
    );
    let (s, cred) = call(&http, "POST", &format!("{token_url}/api/me/checkin-credential"), &resident, Some(body)).await;
    assert_eq!(s, 200, "{cred}");

    // Shelter staff scan it through the api function; the resident is on the roster.
    let shelter = bosai_core::seed::DEMO_STAFF_SHELTER;
    let staff = staff_token(&staff_key, Role::ShelterStaff, &[shelter]);
    let scan = json!({"device_id": "tablet-1", "records": [{"event_id": "emulator-scan-1", "kind": "check_in", "at": bosai_core::clock::now_millis(), "credential": cred["credential"]}]});
    let (s, result) = call(&http, "POST", &format!("{api_url}/api/shelters/{shelter}/scans"), &staff, Some(scan)).await;
    assert_eq!(s, 200, "{result}");
    assert_eq!(result["results"][0]["outcome"], "stored", "{result}");
    let (s, roster) = call(&http, "GET", &format!("{api_url}/api/shelters/{shelter}/roster"), &staff, None).await;
    assert_eq!(s, 200, "{roster}");
    assert_eq!(roster.as_array().map(Vec::len), Some(1), "{roster}");

    // HQ saves a notice; the fan-out function takes the stream event of the new item.
    let hq = staff_token(&staff_key, Role::Hq, &[]);
    let notice = json!({"id": "emulator-water", "title": {"ja": "給水"}, "body": {"ja": "14時から給水します。"}, "level": "info", "target": {"type": "all"}});
    let (s, saved) = call(&http, "POST", &format!("{api_url}/api/hq/notices"), &hq, Some(notice)).await;
    assert_eq!(s, 201, "{saved}");
    let event: Value = serde_json::from_str(include_str!("fixtures/lambda/notice-stream-event.json")).unwrap();
    // The emulator's Invoke API, as the stream's event source mapping invokes the function.
    let invoke_fanout = || async {
        let res =
            http.post(format!("{base}/2015-03-31/functions/fanout/invocations")).json(&event).send().await.unwrap();
        res.json::<Value>().await.unwrap()
    };
    let out = invoke_fanout().await;
    assert_eq!(out["notices"], 1, "{out}: {}", log());
    // Sent: a second round has nothing left to send.
    let again = invoke_fanout().await;
    assert_eq!(again["notices"], 0, "{again}");
}

//! `make run`: the whole stack on 127.0.0.1 with the embedded store and demo data.
//! Env: BOSAI_PORT/PORT (default 8080, 0 = any free port), BOSAI_DATA_DIR,
//! BOSAI_DIST (built app, default `dist`), BOSAI_STORE=dynamodb for DynamoDB,
//! BOSAI_OIDC_PROVIDER (staff sign-in provider script, `off` for none).
//! `bosai-local manifest` prints what the AWS template must match (`bosai_core::deployment`).

use bosai_core::{seed, AppState, Config};
use bosai_types::Timestamp;
use std::path::PathBuf;
use std::process::ExitCode;

async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
    tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term.recv() => {} }
}

#[tokio::main]
async fn main() -> ExitCode {
    bosai_core::telemetry::init(false);
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bosai-local: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // `bosai-local manifest`: what infra/template.yaml must match (tests/infra checks it).
    if std::env::args().nth(1).as_deref() == Some("manifest") {
        let mut manifest = bosai_core::deployment::manifest(bosai_store::dynamo::cloudformation_table());
        // The app's pages are tested in the browser under this policy; CloudFront must send the same.
        manifest["content_security_policy"] = bosai_local::CONTENT_SECURITY_POLICY.into();
        println!("{}", serde_json::to_string_pretty(&manifest)?);
        return Ok(());
    }
    // `bosai-local first-admin CODE SUBJECT NAME`: the first admin's staff record, written by an
    // operator into the deployment's store (BOSAI_STORE=dynamodb BOSAI_TABLE=… with AWS
    // credentials); every later record is made by an admin in /hq. The provider label is
    // BOSAI_OIDC_IDP (default `oidc`), as in the functions.
    if std::env::args().nth(1).as_deref() == Some("first-admin") {
        return first_admin(std::env::args().skip(2).collect()).await;
    }
    let config = Config::from_env()?;
    let store = config.open_store().await?;
    seed::seed(store.as_ref(), Timestamp(bosai_core::clock::now_millis())).await?;
    let data_dir = PathBuf::from(std::env::var("BOSAI_DATA_DIR").unwrap_or_else(|_| ".bosai/data".into()));
    let identity = std::sync::Arc::new(bosai_companion::dev::ensure_dev_identity(&data_dir.join("identity"))?);
    let dist = PathBuf::from(std::env::var("BOSAI_DIST").unwrap_or_else(|_| "dist".into()));
    if !dist.join("index.html").exists() {
        eprintln!("warning: {} has no index.html; build the app with scripts/build-app.sh", dist.display());
    }
    let port: u16 =
        std::env::var("BOSAI_PORT").or_else(|_| std::env::var("PORT")).unwrap_or_else(|_| "8080".into()).parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port} ({e}); set PORT to another port"))?;
    let base = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let mut auth_config = bosai_local::dev_auth_config(&identity, &base);
    let callback = format!("{base}/shelter/callback");
    let provider = match bosai_local::oidc_provider::script() {
        // Without it the stack still runs: staff paste tokens (printed below) instead.
        Some(script) => match bosai_local::oidc_provider::LocalProvider::start(
            &script,
            &callback,
            &data_dir.join("identity/oidc-keys.json"),
        )
        .await
        {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("warning: staff sign-in provider not started: {e}");
                None
            }
        },
        None => None,
    };
    auth_config.oidc = provider.as_ref().map(|p| p.config(&callback));
    let auth = auth_config.load()?;
    println!("Bōsai local stack ({} store)", store.backend());
    println!("  Resident app      {base}/");
    println!("  Shelter staff     {base}/shelter");
    println!("  Disaster HQ       {base}/hq");
    println!("  API               {base}/api/health  ·  {base}/api/openapi.json");
    let companion = std::env::var("BOSAI_COMPANION_BIN").unwrap_or_else(|_| "companion".into());
    println!("  Sign in           open the resident app, tap サインイン, pick a simulated card");
    println!("                    or: {companion} login --server {base} --card {}", identity.cards[0].1.display());
    match &provider {
        Some(p) => {
            println!("  Staff sign-in     {base}/shelter  user staff / password bosai-staff  (片平丁小学校)");
            println!("  HQ sign-in        {base}/hq       user hq / password bosai-hq");
            println!("  Admin sign-in     {base}/hq       user admin / password bosai-admin  (import shelters, staff records)");
            println!("  Prefecture HQ     {base}/hq       user pref / password bosai-pref  (宮城県: every municipality, counts only)");
            println!("  Staff IdP         {}  (tools/oidc-provider)", p.issuer);
        }
        None => {
            println!(
                "  Staff token       {companion} staff-token --role shelter_staff --shelter {} --key {}",
                seed::DEMO_STAFF_SHELTER,
                identity.token_key.display()
            );
            println!("  HQ token          {companion} staff-token --role hq --key {}", identity.token_key.display());
            println!(
                "  Admin token       {companion} staff-token --role admin --key {}  (/hq: import shelters)",
                identity.token_key.display()
            );
        }
    }
    println!("BOSAI_READY {base}");
    let push = bosai_local::local_push(&data_dir.join("identity/keys/vapid.pem"))?;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    bosai_local::spawn_fanout_worker(store.clone(), push.clone(), wake.clone());
    bosai_local::spawn_purge_worker(store.clone(), &config, push.clone());
    let app = bosai_local::app(AppState::new(store, config, auth).with_push(push, Some(wake)), &dist, identity);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn first_admin(args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let [code, subject, name] = args.as_slice() else {
        return Err(
            "usage: bosai-local first-admin <municipality code> <the admin's sub at the staff provider> <name>".into(),
        );
    };
    let config = Config::from_env()?;
    let store = config.open_store().await?;
    let m = bosai_types::MunicipalityCode::parse(code)?;
    let operator = bosai_core::auth::Principal {
        sub: "operator".into(),
        role: bosai_types::auth::Role::Admin,
        shelters: vec![],
        municipality: None,
    };
    let idp = std::env::var("BOSAI_OIDC_IDP").ok().filter(|v| !v.is_empty()).unwrap_or_else(|| "oidc".into());
    let input = bosai_types::staff::StaffAccountInput {
        name: name.clone(),
        role: bosai_types::staff::StaffRole::Admin,
        shelters: vec![],
    };
    let now = Timestamp(bosai_core::clock::now_millis());
    let account = bosai_core::domain::staff_accounts::save(store.as_ref(), &operator, &idp, &m, subject, &input, now)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "admin record saved: {} ({}) administers {} at provider '{idp}'",
        account.name, account.subject, account.municipality
    );
    Ok(())
}

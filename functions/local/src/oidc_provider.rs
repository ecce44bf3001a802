//! The local OpenID Provider for staff sign-in: `tools/oidc-provider` (npm `oidc-provider`,
//! a certified implementation) started on 127.0.0.1 as a child of the local stack, with the
//! demo accounts of `accounts.json`. Never part of a deployment: there the municipality's
//! own provider (Cognito, Entra ID, …) is configured instead.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The label the seed's staff records use for this provider.
pub const IDP: &str = bosai_core::seed::DEMO_IDP;
pub const CLIENT_ID: &str = "bosai-staff";

/// The provider script: `BOSAI_OIDC_PROVIDER`, else `tools/oidc-provider/provider.mjs` under
/// the working directory; `BOSAI_OIDC_PROVIDER=off` runs without staff sign-in.
pub fn script() -> Option<PathBuf> {
    match std::env::var("BOSAI_OIDC_PROVIDER") {
        Ok(v) if v == "off" => None,
        Ok(v) => Some(PathBuf::from(v)),
        Err(_) => Some(PathBuf::from("tools/oidc-provider/provider.mjs")).filter(|p| p.exists()),
    }
}

/// A running provider; it stops with the local stack.
pub struct LocalProvider {
    pub issuer: String,
    _child: Child,
}

impl LocalProvider {
    /// Starts `node <script>` and waits for its `OIDC_READY <issuer>` line.
    pub async fn start(script: &Path, redirect_uri: &str, keys_file: &Path) -> Result<Self, String> {
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_PORT", std::env::var("BOSAI_OIDC_PORT").unwrap_or_else(|_| "0".into()))
            .env("OIDC_REDIRECT_URIS", redirect_uri)
            .env("OIDC_KEYS_FILE", keys_file)
            // kill_on_drop covers a clean exit; the pipe on stdin covers the stack being killed:
            // the provider stops when it closes.
            .env("OIDC_STOP_ON_STDIN_END", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                format!("cannot start node {} ({e}); install Node.js or set BOSAI_OIDC_PROVIDER=off", script.display())
            })?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        let ready = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(issuer) = line.strip_prefix("OIDC_READY ") {
                    return Some(issuer.trim().to_owned());
                }
            }
            None
        };
        match tokio::time::timeout(Duration::from_secs(30), ready).await {
            Ok(Some(issuer)) => Ok(Self { issuer, _child: child }),
            Ok(None) => Err(format!("{} exited before it was ready (see its messages above)", script.display())),
            Err(_) => Err(format!("{} did not start within 30 s", script.display())),
        }
    }

    pub fn config(&self, redirect_uri: &str) -> bosai_core::oidc::OidcConfig {
        bosai_core::oidc::OidcConfig {
            idp: IDP.into(),
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: None,
            redirect_uris: vec![redirect_uri.into()],
        }
    }
}

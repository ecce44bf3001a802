//! What the infrastructure must match: which Lambda function serves which route, which
//! environment variables each function reads, and the table. `bosai-local manifest`
//! prints it as JSON; the template test (`tests/infra`) checks `infra/template.yaml`
//! against it, so the template cannot drift from the code.

use crate::http::routes::{self, RouteSpec};
use serde_json::{json, Value};

/// A Lambda function of the deployment (one per binary crate in `functions/`), or the
/// local stack, which is all of them in one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// Every API route that neither signs nor reads card sign-in's secrets.
    Api,
    /// Card and staff sign-in, the JWKS, and every route that signs (`kms:Sign`).
    Token,
    /// Sends saved notices (stream of new notices, and a one-minute schedule).
    Fanout,
    /// Deletes expired personal data (hourly schedule).
    Purge,
    /// `make run` and the tests: everything in one process, keys in files.
    Local,
}

impl Function {
    pub const LAMBDAS: [Function; 4] = [Function::Api, Function::Token, Function::Fanout, Function::Purge];

    /// The binary's name, as `[[bin]]` in its crate and `BuildProperties.Binary` in the template.
    pub fn binary(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Token => "token",
            Self::Fanout => "fanout",
            Self::Purge => "purge",
            Self::Local => "bosai-local",
        }
    }

    /// Holds the token key's signing right and card sign-in's secrets.
    pub fn signs(self) -> bool {
        matches!(self, Self::Token | Self::Local)
    }
}

/// Routes outside `/api/auth/` that sign what they return, or need card sign-in's
/// secrets: served by the token function so only it may use the signing key.
pub const TOKEN_ROUTES: &[(&str, &str)] = &[
    // The resident's check-in QR (a signed credential).
    ("POST", "/api/me/checkin-credential"),
    // A shelter's printed poster (a signed shelter code).
    ("GET", "/api/shelters/{id}/poster"),
    // A card-less person registered at the desk gets a signed credential.
    ("POST", "/api/shelters/{id}/desk-registrations"),
    // Linking a renewed card needs the pseudonym key and the JPKI trust.
    ("POST", "/api/admin/card-renewals"),
];

/// The function API Gateway sends a request to.
pub fn served_by(method: &str, path: &str) -> Function {
    let token =
        path.starts_with("/api/auth/") || path.starts_with("/.well-known/") || TOKEN_ROUTES.contains(&(method, path));
    if token {
        Function::Token
    } else {
        Function::Api
    }
}

/// Whether a variable must be set on AWS, may be, or belongs to the local stack and tests only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
    LocalOnly,
}

/// An environment variable some function reads.
#[derive(Debug, Clone, Copy)]
pub struct EnvVar {
    pub name: &'static str,
    pub read_by: &'static [Function],
    pub need: Need,
}

use Function::*;
use Need::*;

const ALL: &[Function] = &[Api, Token, Fanout, Purge, Local];
const HTTP: &[Function] = &[Api, Token, Local];
const CARD: &[Function] = &[Token, Local];
const PUSH: &[Function] = &[Api, Fanout, Purge, Local];
const LOCAL: &[Function] = &[Local];

/// Every variable the functions read (`Config::from_env`, `AuthConfig::from_env`,
/// `push_from_env`, the local stack). A test reads the sources and fails on one missing here.
#[rustfmt::skip]
pub const ENV: &[EnvVar] = &[
    EnvVar { name: "BOSAI_STORE", read_by: ALL, need: Required },
    EnvVar { name: "BOSAI_TABLE", read_by: ALL, need: Required },
    EnvVar { name: "BOSAI_MUNICIPALITY", read_by: ALL, need: Required },
    EnvVar { name: "BOSAI_RETENTION_DAYS", read_by: ALL, need: Required },
    EnvVar { name: "BOSAI_PUBLIC_CACHE_SECONDS", read_by: ALL, need: Optional },
    // amazon (default: only Amazon Trust Services roots for AWS endpoints) or platform.
    EnvVar { name: "BOSAI_AWS_TRUST", read_by: ALL, need: Optional },
    EnvVar { name: "BOSAI_INACTIVE_DAYS", read_by: ALL, need: Optional },
    EnvVar { name: "BOSAI_INACTIVE_WARNING_DAYS", read_by: ALL, need: Optional },
    EnvVar { name: "BOSAI_DATA_DIR", read_by: ALL, need: LocalOnly },
    EnvVar { name: "BOSAI_DYNAMODB_ENDPOINT", read_by: ALL, need: LocalOnly },
    EnvVar { name: "BOSAI_REQUIRE_DYNAMODB", read_by: LOCAL, need: LocalOnly },
    EnvVar { name: "BOSAI_ISSUER", read_by: HTTP, need: Required },
    EnvVar { name: "BOSAI_TOKEN_KMS_KEYS", read_by: HTTP, need: Required },
    EnvVar { name: "BOSAI_TOKEN_KEYS", read_by: HTTP, need: LocalOnly },
    EnvVar { name: "BOSAI_REDIRECT_URIS", read_by: HTTP, need: Required },
    EnvVar { name: "BOSAI_COMPANION_URL", read_by: HTTP, need: Optional },
    EnvVar { name: "BOSAI_STAFF_ISSUER", read_by: HTTP, need: LocalOnly },
    EnvVar { name: "BOSAI_STAFF_JWKS_FILE", read_by: HTTP, need: LocalOnly },
    EnvVar { name: "BOSAI_OIDC_ISSUER", read_by: HTTP, need: Required },
    EnvVar { name: "BOSAI_OIDC_CLIENT_ID", read_by: HTTP, need: Required },
    EnvVar { name: "BOSAI_OIDC_REDIRECT_URIS", read_by: HTTP, need: Required },
    EnvVar { name: "BOSAI_OIDC_IDP", read_by: HTTP, need: Required },
    EnvVar { name: "BOSAI_OIDC_CLIENT_SECRET_FILE", read_by: HTTP, need: LocalOnly },
    EnvVar { name: "BOSAI_JPKI_TRUST", read_by: CARD, need: Required },
    EnvVar { name: "BOSAI_JPKI_CRLS", read_by: CARD, need: Required },
    EnvVar { name: "BOSAI_JPKI_CRL_RELOAD_SECONDS", read_by: CARD, need: Optional },
    EnvVar { name: "BOSAI_JPKI_TEST_CAS", read_by: CARD, need: LocalOnly },
    EnvVar { name: "BOSAI_PSEUDONYM_SECRET_ID", read_by: CARD, need: Required },
    EnvVar { name: "BOSAI_PSEUDONYM_SECRET_FILE", read_by: CARD, need: LocalOnly },
    EnvVar { name: "BOSAI_VAPID_KEY_SECRET_ID", read_by: PUSH, need: Required },
    EnvVar { name: "BOSAI_VAPID_KEY_FILE", read_by: PUSH, need: LocalOnly },
    EnvVar { name: "BOSAI_VAPID_SUBJECT", read_by: PUSH, need: Required },
    EnvVar { name: "BOSAI_PUSH_ALLOW_LOOPBACK", read_by: PUSH, need: LocalOnly },
    EnvVar { name: "BOSAI_PORT", read_by: LOCAL, need: LocalOnly },
    EnvVar { name: "BOSAI_DIST", read_by: LOCAL, need: LocalOnly },
    EnvVar { name: "BOSAI_COMPANION_BIN", read_by: LOCAL, need: LocalOnly },
    EnvVar { name: "BOSAI_OIDC_PROVIDER", read_by: LOCAL, need: LocalOnly },
    EnvVar { name: "BOSAI_OIDC_PORT", read_by: LOCAL, need: LocalOnly },
    EnvVar { name: "BOSAI_PURGE_INTERVAL_SECONDS", read_by: LOCAL, need: LocalOnly },
];

fn need_name(n: Need) -> &'static str {
    match n {
        Required => "required",
        Optional => "optional",
        LocalOnly => "local",
    }
}

fn trigger(f: Function) -> &'static str {
    match f {
        Api | Token => "http",
        Fanout => "stream+schedule",
        Purge => "schedule",
        Local => "local",
    }
}

/// The manifest `tests/infra` checks the template against.
pub fn manifest(table: Value) -> Value {
    let functions: serde_json::Map<String, Value> = Function::LAMBDAS
        .iter()
        .map(|&f| {
            let env: serde_json::Map<String, Value> =
                ENV.iter().filter(|v| v.read_by.contains(&f)).map(|v| (v.name.to_owned(), json!(need_name(v.need)))).collect();
            (f.binary().to_owned(), json!({ "binary": f.binary(), "crate": format!("functions/{}", f.binary()), "trigger": trigger(f), "env": env }))
        })
        .collect();
    let routes: Vec<Value> = routes::all()
        .iter()
        .map(|r: &RouteSpec| json!({ "method": r.method, "path": r.path, "function": served_by(&r.method, &r.path).binary() }))
        // Notice landing pages are pages, not API routes: the api function serves them.
        .chain(["/n/{id}", "/n/{code}/{id}"].map(|p| json!({ "method": "GET", "path": p, "function": "api" })))
        .collect();
    json!({ "functions": functions, "routes": routes, "table": table })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every `"BOSAI_…"` literal in the functions' sources (tests excluded).
    fn names_in_sources(dir: &Path, out: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tests" && n != "target") {
                    names_in_sources(&path, out);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests set variables of their own; only what the code reads counts.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for part in code.split("\"BOSAI_").skip(1) {
                let name: String =
                    part.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
                if part[name.len()..].starts_with('"') {
                    out.insert(format!("BOSAI_{name}"));
                }
            }
        }
    }

    #[test]
    fn every_variable_the_code_reads_is_registered_and_no_other() {
        let functions = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let mut found = std::collections::BTreeSet::new();
        names_in_sources(functions, &mut found);
        let registered: std::collections::BTreeSet<String> = ENV.iter().map(|v| v.name.to_owned()).collect();
        let missing: Vec<_> = found.difference(&registered).collect();
        let stale: Vec<_> = registered.difference(&found).collect();
        assert!(missing.is_empty(), "read by the code but not in deployment::ENV: {missing:?}");
        assert!(stale.is_empty(), "in deployment::ENV but read nowhere: {stale:?}");
    }

    #[test]
    fn routes_that_sign_go_to_the_token_function() {
        let all = routes::all();
        for (method, path) in TOKEN_ROUTES {
            assert!(all.iter().any(|r| r.method == *method && r.path == *path), "{method} {path} is not a route");
        }
        assert_eq!(served_by("POST", "/api/auth/jpki"), Token);
        assert_eq!(served_by("GET", "/.well-known/jwks.json"), Token);
        assert_eq!(served_by("POST", "/api/me/checkin-credential"), Token);
        assert_eq!(served_by("GET", "/api/me/checkin-credential"), Api, "method matters");
        assert_eq!(served_by("POST", "/api/shelters/{id}/scan"), Api);
    }

    #[test]
    fn the_api_function_reads_no_card_secret_and_signs_nothing() {
        let api: Vec<_> = ENV.iter().filter(|v| v.read_by.contains(&Api)).map(|v| v.name).collect();
        assert!(!api.contains(&"BOSAI_PSEUDONYM_SECRET_ID") && !api.contains(&"BOSAI_JPKI_CRLS"), "{api:?}");
        assert!(!Api.signs() && Token.signs());
    }
}

//! The local stack: the API router plus the built PWA, on 127.0.0.1.

pub mod companion_page;
pub mod oidc_provider;
mod push;
pub use push::{local_push, spawn_fanout_worker, spawn_purge_worker};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bosai_core::AppState;
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Content-hashed files (`app-3f9c0a1b.css`) and everything in a content-hashed bundle folder
/// (`resident-0123456789abcdef/chunk_7.wasm`) never change, so browsers keep them; everything
/// else (index.html, sw.js, manifest, catalogs) is revalidated on each load.
fn is_hashed_asset(path: &str) -> bool {
    path.split('/').any(|segment| {
        let stem = segment.split('.').next().unwrap_or("");
        stem.rsplit_once('-').is_some_and(|(_, h)| h.len() >= 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() && !res.headers().contains_key(header::CACHE_CONTROL) {
        let v = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(v));
    }
    res
}

/// The app needs nothing from other origins and no inline script; wasm needs
/// 'wasm-unsafe-eval'. CloudFront sends the same policy in production (infra).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

async fn app_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

/// Extensions of files the build produces: a missing one is a real 404.
const ASSET_EXTENSIONS: &[&str] =
    &["js", "wasm", "css", "png", "svg", "ico", "json", "webmanifest", "map", "txt", "br", "gz"];

fn looks_like_asset(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.').is_some_and(|(_, ext)| ASSET_EXTENSIONS.contains(&ext))
}

/// The staff and HQ views are their own bundle, so a resident's phone never downloads
/// them; every other page is the resident app. sw.js makes the same choice offline.
pub fn shell_for(path: &str) -> &'static str {
    let staff = ["/shelter", "/hq"]
        .iter()
        .any(|p| path.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')));
    if staff {
        "staff.html"
    } else {
        "index.html"
    }
}

/// Deep links (`/hq`, `/n/abc`, `/c/<signed.poster.code>`) get their app; a missing
/// file (`/x.js`) is a real 404.
async fn spa_fallback(dist: PathBuf, req: Request) -> Response {
    if looks_like_asset(req.uri().path()) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let index = dist.join(shell_for(req.uri().path()));
    if !index.exists() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The app is not built yet: run `make run` (or scripts/build-app.sh).\nアプリがまだビルドされていません。",
        )
            .into_response();
    }
    let file = ServeFile::new(&index).precompressed_br().precompressed_gzip();
    match file.oneshot(req).await {
        Ok(res) => res.into_response(),
        Err(e) => match e {},
    }
}

/// Local identity settings from the dev material (see `bosai_companion::dev`).
/// `BOSAI_JPKI_CRL_RELOAD_SECONDS` (default hourly) re-reads the test CA's CRLs.
pub fn dev_auth_config(id: &bosai_companion::dev::DevIdentity, base_url: &str) -> bosai_core::config::AuthConfig {
    let mut cfg = bosai_core::config::AuthConfig::local(
        base_url,
        id.token_key.clone(),
        id.ca_certs.clone(),
        id.crls.clone(),
        id.pseudonym_secret.clone(),
    );
    if let Some(secs) =
        std::env::var("BOSAI_JPKI_CRL_RELOAD_SECONDS").ok().and_then(|v| v.parse().ok()).filter(|s: &i64| *s > 0)
    {
        cfg.crl_reload_seconds = secs;
    }
    cfg
}

pub fn app(state: AppState, dist: &Path, identity: std::sync::Arc<bosai_companion::dev::DevIdentity>) -> Router {
    let companion = Router::new()
        .route("/dev/companion", axum::routing::get(companion_page::start).post(companion_page::sign))
        .with_state(companion_page::CompanionState { app: state.clone(), identity });
    let root = dist.to_path_buf();
    let fallback = tower::service_fn(move |req: Request| {
        let root = root.clone();
        async move { Ok::<_, std::convert::Infallible>(spa_fallback(root, req).await) }
    });
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(fallback);
    let files = tower::ServiceBuilder::new().layer(middleware::from_fn(app_headers)).service(files);
    bosai_core::router(state).merge(companion).fallback_service(files).layer(middleware::from_fn(cache_headers))
}

#[cfg(test)]
mod tests {
    #[test]
    fn deep_links_with_dots_are_not_assets() {
        assert!(super::looks_like_asset("/bosai-app-0123456789abcdef.wasm"));
        assert!(super::looks_like_asset("/icons/missing.png"));
        assert!(!super::looks_like_asset("/c/eyJhbGciOiJFUzI1NiJ9.eyJzaCI6ImEifQ.c2lnbmF0dXJl"));
        assert!(!super::looks_like_asset("/hq"));
    }

    #[test]
    fn hashed_assets() {
        assert!(super::is_hashed_asset("/bosai_app-3f9c0a1b.wasm"));
        assert!(super::is_hashed_asset("/assets/app-0123456789abcdef.js"));
        assert!(super::is_hashed_asset("/resident-0123456789abcdef/__wasm_split.js"));
        assert!(super::is_hashed_asset("/resident-0123456789abcdef/split___household_route_view_1842.wasm"));
        assert!(!super::is_hashed_asset("/i18n/resident/vi.txt"));
        assert!(!super::is_hashed_asset("/sw.js"));
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/manifest.webmanifest"));
    }

    #[test]
    fn staff_paths_get_the_staff_shell() {
        use super::shell_for;
        for p in ["/shelter", "/shelter/", "/shelter/roster", "/hq", "/hq/shelters/x"] {
            assert_eq!(shell_for(p), "staff.html", "{p}");
        }
        for p in ["/", "/shelters", "/hqx", "/household", "/c/a.b.c", "/n/1"] {
            assert_eq!(shell_for(p), "index.html", "{p}");
        }
    }
}

//! Typed client for `/api`, plus the small browser helpers (storage, clock)
//! the pages share. Same-origin only: the app and the API are served together.

use crate::i18n::Lang;
use bosai_types::{Health, Problem, Shelter, Timestamp};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// fetch() rejected: offline, DNS, connection reset.
    Network,
    /// The server answered with an error and a `Problem` body.
    Problem { status: u16, problem: Problem },
    /// An error status without a readable `Problem` (a proxy page, say).
    Http(u16),
    /// A 2xx whose body did not match the expected type.
    Decode,
}

impl ApiError {
    /// The service worker answers failed `/api` GETs with this code.
    pub fn is_offline(&self) -> bool {
        match self {
            ApiError::Network => true,
            ApiError::Problem { problem, .. } => problem.code == "offline",
            _ => false,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let t = lang.tr();
        match self {
            ApiError::Network => t.err_network.into(),
            ApiError::Problem { problem, .. } if lang.is_ja() => problem.message_ja.clone(),
            ApiError::Problem { problem, .. } => problem.message.clone(),
            ApiError::Http(_) => t.err_server.into(),
            ApiError::Decode => t.err_decode.into(),
        }
    }
}

async fn send<T: DeserializeOwned>(method: &str, path: &str, body: Option<String>) -> Result<T, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept", "application/json");
    if let Some(b) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&b));
    }
    init.set_headers(&headers);

    let window = web_sys::window().ok_or(ApiError::Network)?;
    let resp = JsFuture::from(window.fetch_with_str_and_init(path, &init)).await.map_err(|_| ApiError::Network)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| ApiError::Network)?;
    let status = resp.status();
    // A body cut off mid-transfer is a network problem, not bad JSON.
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.map_err(|_| ApiError::Network)?.as_string().unwrap_or_default(),
        Err(_) => return Err(ApiError::Network),
    };
    if resp.ok() {
        serde_json::from_str(&text).map_err(|_| ApiError::Decode)
    } else {
        match serde_json::from_str::<Problem>(&text) {
            Ok(problem) => Err(ApiError::Problem { status, problem }),
            Err(_) => Err(ApiError::Http(status)),
        }
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send("GET", path, None).await
}

/// For the write endpoints later issues add (never cached by the service worker).
#[allow(dead_code)]
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let json = serde_json::to_string(body).map_err(|_| ApiError::Decode)?;
    send("POST", path, Some(json)).await
}

#[allow(dead_code)]
pub async fn health() -> Result<Health, ApiError> {
    get("/api/health").await
}

pub async fn shelters() -> Result<Vec<Shelter>, ApiError> {
    get("/api/shelters").await
}

// ---- offline copies -------------------------------------------------------

/// A response kept in localStorage so the last good data shows offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved<T> {
    pub saved_at: Timestamp,
    pub data: T,
}

// Bump the suffix when the stored shape changes; old entries are then ignored.
const SHELTERS_KEY: &str = "bosai.shelters.v1";

pub fn saved_shelters() -> Option<Saved<Vec<Shelter>>> {
    serde_json::from_str(&storage_get(SHELTERS_KEY)?).ok()
}

pub fn save_shelters(data: Vec<Shelter>) -> Saved<Vec<Shelter>> {
    let saved = Saved { saved_at: now(), data };
    if let Ok(json) = serde_json::to_string(&saved) {
        storage_set(SHELTERS_KEY, &json);
    }
    saved
}

// ---- browser helpers ------------------------------------------------------

fn storage() -> Option<web_sys::Storage> {
    // Private browsing or a full disk: the app still works, it just forgets.
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn storage_set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

pub fn register_service_worker() {
    if let Some(w) = web_sys::window() {
        let nav = w.navigator();
        // Absent on plain-http origins other than localhost; the app works without it.
        if js_sys::Reflect::has(&nav, &"serviceWorker".into()).unwrap_or(false) {
            let _ = nav.service_worker().register("/sw.js");
        }
    }
}

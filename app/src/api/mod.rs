//! Typed client for `/api`: one function per endpoint (`public`, `resident`, `shelter`, `hq`),
//! each returning a [`Call`] that knows its method, path, body, caller and answer type; errors as
//! the reader understands them; the callers a request is sent as (the one place a token is
//! attached); and the lists kept on the device. Same-origin only: the app and the API are served
//! together.

#[cfg(feature = "staff")]
pub mod hq;
mod problem;
pub mod public;
pub mod resident;
#[cfg(feature = "staff")]
pub mod shelter;

use crate::dom::{now, storage_get, storage_set};
use crate::i18n::Lang;
use bosai_types::{Problem, Shelter, Timestamp};
use serde::{de::DeserializeOwned, Serialize};
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
    /// No session, or the callback has no code or no PKCE verifier in this browser.
    NoSignIn,
    /// Web Crypto or storage missing (very old browser, insecure origin).
    Unsupported,
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

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem { status, .. } | ApiError::Http(status) => Some(*status),
            _ => None,
        }
    }

    /// The `Problem` code, e.g. "invalid_grant".
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Problem { problem, .. } => Some(&problem.code),
            _ => None,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let t = lang.tr();
        match self {
            ApiError::Network => t.err_network.into(),
            ApiError::Problem { problem, .. } => problem::text(problem, lang),
            ApiError::Http(_) => t.err_server.into(),
            ApiError::Decode => t.err_decode.into(),
            ApiError::NoSignIn => t.err_no_signin.into(),
            ApiError::Unsupported => t.err_unsupported.into(),
        }
    }
}

/// Who a request is sent as: the one place a token is attached. A resident's token is
/// refreshed when (nearly) expired and once more on a 401 (`session`); staff and HQ tokens live
/// in this tab only. Each caller is a type, so a bundle links only the callers it uses.
pub trait Caller {
    async fn send(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError>;
}

/// No token: public data.
pub struct Public;
/// The signed-in resident.
pub struct Resident;
/// The shelter staff signed in on this tab.
#[cfg(feature = "staff")]
pub struct Staff;
/// HQ signed in on this tab.
#[cfg(feature = "staff")]
pub struct Hq;

impl Caller for Public {
    async fn send(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
        send(method, path, body, None).await
    }
}

impl Caller for Resident {
    async fn send(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
        crate::session::authed_send_made(method, path, body, None).await
    }
}

#[cfg(feature = "staff")]
impl Caller for Staff {
    async fn send(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
        send(method, path, body, Some(&crate::staff::token().ok_or(ApiError::NoSignIn)?)).await
    }
}

#[cfg(feature = "staff")]
impl Caller for Hq {
    async fn send(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
        send(method, path, body, Some(&crate::hq::token().ok_or(ApiError::NoSignIn)?)).await
    }
}

/// One call of the API, prepared by its endpoint's function: method, path (with its parameters),
/// JSON body, who sends it (`C`) and what the answer decodes to (`T`; [`Ignored`]: not read).
/// Sent now ([`Call::send`]), kept as text ([`Call::text`]), or queued (the outbox reads its parts).
pub struct Call<C, T> {
    pub method: &'static str,
    pub path: String,
    pub body: Option<String>,
    answer: std::marker::PhantomData<fn() -> (C, T)>,
}

/// An answer the caller does not read (204, or a body it has no use for): sent with
/// [`Call::done`], never decoded.
pub struct Ignored;

impl<C, T> Call<C, T> {
    pub(crate) fn new(method: &'static str, path: String) -> Self {
        Call { method, path, body: None, answer: std::marker::PhantomData }
    }

    pub(crate) fn with<B: Serialize>(mut self, body: &B) -> Self {
        self.body = serde_json::to_string(body).ok();
        self
    }

    /// A JSON body already written as text (a survey answer kept as its JSON).
    pub(crate) fn with_text(mut self, body: String) -> Self {
        self.body = Some(body);
        self
    }
}

/// What [`Call::text`] does, not generic over the answer type: one copy per caller in the wasm.
async fn exchange<C: Caller>(method: &'static str, path: String, body: Option<String>) -> Result<String, ApiError> {
    C::send(method, &path, body).await
}

impl<C: Caller, T> Call<C, T> {
    /// Sends it as `C`: the answer's text, to keep on the device as received.
    pub fn text(self) -> impl std::future::Future<Output = Result<String, ApiError>> {
        exchange::<C>(self.method, self.path, self.body)
    }

    /// Sends it with this bearer token instead (an administrator's, pasted on the page).
    #[cfg(feature = "staff")]
    pub async fn text_with_token(self, bearer: &str) -> Result<String, ApiError> {
        send(self.method, &self.path, self.body, Some(bearer)).await
    }
}

impl<C: Caller, T: DeserializeOwned> Call<C, T> {
    /// Sends it as `C` and decodes the answer. (A combinator, not an `async fn`: no state machine
    /// per answer type in the wasm.)
    pub fn send(self) -> impl std::future::Future<Output = Result<T, ApiError>> {
        use futures::FutureExt;
        self.text().map(|r| r.and_then(|text| decode(&text)))
    }

    /// [`Call::send`] with an administrator's token.
    #[cfg(feature = "staff")]
    pub async fn send_with_token(self, bearer: &str) -> Result<T, ApiError> {
        decode(&self.text_with_token(bearer).await?)
    }
}

impl<C: Caller> Call<C, Ignored> {
    /// Sends it as `C`; the answer is not read.
    pub async fn done(self) -> Result<(), ApiError> {
        self.text().await.map(drop)
    }

    /// [`Call::done`] with an administrator's token.
    #[cfg(feature = "staff")]
    pub async fn done_with_token(self, bearer: &str) -> Result<(), ApiError> {
        self.text_with_token(bearer).await.map(drop)
    }
}

/// A query string of the pairs whose value is not empty (values encoded): `?a=1&b=x`, or nothing.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&String::from(js_sys::encode_uri_component(v)));
    }
    out
}

/// Sends a request (with a bearer token if given) and returns the raw body of a 2xx response.
pub async fn send(method: &str, path: &str, body: Option<String>, bearer: Option<&str>) -> Result<String, ApiError> {
    send_with(method, path, body, bearer, None).await
}

/// [`send`] for a write made at `made_at` on this device: the server orders writes by when
/// they were made, and corrects for this device's clock by the `Bosai-Sent-At` stamped now.
pub async fn send_with(
    method: &str,
    path: &str,
    body: Option<String>,
    bearer: Option<&str>,
    made_at: Option<Timestamp>,
) -> Result<String, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept", "application/json");
    if let Some(b) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&b));
    }
    if let Some(token) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some(at) = made_at {
        let _ = headers.set(bosai_types::made::MADE_AT_HEADER, &at.millis().to_string());
        let _ = headers.set(bosai_types::made::SENT_AT_HEADER, &now().millis().to_string());
    }
    init.set_headers(&headers);

    let window = web_sys::window().ok_or(ApiError::Network)?;
    let resp = JsFuture::from(window.fetch_with_str_and_init(path, &init)).await.map_err(|_| ApiError::Network)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| ApiError::Network)?;
    // A body cut off mid-transfer is a network problem, not bad JSON.
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.map_err(|_| ApiError::Network)?.as_string().unwrap_or_default(),
        Err(_) => return Err(ApiError::Network),
    };
    if resp.ok() {
        return Ok(text);
    }
    let status = resp.status();
    match serde_json::from_str::<Problem>(&text) {
        // The service worker's answer when there is no connection (public/sw.js).
        Ok(problem) if problem.code == "offline" => Err(ApiError::Network),
        Ok(problem) => Err(ApiError::Problem { status, problem }),
        Err(_) => Err(ApiError::Http(status)),
    }
}

pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|_| ApiError::Decode)
}

// ---- offline copies -------------------------------------------------------

/// The last good response of a GET, kept in localStorage so it shows offline.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved<T> {
    pub saved_at: Timestamp,
    pub data: T,
}

impl<C: Caller, T: DeserializeOwned> Call<C, T> {
    /// Sends it; on success keeps the answer (as received: no re-serialising) under `key`.
    pub async fn saved(self, key: &str) -> Result<Saved<T>, ApiError> {
        keep_saved(key, &self.text().await?)
    }
}

/// Decode a response body already fetched (with a token, say) and keep it as `get_saved` does.
pub fn keep_saved<T: DeserializeOwned>(key: &str, text: &str) -> Result<Saved<T>, ApiError> {
    let data = decode(text)?;
    let saved_at = now();
    storage_set(key, text);
    storage_set(&format!("{key}.at"), &saved_at.millis().to_string());
    Ok(Saved { saved_at, data })
}

/// The copy kept by `get_saved`, if it is there and still parses as `T`.
pub fn load_saved<T: DeserializeOwned>(key: &str) -> Option<Saved<T>> {
    let saved_at = Timestamp(storage_get(&format!("{key}.at"))?.parse().ok()?);
    Some(Saved { saved_at, data: decode(&storage_get(key)?).ok()? })
}

/// The deployment's own municipality: whose shelters a first visit lists, whose credentials
/// the staff devices accept.
pub const MUNICIPALITY: &str = "041009";

// Bump the suffix when the shape changes; old entries then stop parsing or are ignored.
const SHELTERS_KEY: &str = "bosai.shelters.v1";

/// Whose shelters the list shows ("" or absent: the deployment's own municipality).
pub const SHELTERS_OF_KEY: &str = "bosai.shelters.of.v1";

pub async fn shelters() -> Result<Saved<Vec<Shelter>>, ApiError> {
    let of = storage_get(SHELTERS_OF_KEY).filter(|m| !m.is_empty());
    public::shelters(of.as_deref()).saved(SHELTERS_KEY).await
}

/// The municipalities of the served prefectures (public; kept for offline).
const MUNICIPALITIES_KEY: &str = "bosai.municipalities.v1";

pub async fn municipalities() -> Result<Saved<Vec<bosai_types::household::MunicipalityChoice>>, ApiError> {
    public::municipalities().saved(MUNICIPALITIES_KEY).await
}

pub fn saved_municipalities() -> Vec<bosai_types::household::MunicipalityChoice> {
    load_saved(MUNICIPALITIES_KEY).map(|s: Saved<_>| s.data).unwrap_or_default()
}

pub fn saved_shelters() -> Option<Saved<Vec<Shelter>>> {
    load_saved(SHELTERS_KEY)
}

/// A shelter's name from the list saved on this device (its id until the list has loaded).
pub fn shelter_name(id: &str, l: Lang) -> String {
    saved_shelters()
        .and_then(|s| s.data.into_iter().find(|s| s.id.as_str() == id))
        .map(|s| if l.is_ja() || s.name_en.is_empty() { s.name_ja } else { s.name_en })
        .unwrap_or_else(|| id.to_owned())
}

/// Every `.rs` file under `dir` (tests that read the sources).
#[cfg(test)]
pub(crate) fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(p) = todo.pop() {
        if p.is_dir() {
            todo.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// Pages call an endpoint's function; only `api/` writes a path (tests may name one).
    #[test]
    fn api_paths_are_written_in_the_api_module_only() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let api = src.join("api");
        let mut found = Vec::new();
        for p in super::rust_files(&src).into_iter().filter(|p| !p.starts_with(&api)) {
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate().filter(|(_, l)| l.contains("\"/api/")) {
                found.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
            }
        }
        assert!(found.is_empty(), "write these as functions in app/src/api/:\n{}", found.join("\n"));
    }
}

//! Sign-in with the My Number Card (code flow + PKCE) and the resulting session.
//! Plain data in localStorage: the companion may return in a new tab, and a
//! reload must keep the resident signed in. The UI re-reads `load()` after any
//! call, since a failed refresh signs out. A copy in IndexedDB is what a refresh
//! reads (see `shared_call`).

use crate::api::{self, ApiError};
use crate::dom;
use bosai_types::auth::{ChallengeRequest, LogoutRequest, Me, TokenRequest, TokenResponse};
use bosai_types::Timestamp;
use wasm_bindgen_futures::JsFuture;

// Three plain keys: serde for a stored struct would cost ~3 KB of wasm.
const ACCESS_KEY: &str = "bosai.session.access";
const REFRESH_KEY: &str = "bosai.session.refresh";
const EXPIRES_KEY: &str = "bosai.session.expires_at";
const VERIFIER_KEY: &str = "bosai.pkce_verifier";
/// Refresh this long before expiry so no request leaves with a dying token.
const REFRESH_EARLY_MS: i64 = 60_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Milliseconds, by this device's clock at receipt (so server clock skew does not matter).
    pub expires_at: i64,
}

pub fn load() -> Option<Session> {
    Some(Session {
        access_token: dom::storage_get(ACCESS_KEY)?,
        refresh_token: dom::storage_get(REFRESH_KEY)?,
        expires_at: dom::storage_get(EXPIRES_KEY)?.parse().ok()?,
    })
}

fn store(t: TokenResponse) -> Session {
    let s = Session {
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        expires_at: dom::now().millis() + t.expires_in * 1000,
    };
    keep(&s);
    s
}

fn keep(s: &Session) {
    // The refresh token first: the old one is spent, so it is the one not to lose.
    dom::storage_set(REFRESH_KEY, &s.refresh_token);
    dom::storage_set(ACCESS_KEY, &s.access_token);
    dom::storage_set(EXPIRES_KEY, &s.expires_at.to_string());
}

fn forget() {
    for k in [REFRESH_KEY, ACCESS_KEY, EXPIRES_KEY] {
        dom::storage_remove(k);
    }
    // Not awaited: the deletion goes ahead in any case, and nothing here reads the copy again.
    let _ = shared_call("put", &wasm_bindgen::JsValue::NULL);
}

// ---- the copy every tab reads alike ------------------------------------------
//
// Chromium hands one tab's localStorage writes to the other tabs asynchronously: a tab granted
// the refresh lock the moment another released it can still read the spent refresh token in
// its own copy, and send it again. IndexedDB is one store that every tab reads from, so each
// refresh also writes the session there (committed before the lock is released), and a refresh
// reads it there inside the lock. The IndexedDB calls are `bosaiSession` of public/boot.js: a few
// lines of JS there, where the same calls from Rust brought the outbox's IndexedDB code (~2 KB
// brotli) into the first download.

/// Starts `window.bosaiSession[method](arg)`: its promise, or `None` if it is missing or throws.
fn shared_call(method: &str, arg: &wasm_bindgen::JsValue) -> Option<JsFuture> {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsCast;
    let api = Reflect::get(&js_sys::global(), &"bosaiSession".into()).ok()?;
    let f: Function = Reflect::get(&api, &method.into()).ok()?.dyn_into().ok()?;
    let p: Promise = f.call1(&api, arg).ok()?.dyn_into().ok()?;
    Some(JsFuture::from(p))
}

/// The session as the shared copy holds it (`[access, refresh, expires_at]`).
fn from_shared(v: wasm_bindgen::JsValue) -> Option<Session> {
    use wasm_bindgen::JsCast;
    let v: js_sys::Array = v.dyn_into().ok()?;
    Some(Session {
        access_token: v.get(0).as_string()?,
        refresh_token: v.get(1).as_string()?,
        expires_at: v.get(2).as_f64()? as i64,
    })
}

fn to_shared(s: &Session) -> wasm_bindgen::JsValue {
    js_sys::Array::of3(&(&s.access_token).into(), &(&s.refresh_token).into(), &(s.expires_at as f64).into()).into()
}

/// Of this tab's copy and the shared one, the one stored last (the later expiry): the shared
/// copy can be the older one when a tab of the previous app version refreshed.
fn latest(here: Session, shared: Option<Session>) -> Session {
    match shared {
        Some(s) if s.expires_at > here.expires_at => s,
        _ => here,
    }
}

// ---- PKCE -----------------------------------------------------------------

pub(crate) fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        // k input bytes give k+1 characters; no padding.
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
        }
    }
    out
}

pub(crate) fn crypto() -> Result<web_sys::Crypto, ApiError> {
    web_sys::window().and_then(|w| w.crypto().ok()).ok_or(ApiError::Unsupported)
}

/// BASE64URL(SHA-256(verifier)) via SubtleCrypto (measured smaller than the sha2 crate).
pub(crate) async fn s256(verifier: &str) -> Result<String, ApiError> {
    let promise = crypto()?
        .subtle()
        .digest_with_str_and_u8_array("SHA-256", verifier.as_bytes())
        .map_err(|_| ApiError::Unsupported)?;
    let digest = JsFuture::from(promise).await.map_err(|_| ApiError::Unsupported)?;
    Ok(base64url(&js_sys::Uint8Array::new(&digest).to_vec()))
}

/// Start sign-in: keep a fresh verifier, register its challenge, open the companion.
pub async fn start() -> Result<(), ApiError> {
    let mut bytes = [0u8; 32];
    crypto()?.get_random_values_with_u8_array(&mut bytes).map_err(|_| ApiError::Unsupported)?;
    let verifier = base64url(&bytes);
    let location = web_sys::window().ok_or(ApiError::Unsupported)?.location();
    let origin = location.origin().map_err(|_| ApiError::Unsupported)?;
    let req = ChallengeRequest {
        code_challenge: s256(&verifier).await?,
        code_challenge_method: "S256".into(),
        redirect_uri: format!("{origin}/auth/callback"),
    };
    let res = api::public::challenge(&req).send().await?;
    // No await between these two: a double tap cannot pair one verifier with the other's nonce.
    dom::storage_set(VERIFIER_KEY, &verifier);
    location.assign(&res.companion_url).map_err(|_| ApiError::Unsupported)
}

/// `/auth/callback`: trade the one-time code and our verifier for a session.
pub async fn finish(code: Option<String>) -> Result<(), ApiError> {
    let (Some(code), Some(code_verifier)) = (code, dom::storage_get(VERIFIER_KEY)) else {
        return Err(ApiError::NoSignIn);
    };
    let tokens = api::public::token(&TokenRequest::AuthorizationCode { code, code_verifier }).send().await?;
    store(tokens);
    dom::storage_remove(VERIFIER_KEY);
    Ok(())
}

/// Revokes the refresh-token family on the server; forgets the session here in any case.
pub async fn sign_out() {
    if let Some(s) = load() {
        forget();
        let _ = api::public::logout(&LogoutRequest { refresh_token: s.refresh_token }).done().await;
    }
}

// ---- authenticated calls --------------------------------------------------

// Refresh tokens rotate and a reused one revokes the whole family: one refresh at a time,
// in this tab (the mutex) and across the tabs of this browser (a Web Lock).
static REFRESH_LOCK: futures::lock::Mutex<()> = futures::lock::Mutex::new(());

pub(crate) async fn refresh(stale: &Session) -> Result<Session, ApiError> {
    let _guard = REFRESH_LOCK.lock().await;
    let _tabs = TabLock::acquire("bosai.session.refresh").await;
    // Someone (another call, another tab) may have refreshed or signed out while we waited.
    let here = load().ok_or(ApiError::NoSignIn)?;
    let shared = match shared_call("get", &wasm_bindgen::JsValue::UNDEFINED) {
        Some(get) => get.await.ok().and_then(from_shared),
        None => None,
    };
    let current = latest(here.clone(), shared);
    if current.refresh_token != stale.refresh_token {
        if current != here {
            keep(&current);
        }
        return Ok(current);
    }
    let req = TokenRequest::RefreshToken { refresh_token: stale.refresh_token.clone() };
    match api::public::token(&req).send().await {
        Ok(t) => {
            let s = store(t);
            // Committed before the lock is released: the next tab to take it reads this.
            if let Some(put) = shared_call("put", &to_shared(&s)) {
                let _ = put.await;
            }
            Ok(s)
        }
        Err(e) => {
            // Revoked, reused, or past the session's 30 days / the card's expiry: sign in again.
            if matches!(e.code(), Some("invalid_grant" | "session_expired")) {
                forget();
            }
            Err(e)
        }
    }
}

/// A lock shared by every tab of this origin (`navigator.locks`), held until dropped.
/// Without Web Locks (old browsers) it holds nothing: the in-tab mutex still applies.
struct TabLock {
    release: Option<js_sys::Function>,
}

impl TabLock {
    async fn acquire(name: &str) -> TabLock {
        use js_sys::{Function, Promise, Reflect};
        use wasm_bindgen::{closure::Closure, JsCast, JsValue};
        let Some(locks) = web_sys::window()
            .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
            .filter(|l| !l.is_undefined())
        else {
            return TabLock { release: None };
        };
        let Some(request) = Reflect::get(&locks, &"request".into()).ok().and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return TabLock { release: None };
        };
        // The lock is held while the promise our callback returns is pending; it settles
        // when `release` is called (on drop).
        let mut release = None;
        let held = Promise::new(&mut |resolve, _| release = Some(resolve));
        let mut granted_resolve = None;
        let granted = Promise::new(&mut |resolve, _| granted_resolve = Some(resolve));
        let (Some(release), Some(granted_resolve)) = (release, granted_resolve) else {
            return TabLock { release: None };
        };
        let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let _ = granted_resolve.call0(&JsValue::NULL);
            held.into()
        });
        if request.call2(&locks, &name.into(), &callback).is_err() {
            return TabLock { release: None };
        }
        let _ = JsFuture::from(granted).await;
        TabLock { release: Some(release) }
    }
}

impl Drop for TabLock {
    fn drop(&mut self) {
        if let Some(r) = self.release.take() {
            let _ = r.call0(&wasm_bindgen::JsValue::NULL);
        }
    }
}

/// [`refresh`], from a chunk of its own in the resident's app (`later::refresh_session`).
async fn renewed(stale: Session) -> Result<Session, ApiError> {
    #[cfg(feature = "resident")]
    return crate::later::refresh_session(stale).await.await;
    #[cfg(not(feature = "resident"))]
    refresh(&stale).await
}

/// A request with the resident's token (`api::Resident`), refreshed first when (nearly) expired
/// and once more on a 401; `made_at` for a queued write ([`api::send_with`]).
pub async fn authed_send_made(
    method: &str,
    path: &str,
    body: Option<String>,
    made_at: Option<Timestamp>,
) -> Result<String, ApiError> {
    let mut s = load().ok_or(ApiError::NoSignIn)?;
    if s.expires_at - dom::now().millis() < REFRESH_EARLY_MS {
        s = renewed(s).await?;
    }
    match api::send_with(method, path, body.clone(), Some(&s.access_token), made_at).await {
        Err(e) if e.status() == Some(401) => {
            s = renewed(s).await?;
            api::send_with(method, path, body, Some(&s.access_token), made_at).await
        }
        r => r,
    }
}

pub async fn me() -> Result<Me, ApiError> {
    api::resident::me().send().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(refresh: &str, expires_at: i64) -> Session {
        Session { access_token: format!("at-{refresh}"), refresh_token: refresh.into(), expires_at }
    }

    #[test]
    fn the_later_of_this_tabs_copy_and_the_shared_one_wins() {
        // Another tab refreshed; this tab's localStorage copy still has the spent token.
        assert_eq!(latest(session("spent", 1_000), Some(session("new", 2_000))).refresh_token, "new");
        // A tab of the previous app version refreshed (localStorage only): the shared copy is older.
        assert_eq!(latest(session("newer", 3_000), Some(session("older", 2_000))).refresh_token, "newer");
        // No shared copy (no IndexedDB, or signed in before it was kept): this tab's.
        assert_eq!(latest(session("only", 1_000), None).refresh_token, "only");
    }
}

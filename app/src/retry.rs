//! A retry timer with backoff (2 s, doubling up to a minute), one pending at a time. The
//! resident outbox and the staff scan queue each keep their own.

use std::cell::Cell;
use std::thread::LocalKey;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

const FIRST_RETRY_MS: i32 = 2_000;
const MAX_RETRY_MS: i32 = 60_000;

pub struct Backoff {
    delay_ms: Cell<i32>,
    timer: Cell<Option<i32>>,
}

impl Backoff {
    pub const fn new() -> Self {
        Self { delay_ms: Cell::new(FIRST_RETRY_MS), timer: Cell::new(None) }
    }
}

/// Calls `f` after the current backoff, which then doubles; nothing if a retry is pending.
pub fn later(key: &'static LocalKey<Backoff>, f: fn()) {
    key.with(|b| {
        if b.timer.get().is_some() {
            return;
        }
        let delay = b.delay_ms.get();
        b.delay_ms.set((delay * 2).min(MAX_RETRY_MS));
        let cb = Closure::once_into_js(move || {
            key.with(|b| b.timer.set(None));
            f();
        });
        if let Some(w) = web_sys::window() {
            if let Ok(id) = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay) {
                b.timer.set(Some(id));
            }
        }
    });
}

/// After a successful send, or when the connection is back: retry promptly next time.
pub fn reset(key: &'static LocalKey<Backoff>) {
    key.with(|b| {
        b.delay_ms.set(FIRST_RETRY_MS);
        if let (Some(id), Some(w)) = (b.timer.take(), web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
    });
}

//! Scanning with the camera (the browser's BarcodeDetector or the built-in decoder, `qr_decode.rs`) or a photo.

use super::*;
use crate::i18n::Lang;
use crate::qr_decode;
use crate::use_lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Camera scanning: the browser's BarcodeDetector where it has one (Chromium on
/// Android, ChromeOS, macOS), otherwise each frame goes through the decoder built into
/// the app (`qr_decode`). Stops at the first code, or when pressed again.
#[component]
pub(crate) fn Camera(on_code: Callback<String>, msg: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let running = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    let start = move |_| {
        if running.get_untracked() {
            running.set(false);
            return;
        }
        msg.set(None);
        running.set(true);
        spawn_local(async move {
            let r = camera_loop(video, running).await;
            // Gone (the page or the shelter changed): nobody to tell.
            if running.try_get_untracked().is_none() {
                return;
            }
            running.set(false);
            match r {
                Ok(Some(code)) => on_code.run(code),
                Ok(None) => {}
                Err(e) => {
                    msg.set(Some((false, camera_error_text(e, lang.get_untracked()).into())));
                    focus("scan-camera");
                }
            }
        });
    };
    view! {
        <button id="scan-camera" type="button" class="btn btn-secondary" on:click=start>
            {move || if running.get() { t().staff().camera_stop_camera } else { t().staff().camera_scan_with_camera }}
        </button>
        <video node_ref=video class="camera" muted=true playsinline=true hidden=move || !running.get()
            aria-label=move || t().staff().camera_camera_view_hold_qr></video>
    }
}

/// The browser can ask for a camera (`navigator.mediaDevices.getUserMedia`: a secure context).
pub(crate) fn has_camera() -> bool {
    use js_sys::Reflect;
    web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"mediaDevices".into()).ok())
        .filter(|md| md.is_object())
        .is_some_and(|md| Reflect::get(&md, &"getUserMedia".into()).is_ok_and(|f| f.is_function()))
}

/// Why the camera could not start (or stopped).
#[derive(Clone, Copy, Debug)]
pub(crate) enum CameraError {
    Refused,
    NoCamera,
    Busy,
    Other,
    /// The built-in decoder trapped too often (`qr_decode::worn_out`).
    Reload,
}

pub(crate) fn camera_error(e: &wasm_bindgen::JsValue) -> CameraError {
    let name = js_sys::Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string());
    match name.as_deref() {
        Some("NotAllowedError" | "SecurityError" | "PermissionDeniedError") => CameraError::Refused,
        Some("NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError") => CameraError::NoCamera,
        Some("NotReadableError" | "AbortError" | "TrackStartError") => CameraError::Busy,
        _ => CameraError::Other,
    }
}

pub(crate) fn camera_error_text(e: CameraError, l: Lang) -> &'static str {
    match e {
        CameraError::Refused => l.staff().camera_cannot_use_camera_permission,
        CameraError::NoCamera => l.staff().camera_cannot_use_camera_none,
        CameraError::Busy => l.staff().camera_cannot_use_camera_another,
        CameraError::Reload => l.staff().camera_reload_to_scan,
        CameraError::Other => l.staff().camera_cannot_use_camera_use,
    }
}

/// The browser's BarcodeDetector for QR codes and its `detect` method, if it has one.
pub(crate) fn barcode_detector() -> Option<(wasm_bindgen::JsValue, js_sys::Function)> {
    use js_sys::{Array, Function, Object, Reflect};
    let w = web_sys::window()?;
    let ctor: Function = Reflect::get(&w, &"BarcodeDetector".into()).ok()?.dyn_into().ok()?;
    let opts = Object::new();
    Reflect::set(&opts, &"formats".into(), &Array::of1(&"qr_code".into())).ok()?;
    // Throws when QR is not among the supported formats.
    let detector = Reflect::construct(&ctor, &Array::of1(&opts)).ok()?;
    let detect: Function = Reflect::get(&detector, &"detect".into()).ok()?.dyn_into().ok()?;
    Some((detector, detect))
}

pub(crate) async fn sleep(ms: i32) {
    let tick = js_sys::Promise::new(&mut |res, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&res, ms);
        }
    });
    let _ = JsFuture::from(tick).await;
}

pub(crate) async fn camera_loop(
    video: NodeRef<leptos::html::Video>,
    running: RwSignal<bool>,
) -> Result<Option<String>, CameraError> {
    use js_sys::{Array, Object, Promise, Reflect};
    use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};
    // False once stopped, and once the component is gone (its signal disposed).
    let alive = move || running.try_get_untracked().unwrap_or(false);
    let w = web_sys::window().ok_or(CameraError::Other)?;
    let md = w.navigator().media_devices().map_err(|e| camera_error(&e))?;
    let constraints = MediaStreamConstraints::new();
    let v = Object::new();
    let _ = Reflect::set(&v, &"facingMode".into(), &"environment".into());
    constraints.set_video(&v);
    let asked = md.get_user_media_with_constraints(&constraints).map_err(|e| camera_error(&e))?;
    let stream: MediaStream = JsFuture::from(asked).await.map_err(|e| camera_error(&e))?.unchecked_into();
    let stop = || {
        for track in stream.get_tracks().iter() {
            track.unchecked_into::<MediaStreamTrack>().stop();
        }
    };
    let Some(el) = video.get_untracked().filter(|_| alive()) else {
        stop();
        return Ok(None);
    };
    el.set_src_object(Some(&stream));
    if let Ok(p) = el.play() {
        let _ = JsFuture::from(p).await;
    }
    let mut detector = barcode_detector();
    let mut found = None;
    while alive() && found.is_none() {
        // HAVE_CURRENT_DATA: a frame to look at.
        if el.ready_state() >= 2 && el.video_width() > 0 {
            let mut detector_failed = false;
            if let Some((d, detect)) = &detector {
                match detect.call1(d, &el) {
                    Ok(p) => match JsFuture::from(p.unchecked_into::<Promise>()).await {
                        Ok(codes) => {
                            found = Array::from(&codes)
                                .iter()
                                .find_map(|c| Reflect::get(&c, &"rawValue".into()).ok()?.as_string());
                        }
                        Err(_) => detector_failed = true,
                    },
                    Err(_) => detector_failed = true,
                }
            } else {
                found = qr_decode::decode(&qr_decode::Picture::Video(&el), qr_decode::CAMERA_MAX_SIDE).await;
                if qr_decode::worn_out() {
                    stop();
                    el.set_src_object(None);
                    return Err(CameraError::Reload);
                }
            }
            // A detector that cannot read frames: the built-in decoder from now on.
            if detector_failed {
                detector = None;
            }
        }
        sleep(250).await;
    }
    // Stop the camera (the light goes off).
    stop();
    el.set_src_object(None);
    Ok(found.filter(|c| !c.trim().is_empty()))
}

/// "Read from a photo": a picture of the QR code (on phones the chooser offers the
/// camera app too), decoded by the built-in decoder.
#[component]
pub(crate) fn Photo(on_code: Callback<String>, msg: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get();
    let busy = RwSignal::new(false);
    let pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        msg.set(None);
        busy.set(true);
        spawn_local(async move {
            let r = qr_decode::decode_file(&file).await;
            if busy.try_get_untracked().is_none() {
                return;
            }
            busy.set(false);
            let l = lang.get_untracked();
            match r {
                Ok(code) => on_code.run(code),
                Err(e) => {
                    let text = match e {
                        qr_decode::PhotoError::NoCode => l.staff().camera_no_qr_code_could,
                        qr_decode::PhotoError::Reload => l.staff().camera_reload_to_scan,
                        qr_decode::PhotoError::NotAnImage => l.staff().camera_could_not_open_image,
                    };
                    msg.set(Some((false, text.into())));
                }
            }
        });
    };
    view! {
        <label class="btn btn-secondary file-btn scan-photo">
            <span>{move || if busy.get() { t().staff().camera_reading_photo } else { t().staff().camera_read_from_photo }}</span>
            <input id="scan-photo" type="file" accept="image/*" class="sr-only" on:change=pick disabled=move || busy.get()/>
        </label>
    }
}

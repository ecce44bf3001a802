//! The QR decoder compiled into the app (rqrr, pure Rust), for staff devices whose
//! browser has no `BarcodeDetector` (Firefox, Safari, Chromium on Linux/Windows) and
//! for "read from a photo". Used by the staff pages only (`shelter/`), so it can
//! move into the staff bundle with them.
//!
//! Pixels come from a canvas: the picture is drawn (scaled down so its long side is at
//! most `max_side`) onto a white background, read back as RGBA, turned into luminance
//! and handed to rqrr; the first code that decodes wins.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, ImageBitmap};

/// Camera frames are decoded at this long side (a 1280×720 frame becomes 640×360):
/// a few tens of milliseconds per frame, about four frames a second.
pub const CAMERA_MAX_SIDE: u32 = 640;
/// A photo is tried at 1024 px first, then at 2048 px when the code was too small.
const PHOTO_SIDES: [u32; 2] = [1024, 2048];

/// `(w, h)` scaled down (never up) so that the long side is at most `max_side`.
pub fn fit(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max_side {
        return (w, h);
    }
    let s = f64::from(max_side) / f64::from(long);
    let scale = |v: u32| ((f64::from(v) * s).round() as u32).clamp(1, max_side);
    (scale(w), scale(h))
}

/// RGBA (canvas `getImageData` order) → luminance (BT.601 weights), transparent
/// pixels counted as white paper.
pub fn rgba_to_luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            let y = (77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8;
            let a = u32::from(p[3]);
            ((y * a + 255 * (255 - a)) / 255) as u8
        })
        .collect()
}

/// The text of the first QR code found in a `w`×`h` luminance picture.
pub fn decode_luma(w: usize, h: usize, luma: &[u8]) -> Option<String> {
    if w == 0 || h == 0 || luma.len() < w.checked_mul(h)? {
        return None;
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    img.detect_grids().iter().find_map(|g| g.decode().ok().map(|(_, text)| text)).filter(|t| !t.is_empty())
}

/// Decodes that ended in a trap. A trap skips the epilogues of the frames it was in, so
/// each leaves their space taken on wasm's shadow stack; after a few the built-in decoder
/// stops and the page asks for a reload (the scan queue is in IndexedDB and survives it).
const MAX_TRAPS: u32 = 8;

thread_local! {
    static TRAPS: Cell<u32> = const { Cell::new(0) };
}

/// Too many decodes trapped: reload the page before decoding again.
pub fn worn_out() -> bool {
    TRAPS.with(|t| t.get()) >= MAX_TRAPS
}

/// Runs `f` as the listener of an event dispatched on a private `EventTarget`.
///
/// rqrr still has reachable asserts on odd pictures (e.g. a degenerate perspective,
/// rqrr issue #54), and this build aborts on panic, which in wasm is a trap. A trap
/// unwinds only to the nearest JavaScript frame; `dispatchEvent` reports an exception
/// thrown by a listener instead of passing it on. So a panic in `f` ends this one decode
/// (logged as an uncaught error) and the app, its camera loop and its queue go on.
fn guarded<T: 'static>(f: impl FnOnce() -> T + 'static) -> Option<T> {
    if worn_out() {
        return None;
    }
    let out = Rc::new(RefCell::new(None));
    let slot = out.clone();
    let mut f = Some(f);
    let listener = Closure::<dyn FnMut()>::new(move || {
        if let Some(f) = f.take() {
            let v = f();
            *slot.borrow_mut() = Some(v);
        }
    });
    let target = web_sys::EventTarget::new().ok()?;
    target.add_event_listener_with_callback("decode", listener.as_ref().unchecked_ref()).ok()?;
    let _ = target.dispatch_event(&web_sys::Event::new("decode").ok()?);
    drop(listener);
    let v = out.borrow_mut().take();
    if v.is_none() {
        TRAPS.with(|t| t.set(t.get() + 1));
    }
    v
}

/// What to decode: the current frame of a playing video, or a decoded image.
pub enum Picture<'a> {
    Video(&'a HtmlVideoElement),
    Bitmap(&'a ImageBitmap),
}

impl Picture<'_> {
    fn size(&self) -> (u32, u32) {
        match self {
            Picture::Video(v) => (v.video_width(), v.video_height()),
            Picture::Bitmap(b) => (b.width(), b.height()),
        }
    }
}

thread_local! {
    /// One detached canvas, reused for every frame.
    static CANVAS: RefCell<Option<(HtmlCanvasElement, CanvasRenderingContext2d)>> = const { RefCell::new(None) };
}

fn canvas() -> Option<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    CANVAS.with(|c| {
        if let Some(pair) = c.borrow().as_ref() {
            return Some(pair.clone());
        }
        let canvas: HtmlCanvasElement =
            web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
        let opts = web_sys::ContextAttributes2d::new();
        opts.set_will_read_frequently(true);
        opts.set_alpha(false);
        let ctx: CanvasRenderingContext2d =
            canvas.get_context_with_context_options("2d", &opts).ok()??.dyn_into().ok()?;
        *c.borrow_mut() = Some((canvas.clone(), ctx.clone()));
        Some((canvas, ctx))
    })
}

/// Draws `pic` scaled to fit `max_side` and returns its luminance.
fn luminance(pic: &Picture, max_side: u32) -> Option<(usize, usize, Vec<u8>)> {
    let (w, h) = pic.size();
    if w == 0 || h == 0 {
        return None;
    }
    let (sw, sh) = fit(w, h, max_side);
    let (canvas, ctx) = canvas()?;
    if canvas.width() != sw || canvas.height() != sh {
        canvas.set_width(sw);
        canvas.set_height(sh);
    }
    let (dw, dh) = (f64::from(sw), f64::from(sh));
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, dw, dh);
    match pic {
        Picture::Video(v) => ctx.draw_image_with_html_video_element_and_dw_and_dh(v, 0.0, 0.0, dw, dh),
        Picture::Bitmap(b) => ctx.draw_image_with_image_bitmap_and_dw_and_dh(b, 0.0, 0.0, dw, dh),
    }
    .ok()?;
    let rgba = ctx.get_image_data(0.0, 0.0, dw, dh).ok()?.data();
    Some((sw as usize, sh as usize, rgba_to_luma(&rgba)))
}

/// The first QR code in `pic` (scaled to at most `max_side`), if any. The decoder itself is a
/// chunk (`later::qr_in_luma`): a shelter device with a `BarcodeDetector` or a desk scanner never
/// downloads it, the others on their first camera frame or photo (the service worker keeps it).
pub async fn decode(pic: &Picture<'_>, max_side: u32) -> Option<String> {
    let (w, h, luma) = luminance(pic, max_side)?;
    crate::later::qr_in_luma(w, h, luma).await
}

/// [`decode_luma`], a trap in it caught (see [`guarded`]).
pub fn decode_luma_guarded(w: usize, h: usize, luma: Vec<u8>) -> Option<String> {
    guarded(move || decode_luma(w, h, &luma)).flatten()
}

/// Why a photo gave no code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    /// Not a picture the browser can open.
    NotAnImage,
    /// A picture, but no readable QR code in it.
    NoCode,
    /// The decoder trapped too often (see `worn_out`): reload the page.
    Reload,
}

/// Decodes a chosen photo or image file: at 1024 px, then at 2048 px if that found nothing.
pub async fn decode_file(file: &web_sys::File) -> Result<String, PhotoError> {
    let w = web_sys::window().ok_or(PhotoError::NotAnImage)?;
    let promise = w.create_image_bitmap_with_blob(file).map_err(|_| PhotoError::NotAnImage)?;
    let bitmap: ImageBitmap = JsFuture::from(promise).await.map_err(|_| PhotoError::NotAnImage)?.unchecked_into();
    let long = bitmap.width().max(bitmap.height());
    let mut found = None;
    for side in PHOTO_SIDES {
        found = decode(&Picture::Bitmap(&bitmap), side).await;
        if found.is_some() || long <= side {
            break;
        }
    }
    bitmap.close();
    match found {
        Some(code) => Ok(code),
        None if worn_out() => Err(PhotoError::Reload),
        None => Err(PhotoError::NoCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A QR code of `text` drawn at `px` pixels per module with a 4-module quiet zone.
    fn render(text: &str, px: usize) -> (usize, Vec<u8>) {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let side = (n + 8) * px;
        let mut luma = vec![255u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / px).wrapping_sub(4), (y / px).wrapping_sub(4));
                if mx < n && my < n && colors[my * n + mx] == qrcode::Color::Dark {
                    luma[y * side + x] = 0;
                }
            }
        }
        (side, luma)
    }

    #[test]
    fn decodes_a_credential_sized_code() {
        let text = format!("eyJhbGciOiJFUzI1NiJ9.{}.sig", "x".repeat(300));
        let (side, luma) = render(&text, 3);
        assert_eq!(decode_luma(side, side, &luma).as_deref(), Some(text.as_str()));
    }

    #[test]
    fn blank_and_bad_input_give_nothing() {
        assert_eq!(decode_luma(64, 64, &[255; 64 * 64]), None);
        assert_eq!(decode_luma(64, 64, &[0; 10]), None);
        assert_eq!(decode_luma(0, 0, &[]), None);
    }

    #[test]
    fn luma_and_fit() {
        assert_eq!(rgba_to_luma(&[0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 0]), vec![0, 255, 255]);
        assert_eq!(fit(1280, 720, 640), (640, 360));
        assert_eq!(fit(720, 1280, 640), (360, 640));
        assert_eq!(fit(300, 200, 640), (300, 200));
        assert_eq!(fit(10_000, 1, 640), (640, 1));
    }
}

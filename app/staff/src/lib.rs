//! Entry point of the staff and HQ bundle (staff.html, served for /shelter and /hq).

#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    bosai_app::start_staff();
}

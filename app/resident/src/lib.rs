//! Entry point of the residents' bundle (index.html). Only what its routes reach is linked in.

#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    bosai_app::start_resident();
}

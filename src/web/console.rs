//! Console output. Messages are static strings; a second argument carries the offending value
//! so a developer can inspect it, without any formatting code in the wasm.
//!
//! Pages often wrap `console` (error trackers, log shippers), and a wrapper can throw (on a
//! Proxy, on `Object.create(null)`). The bindings are `catch`: a throwing console is ignored,
//! never propagated, and never unwinds through the wasm while the tag's state is borrowed.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn, catch)]
    fn console_warn(msg: &str, detail: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = console, js_name = debug, catch)]
    fn console_debug(msg: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = console, js_name = debug, catch)]
    fn console_debug_with(msg: &str, detail: &JsValue) -> Result<(), JsValue>;
}

/// A warning (shown by default): a call was refused.
pub fn warn(msg: &'static str, detail: &JsValue) {
    let _ = console_warn(msg, detail);
}

/// A debug message (shown when the console's verbose level is on).
pub fn debug(msg: &'static str) {
    let _ = console_debug(msg);
}

/// A debug message with a value.
pub fn debug_with(msg: &'static str, detail: &JsValue) {
    let _ = console_debug_with(msg, detail);
}
